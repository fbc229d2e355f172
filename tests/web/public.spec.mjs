// The public portal: every page loads clean at phone and desktop size, and the
// numbers it shows are the ones the public API answers at the same moment.
import { test, assert } from './lib.mjs';

// Waits for the page's root and for its loading states to end.
async function open(ctx, path, dataPage, viewport) {
  const page = await ctx.page({ viewport });
  await page.goto(path);
  await page.waitForSelector(`[data-page="${dataPage}"]`, { timeout: 30000 });
  await page.waitForFunction(() => !document.querySelector('.state.loading'), null, { timeout: 30000 });
  return page;
}
const text = async (page, sel) => (await page.locator(sel).first().textContent()).trim();

test('home shows the city AQI and category the API gives', async (ctx) => {
  const page = await ctx.page({ viewport: 'desktop' });
  await page.goto('/');
  await page.waitForSelector('[data-ready="home"]', { timeout: 30000 });
  const api = (await ctx.api('/api/v1/public/aqi/city')).json;
  assert.ok(api, 'the demo city has an AQI');
  // An hour may turn between the two reads: compare with the page's own hour.
  const shown = Number(await text(page, '[data-test="city-aqi"]'));
  const hour = await text(page, '[data-test="aqi-time"]');
  if (hour.startsWith(api.time_text.slice(0, 16).replace('T', ' '))) {
    assert.equal(shown, api.aqi);
    assert.equal(await text(page, '[data-test="city-category"]'), api.category);
  }
  assert.match(await text(page, '[data-test="aqi-edition"]'), /HJ 633/);
  for (const p of ['PM2.5', 'PM10', 'O3', 'NO2', 'SO2', 'CO']) await page.locator(`[data-test="conc-${p}"]`).waitFor();
  await page.locator('[data-test="chart-24h"] canvas').waitFor();
  await page.locator('[data-test="chart-30d"] canvas').waitFor();
  ctx.assertClean(page);
});

test('the portal names the city the API gives and draws its map from the API', async (ctx) => {
  const city = (await ctx.api('/api/v1/public/city')).json;
  assert.ok(city?.name, 'the demo has a city');
  const page = await ctx.page({ viewport: 'desktop' });
  const asked = [];
  page.on('request', (r) => asked.push(new URL(r.url()).pathname));
  await page.goto('/');
  await page.waitForSelector('[data-ready="home"]', { timeout: 30000 });
  await page.locator('[data-test="city-name"]').waitFor();
  assert.equal(await text(page, '[data-test="city-name"]'), city.name);
  await page.waitForFunction((name) => document.querySelector('h1').textContent.includes(name), city.name);
  await page.waitForFunction((name) => document.title.includes(name), city.name);
  await page.locator('[data-test="station-map"] canvas').waitFor({ timeout: 30000 });
  assert.ok(asked.includes('/api/v1/public/city/districts'), 'the boundaries come from the API');
  assert.deepEqual(asked.filter((p) => p.startsWith('/geo/')), [], 'no map file compiled into the site');
  assert.equal(asked.filter((p) => p === '/api/v1/public/city').length, 1, 'the city is asked for once');
  ctx.assertClean(page);
});

test('a city without boundaries still shows its stations on the map', async (ctx) => {
  const page = await ctx.page({ viewport: 'desktop' });
  // The same city as a bureau that ran `city init` without a boundary file sees it.
  await page.route('**/api/v1/public/city', async (route) => {
    const r = await route.fetch();
    route.fulfill({ response: r, json: { ...(await r.json()), center: null, bbox: null } });
  });
  await page.route('**/api/v1/public/city/districts', async (route) => {
    const r = await route.fetch();
    const fc = await r.json();
    route.fulfill({ response: r, json: { ...fc, features: fc.features.map((f) => ({ ...f, geometry: null })) } });
  });
  await page.goto('/');
  await page.waitForSelector('[data-ready="home"]', { timeout: 30000 });
  await page.locator('[data-test="station-map"] canvas').waitFor({ timeout: 30000 });
  await page.waitForTimeout(800); // the points draw after the map
  assert.equal(await page.locator('[data-test="load-error"]').count(), 0);
  await ctx.shot(page, 'public-home-no-boundaries');
  ctx.assertClean(page);
});

test('home ranks districts in the order of the API', async (ctx) => {
  const page = await open(ctx, '/', 'home', 'desktop');
  await page.locator('[data-test="rank-row"]').first().waitFor();
  const api = (await ctx.api('/api/v1/public/aqi/ranking?level=district&period=hour')).json;
  const scopes = await page.locator('[data-test="rank-row"]').evaluateAll((rows) => rows.map((r) => r.dataset.scope));
  const expected = api.items.slice().sort((a, b) => a.rank - b.rank).map((r) => r.scope);
  assert.deepEqual(scopes, expected);
  // A district without an AQI this hour (too few stations reporting) shows a dash.
  const aqis = (await page.locator('[data-test="rank-aqi"]').allTextContents())
    .map((s) => (s.trim() === '—' ? null : Number(s.trim())));
  assert.deepEqual(aqis, api.items.slice().sort((a, b) => a.rank - b.rank).map((r) => r.aqi ?? null));
  ctx.assertClean(page);
});

test('a failed request shows an error with a retry, and the retry recovers', async (ctx) => {
  const page = await ctx.page({ viewport: 'phone' });
  // The server fails the district ranking once (as an overloaded one would); the
  // rest of the page must still show, and the retry must bring the ranking.
  let failed = 0;
  await page.route('**/api/v1/public/aqi/ranking?level=district*', (route) => {
    if (failed++) return route.continue();
    return route.fulfill({
      status: 503,
      contentType: 'application/problem+json',
      body: JSON.stringify({ type: 'https://ecohub.example/problems/unavailable', title: 'Service unavailable', status: 503 }),
    });
  });
  ctx.expectHttpError(page, /^503 GET \/api\/v1\/public\/aqi\/ranking/);
  await page.goto('/');
  await page.waitForSelector('[data-ready="home"]', { timeout: 30000 });
  const box = page.locator('[data-test="load-error"]');
  await box.waitFor();
  assert.match(await box.innerText(), /Service unavailable/);
  assert.equal(await page.locator('[data-test="rank-row"]').count(), 0);
  await box.locator('button').click();
  await page.locator('[data-test="rank-row"]').first().waitFor();
  assert.equal(await page.locator('[data-test="load-error"]').count(), 0);
  assert.equal(failed, 2);
  ctx.assertClean(page);
});

test('a station page shows its latest AQI and switches pollutant', async (ctx) => {
  const ranking = (await ctx.api('/api/v1/public/aqi/ranking?level=site&period=hour')).json;
  const code = ranking.items[0].scope.replace('site:', '');
  const page = await open(ctx, `/station/${code}`, 'station', 'desktop');
  await page.locator('[data-test="station-aqi"]').waitFor();
  const hist = (await ctx.api(`/api/v1/public/aqi/history?scope=site:${code}&period=hour`)).json.items;
  const last = hist[hist.length - 1];
  const hour = await text(page, '[data-test="aqi-time"]');
  if (hour.startsWith(last.time_text.slice(0, 16).replace('T', ' '))) {
    assert.equal(Number(await text(page, '[data-test="station-aqi"]')), last.aqi);
  }
  assert.match(await text(page, '[data-test="edition"]'), /HJ 633/);
  await page.click('[data-test="switch-O3"]');
  assert.equal(await page.getAttribute('[data-test="switch-O3"]', 'aria-selected'), 'true');
  await page.locator('[data-test="chart-hour"] canvas').waitFor();
  assert.ok((await page.locator('[data-test="station-table"] tbody tr').count()) > 0);
  ctx.assertClean(page);
});

test('water shows the share of I–III and the sections meeting target', async (ctx) => {
  const page = await open(ctx, '/water', 'water', 'desktop');
  await page.locator('[data-test="water-table"]').waitFor();
  const api = (await ctx.api('/api/v1/public/water/classes')).json;
  assert.equal(Number(await text(page, '[data-test="water-sections"]')), api.sections);
  assert.equal(Number(await text(page, '[data-test="water-meets"]')), api.items.filter((r) => r.meets_target).length);
  if (api.class_i_to_iii_ratio !== null)
    assert.equal(await text(page, '[data-test="water-ratio"]'), `${(api.class_i_to_iii_ratio * 100).toFixed(1)}%`);
  assert.equal(await page.locator('[data-test="water-row"]').count(), api.items.length);
  // A section's 30 days open below the table.
  await page.locator('[data-test="water-row"] button').first().click();
  await page.locator('[data-test="class-trend"] canvas').waitFor({ timeout: 30000 });
  ctx.assertClean(page);
});

test('enterprises list the key units and search narrows them', async (ctx) => {
  const page = await open(ctx, '/enterprises', 'enterprises', 'desktop');
  const api = (await ctx.api('/api/v1/public/enterprises')).json;
  assert.equal(await page.locator('[data-test="ent-card"]').count(), api.items.length);
  const over = api.items.flatMap((e) => e.outlets.flatMap((o) => o.values))
    .filter((v) => v.limit && Number(v.value) > Number(v.limit.value)).length;
  assert.equal(await page.locator('[data-test="over-limit"]').count(), over);
  const name = api.items[0].name;
  await page.fill('[data-test="ent-search"]', name);
  assert.equal(await page.locator('[data-test="ent-card"]').count(), api.items.filter((e) => e.name.includes(name)).length);
  assert.equal(await text(page, '[data-test="ent-name"]'), name);
  ctx.assertClean(page);
});

test('open data offers each public dataset as CSV that downloads without login', async (ctx) => {
  const page = await open(ctx, '/open-data', 'open-data', 'desktop');
  const api = (await ctx.api('/api/v1/public/datasets')).json;
  assert.equal(await page.locator('[data-test="dataset"]').count(), api.items.length);
  assert.match(await text(page, '[data-test="curl"]'), new RegExp(`curl '${ctx.base}/api/v1/public/`));
  const link = page.locator('[data-test="download-air-aqi-csv"]');
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const r = await ctx.api(await link.getAttribute('href'));
  assert.equal(r.status, 200);
  assert.match(download.suggestedFilename(), /\.csv$/);
  ctx.assertClean(page);
});

test('the English switch changes the words live', async (ctx) => {
  const page = await open(ctx, '/', 'home', 'desktop');
  await page.locator('[data-ready="home"]').waitFor();
  const zh = await text(page, 'h1');
  await page.click('[data-test="lang"]');
  await page.waitForFunction((before) => document.querySelector('h1').textContent.trim() !== before, zh);
  assert.match(await text(page, 'h1'), /air quality/i);
  ctx.assertClean(page);
});

const PAGES = [
  ['/', 'home'],
  ['/station/AIR-Dongsi', 'station'],
  ['/water', 'water'],
  ['/enterprises', 'enterprises'],
  ['/open-data', 'open-data'],
];
for (const viewport of ['phone', 'desktop']) {
  test(`public pages load clean and fit a ${viewport}`, async (ctx) => {
    for (const [path, name] of PAGES) {
      const page = await open(ctx, path, name, viewport);
      await page.waitForTimeout(800); // charts draw after their data
      const [sw, cw] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
      assert.ok(sw <= cw, `${path}: the page scrolls sideways (${sw} > ${cw})`);
      assert.equal(await page.locator('[data-test="load-error"]').count(), 0, `${path} shows an error`);
      await ctx.shot(page, `public-${name}-${viewport}`);
      ctx.assertClean(page);
      await page.context().close();
    }
  });
}
