// 一源一档 (docs/enterprise-file.md): the console's page of one enterprise's file, opened
// from its 环保码, shows what GET /api/v1/enterprises/{id}/file answers — the name and
// credit code, the code's colour and score, the alarms of 12 months, the outlets with
// their devices, the open alarms each leading to the alarms page — and fits a phone; an
// enterprise account reaches its own file from its page and is told plainly, with no
// data, that another enterprise's file is not for it.
import { test, assert } from './lib.mjs';

const READY = 30000;
const KINDS = ['exceedance', 'offline', 'anomaly'];

async function ready(page, name = 'enterprise-file') {
  await page.waitForSelector(`main[data-page="${name}"][data-ready="${name}"]`, { state: 'attached', timeout: READY });
}

async function noSidewaysScroll(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `${what} scrolls sideways by ${overflow}px`);
}

// The JSON of the next answer to GET `path` the page receives.
function answerOf(page, path) {
  return page
    .waitForResponse((r) => r.request().method() === 'GET' && new URL(r.url()).pathname === path && r.status() === 200, { timeout: READY })
    .then((r) => r.json());
}

// The first red enterprise of the codes (the demo city has many, each with alarms).
async function redEnterprise(ctx) {
  const codes = await ctx.api('/api/v1/enterprise-codes', { token: ctx.users.admin.token });
  assert.equal(codes.status, 200, codes.text.slice(0, 300));
  const red = codes.json.items.find((x) => x.color === 'red');
  assert.ok(red, `the demo city has a red code: ${JSON.stringify(codes.json.counts)}`);
  return { red, items: codes.json.items };
}

// What the page shows of a file, to compare with the API's answer.
async function shownFile(page) {
  return {
    id: Number(await page.getAttribute('[data-test=file-head]', 'data-id')),
    name: (await page.innerText('[data-test=file-name]')).trim(),
    credit: (await page.innerText('[data-test=file-credit]')).trim(),
    badge: await page.getAttribute('[data-test=file-badge]', 'data-color'),
    score: (await page.innerText('[data-test=file-score]')).trim(),
    months: await page.$$eval('[data-test=alarm-month]', (rows) => rows.map((r) => ({
      month: r.dataset.month, exceedance: Number(r.dataset.exceedance), offline: Number(r.dataset.offline), anomaly: Number(r.dataset.anomaly),
    }))),
    outlets: await page.$$eval('[data-test=file-outlet]', (els) => els.map((e) => [e.dataset.code, e.querySelector('[data-test=outlet-code]').textContent.trim()])),
    devices: await page.$$eval('[data-test=file-device]', (els) => els.map((e) => [e.textContent.trim(), e.getAttribute('href')])),
  };
}

function checkFile(shown, file, what) {
  const e = file.enterprise;
  assert.equal(shown.id, e.id, `${what}: the enterprise`);
  assert.equal(shown.name, e.name, `${what}: the name`);
  assert.equal(shown.credit, e.credit_code, `${what}: the credit code`);
  assert.equal(shown.badge, file.code.color, `${what}: the code's colour`);
  assert.equal(shown.score, String(file.code.score), `${what}: the code's score`);
  assert.equal(file.alarms.months.length, 12, 'the API gives 12 months');
  assert.equal(shown.months.length, 12, `${what}: 12 months`);
  assert.deepEqual(shown.months, file.alarms.months, `${what}: the months of the API, oldest first`);
  assert.deepEqual(shown.outlets, file.outlets.map((o) => [o.code, o.code]), `${what}: the API's outlets`);
  assert.deepEqual(shown.devices.map(([mn]) => mn), file.outlets.flatMap((o) => o.devices), `${what}: every outlet's devices`);
}

test('file: opened from a red code, the file shows the API\'s name, credit code, code, 12 months and outlets, and fits a phone', async (ctx) => {
  const { red } = await redEnterprise(ctx);
  const id = red.enterprise_id;
  const page = await ctx.page({ viewport: 'desktop', role: 'admin' });
  await page.goto(`/console/codes?id=${id}`);
  await ready(page, 'codes');
  const link = page.locator('[data-test=code-detail] [data-test=code-file]');
  assert.equal((await link.innerText()).trim(), '查看一源一档 →');
  const got = answerOf(page, `/api/v1/enterprises/${id}/file`);
  await link.click();
  await page.waitForURL(`**/console/enterprises/${id}/file`, { timeout: READY });
  await ready(page);
  const file = await got;
  assert.equal(file.code.color, 'red', 'the file\'s code is the list\'s');
  const year = file.alarms.months.reduce((n, m) => n + KINDS.reduce((s, k) => s + m[k], 0), 0);
  assert.ok(year > 0, `a red enterprise of the demo has alarms this year: ${JSON.stringify(file.alarms.months)}`);

  checkFile(await shownFile(page), file, 'the desktop');
  assert.equal(await page.locator('[data-test=file-badge] .bname').innerText(), '红码');
  // The chart is drawn, its legend counts the kinds of the twelve months.
  await page.locator('[data-test=alarm-chart] canvas').first().waitFor({ timeout: READY });
  for (const k of KINDS) {
    const n = file.alarms.months.reduce((s, m) => s + m[k], 0);
    assert.equal(Number(await page.getAttribute(`[data-test=total-${k}]`, 'data-n')), n, `the year's ${k} alarms`);
  }
  // Devices open the device page; the sections with nothing say so.
  for (const [mn, href] of (await shownFile(page)).devices) assert.equal(href, `/console/devices/${mn}`);
  for (const [key, list] of [['permits', file.permits], ['decl', file.declarations], ['insp', file.inspections]]) {
    if (!list.length) assert.match(await page.innerText(`[data-test=empty-${key}]`), /^暂无/, `${key}: 暂无…`);
  }

  // The open alarms: the newest five, the rest on a tap; each opens on the alarms page.
  const open = file.alarms.open;
  assert.ok(open.length > 0, 'a red code has open alarms');
  const ids = () => page.$$eval('[data-test=file-alarm]', (els) => els.map((e) => [Number(e.dataset.id), e.getAttribute('href')]));
  assert.deepEqual((await ids()).map(([a]) => a), open.slice(0, 5).map((a) => a.id));
  if (open.length > 5) {
    await page.click('[data-test=open-more]');
    assert.deepEqual((await ids()).map(([a]) => a), open.map((a) => a.id));
  }
  for (const [a, href] of await ids()) assert.equal(href, `/console/alarms?id=${a}`);

  // The code in full below.
  const view = page.locator('[data-test=file-code] [data-test=code-view]');
  await view.waitFor({ timeout: READY });
  assert.equal(await view.getAttribute('data-color'), file.code.color);
  assert.equal(Number(await view.getAttribute('data-score')), file.code.score);
  await ctx.shot(page, 'file-desktop');

  await page.click('[data-test=file-alarm] >> nth=0');
  await page.waitForURL(new RegExp(`/console/alarms\\?id=${open[0].id}$`), { timeout: READY });
  await ready(page, 'alarms');
  ctx.assertClean(page);

  const phone = await ctx.page({ viewport: 'phone', role: 'admin' });
  const again = answerOf(phone, `/api/v1/enterprises/${id}/file`);
  await phone.goto(`/console/enterprises/${id}/file`);
  await ready(phone);
  await phone.locator('[data-test=alarm-chart] canvas').first().waitFor({ timeout: READY });
  checkFile(await shownFile(phone), await again, 'the phone');
  await phone.locator('[data-test=file-code] [data-test=code-view]').waitFor({ timeout: READY });
  await noSidewaysScroll(phone, 'the file on a phone');
  await ctx.shot(phone, 'file-phone');
  ctx.assertClean(phone);
});

// A new enterprise account of `enterpriseId`, past its first password change: {token, me}.
async function enterpriseAccount(ctx, enterpriseId) {
  const username = `web_file_ent_${process.pid}`;
  const first = 'Web-file-first-2026';
  const made = await ctx.api('/api/v1/users', {
    method: 'POST',
    token: ctx.users.admin.token,
    body: { username, password: first, role: 'enterprise', enterprise_id: enterpriseId, display_name: '一源一档企业', district_id: 0, department: '' },
  });
  assert.equal(made.status, 201, made.text.slice(0, 300));
  const login = async (password) => {
    const r = await ctx.api('/api/v1/auth/login', { method: 'POST', body: { username, password } });
    assert.equal(r.status, 200, `login ${username}: ${r.text.slice(0, 300)}`);
    return r.json;
  };
  let s = await login(first);
  let password = first;
  if (s.must_change_password) {
    password = 'Web-file-second-2026';
    const r = await ctx.api('/api/v1/auth/password', { method: 'POST', token: s.token, body: { old_password: first, new_password: password } });
    assert.equal(r.status, 204, r.text.slice(0, 300));
    s = await login(password);
  }
  const me = await ctx.api('/api/v1/me', { token: s.token });
  assert.equal(me.status, 200, me.text.slice(0, 300));
  assert.equal(me.json.enterprise_id, enterpriseId);
  assert.ok(!me.json.must_change_password, 'the account is ready');
  return { token: s.token, me: me.json };
}

// A page whose tab starts with the session {token, user}, as the console stores it.
async function pageAs(ctx, session, viewport) {
  const page = await ctx.page({ viewport });
  await page.addInitScript(([origin, value]) => {
    try {
      if (location.origin !== origin || sessionStorage.getItem('ecohub.test.seeded')) return;
      localStorage.setItem('ecohub.session', value);
      sessionStorage.setItem('ecohub.test.seeded', '1');
    } catch { /* about:blank has no storage of ours */ }
  }, [ctx.base, JSON.stringify(session)]);
  return page;
}

test('file: an enterprise opens its own file from its page, and another enterprise\'s says 无权查看 with no data', async (ctx) => {
  const { red, items } = await redEnterprise(ctx);
  const own = red.enterprise_id;
  const other = items.find((x) => x.enterprise_id !== own).enterprise_id;
  const acct = await enterpriseAccount(ctx, own);
  // The server's word first: its own file, not another's.
  assert.equal((await ctx.api(`/api/v1/enterprises/${own}/file`, { token: acct.token })).status, 200);
  assert.equal((await ctx.api(`/api/v1/enterprises/${other}/file`, { token: acct.token })).status, 403);

  for (const viewport of ['desktop', 'phone']) {
    const page = await pageAs(ctx, { token: acct.token, user: acct.me }, viewport);
    await page.goto('/console/enterprise');
    await ready(page, 'enterprise');
    const link = page.locator('[data-test=my-file]');
    assert.equal((await link.innerText()).trim(), '查看我的一源一档 →');
    const got = answerOf(page, `/api/v1/enterprises/${own}/file`);
    await link.click();
    await page.waitForURL(`**/console/enterprises/${own}/file`, { timeout: READY });
    await ready(page);
    const file = await got;
    checkFile(await shownFile(page), file, `the enterprise's own file (${viewport})`);
    // An enterprise has no device page: its devices are named, not linked.
    assert.ok((await shownFile(page)).devices.every(([, href]) => href === null), 'no device links for an enterprise');
    if (viewport === 'phone') await noSidewaysScroll(page, 'the enterprise\'s file on a phone');
    await ctx.shot(page, `file-enterprise-own-${viewport}`);

    ctx.expectHttpError(page, new RegExp(`^403 GET /api/v1/enterprises/${other}/file$`));
    await page.goto(`/console/enterprises/${other}/file`);
    await ready(page);
    const refusal = page.locator('[data-test=file-forbidden]');
    assert.match(await refusal.innerText(), /无权查看该企业的一源一档/);
    assert.match(await refusal.innerText(), /企业账号只能查看本企业的档案/);
    assert.equal(await page.locator('[data-test=file-head]').count(), 0, 'nothing of the other enterprise');
    assert.equal(await page.locator('[data-test=file-code]').count(), 0);
    if (viewport === 'phone') await noSidewaysScroll(page, 'the refusal on a phone');
    await ctx.shot(page, `file-enterprise-other-${viewport}`);
    // 查看我的一源一档 goes back to its own.
    await page.click('[data-test=file-mine]');
    await page.waitForURL(`**/console/enterprises/${own}/file`, { timeout: READY });
    await page.locator('[data-test=file-name]', { hasText: file.enterprise.name }).waitFor({ timeout: READY });
    await ready(page);
    ctx.assertClean(page);
  }
});
