// Random inspections (双随机一公开): the city's staff draw from the console's form with a
// fixed seed, see every enterprise drawn with its officers (two accounts made here among
// them), verify the draw (结果一致), publish it with a due date and a checklist and
// follow a task it made; then anyone, without a login, finds it on the portal with the
// same enterprises and officers and re-runs it online (结果一致); on a 390×844 phone the
// public pages do not scroll sideways. Leaders read the draw without the buttons.
import { test, assert } from './lib.mjs';

const READY = 30000;
const SEED = '2026-web-test 03 08 12 19 25 31 + 07';

async function ready(page, name) {
  await page.waitForSelector(`main[data-page="${name}"][data-ready="${name}"]`, { state: 'attached', timeout: READY });
}

async function noSidewaysScroll(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `${what} scrolls sideways by ${overflow}px`);
}

// The picks as the page shows them: [credit code, officers' text] per row.
async function shownPicks(page) {
  return page.$$eval('[data-test=draw-pick]', (rows) =>
    rows.map((r) => [r.dataset.code, r.querySelector('[data-test=pick-officers]').textContent.trim()]));
}

// The picks as the API has them, in the page's words.
const apiPicks = (d) => d.items.map((p) => [p.credit_code, p.officers.length ? p.officers.map((o) => o.name).join('、') : '未配对']);

// A Beijing date `days` from now, YYYY-MM-DD.
const beijingDate = (days) => new Date(Date.now() + 8 * 3600e3 + days * 86400e3).toISOString().slice(0, 10);

test('draws: drawn from the form, verified and published as tasks; the portal shows the same and re-runs it', async (ctx) => {
  const { admin, staff: staffUser } = ctx.users;
  // Two more officers of the city, by name.
  const made = [];
  for (const [username, role, name] of [['web_draw_a', 'inspector', '抽查员甲'], ['web_draw_b', 'staff', '抽查员乙']]) {
    const r = await ctx.api('/api/v1/users', {
      method: 'POST',
      token: admin.token,
      body: { username, password: 'Web-draw-pass-2026', role, display_name: name, district_id: 0, department: 'monitoring' },
    });
    assert.equal(r.status, 201, r.text.slice(0, 300));
    made.push(r.json.id);
  }

  // One enterprise named for special focus (特殊监管对象): drawn at the special rate, 100 %.
  const ents = (await ctx.api('/api/v1/enterprises?limit=1000', { token: admin.token })).json.items;
  const focus = ents.find((e) => !e.key_unit && e.credit_code && (e.status || 'operating') === 'operating');
  assert.ok(focus, 'a general enterprise to name');

  // The city's staff draw across the city with a fixed seed.
  const page = await ctx.page({ viewport: 'desktop', role: 'staff' });
  await page.goto('/console/draws');
  await ready(page, 'draws');
  assert.equal(await page.locator('[data-menu=draws]').innerText(), '双随机抽查');
  await page.click('[data-test=draw-new]');
  await page.waitForSelector('[data-test=draw-form]', { timeout: READY });
  await page.waitForSelector('[data-test=f-district] option:nth-child(2)', { state: 'attached', timeout: READY });
  await page.fill('[data-test=f-title]', '网页测试双随机抽查');
  await page.selectOption('[data-test=f-district]', '0');
  await page.fill('[data-test=f-rate-key]', '50');
  await page.fill('[data-test=f-rate-general]', '10');
  await page.fill('[data-test=f-seed]', SEED);
  await page.fill('[data-test=f-specials]', `${focus.credit_code}\n`);
  assert.equal(await page.isChecked('[data-test=f-recuse-last]'), true, '回避上次 is the default');
  await page.click('[data-test=f-submit]');
  await page.waitForURL(/\/console\/draws\?id=\d+/, { timeout: READY });
  const detail = page.locator('[data-test=draw-detail][data-published="no"]');
  await detail.waitFor({ timeout: READY });
  const id = Number(await detail.getAttribute('data-id'));
  assert.ok(id > 0, 'the draw opened');
  await ready(page, 'draws');

  const d = (await ctx.api(`/api/v1/draws/${id}`, { token: staffUser.token })).json;
  assert.equal(d.seed, SEED);
  assert.equal(d.district_id, 0);
  assert.deepEqual(d.input.rates, { key: 50, special: 100, general: 10 });
  assert.ok(d.items.length > 0, 'something was drawn');
  assert.equal(d.pool.special, 1, 'the named enterprise is the special pool');
  assert.ok(d.items.some((p) => p.credit_code === focus.credit_code && p.category === 'special'), 'and drawn at 100 %');
  const officerIds = d.input.officers.map((o) => o.id);
  for (const u of made) assert.ok(officerIds.includes(u), `officer ${u} was in the pool: ${officerIds}`);
  assert.deepEqual(await shownPicks(page), apiPicks(d));
  assert.ok(d.items.every((p) => p.officers.length === 2), 'every enterprise has a team of two');
  assert.equal(await page.locator('[data-test=draw-seed]').innerText(), SEED);
  assert.equal(await page.locator('[data-test=draw-algorithm]').innerText(), d.algorithm);
  const names = new Set(d.input.officers.map((o) => o.name));
  for (const [, text] of await shownPicks(page)) for (const n of text.split('、')) assert.ok(names.has(n), `${n} is an officer of the draw`);
  // The card of the list says what was drawn.
  const card = page.locator(`[data-test=draw-card][data-id="${id}"]`);
  assert.equal(await card.getAttribute('data-published'), 'no');
  assert.match(await card.innerText(), new RegExp(`抽取 ${d.picks} / 池 ${d.pool.key + d.pool.special + d.pool.general}`));

  // 复核: the server runs it again.
  await page.click('[data-test=verify]');
  const result = page.locator('[data-test=verify-result]');
  await result.waitFor({ timeout: READY });
  assert.equal(await result.getAttribute('data-reproduced'), 'yes');
  assert.equal((await result.innerText()).trim(), '结果一致');

  // 公开并生成任务: due in two weeks, two lines to check; asked twice.
  const due = beijingDate(14);
  await page.fill('[data-test=p-due]', due);
  await page.fill('[data-test=p-checklist]', '核查排污许可证执行情况\n\n检查污染防治设施运行记录\n');
  await page.click('[data-test=publish]');
  await page.click('[data-test=publish-confirm]');
  await page.waitForSelector('[data-test=draw-detail][data-published="yes"]', { timeout: READY });
  const after = (await ctx.api(`/api/v1/draws/${id}`, { token: staffUser.token })).json;
  assert.equal(after.due_at, `${due}T23:59:59+08:00`);
  assert.equal(after.tasks.length, d.items.length, 'a task per enterprise');
  const links = await page.$$eval('[data-test=task-link]', (as) => as.map((a) => [Number(a.dataset.id), a.getAttribute('href')]));
  assert.deepEqual(links, after.tasks.map((t) => [t, `/console/tasks?id=${t}`]));
  // Each pick shows its own task beside it.
  const beside = await page.$$eval('[data-test=draw-pick]', (rows) => rows.map((r) => [r.dataset.code, Number(r.querySelector('[data-test=pick-task]')?.dataset.id)]));
  assert.deepEqual(beside, after.items.map((x) => [x.credit_code, x.task.id]));
  assert.equal(await page.locator('[data-test=public-link]').getAttribute('href'), `/draws/${id}`);
  assert.equal(await page.locator('[data-test=publish-form]').count(), 0, 'no second publishing');
  await ctx.shot(page, 'draws-console-detail');
  ctx.assertClean(page);

  // A task of the draw, opened from its link, carries the checklist.
  await page.click(`[data-test=task-link][data-id="${after.tasks[0]}"]`);
  await page.waitForURL(`**/console/tasks?id=${after.tasks[0]}`, { timeout: READY });
  await page.waitForSelector(`[data-test=task-detail][data-id="${after.tasks[0]}"]`, { timeout: READY });
  const title = (await page.locator('[data-test=d-title]').innerText()).trim();
  assert.ok(d.items.some((p) => title === `双随机抽查：${p.name}`), `${title} names an enterprise drawn`);
  const task = (await ctx.api(`/api/v1/tasks/${after.tasks[0]}`, { token: staffUser.token })).json;
  assert.deepEqual(task.checklist.map((c) => c.text), ['核查排污许可证执行情况', '检查污染防治设施运行记录']);
  ctx.assertClean(page);

  // Leaders read it, without the buttons.
  const leader = await ctx.page({ viewport: 'desktop', role: 'leader' });
  await leader.goto(`/console/draws?id=${id}`);
  await ready(leader, 'draws');
  await leader.waitForSelector(`[data-test=draw-detail][data-id="${id}"]`, { timeout: READY });
  assert.equal(await leader.locator('[data-test=draw-new]').count(), 0);
  assert.equal(await leader.locator('[data-test=task-link]').count(), after.tasks.length);
  ctx.assertClean(leader);

  // Anyone: the portal lists it and shows the same enterprises and officers.
  const pub = await ctx.page({ viewport: 'desktop' });
  await pub.goto('/');
  await pub.click('.topbar nav a[href="/draws"]');
  await ready(pub, 'public-draws');
  assert.equal((await pub.locator('.topbar nav a[href="/draws"]').innerText()).trim(), '双随机公开');
  await pub.click(`[data-test=public-draw-card][data-id="${id}"]`);
  await pub.waitForURL(`**/draws/${id}`, { timeout: READY });
  await ready(pub, 'public-draw');
  const shown = await shownPicks(pub);
  assert.deepEqual(shown, apiPicks(d));
  const names1 = await pub.$$eval('[data-test=pick-name]', (els) => els.map((e) => e.textContent.trim()));
  assert.deepEqual(names1, d.items.map((p) => p.name));
  assert.equal(await pub.locator('[data-test=draw-seed]').innerText(), SEED);
  await pub.click('[data-test=verify-online]');
  const online = pub.locator('[data-test=verify-result]');
  await online.waitFor({ timeout: READY });
  assert.equal(await online.getAttribute('data-reproduced'), 'yes');
  assert.equal((await online.innerText()).trim(), '结果一致');
  assert.equal(await pub.locator('[data-test=draw-cmd]').innerText(), `python3 draw_verify.py ${ctx.base}/api/v1/public/draws/${id}`);
  assert.equal(await pub.locator('[data-test=draw-json]').getAttribute('href'), `/api/v1/public/draws/${id}`);
  const doc = await ctx.api(`/api/v1/public/draws/${id}`);
  assert.equal(doc.status, 200);
  assert.deepEqual(doc.json.result, after.result, 'the download is what scripts/draw_verify.py re-runs');
  await ctx.shot(pub, 'draws-public-detail');
  ctx.assertClean(pub);

  // On a phone neither public page scrolls sideways.
  const phone = await ctx.page({ viewport: 'phone' });
  await phone.goto('/draws');
  await ready(phone, 'public-draws');
  await phone.locator(`[data-test=public-draw-card][data-id="${id}"]`).waitFor({ timeout: READY });
  await noSidewaysScroll(phone, 'the list of draws on a phone');
  await phone.goto(`/draws/${id}`);
  await ready(phone, 'public-draw');
  await phone.locator('[data-test=draw-pick]').first().waitFor({ timeout: READY });
  await noSidewaysScroll(phone, 'a draw on a phone');
  ctx.assertClean(phone);
});
