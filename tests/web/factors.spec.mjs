// Factor names and units: the pages show what /api/v1/factors says (the server's one
// table, src/core/factors.cc), Chinese first, formulas with subscripts, and follow the
// language switch. A page that kept its own copy of a name or unit fails here when the
// two differ.
import { test, assert } from './lib.mjs';

async function factorTable(ctx) {
  const r = await ctx.api('/api/v1/factors'); // no token: the public pages need it
  assert.equal(r.status, 200, `/api/v1/factors without login: ${r.text.slice(0, 200)}`);
  return new Map(r.json.items.map((f) => [f.code, f]));
}

// Waits until the text of the first `sel` is `want` (names arrive after the table).
async function waitText(page, sel, want) {
  try {
    await page.waitForFunction(([s, w]) => document.querySelector(s)?.textContent.replace(/\s+/g, ' ').trim() === w,
      [sel, want], { timeout: 15000 });
  } catch {
    const got = await page.evaluate((s) => document.querySelector(s)?.textContent.replace(/\s+/g, ' ').trim(), sel);
    assert.fail(`${sel}: '${got}', want '${want}'`);
  }
}

test('the home page names the six pollutants and their units as the factor table does', async (ctx) => {
  const f = await factorTable(ctx);
  const page = await ctx.page({ viewport: 'desktop' });
  await page.goto('/');
  await page.waitForSelector('[data-ready="home"]', { timeout: 30000 });
  const shown = { 'PM2.5': ['a34004', 'PM₂.₅'], PM10: ['a34002', 'PM₁₀'], O3: ['a05024', 'O₃'],
    NO2: ['a21004', 'NO₂'], SO2: ['a21026', 'SO₂'], CO: ['a21005', 'CO'] };
  for (const [p, [code, label]] of Object.entries(shown)) {
    const row = `[data-test="conc-${p}"]`;
    await waitText(page, `${row} .name`, label);
    assert.equal(await page.getAttribute(`${row} .name`, 'title'), f.get(code).name_zh, `${p}: the Chinese name`);
    // SO2's unit is the stations' part of 'µg/m³ (stations), mg/m³ (outlets)'.
    const unit = f.get(code).unit.replace(/ \(stations\),.*$/, '');
    assert.equal((await page.locator(`${row} .conc .muted`).textContent()).trim(), unit, `${p}: unit`);
  }
  ctx.assertClean(page);
});

test('the water table heads its items with the factor table names and units, in both languages', async (ctx) => {
  const f = await factorTable(ctx);
  const page = await ctx.page({ viewport: 'desktop' });
  await page.goto('/water');
  await page.locator('[data-test="water-table"]').waitFor({ timeout: 30000 });
  // The water-class body keys items by symbol; NH3N is the table's 'NH3-N'.
  const items = { pH: 'w01001', DO: 'w01009', CODMn: 'w01019', NH3N: 'w21003', TP: 'w21011' };
  for (const [item, code] of Object.entries(items)) {
    await waitText(page, `th[data-item="${item}"]`, `${f.get(code).name_zh} ${f.get(code).unit}`.trim());
  }
  await ctx.shot(page, 'factors-water-zh');
  await page.click('[data-test="lang"]');
  await waitText(page, 'th[data-item="NH3N"]', `NH₃-N ${f.get('w21003').unit}`);
  await waitText(page, 'th[data-item="CODMn"]', `CODMn ${f.get('w01019').unit}`);
  ctx.assertClean(page);
});

test('the cockpit names the factors over their limits in Chinese from the factor table', async (ctx) => {
  const f = await factorTable(ctx);
  const token = ctx.users.leader.token;
  const beijing = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
  const ex = (await ctx.api(`/api/v1/exceedances?from=${beijing}&limit=500`, { token })).json.items;
  const page = await ctx.page({ viewport: 'cockpit', role: 'leader' });
  ctx.expectHttpError(page, /^404 GET \/api\/v1\/alarms\/summary/);
  await page.goto('/cockpit');
  await page.waitForSelector('[data-ready="cockpit"]', { timeout: 30000 });
  await waitText(page, '.panel.pm h2 small', f.get('a34004').unit);
  if (ex.length) {
    // The list's first row is an enterprise with an exceedance today; each name on it
    // is the Chinese name of one of today's factors.
    const fac = page.locator('[data-test="exceed-row"] .fac').first();
    await fac.waitFor();
    // Until the table arrives the row shows codes.
    await page.waitForFunction((known) => !known.some((c) => document.querySelector('[data-test="exceed-row"] .fac').textContent.includes(c)),
      [...f.keys()], { timeout: 15000 });
    const names = new Set(ex.map((e) => f.get(e.factor)?.name_zh || e.factor));
    for (const n of (await fac.textContent()).trim().split('、')) assert.ok(names.has(n), `'${n}' is not a name of today's factors`);
  }
  await ctx.shot(page, 'factors-cockpit');
  ctx.assertClean(page);
});
