// The registry pages (登记管理, /console/registry/<tab>): an administrator creates, edits
// and disables a district, an enterprise, a site and a device through the dialogs, each
// checked against the API, and sees the server's refusal (closing an enterprise with an
// active outlet); a bad upload shows its report (row, column, reason) and stores
// nothing, a good one stores its rows; a district's staff see their district only and
// get the server's refusal for another district's row; the city's targets set in the
// form are what /public/city serves and what the cockpit compares with; the lists at
// phone size do not scroll sideways.
import { test, assert } from './lib.mjs';

const READY = 30000;

// GB 32100-2015: a unified social credit code with valid check characters, from 8
// characters of organisation code body (GB 11714) and a 6-digit division code.
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
function creditCode(division, org8) {
  const orgWeights = [3, 7, 9, 10, 5, 8, 4, 2];
  const orgVal = (c) => (c >= '0' && c <= '9' ? c.charCodeAt(0) - 48 : c.charCodeAt(0) - 55);
  const oc = 11 - ([...org8].reduce((s, c, i) => s + orgVal(c) * orgWeights[i], 0) % 11);
  const body = `91${division}${org8}${oc === 10 ? 'X' : oc === 11 ? '0' : String(oc)}`;
  let sum = 0;
  let w = 1;
  for (const c of body) {
    sum += ALPHABET.indexOf(c) * w;
    w = (w * 3) % 31;
  }
  return body + ALPHABET[(31 - (sum % 31)) % 31];
}

async function get(ctx, p, token = ctx.users.admin.token) {
  const r = await ctx.api(p, { token });
  assert.equal(r.status, 200, `${p}: ${r.text.slice(0, 200)}`);
  return r.json;
}

async function openTab(page, tab) {
  await page.goto(`/console/registry/${tab}`);
  await page.waitForSelector('main[data-page="registry"][data-ready="registry"]', { timeout: READY });
  const section = tab === 'import' ? '[data-test=reg-import]' : tab === 'targets' ? '[data-test=reg-targets][data-ready=targets]' : `[data-test=reg-${tab}][data-ready=${tab}]`;
  await page.waitForSelector(section, { timeout: READY });
}

// The dialog's fields: {key: value} typed (inputs), chosen (selects) or ticked (booleans).
async function fillDialog(page, values) {
  const dlg = page.locator('[data-test=reg-dialog]');
  for (const [key, v] of Object.entries(values)) {
    const el = dlg.locator(`[data-test="f-${key}"]`);
    const tag = await el.evaluate((e) => e.tagName.toLowerCase());
    if (tag === 'select') await el.selectOption(String(v));
    else if (typeof v === 'boolean') await el.setChecked(v);
    else await el.fill(String(v));
  }
}

async function saveDialog(page) {
  await page.click('[data-test=reg-save]');
  await page.waitForSelector('[data-test=reg-dialog]:not([open])', { state: 'attached', timeout: READY });
  await page.waitForSelector('[data-test=reg-message]', { timeout: READY });
}

const row = (page, text) => page.locator('[data-test=reg-row]', { hasText: text });

// Searches a list (the paged lists ask the server) and waits for `text`'s row.
async function find(page, text) {
  await page.fill('[data-test=reg-q]', text);
  if (await page.locator('[data-test=reg-search]').count()) await page.click('[data-test=reg-search]');
  await row(page, text).first().waitFor({ timeout: READY });
}

async function disable(page, text) {
  await row(page, text).locator('[data-test=reg-disable]').click();
  await page.waitForSelector(`[data-test=reg-row]:has-text("${text}")[data-enabled=false]`, { timeout: READY });
}

test('registry: an administrator creates, edits and disables a district, an enterprise, a site and a device', async (ctx) => {
  const page = await ctx.page({ viewport: 'desktop', role: 'admin' });
  page.on('dialog', (d) => d.accept()); // the confirmation before disabling

  // A district.
  await openTab(page, 'districts');
  await page.click('[data-test=reg-new]');
  await fillDialog(page, { code: '110199', name: '网测新区', lon: 116.61, lat: 40.12 });
  await saveDialog(page);
  let district = (await get(ctx, '/api/v1/districts')).items.find((d) => d.code === '110199');
  assert.ok(district && district.name === '网测新区' && district.active, JSON.stringify(district));
  await find(page, '110199');
  await row(page, '110199').locator('[data-test=reg-edit]').click();
  assert.ok(await page.locator('[data-test=f-code]').isDisabled(), 'a district code is fixed once made');
  await fillDialog(page, { name: '网测新区二' });
  await saveDialog(page);
  district = (await get(ctx, '/api/v1/districts')).items.find((d) => d.code === '110199');
  assert.equal(district.name, '网测新区二');
  await disable(page, '110199');
  district = (await get(ctx, '/api/v1/districts')).items.find((d) => d.code === '110199');
  assert.equal(district.active, false);
  await ctx.shot(page, 'registry-districts-desktop');

  // An enterprise in a working district, on the water and air lists.
  const home = (await get(ctx, '/api/v1/districts')).items.find((d) => d.active && d.code !== '110199');
  const credit = creditCode(home.code, 'WEB12345');
  await openTab(page, 'enterprises');
  await page.click('[data-test=reg-new]');
  await fillDialog(page, {
    name: '网测化工有限公司', credit_code: credit, district_id: home.id, industry: '2614', address: '网测路 1 号',
    contact_name: '张工', contact_phone: '010-12345678', 'key_media-water': true, 'key_media-air': true,
  });
  await saveDialog(page);
  let ent = (await get(ctx, `/api/v1/enterprises?q=${credit}`)).items[0];
  assert.ok(ent, 'the enterprise is stored');
  assert.deepEqual([ent.name, ent.district_id, ent.industry, ent.contact_name, ent.status], ['网测化工有限公司', home.id, '2614', '张工', 'operating']);
  assert.deepEqual([...ent.key_media].sort(), ['air', 'water']);
  assert.equal(ent.key_unit, true);
  await find(page, credit);
  await row(page, credit).locator('[data-test=reg-edit]').click();
  await fillDialog(page, { address: '网测路 2 号', status: 'stopped', 'key_media-air': false });
  await saveDialog(page);
  ent = (await get(ctx, `/api/v1/enterprises/${ent.id}`));
  assert.deepEqual([ent.address, ent.status, ent.key_media], ['网测路 2 号', 'stopped', ['water']]);
  await find(page, credit);
  assert.match(await row(page, credit).locator('[data-test=reg-status]').innerText(), /停产/);

  // Its wastewater outlet.
  await openTab(page, 'sites');
  await page.click('[data-test=reg-new]');
  await fillDialog(page, { code: 'WEBREG-OUT-1', name: '网测总排口', kind: 'outlet_water', district_id: home.id });
  await fillDialog(page, { enterprise_id: ent.id, lon: home.lon || 116.4, lat: home.lat || 39.9 });
  await saveDialog(page);
  let site = (await get(ctx, '/api/v1/sites?q=WEBREG-OUT-1')).items[0];
  assert.ok(site, 'the site is stored');
  assert.deepEqual([site.kind, site.district_id, site.enterprise_id, site.active], ['outlet_water', home.id, ent.id, true]);
  await find(page, 'WEBREG-OUT-1');
  await row(page, 'WEBREG-OUT-1').locator('[data-test=reg-edit]').click();
  await fillDialog(page, { name: '网测污水总排口' });
  await saveDialog(page);
  site = (await get(ctx, '/api/v1/sites?q=WEBREG-OUT-1')).items[0];
  assert.equal(site.name, '网测污水总排口');

  // Its data logger.
  const mn = 'WEBREG0000000000000001';
  await openTab(page, 'devices');
  await page.click('[data-test=reg-new]');
  await fillDialog(page, { mn, site_id: site.id, password: 'dev-pass-123', protocol_version: 1, charset: 'utf-8' });
  await saveDialog(page);
  let dev = (await get(ctx, `/api/v1/devices?site=${site.id}`)).items.find((d) => d.mn === mn);
  assert.ok(dev && dev.enabled && dev.protocol_version === 1, JSON.stringify(dev));
  assert.equal(dev.password, undefined, 'a device password is never served');
  await find(page, mn);
  await row(page, mn).locator('[data-test=reg-edit]').click();
  await fillDialog(page, { charset: 'gbk' });
  await saveDialog(page);
  dev = (await get(ctx, `/api/v1/devices?site=${site.id}`)).items.find((d) => d.mn === mn);
  assert.equal(dev.charset, 'gbk');
  await disable(page, mn);
  dev = (await get(ctx, `/api/v1/devices?site=${site.id}`)).items.find((d) => d.mn === mn);
  assert.equal(dev.enabled, false);
  await ctx.shot(page, 'registry-devices-desktop');

  // Closing the enterprise while its outlet is active: the server's refusal names it.
  await openTab(page, 'enterprises');
  await find(page, credit);
  ctx.expectHttpError(page, /^409 PATCH \/api\/v1\/enterprises\//);
  await row(page, credit).locator('[data-test=reg-disable]').click();
  await page.waitForSelector('[data-test=reg-error]', { timeout: READY });
  assert.match(await page.innerText('[data-test=reg-error]'), /WEBREG-OUT-1/);
  assert.equal((await get(ctx, `/api/v1/enterprises/${ent.id}`)).status, 'stopped', 'refused: nothing changed');
  await ctx.shot(page, 'registry-enterprise-refused-desktop');

  // Disabling the outlet first, then closing the enterprise.
  await openTab(page, 'sites');
  await find(page, 'WEBREG-OUT-1');
  await disable(page, 'WEBREG-OUT-1');
  assert.equal((await get(ctx, `/api/v1/sites/${site.id}`)).active, false);
  await openTab(page, 'enterprises');
  await find(page, credit);
  await disable(page, credit);
  ent = await get(ctx, `/api/v1/enterprises/${ent.id}`);
  assert.equal(ent.status, 'closed');
  assert.match(await row(page, credit).locator('[data-test=reg-status]').innerText(), /关闭/);
  ctx.assertClean(page);
});

// Sites of the file: one good row, then one whose district code names no district.
const SITE_HEADER = 'code,name,kind,district,lon,lat,level';

test('registry: a bad upload shows its report and stores nothing; a good one stores its rows', async (ctx) => {
  const district = (await get(ctx, '/api/v1/districts')).items.find((d) => d.active && d.code !== '110199');
  const page = await ctx.page({ viewport: 'desktop', role: 'admin' });
  await openTab(page, 'import');
  await page.selectOption('[data-test=imp-kind]', 'sites');

  // The templates download with the session's token.
  for (const format of ['csv', 'xlsx']) {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(`[data-test=imp-template-${format}]`)]);
    assert.equal(download.suggestedFilename(), `sites-template.${format}`);
  }

  const bad = `${SITE_HEADER}\nWEBIMP-A1,网测导入站一,air,${district.code},116.40,39.90,city\nWEBIMP-A2,网测导入站二,air,999999,116.41,39.91,city\n`;
  await page.setInputFiles('[data-test=imp-file]', { name: 'sites.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  ctx.expectHttpError(page, /^422 POST \/api\/v1\/registry\/import/);
  await page.click('[data-test=imp-check]');
  await page.waitForSelector('[data-test=imp-report]', { timeout: READY });
  assert.ok(Number(await page.getAttribute('[data-test=imp-report]', 'data-errors')) >= 1);
  const errRow = page.locator('[data-test=imp-error-row][data-row="3"]');
  assert.equal(await errRow.count(), 1, 'the error names row 3 (the header is row 1)');
  assert.equal(await errRow.getAttribute('data-column'), 'district');
  // Named in the page's words, the server's text beside them.
  const said = await errRow.innerText();
  assert.match(said, /区县代码/, 'the column by its label');
  assert.match(said, /没有代码为 999999 的区县/, 'the reason in Chinese');
  assert.match(said, /no district has the code 999999/, "and the server's own words");
  assert.ok(await page.locator('[data-test=imp-commit]').isDisabled(), 'no import after a failed check');
  await ctx.shot(page, 'registry-import-bad-desktop');
  for (const code of ['WEBIMP-A1', 'WEBIMP-A2'])
    assert.equal((await get(ctx, `/api/v1/sites?q=${code}`)).items.length, 0, `${code} was not stored`);

  const good = `${SITE_HEADER}\nWEBIMP-B1,网测导入站三,air,${district.code},116.40,39.90,city\nWEBIMP-B2,网测导入站四,air,${district.code},116.41,39.91,micro\n`;
  await page.setInputFiles('[data-test=imp-file]', { name: 'sites-good.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
  await page.click('[data-test=imp-check]');
  await page.waitForSelector('[data-test=imp-ok]', { timeout: READY });
  assert.match(await page.innerText('[data-test=imp-ok]'), /2/);
  assert.equal((await get(ctx, '/api/v1/sites?q=WEBIMP-B')).items.length, 0, 'a check stores nothing');
  await page.click('[data-test=imp-commit]');
  await page.waitForSelector('[data-test=imp-done]', { timeout: READY });
  const stored = (await get(ctx, '/api/v1/sites?q=WEBIMP-B')).items;
  assert.deepEqual(stored.map((s) => s.code).sort(), ['WEBIMP-B1', 'WEBIMP-B2']);
  assert.equal(stored.find((s) => s.code === 'WEBIMP-B2').attrs?.level, 'micro');
  await ctx.shot(page, 'registry-import-done-desktop');
  ctx.assertClean(page);
});

test('registry: district staff see their district only and are refused another district\'s row', async (ctx) => {
  const u = ctx.users.district_staff;
  const districts = (await get(ctx, '/api/v1/districts')).items;
  const other = districts.find((d) => d.active && d.id !== u.district_id && d.code !== '110199');
  const page = await ctx.page({ viewport: 'desktop', role: 'district_staff' });

  // No districts or targets tab; the sites list holds their district's rows only.
  await openTab(page, 'sites');
  const tabs = await page.$$eval('[data-tab]', (els) => els.map((e) => e.dataset.tab));
  assert.deepEqual(tabs, ['enterprises', 'sites', 'devices', 'permits', 'import']);
  const ids = (await page.$$eval('[data-test=reg-row]', (els) => els.map((e) => Number(e.dataset.key))));
  assert.ok(ids.length > 0, 'the district has sites');
  const all = (await get(ctx, '/api/v1/sites?limit=1000')).items;
  const byId = new Map(all.map((s) => [s.id, s]));
  for (const id of ids) assert.equal(byId.get(id)?.district_id, u.district_id, `site ${id} is of their district`);

  // The dialog's district is theirs and fixed.
  await page.click('[data-test=reg-new]');
  const sel = page.locator('[data-test=reg-dialog] [data-test=f-district_id]');
  assert.ok(await sel.isDisabled());
  assert.equal(Number(await sel.inputValue()), u.district_id);
  await page.keyboard.press('Escape');

  // A site of another district through the import: refused row by row, nothing stored.
  await openTab(page, 'import');
  await page.selectOption('[data-test=imp-kind]', 'sites');
  const csv = `${SITE_HEADER}\nWEBIMP-X1,越权站,air,${other.code},116.40,39.90,city\n`;
  await page.setInputFiles('[data-test=imp-file]', { name: 'other.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  ctx.expectHttpError(page, /^(422|403) POST \/api\/v1\/registry\/import/);
  await page.click('[data-test=imp-check]');
  await page.waitForSelector('[data-test=imp-error-row], [data-test=imp-error]', { timeout: READY });
  const shown = await page.innerText('[data-test=reg-import]');
  assert.match(shown, /not allowed|Not allowed|无权|forbidden/i, shown);
  assert.ok(await page.locator('[data-test=imp-commit]').isDisabled());
  assert.equal((await get(ctx, '/api/v1/sites?q=WEBIMP-X1')).items.length, 0);
  await ctx.shot(page, 'registry-staff-refused-desktop');
  ctx.assertClean(page);
});

test('registry: the city targets set in the form are served by /public/city and shown on the cockpit', async (ctx) => {
  const page = await ctx.page({ viewport: 'desktop', role: 'admin' });
  await openTab(page, 'targets');
  await page.fill('[data-test=t-pm25_annual]', '32.5');
  await page.fill('[data-test=t-good_days_percent]', '80');
  await page.fill('[data-test=t-water_percent]', '');
  await page.click('[data-test=targets-save]');
  await page.waitForSelector('[data-test=targets-message]', { timeout: READY });
  let city = await get(ctx, '/api/v1/public/city', '');
  assert.deepEqual(city.targets, { pm25_annual: 32.5, good_days_percent: 80, water_percent: null });
  await ctx.shot(page, 'registry-targets-desktop');

  const cockpit = await ctx.page({ viewport: 'cockpit', role: 'admin' });
  await cockpit.goto('/cockpit');
  await cockpit.waitForSelector('[data-test=good-target]', { timeout: READY });
  assert.equal((await cockpit.innerText('[data-test=pm25-target]')).trim(), '32.5');
  assert.match(await cockpit.innerText('[data-test=good-target]'), /80%/);
  assert.equal(await cockpit.locator('[data-test=water-target]').count(), 0, 'no water target set');
  await ctx.shot(cockpit, 'registry-targets-cockpit');

  // Cleared again: the cockpit's later tests see the grade II limit.
  for (const k of ['t-pm25_annual', 't-good_days_percent']) await page.fill(`[data-test=${k}]`, '');
  // The message of the first save is still shown: wait for this save's answer itself.
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/city/targets') && r.request().method() === 'PUT',
      { timeout: READY }),
    page.click('[data-test=targets-save]'),
  ]);
  city = await get(ctx, '/api/v1/public/city', '');
  assert.deepEqual(city.targets, { pm25_annual: null, good_days_percent: null, water_percent: null });
  ctx.assertClean(page);
  ctx.assertClean(cockpit);
});

test('registry: every tab at phone size, clean and without sideways scrolling', async (ctx) => {
  const page = await ctx.page({ viewport: 'phone', role: 'admin' });
  for (const tab of ['districts', 'enterprises', 'sites', 'devices', 'import', 'targets']) {
    await openTab(page, tab);
    await page.waitForLoadState('networkidle');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `${tab} at phone size scrolls sideways by ${overflow}px`);
    await ctx.shot(page, `registry-${tab}-phone`);
  }
  await openTab(page, 'enterprises');
  await page.click('[data-test=reg-new]');
  await ctx.shot(page, 'registry-enterprise-dialog-phone');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the dialog at phone size scrolls sideways by ${overflow}px`);
  ctx.assertClean(page);
});
