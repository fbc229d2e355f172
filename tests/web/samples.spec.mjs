// The manual samples page (手工监测, /console/samples; issue 15, docs/manual-samples.md):
// staff reach it from the menu and enter a water sample through the form (a value and a
// 未检出 with its detection limit); a bad value is refused with the server's words next
// to the form; the sample is listed and its section's GB 3838 class from samples opens.
// A CSV with bad rows is checked first: every bad row is named and nothing is stored; a
// good one is checked and then imported. A leader reads with no form, and the page at
// phone size has no sideways scroll. The data-quality page's history recovery section
// (历史数据补传) agrees with the API, and is not there for an inspector.
import { test, assert } from './lib.mjs';

const READY = 30000;
const DAY = 86400 * 1000;

// Beijing "YYYY-MM-DDTHH:MM" `days` from now at 10:00: a datetime-local value.
const beijingAt = (days) => new Date(Date.now() + 8 * 3600 * 1000 + days * DAY).toISOString().slice(0, 10);

async function ready(page) {
  await page.waitForSelector('main[data-page="samples"][data-ready="samples"]', { timeout: READY });
}

// A water section of the demo city (staff of the city may enter its samples).
let section = null;
async function waterSite(ctx) {
  if (section) return section;
  const r = await ctx.api('/api/v1/sites?kind=water&limit=1000', { token: ctx.users.admin.token });
  assert.equal(r.status, 200, r.text.slice(0, 200));
  const water = r.json.items.filter((s) => s.kind === 'water' && s.active !== false);
  assert.ok(water.length, 'the demo city has a water section');
  section = water[0].code;
  return section;
}

async function samplesOf(ctx, site) {
  const r = await ctx.api(`/api/v1/samples?site=${encodeURIComponent(site)}&limit=500`, { token: ctx.users.admin.token });
  assert.equal(r.status, 200, r.text.slice(0, 200));
  return r.json.items;
}

const REPORT = `WEB-${Date.now()}`;

test('samples: staff enter a sample through the form, see it listed and its section\'s class', async (ctx) => {
  const site = await waterSite(ctx);
  const page = await ctx.page({ viewport: 'desktop', role: 'staff' });
  ctx.expectHttpError(page, /^400 POST \/api\/v1\/samples$/);
  await page.goto('/console/alarms');
  await page.click('[data-menu=samples]');
  await page.waitForURL('**/console/samples', { timeout: READY });
  await ready(page);
  assert.match(await page.innerText('h1'), /手工监测/);

  await page.selectOption('[data-test=smp-site]', site);
  await page.fill('[data-test=smp-at]', `${beijingAt(-1)}T10:00`);
  await page.fill('[data-test=smp-method]', 'HJ 535-2009');
  await page.fill('[data-test=smp-lab]', '市监测站实验室');
  await page.fill('[data-test=smp-sampler]', '张三');
  await page.fill('[data-test=smp-report-no]', REPORT);
  const rows = page.locator('[data-test=smp-row]');
  await rows.nth(0).locator('[data-test=smp-factor]').selectOption('w21003');
  await rows.nth(0).locator('[data-test=smp-value]').fill('-0.5');
  await page.click('[data-test=smp-add-row]');
  await rows.nth(1).locator('[data-test=smp-factor]').selectOption('w21011');
  await rows.nth(1).locator('[data-test=smp-nd]').check();
  await rows.nth(1).locator('[data-test=smp-limit]').fill('0.01');

  // A negative value: the server refuses the whole sample and says why beside the form.
  await page.click('[data-test=smp-submit]');
  await page.waitForSelector('[data-test=smp-error]', { timeout: READY });
  assert.match(await page.innerText('[data-test=smp-error]'), /w21003/);
  assert.equal((await samplesOf(ctx, site)).filter((s) => s.report_no === REPORT).length, 0, 'nothing stored');
  await ctx.shot(page, 'samples-refused-desktop');

  await rows.nth(0).locator('[data-test=smp-value]').fill('0.52');
  await page.click('[data-test=smp-submit]');
  await page.waitForSelector('[data-test=smp-ok]', { timeout: READY });
  assert.equal(await page.locator('[data-test=smp-error]').count(), 0, 'the old refusal is gone');
  const id = Number((await page.innerText('[data-test=smp-ok]')).match(/#(\d+)/)[1]);
  const item = page.locator(`[data-test=smp-item][data-id="${id}"]`);
  await item.waitFor({ timeout: READY });
  const text = await item.innerText();
  assert.match(text, /HJ 535-2009/);
  assert.match(text, new RegExp(REPORT));
  assert.match(text, /0\.52/);
  assert.match(await item.locator('[data-test=smp-val][data-factor=w21011]').innerText(), /未检出 <0\.01/);

  const got = await ctx.api(`/api/v1/samples/${id}`, { token: ctx.users.admin.token });
  assert.equal(got.status, 200, got.text.slice(0, 200));
  assert.equal(got.json.site, site);
  assert.equal(got.json.lab, '市监测站实验室');
  assert.deepEqual(got.json.values.map((v) => [v.factor, String(v.value), v.below_detection]), [['w21003', '0.52', false], ['w21011', 'ND', true]]);

  // The section's class from its samples: the API's day and class.
  await page.click(`[data-test=smp-class-btn][data-code="${site}"]`);
  await page.waitForSelector(`[data-test=smp-class][data-code="${site}"] [data-test=smp-class-day]`, { timeout: READY });
  const q = new URLSearchParams({ section: site, source: 'manual', from: `${beijingAt(-90)}T00:00:00+08:00`, to: `${beijingAt(1)}T00:00:00+08:00` });
  const hist = await ctx.api(`/api/v1/water/history?${q}`, { token: ctx.users.staff.token });
  assert.equal(hist.status, 200, hist.text.slice(0, 200));
  const classes = await page.$$eval('[data-test=smp-class-day]', (els) => els.map((e) => e.dataset.class));
  assert.deepEqual(classes, hist.json.items.map((d) => d.water_class || ''));
  assert.ok(classes.some((c) => c), `a class for the sampled day: ${classes}`);
  await ctx.shot(page, 'samples-entered-desktop');
  ctx.assertClean(page);
});

test('samples: a CSV with bad rows names each and stores nothing; a good one is checked, then imported', async (ctx) => {
  const site = await waterSite(ctx);
  const before = (await samplesOf(ctx, site)).length;
  const day = beijingAt(-2);
  const bad = [
    'site,sampled_at,method,lab,factor,value,detection_limit,report_no,sampler',
    `${site},${day} 09:00,HJ 535-2009,市监测站实验室,w21003,0.31,0.025,CSV-1,李四`,
    `NO-SUCH-SITE,${day} 09:00,HJ 535-2009,市监测站实验室,w21003,0.2,0.025,CSV-2,李四`,
    `${site},${day} 09:00,GB 11893-1989,市监测站实验室,w21011,abc,0.01,CSV-1,李四`,
  ].join('\n') + '\n';
  const api = await ctx.api('/api/v1/samples/import?dry_run=true', { token: ctx.users.staff.token, method: 'POST', body: bad });
  assert.equal(api.status, 422, api.text.slice(0, 300));
  const badRows = [...new Set(api.json.errors.map((e) => e.row))].sort((a, b) => a - b);
  assert.ok(badRows.length >= 2, `two bad rows: ${api.text}`);

  const page = await ctx.page({ viewport: 'desktop', role: 'staff' });
  ctx.expectHttpError(page, /^422 POST \/api\/v1\/samples\/import/);
  await page.goto('/console/samples');
  await ready(page);
  await page.setInputFiles('[data-test=smp-file]', { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  await page.click('[data-test=smp-check]');
  await page.waitForSelector('[data-test=smp-report][data-bad=true]', { timeout: READY });
  const shown = await page.$$eval('[data-test=smp-row-error]', (els) => els.map((e) => Number(e.dataset.row)));
  assert.deepEqual([...new Set(shown)].sort((a, b) => a - b), badRows, 'every bad row is named');
  assert.equal(shown.length, api.json.errors.length);
  assert.match(await page.innerText('[data-test=smp-report]'), /未保存任何数据/);
  assert.ok(await page.isDisabled('[data-test=smp-commit]'), 'a bad file cannot be imported');
  assert.equal((await samplesOf(ctx, site)).length, before, 'nothing stored');
  await ctx.shot(page, 'samples-csv-bad-desktop');

  // The good rows alone: checked (nothing stored yet), then imported.
  const good = bad.split('\n').filter((l, i) => i !== 2).join('\n').replace(',abc,', ',ND,');
  await page.setInputFiles('[data-test=smp-file]', { name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
  await page.click('[data-test=smp-check]');
  await page.waitForSelector('[data-test=smp-report][data-bad=false][data-stored=false]', { timeout: READY });
  assert.match(await page.innerText('[data-test=smp-report]'), /检查通过/);
  assert.equal((await samplesOf(ctx, site)).length, before, 'a check stores nothing');
  await page.click('[data-test=smp-commit]');
  await page.waitForSelector('[data-test=smp-report][data-stored=true]', { timeout: READY });
  const after = await samplesOf(ctx, site);
  assert.equal(after.length, before + 2, 'two samples: the two methods');
  await page.waitForSelector(`[data-test=smp-item][data-id="${after[0].id}"]`, { timeout: READY });
  ctx.assertClean(page);
});

test('samples: a leader reads with no form; the page at phone size has no sideways scroll', async (ctx) => {
  const site = await waterSite(ctx);
  const leader = await ctx.page({ viewport: 'phone', role: 'leader' });
  await leader.goto('/console/samples');
  await ready(leader);
  await leader.waitForSelector(`[data-test=smp-item][data-site="${site}"]`, { timeout: READY });
  assert.equal(await leader.locator('[data-test=smp-form], [data-test=smp-import]').count(), 0, 'a leader enters nothing');
  let overflow = await leader.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the samples page (leader) at phone size scrolls sideways by ${overflow}px`);
  await ctx.shot(leader, 'samples-leader-phone');
  ctx.assertClean(leader);

  const staff = await ctx.page({ viewport: 'phone', role: 'staff' });
  await staff.goto('/console/samples');
  await ready(staff);
  await staff.click('[data-test=smp-add-row]');
  await staff.waitForSelector('[data-test=smp-class-btn]', { timeout: READY });
  await staff.click(`[data-test=smp-class-btn][data-code="${site}"]`);
  await staff.waitForSelector('[data-test=smp-class-day]', { timeout: READY });
  overflow = await staff.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the samples page (staff) at phone size scrolls sideways by ${overflow}px`);
  await ctx.shot(staff, 'samples-staff-phone');
  ctx.assertClean(staff);

  // An inspector has no such page.
  const inspector = await ctx.page({ viewport: 'desktop', role: 'inspector' });
  await inspector.goto('/console/alarms');
  await inspector.waitForSelector('[data-menu=alarms]', { timeout: READY });
  assert.equal(await inspector.locator('[data-menu=samples]').count(), 0);
  ctx.assertClean(inspector);
});

test('samples: the quality page\'s history recovery is the API\'s, and not there for an inspector', async (ctx) => {
  const page = await ctx.page({ viewport: 'desktop', role: 'staff' });
  await page.goto('/console/quality');
  await page.waitForSelector('main[data-page="quality"][data-ready="quality"]', { timeout: READY });
  await page.waitForSelector('[data-test=recovery][data-state=done]', { timeout: READY });
  assert.match(await page.innerText('[data-test=recovery] h2'), /历史数据补传/);
  const from = await page.inputValue('[data-test=recovery-from]');
  const to = await page.inputValue('[data-test=recovery-to]');
  const next = new Date(Date.parse(`${to}T00:00:00Z`) + DAY).toISOString().slice(0, 10);
  const q = new URLSearchParams({ from: `${from}T00:00:00+08:00`, to: `${next}T00:00:00+08:00` });
  const r = await ctx.api(`/api/v1/quality/recovery?${q}`, { token: ctx.users.staff.token });
  assert.equal(r.status, 200, r.text.slice(0, 200));
  const items = r.json.items;
  const rows = await page.$$eval('[data-test=recovery-row]', (els) => els.map((e) => [e.dataset.code, Number(e.dataset.missing)]));
  assert.equal(rows.length, items.length, 'one row a site');
  for (let i = 1; i < rows.length; i++) assert.ok(rows[i - 1][1] >= rows[i][1], 'most still missing first');
  const missing = items.reduce((n, x) => n + x.records_missing, 0);
  if (items.length) {
    assert.equal(Number(await page.getAttribute('[data-test=recovery-total]', 'data-missing')), missing);
    assert.equal(Number(await page.getAttribute('[data-test=recovery-total]', 'data-asked')), items.reduce((n, x) => n + x.records_asked, 0));
  } else {
    await page.waitForSelector('[data-test=recovery] >> text=没有历史数据补传', { timeout: READY });
  }
  console.log(`    recovery: ${items.length} sites, ${missing} records still missing`);
  await ctx.shot(page, 'quality-recovery-desktop');
  ctx.assertClean(page);

  // An inspector has the page (its rates) but not the section (the route answers 403).
  const inspector = await ctx.page({ viewport: 'phone', role: 'inspector' });
  await inspector.goto('/console/quality');
  await inspector.waitForSelector('main[data-page="quality"][data-ready="quality"]', { timeout: READY });
  assert.equal(await inspector.locator('[data-test=recovery], [data-test=no-right]').count(), 0);
  const denied = await ctx.api('/api/v1/quality/recovery', { token: ctx.users.inspector.token });
  assert.equal(denied.status, 403, 'the route is not for inspectors');
  ctx.assertClean(inspector);
});
