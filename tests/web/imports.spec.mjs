// The readings import page (数据导入, /console/imports; issue 15): staff reach it from
// the menu, check a long CSV of a demo station (the report's counts, time span and
// sites; nothing stored by the check), import it (the values are the file's, traced to
// the batch, file and row), and find the batch in the list; a broken file gets a report
// naming each bad row and column in Chinese, stores nothing, and cannot be imported;
// the example file checks as it is; phone size works without sideways scrolling; a
// leader has no such page and the server refuses their upload.
import fs from 'node:fs';
import path from 'node:path';
import { test, assert } from './lib.mjs';

const READY = 30000;
const HOUR = 3600 * 1000;

// 'YYYY-MM-DD HH:00' in Beijing time, `hoursAgo` whole hours back.
function beijingHour(hoursAgo) {
  const d = new Date(Math.floor(Date.now() / HOUR - hoursAgo) * HOUR + 8 * HOUR);
  return d.toISOString().slice(0, 13).replace('T', ' ') + ':00';
}

// An air station of the demo city, AIR-Dongsi when the demo is Beijing.
async function airSite(ctx) {
  const r = await ctx.api('/api/v1/sites?kind=air&limit=1000', { token: ctx.users.admin.token });
  assert.equal(r.status, 200, r.text.slice(0, 200));
  const air = r.json.items.filter((s) => s.kind === 'air' && s.active);
  return (air.find((s) => s.code === 'AIR-Dongsi') || air[0]).code;
}

// Where a stored value came from, or null when nothing is stored.
async function source(ctx, site, factor, time) {
  const q = new URLSearchParams({ site, factor, period: 'hour', time });
  const r = await ctx.api(`/api/v1/readings/source?${q}`, { token: ctx.users.admin.token });
  if (r.status === 404) return null;
  assert.equal(r.status, 200, r.text.slice(0, 200));
  return r.json;
}

async function openPage(page) {
  await page.waitForSelector('main[data-page="imports"][data-ready="imports"]', { timeout: READY });
  await page.waitForSelector('[data-test=readings-import][data-ready=import]', { timeout: READY });
}

const csvFile = (name, text) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });

test('imports: staff check a long CSV, import it, and find the batch and each value\'s source', async (ctx) => {
  const site = await airSite(ctx);
  // Four PM2.5 hours two days back, with values no device sends (a tenth of a unit).
  const hours = [50, 49, 48, 47].map(beijingHour);
  const values = ['11.1', '12.2', '13.3', '14.4'];
  const name = `web-good-${Date.now()}.csv`;
  const csv = `site,factor,period,time,value,flag\n${hours.map((h, i) => `${site},a34004,hour,${h},${values[i]},N`).join('\n')}\n`;

  const page = await ctx.page({ viewport: 'desktop', role: 'staff' });
  await page.goto('/console/alarms');
  await page.click('[data-menu=imports]');
  await page.waitForURL('**/console/imports', { timeout: READY });
  await openPage(page);
  assert.match(await page.innerText('h1'), /数据导入/);
  // The long CSV's columns are explained, the mappings offered.
  const hint = await page.innerText('[data-test=imp-hint]');
  for (const c of ['site', 'factor', 'period', 'time', 'value', 'flag']) assert.ok(hint.includes(c), `the hint names ${c}`);
  const mappings = await page.$$eval('[data-test=imp-mapping] option', (os) => os.map((o) => o.value));
  assert.equal(mappings[0], '', 'the long CSV first');
  assert.ok(mappings.length > 1, `the server's mappings are offered: ${mappings}`);
  await page.selectOption('[data-test=imp-mapping]', mappings[1]);
  await page.waitForSelector('[data-test=imp-mapping-info]', { timeout: READY });
  assert.equal(await page.locator('[data-test=imp-hint]').count(), 0, 'no long-CSV hint under a mapping');
  await page.selectOption('[data-test=imp-mapping]', '');

  // The example downloads and checks clean as it is.
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=imp-example]')]);
  assert.equal(dl.suggestedFilename(), 'readings-example.csv');
  const examplePath = path.join(ctx.downloads, 'readings-example.csv');
  await dl.saveAs(examplePath);
  const example = await ctx.api('/api/v1/imports/readings?dry_run=true&file_name=readings-example.csv', {
    token: ctx.users.staff.token, method: 'POST', body: fs.readFileSync(examplePath), headers: { 'Content-Type': 'text/csv' },
  });
  assert.equal(example.status, 200, `the example checks clean: ${example.text.slice(0, 300)}`);

  // 检查: the report, and nothing stored.
  assert.ok(await page.locator('[data-test=imp-commit]').isDisabled(), 'no import before a check');
  await page.setInputFiles('[data-test=imp-file]', csvFile(name, csv));
  await page.click('[data-test=imp-check]');
  await page.waitForSelector('[data-test=imp-ok]', { timeout: READY });
  assert.equal(await page.innerText('[data-test=imp-k-rows] b'), '4');
  assert.equal(await page.innerText('[data-test=imp-k-values] b'), '4');
  assert.match(await page.innerText('[data-test=imp-k-store]'), /将保存\s*4/);
  assert.match(await page.innerText('[data-test=imp-sites]'), new RegExp(site));
  const span = await page.innerText('[data-test=imp-span]');
  assert.ok(span.includes(hours[0]) && span.includes(hours[3]), `the time span ${span}`);
  for (const h of hours) assert.notEqual((await source(ctx, site, 'a34004', h))?.source, 'import', 'a check stores nothing');

  // 导入, slowed down so that the progress is seen.
  await page.route('**/api/v1/imports/readings?*', async (route) => {
    await new Promise((r) => setTimeout(r, 700));
    await route.continue();
  });
  await page.click('[data-test=imp-commit]');
  await page.waitForSelector('[data-test=imp-progress]', { timeout: READY });
  await page.waitForSelector('[data-test=imp-done]', { timeout: READY });
  await page.unroute('**/api/v1/imports/readings?*');
  assert.match(await page.innerText('[data-test=imp-done]'), /已导入，批次 #\d+/);
  assert.ok(await page.locator('[data-test=imp-commit]').isDisabled(), 'imported once');
  for (const [i, h] of hours.entries()) {
    const s = await source(ctx, site, 'a34004', h);
    assert.equal(s?.source, 'import', `${h} is stored from the import`);
    assert.equal(Number(s.value), Number(values[i]));
    assert.deepEqual([s.import.file, s.import.row, s.import.via], [name, i + 2, 'console']);
  }
  const batch = (await source(ctx, site, 'a34004', hours[0])).import.batch;

  // The batch in the list, by this page, with its figures.
  const row = page.locator(`[data-test=imp-batch][data-id="${batch}"]`);
  await row.waitFor({ timeout: READY });
  assert.equal(await row.getAttribute('data-file'), name);
  assert.equal(await row.getAttribute('data-via'), 'console');
  assert.match(await row.innerText(), /控制台/);
  assert.match(await row.innerText(), new RegExp(site));
  await ctx.shot(page, 'imports-done-desktop');

  // 查来源 from the batch: its first value, traced back to the file's row 2.
  await row.locator('[data-test=imp-trace]').click();
  await page.waitForSelector('[data-test=src-result][data-source=import]', { timeout: READY });
  assert.equal(await page.getAttribute('[data-test=src-import]', 'data-batch'), String(batch));
  assert.match(await page.innerText('[data-test=src-import]'), new RegExp(`${name.replace(/\./g, '\\.')} 第 2 行`));
  await ctx.shot(page, 'imports-source-desktop');
  ctx.assertClean(page);
});

test('imports: a broken file names its rows at phone size and stores nothing', async (ctx) => {
  const site = await airSite(ctx);
  const [h1, h2, h3] = [70, 69, 68].map(beijingHour);
  const broken = [
    'site,factor,period,time,value',
    `${site},a34004,hour,${h1},21.7`, // row 2: good, but not stored with the others
    `${site},a34004,hour,${h2},abc`, // row 3: not a number
    `AIR-Nowhere,a34004,hour,${h2},5`, // row 4: no such site
    `${site},a34004,hour,yesterday,6`, // row 5: not a time
    `${site},a34004,hour,${h3},7`,
  ].join('\n') + '\n';

  const page = await ctx.page({ viewport: 'phone', role: 'admin' });
  ctx.expectHttpError(page, /^422 POST \/api\/v1\/imports\/readings/);
  ctx.expectHttpError(page, /^400 POST \/api\/v1\/imports\/readings/);
  await page.goto('/console/imports');
  await openPage(page);
  await ctx.shot(page, 'imports-phone');

  await page.setInputFiles('[data-test=imp-file]', csvFile('web-broken.csv', broken));
  await page.click('[data-test=imp-check]');
  await page.waitForSelector('[data-test=imp-bad]', { timeout: READY });
  assert.match(await page.innerText('[data-test=imp-bad]'), /3 处错误/);
  const bad = await page.$$eval('[data-test=imp-error-row]', (rs) => rs.map((r) => `${r.dataset.row}:${r.dataset.column}`));
  assert.deepEqual(bad, ['3:value', '4:site', '5:time']);
  assert.match(await page.innerText('[data-test=imp-error-row][data-row="3"]'), /“abc”不是十进制数/);
  assert.match(await page.innerText('[data-test=imp-error-row][data-row="4"]'), /没有编码为 AIR-Nowhere 的站点/);
  assert.match(await page.innerText('[data-test=imp-error-row][data-row="5"]'), /不是时间/);
  assert.ok(await page.locator('[data-test=imp-commit]').isDisabled(), 'no import after a failed check');
  assert.notEqual((await source(ctx, site, 'a34004', h1))?.value, '21.7', 'the good row is not stored either');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the report at phone size scrolls sideways by ${overflow}px`);
  await ctx.shot(page, 'imports-bad-phone');

  // A file that cannot be read at all: the server's title and detail.
  await page.setInputFiles('[data-test=imp-file]', csvFile('web-wrong.csv', 'station,when,pm25\nX,2026-01-01,3\n'));
  await page.click('[data-test=imp-check]');
  await page.waitForSelector('[data-test=imp-error]', { timeout: READY });
  assert.match(await page.innerText('[data-test=imp-error]'), /site/);
  assert.equal(await page.locator('[data-test=imp-report]').count(), 0);

  // A good file at phone size: checked and imported the same way.
  await page.setInputFiles('[data-test=imp-file]', csvFile('web-phone.csv', `site,factor,period,time,value\n${site},a34004,hour,${h3},7.7\n`));
  await page.click('[data-test=imp-check]');
  await page.waitForSelector('[data-test=imp-ok]', { timeout: READY });
  await page.click('[data-test=imp-commit]');
  await page.waitForSelector('[data-test=imp-done]', { timeout: READY });
  await page.waitForSelector('[data-test=imp-batch][data-file="web-phone.csv"]', { timeout: READY });
  const overflow2 = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow2 <= 1, `the batches at phone size scroll sideways by ${overflow2}px`);
  await ctx.shot(page, 'imports-done-phone');
  ctx.assertClean(page);
});

test('imports: a leader has no import page and the server refuses their upload', async (ctx) => {
  const page = await ctx.page({ viewport: 'desktop', role: 'leader' });
  await page.goto('/console/imports');
  await page.waitForURL((u) => !u.pathname.startsWith('/console/imports'), { timeout: READY });
  assert.equal(await page.locator('[data-menu=imports]').count(), 0);
  const r = await ctx.api('/api/v1/imports/readings?dry_run=true&file_name=x.csv', {
    token: ctx.users.leader.token, method: 'POST', body: 'site,factor,period,time,value\n', headers: { 'Content-Type': 'text/csv' },
  });
  assert.equal(r.status, 403, r.text.slice(0, 200));
  ctx.assertClean(page);
});
