// Notifications (消息 and 订阅设置, docs/notifications.md): an administrator adds an inbox
// subscription and an e-mail one through the form; the list shows the address masked
// as the server masks it, a bad address is refused in the server's words beside the
// form, 发送测试 puts a test message in the inbox (the bell counts it) or says why an
// e-mail was not sent, 启用 and 删除 reach the server. Every role with a console has the
// bell, and only administrators may pick a webhook or SMS. On a 390×844 phone the
// inbox, the subscriptions and the form do not scroll sideways; a tap reads a message
// and the bell follows, 全部已读 reads the rest.
// Messages here are the subscriptions' test messages: an alarm reaching the inbox
// through the dispatcher is not forced by the run's server.
import { test, assert } from './lib.mjs';

const READY = 30000;

// The page has loaded its tab ('messages' or 'subs').
async function ready(page, tab = 'messages') {
  await page.waitForSelector(`main[data-page="inbox"][data-tab="${tab}"][data-ready="inbox"]`, { state: 'attached', timeout: READY });
}

async function noSidewaysScroll(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `${what} scrolls sideways by ${overflow}px`);
}

async function subscriptions(ctx, token) {
  const r = await ctx.api('/api/v1/subscriptions', { token });
  assert.equal(r.status, 200, r.text.slice(0, 300));
  return r.json.items;
}

async function unreadOf(ctx, token) {
  const r = await ctx.api('/api/v1/inbox/unread', { token });
  assert.equal(r.status, 200, r.text.slice(0, 300));
  return r.json.unread;
}

// The bell's count as it says it: "消息，N 条未读".
async function bellCount(page) {
  const label = await page.locator('[data-test=bell]').getAttribute('aria-label');
  const m = /^消息，(\d+) 条未读$/.exec(label || '');
  return m ? Number(m[1]) : null;
}

test('notify: an administrator adds an inbox and an e-mail subscription through the form', async (ctx) => {
  const { admin } = ctx.users;
  const stamp = Date.now();
  const page = await ctx.page({ viewport: 'desktop', role: 'admin' });
  await page.goto('/console/inbox?tab=subs');
  await ready(page, 'subs');
  // An administrator may make every channel.
  await page.click('[data-test=sub-add]');
  const offered = await page.$$eval('[data-test=sub-form-channel] option', (os) => os.map((o) => [o.value, o.disabled]));
  assert.deepEqual(offered.filter(([, off]) => off), [], `every channel is open to an administrator: ${JSON.stringify(offered)}`);
  assert.ok(['inbox', 'email', 'webhook', 'sms'].every((c) => offered.some(([v]) => v === c)), JSON.stringify(offered));

  // 站内消息: exceedances, warning and up.
  const inboxName = `站内超标 ${stamp}`;
  await page.fill('[data-test=sub-form-name]', inboxName);
  await page.selectOption('[data-test=sub-form-channel]', 'inbox');
  assert.equal(await page.locator('[data-test=sub-form-target]').count(), 0, 'the inbox asks for no target');
  await page.check('[data-test="sub-form-kind-alarm.exceedance"]');
  await page.selectOption('[data-test=sub-form-severity]', 'warning');
  await page.click('[data-test=sub-form-save]');
  await page.waitForSelector('[data-test=sub-done]', { timeout: READY });
  const inboxCard = page.locator('[data-test=sub-card]', { hasText: inboxName });
  await inboxCard.waitFor({ timeout: READY });
  assert.match(await inboxCard.locator('[data-test=sub-channel]').innerText(), /站内消息/);
  assert.match(await inboxCard.locator('[data-test=sub-kinds]').innerText(), /超标告警/);
  let mine = await subscriptions(ctx, admin.token);
  const inboxSub = mine.find((s) => s.name === inboxName);
  assert.ok(inboxSub, 'the API lists the inbox subscription');
  assert.equal(inboxSub.channel, 'inbox');
  assert.deepEqual(inboxSub.kinds, ['alarm.exceedance']);
  assert.equal(inboxSub.min_severity, 'warning');
  assert.equal(inboxSub.hours, null);
  assert.equal(inboxSub.enabled, true);

  // 发送测试 on the inbox puts a message there, and the bell counts it.
  const before = await unreadOf(ctx, admin.token);
  await inboxCard.locator('[data-test=sub-test]').click();
  await inboxCard.locator('[data-test=sub-test-result][data-ok=true]').waitFor({ timeout: READY });
  assert.equal(await unreadOf(ctx, admin.token), before + 1, 'the test message is in the inbox');
  await page.waitForFunction((n) => document.querySelector('[data-test=bell]')?.getAttribute('aria-label') === `消息，${n} 条未读`, before + 1, { timeout: READY });
  assert.equal((await page.locator('[data-test=bell-badge]').innerText()).trim(), String(Math.min(before + 1, 99)) + (before + 1 > 99 ? '+' : ''));

  // 电子邮件 in working hours: a bad address first, refused in the server's words.
  ctx.expectHttpError(page, /^400 POST \/api\/v1\/subscriptions$/);
  const probe = await ctx.api('/api/v1/subscriptions', {
    method: 'POST', token: admin.token, body: { name: 'probe', channel: 'email', target: 'duty.officer-at-example.org' },
  });
  assert.equal(probe.status, 400, probe.text.slice(0, 300));
  const mailName = `值班邮箱 ${stamp}`;
  await page.click('[data-test=sub-add]');
  await page.fill('[data-test=sub-form-name]', mailName);
  await page.selectOption('[data-test=sub-form-channel]', 'email');
  await page.fill('[data-test=sub-form-target]', 'duty.officer-at-example.org');
  await page.check('[data-test=sub-form-hours]');
  await page.fill('[data-test=sub-form-from]', '09:00');
  await page.fill('[data-test=sub-form-to]', '18:00');
  await page.click('[data-test=sub-form-save]');
  const err = await page.waitForSelector('[data-test=sub-form-error]', { timeout: READY });
  const said = await err.innerText();
  assert.ok(said.includes(probe.json.detail), `the form shows the server's detail "${probe.json.detail}": ${said}`);
  assert.match(said, /“邮箱地址”填写有误/, 'the field is named by its label');
  await ctx.shot(page, 'notify-form-error-desktop');

  await page.fill('[data-test=sub-form-target]', 'duty.officer@example.org');
  await page.click('[data-test=sub-form-save]');
  const mailCard = page.locator('[data-test=sub-card]', { hasText: mailName });
  await mailCard.waitFor({ timeout: READY });
  assert.equal(await page.locator('[data-test=sub-form]').count(), 0, 'the form closes once saved');
  mine = await subscriptions(ctx, admin.token);
  const mailSub = mine.find((s) => s.name === mailName);
  assert.ok(mailSub, 'the API lists the e-mail subscription');
  assert.deepEqual(mailSub.hours, { from: '09:00', to: '18:00' });
  const shown = (await mailCard.locator('[data-test=sub-target]').innerText()).trim();
  assert.equal(shown, mailSub.target, 'the page shows the target as the server masks it');
  assert.ok(!shown.includes('duty.officer@'), `the address is masked: ${shown}`);
  assert.match(shown, /\*\*\*@example\.org$/);
  assert.match(await mailCard.locator('[data-test=sub-hours]').innerText(), /09:00–18:00/);

  // 发送测试 by e-mail: sent, or the reason it was not (the run's server has no SMTP
  // server to talk to) beside the subscription.
  ctx.expectHttpError(page, new RegExp(`^502 POST /api/v1/subscriptions/${mailSub.id}/test$`));
  await mailCard.locator('[data-test=sub-test]').click();
  const result = mailCard.locator('[data-test=sub-test-result][data-ok]');
  await result.waitFor({ timeout: READY });
  if ((await result.getAttribute('data-ok')) === 'false') assert.match(await result.innerText(), /^发送失败：\S/);
  await ctx.shot(page, 'notify-subscriptions-desktop');

  // 启用 off and on again.
  await mailCard.locator('[data-test=sub-enabled]').click();
  await page.waitForSelector(`[data-test=sub-card][data-id="${mailSub.id}"][data-enabled=false]`, { timeout: READY });
  assert.equal((await subscriptions(ctx, admin.token)).find((s) => s.id === mailSub.id).enabled, false);
  await mailCard.locator('[data-test=sub-enabled]').click();
  await page.waitForSelector(`[data-test=sub-card][data-id="${mailSub.id}"][data-enabled=true]`, { timeout: READY });

  // 修改: a new name and every kind; the address left empty is kept.
  await mailCard.locator('[data-test=sub-edit]').click();
  assert.equal(await page.inputValue('[data-test=sub-form-target]'), '', 'the stored address is not sent back');
  await page.fill('[data-test=sub-form-name]', `${mailName} 改`);
  await page.check('[data-test="sub-form-kind-alarm.offline"]');
  await page.click('[data-test=sub-form-save]');
  await page.waitForSelector(`[data-test=sub-card][data-id="${mailSub.id}"] [data-test=sub-name]:text-is("${mailName} 改")`, { timeout: READY });
  const edited = (await subscriptions(ctx, admin.token)).find((s) => s.id === mailSub.id);
  assert.equal(edited.target, mailSub.target, 'the address is kept');
  assert.deepEqual(edited.kinds, ['alarm.offline']);
  assert.deepEqual(edited.hours, { from: '09:00', to: '18:00' });

  // 投递记录 opens (empty or not) and closes.
  await mailCard.locator('[data-test=sub-deliveries]').click();
  await mailCard.locator('[data-test=sub-delivery-list]').waitFor({ timeout: READY });
  await mailCard.locator('[data-test=sub-deliveries]').click();
  assert.equal(await mailCard.locator('[data-test=sub-delivery-list]').count(), 0);

  // 删除 asks first; 取消 keeps it, 删除 removes it.
  await mailCard.locator('[data-test=sub-delete]').click();
  await mailCard.locator('[data-test=sub-confirm-cancel]').click();
  assert.equal(await mailCard.count(), 1);
  await mailCard.locator('[data-test=sub-delete]').click();
  await mailCard.locator('[data-test=sub-confirm-delete]').click();
  await page.waitForSelector(`[data-test=sub-card][data-id="${mailSub.id}"]`, { state: 'detached', timeout: READY });
  assert.ok(!(await subscriptions(ctx, admin.token)).some((s) => s.id === mailSub.id), 'the API no longer lists it');
  ctx.assertClean(page);
});

test('notify: every role with a console has the bell; only administrators may pick a webhook or SMS', async (ctx) => {
  for (const key of ['leader', 'staff', 'inspector', 'enterprise', 'partner']) {
    const u = ctx.users[key];
    const page = await ctx.page({ viewport: 'desktop', role: key });
    await page.goto('/console/inbox?tab=subs');
    await ready(page, 'subs');
    const bell = page.locator('[data-test=bell]');
    await bell.waitFor({ timeout: READY });
    await page.waitForFunction(() => /^消息，\d+ 条未读$/.test(document.querySelector('[data-test=bell]')?.getAttribute('aria-label') || ''), null, { timeout: READY });
    assert.equal(await bellCount(page), await unreadOf(ctx, u.token), `${key}'s bell counts the API's unread`);
    await page.click('[data-test=sub-add]');
    const off = await page.$$eval('[data-test=sub-form-channel] option', (os) => os.filter((o) => o.disabled).map((o) => o.value));
    assert.deepEqual(off.sort(), ['sms', 'webhook'], `${key} may not pick a webhook or SMS`);
    ctx.assertClean(page);
    await page.close();
  }
});

test('notify: the inbox on a phone: no sideways scrolling, a tap reads a message and the bell follows', async (ctx) => {
  const { staff } = ctx.users;
  // Two test messages for the staff user, through two inbox subscriptions of theirs.
  for (let i = 0; i < 2; i++) {
    const made = await ctx.api('/api/v1/subscriptions', {
      method: 'POST', token: staff.token, body: { name: `手机消息 ${i + 1}`, channel: 'inbox' },
    });
    assert.equal(made.status, 201, made.text.slice(0, 300));
    const sent = await ctx.api(`/api/v1/subscriptions/${made.json.id}/test`, { method: 'POST', token: staff.token });
    assert.equal(sent.status, 200, sent.text.slice(0, 300));
  }
  const page = await ctx.page({ viewport: 'phone', role: 'staff' });
  await page.goto('/console/inbox');
  await ready(page);
  await page.waitForLoadState('networkidle');
  const bell = page.locator('[data-test=bell]');
  assert.ok(await bell.isVisible(), 'the bell is in the header on a phone, beside the menu button');
  const unread = await unreadOf(ctx, staff.token);
  assert.ok(unread >= 2, `two unread messages at least: ${unread}`);
  await page.waitForFunction((n) => document.querySelector('[data-test=bell]')?.getAttribute('aria-label') === `消息，${n} 条未读`, unread, { timeout: READY });
  assert.equal(await page.locator('[data-test=bell-badge]').count(), 1, 'the badge shows the unread');
  assert.equal(Number(await page.getAttribute('[data-test=unread-count]', 'data-n')), unread);
  await noSidewaysScroll(page, 'the inbox on a phone');
  await ctx.shot(page, 'notify-inbox-phone');

  // A tap reads the newest; its severity is written, not only coloured.
  const card = page.locator('[data-test=msg-card][data-read=false]').first();
  const id = await card.getAttribute('data-id');
  assert.match(await card.locator('[data-test=msg-severity]').innerText(), /^(提示|警告|严重)$/);
  assert.equal(await card.locator('[data-test=unread-dot]').count(), 1);
  await card.click();
  await page.waitForFunction((n) => document.querySelector('[data-test=bell]')?.getAttribute('aria-label') === `消息，${n} 条未读`, unread - 1, { timeout: READY });
  assert.equal(await unreadOf(ctx, staff.token), unread - 1, `message ${id} is read`);
  if (!/\/console\/inbox/.test(page.url())) {
    await page.goto('/console/inbox');
    await ready(page);
  }
  await page.waitForSelector(`[data-test=msg-card][data-id="${id}"][data-read=true]`, { timeout: READY });

  // 只看未读 leaves the read one out; 全部已读 reads the rest and the badge goes.
  await page.check('[data-test=only-unread]');
  await ready(page);
  await page.waitForSelector(`[data-test=msg-card][data-id="${id}"]`, { state: 'detached', timeout: READY });
  assert.equal(await page.locator('[data-test=msg-card]').count(), Math.min(unread - 1, 50));
  await page.click('[data-test=read-all]');
  await page.waitForSelector('[data-test=msg-done]', { timeout: READY });
  await page.waitForFunction(() => document.querySelector('[data-test=bell]')?.getAttribute('aria-label') === '消息，0 条未读', null, { timeout: READY });
  assert.equal(await page.locator('[data-test=bell-badge]').count(), 0, 'no badge at 0');
  assert.equal(await unreadOf(ctx, staff.token), 0);
  await page.waitForSelector('[data-test=empty]', { timeout: READY });

  // 订阅设置 and its form at phone width.
  await page.click('[data-test=tab-subs]');
  await ready(page, 'subs');
  await noSidewaysScroll(page, 'the subscriptions on a phone');
  await page.click('[data-test=sub-add]');
  await page.check('[data-test=sub-form-hours]');
  await page.locator('[data-test=sub-form-from]').waitFor({ timeout: READY });
  await noSidewaysScroll(page, 'the subscription form on a phone');
  await ctx.shot(page, 'notify-form-phone');
  ctx.assertClean(page);
});

test('notify: the link of an alarm message opens that alarm alone; 显示全部告警 goes back to the list', async (ctx) => {
  const { admin } = ctx.users;
  const r = await ctx.api('/api/v1/alarms?limit=5', { token: admin.token });
  assert.equal(r.status, 200, r.text.slice(0, 300));
  assert.ok(r.json.items.length >= 2, `the demo has alarms: ${r.json.items.length}`);
  const id = r.json.items[1].id;
  const page = await ctx.page({ viewport: 'desktop', role: 'admin' });
  await page.goto(`/console/alarms?id=${id}`);
  await page.waitForSelector('[data-test=alarm-focus]', { timeout: READY });
  await page.waitForSelector(`[data-test=alarm-row][data-id="${id}"]`, { timeout: READY });
  assert.equal(await page.locator('[data-test=alarm-row]').count(), 1, 'the named alarm alone');
  assert.match(await page.locator('[data-test=alarm-focus]').innerText(), new RegExp(`正在查看告警 #${id}`));
  await page.click('[data-test=alarm-focus-all]');
  await page.waitForSelector('[data-test=alarm-focus]', { state: 'detached', timeout: READY });
  await page.waitForFunction(() => document.querySelectorAll('[data-test=alarm-row]').length > 1, null, { timeout: READY });
  assert.ok(!/id=/.test(page.url()), `the address no longer names it: ${page.url()}`);
  ctx.assertClean(page);
});

test('notify: with nothing subscribed the inbox says so, and one tap subscribes it to everything', async (ctx) => {
  const { partner } = ctx.users;
  const page = await ctx.page({ viewport: 'phone', role: 'partner' });
  await page.goto('/console/inbox');
  await ready(page);
  assert.equal((await subscriptions(ctx, partner.token)).length, 0, 'the partner starts with none');
  await page.waitForSelector('[data-test=no-subscription]', { timeout: READY });
  await noSidewaysScroll(page, 'the hint on a phone');
  await page.click('[data-test=subscribe-inbox]');
  await page.waitForSelector('[data-test=no-subscription]', { state: 'detached', timeout: READY });
  await page.waitForSelector('[data-test=msg-done]', { timeout: READY });
  const subs = await subscriptions(ctx, partner.token);
  assert.equal(subs.length, 1);
  assert.equal(subs[0].channel, 'inbox');
  assert.deepEqual(subs[0].kinds, [], 'every kind');
  ctx.assertClean(page);
});
