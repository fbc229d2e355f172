// The discharge permits (排污许可证) in the console: an administrator creates a permit for
// a demo enterprise through the registry's dialog (an outlet with a permitted
// concentration, an annual quantity), edits it, and finds it in the list as 有效, each
// step checked against the API; a form whose validity ends before it starts shows the
// server's reason in words and stores nothing; revoking asks first; a district's staff
// pick among their district's enterprises only; the enterprise account sees its permit
// and the share of its quantity used, as the API computes it, at desktop and phone size.
import { test, assert, sleep } from './lib.mjs';

const READY = 30000;
const YEAR = Number(new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 4)); // Beijing

async function get(ctx, p, token = ctx.users.admin.token) {
  const r = await ctx.api(p, { token });
  assert.equal(r.status, 200, `${p}: ${r.text.slice(0, 200)}`);
  return r.json;
}

// What a permit of the demo sets at an outlet of each medium: a permitted concentration
// and a quantity of a factor the demo's outlets send with their flows, and a second
// factor to limit.
const MEDIUM = {
  outlet_gas: { factor: 'a21026', unit: 'mg/m³', value: 35, other: 'a21002', standard: 'GB 13223-2011 表1' },
  outlet_water: { factor: 'w01018', unit: 'mg/L', value: 50, other: 'w21003', standard: 'GB 8978-1996 表4' },
};

// The enterprise of the enterprise account and its active outlets, each with what a
// permit sets there (MEDIUM); `x.outlet` and the fields of MEDIUM are its first outlet's.
async function demoOutlet(ctx) {
  const enterprise = ctx.users.enterprise.enterprise_id;
  const sites = (await get(ctx, '/api/v1/sites?limit=1000')).items;
  const outlets = sites
    .filter((s) => s.enterprise_id === enterprise && MEDIUM[s.kind] && s.active !== false)
    .map((site) => ({ site, ...MEDIUM[site.kind] }));
  assert.ok(outlets.length, `enterprise ${enterprise} has an outlet`);
  return { enterprise, outlets, outlet: outlets[0].site, ...outlets[0] };
}

async function permitByNumber(ctx, number, token = ctx.users.admin.token) {
  return (await get(ctx, `/api/v1/permits?q=${encodeURIComponent(number)}`, token)).items.find((p) => p.number === number);
}

async function openPermits(page) {
  await page.goto('/console/registry/permits');
  await page.waitForSelector('main[data-page="registry"][data-ready="registry"]', { timeout: READY });
  await page.waitForSelector('[data-test=reg-permits][data-ready=permits]', { timeout: READY });
}

async function openNew(page) {
  await page.click('[data-test=reg-new]');
  await page.waitForSelector('[data-test=permit-dialog][open]', { timeout: READY });
}

const dlg = (page) => page.locator('[data-test=permit-dialog]');

// The dialog's own fields: number, enterprise, validity, issuer.
async function fillHead(page, { number, enterprise, from, to, issuer }) {
  const d = dlg(page);
  if (number !== undefined) await d.locator('[data-test=p-number]').fill(number);
  if (enterprise !== undefined) await d.locator('[data-test=p-enterprise]').selectOption(String(enterprise));
  if (from !== undefined) await d.locator('[data-test=p-valid_from]').fill(from);
  if (to !== undefined) await d.locator('[data-test=p-valid_to]').fill(to);
  if (issuer !== undefined) await d.locator('[data-test=p-issuer]').fill(issuer);
}

// Ticks the outlet and fills its `index`th limit row (adding it when missing).
async function fillLimit(page, siteId, index, { factor, value, standard }) {
  const d = dlg(page);
  const tick = d.locator(`[data-test=p-outlet-${siteId}]`);
  if (!(await tick.isChecked())) await tick.check();
  const block = d.locator(`[data-test=p-outlet][data-site="${siteId}"]`);
  while ((await block.locator('[data-test=p-limit]').count()) <= index) await block.locator('[data-test=p-limit-add]').click();
  const row = block.locator('[data-test=p-limit]').nth(index);
  await row.locator('[data-test=p-limit-factor]').selectOption(factor);
  await row.locator('[data-test=p-limit-value]').fill(String(value));
  await row.locator('[data-test=p-limit-standard]').fill(standard);
  return row;
}

async function saveDialog(page) {
  await page.click('[data-test=permit-save]');
  await page.waitForSelector('[data-test=permit-dialog]:not([open])', { state: 'attached', timeout: READY });
  await page.waitForSelector('[data-test=reg-message]', { timeout: READY });
}

const row = (page, text) => page.locator('[data-test=reg-row]', { hasText: text });

// A word missing from the i18n tables shows as its key ('con.permit.x'): none may.
async function noKeyShown(page) {
  const keys = (await page.locator('main').innerText()).match(/\bcon\.[\w.]+/g);
  assert.equal(keys, null, `words missing: ${keys}`);
}

// An administrator's page with the dialog of a new permit open, filled for the demo
// enterprise's first outlet with validity `from`..`to`; resolves to {x, page, limit}.
async function startPermit(ctx, { number, from, to, issuer }) {
  const x = await demoOutlet(ctx);
  const page = await ctx.page({ viewport: 'desktop', role: 'admin' });
  await openPermits(page);
  await openNew(page);
  await fillHead(page, { number, enterprise: x.enterprise, from, to, issuer });
  const limit = await fillLimit(page, x.outlet.id, 0, x);
  return { x, page, limit };
}

test('permits: an administrator creates a permit in the dialog, edits it, and finds it valid in the list', async (ctx) => {
  const number = 'WEB-PERMIT-0001';
  const { x, page, limit } = await startPermit(ctx, { number, from: `${YEAR - 1}-01-01`, to: `${YEAR + 3}-12-31`, issuer: '市生态环境局' });
  assert.equal(await limit.locator('[data-test=p-limit-unit]').inputValue(), x.unit, 'a factor brings its unit at outlets');
  await dlg(page).locator('[data-test=p-quantity-add]').click();
  const q = dlg(page).locator('[data-test=p-quantity]').first();
  await q.locator('[data-test=p-quantity-factor]').selectOption(x.factor);
  await q.locator('[data-test=p-quantity-tonnes]').fill('100');
  await ctx.shot(page, 'permits-dialog-desktop');
  await saveDialog(page);

  let p = await permitByNumber(ctx, number);
  assert.ok(p, 'the permit is stored');
  assert.deepEqual(
    [p.enterprise_id, p.valid_from, p.valid_to, p.issuer, p.state, p.status],
    [x.enterprise, `${YEAR - 1}-01-01`, `${YEAR + 3}-12-31`, '市生态环境局', 'valid', 'valid'],
  );
  assert.deepEqual(p.outlets, [{ site_id: x.outlet.id, limits: [{ factor: x.factor, value: x.value, lower: null, unit: x.unit, standard: x.standard }] }]);
  assert.deepEqual(p.quantities, [{ factor: x.factor, tonnes_per_year: 100 }]);

  // Edited: the number is fixed; a second limit, and a larger quantity.
  await page.fill('[data-test=reg-q]', number);
  await row(page, number).locator('[data-test=reg-edit]').click();
  await page.waitForSelector('[data-test=permit-dialog][open]', { timeout: READY });
  assert.ok(await dlg(page).locator('[data-test=p-number]').isDisabled(), 'a permit number is fixed once made');
  await fillLimit(page, x.outlet.id, 1, { factor: x.other, value: 20, standard: x.standard });
  await dlg(page).locator('[data-test=p-quantity-tonnes]').first().fill('120');
  await saveDialog(page);
  p = await permitByNumber(ctx, number);
  assert.deepEqual(p.outlets[0].limits.map((l) => [l.factor, l.value]), [[x.factor, x.value], [x.other, 20]]);
  assert.deepEqual(p.quantities, [{ factor: x.factor, tonnes_per_year: 120 }]);
  assert.equal((await get(ctx, '/api/v1/permits')).items.filter((y) => y.number === number).length, 1, 'edited, not duplicated');

  // In the list as 有效, found by the enterprise's name too, and filtered by status.
  await page.fill('[data-test=reg-q]', p.enterprise_name);
  assert.match(await row(page, number).locator('[data-test=reg-status]').innerText(), /有效/);
  await page.selectOption('[data-test=reg-filter]', 'expired');
  assert.equal(await row(page, number).count(), 0, 'not among the expired');
  await page.selectOption('[data-test=reg-filter]', 'valid');
  await row(page, number).waitFor({ timeout: READY });

  // Its details and usage below the list.
  await row(page, number).locator('[data-test=permit-show]').click();
  const detail = page.locator(`[data-test=permit-detail][data-number="${number}"]`);
  await detail.locator('[data-test=permit-usage][data-ready=usage]').waitFor({ timeout: READY });
  assert.equal(await detail.locator('[data-test=permit-limit]').count(), 2);
  // The usage against the quantity as edited.
  await detail.locator(`[data-test=usage-factor][data-factor=${x.factor}]`, { hasText: '许可 120 吨' }).waitFor({ timeout: READY });
  await ctx.shot(page, 'permits-list-desktop');
  await noKeyShown(page);
  ctx.assertClean(page);

  // At phone size, in English: no sideways scrolling, every word there.
  const phone = await ctx.page({ viewport: 'phone', role: 'admin' });
  await phone.addInitScript(() => localStorage.setItem('ecohub.lang', 'en'));
  await openPermits(phone);
  await phone.fill('[data-test=reg-q]', number);
  await row(phone, number).locator('[data-test=permit-show]').click();
  await phone.locator('[data-test=permit-usage][data-ready=usage]').waitFor({ timeout: READY });
  assert.match(await row(phone, number).locator('[data-test=reg-status]').innerText(), /Valid/);
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the permits tab at phone size scrolls sideways by ${overflow}px`);
  await ctx.shot(phone, 'permits-list-phone-en');
  await openNew(phone);
  await ctx.shot(phone, 'permits-dialog-phone-en');
  await noKeyShown(phone);
  ctx.assertClean(phone);
});

test('permits: validity ending before it starts shows the server\'s reason and stores nothing', async (ctx) => {
  const number = 'WEB-PERMIT-BAD';
  const { page } = await startPermit(ctx, { number, from: `${YEAR}-06-01`, to: `${YEAR}-01-01` });
  ctx.expectHttpError(page, /^400 POST \/api\/v1\/permits$/);
  await page.click('[data-test=permit-save]');
  const error = page.locator('[data-test=permit-dialog-error]');
  await error.waitFor({ timeout: READY });
  const text = await error.innerText();
  assert.match(text, /有效期止：不得早于有效期起/, text);
  assert.match(text, /valid_to must not be before valid_from/, 'the server\'s own words follow');
  assert.ok(await page.locator('[data-test=permit-dialog][open]').count(), 'the dialog stays open');
  await ctx.shot(page, 'permits-refused-desktop');
  await noKeyShown(page);
  assert.equal(await permitByNumber(ctx, number), undefined, 'nothing was stored');
  ctx.assertClean(page);
});

test('permits: revoking in the dialog asks first, and nothing changes until it is confirmed', async (ctx) => {
  const x = await demoOutlet(ctx);
  const number = 'WEB-PERMIT-REV';
  const body = {
    number,
    enterprise_id: x.enterprise,
    valid_from: `${YEAR - 1}-01-01`,
    valid_to: `${YEAR + 1}-12-31`,
    outlets: [{ site_id: x.outlet.id, limits: [] }],
  };
  const made = await ctx.api('/api/v1/permits', { method: 'POST', token: ctx.users.admin.token, body });
  assert.equal(made.status, 201, made.text);
  const page = await ctx.page({ viewport: 'desktop', role: 'admin' });
  await openPermits(page);
  await page.fill('[data-test=reg-q]', number);
  await row(page, number).locator('[data-test=reg-edit]').click();
  await page.waitForSelector('[data-test=permit-dialog][open]', { timeout: READY });
  await dlg(page).locator('[data-test=p-state]').selectOption('revoked');

  const asked = [];
  page.once('dialog', (d) => { asked.push(d.message()); d.dismiss(); });
  await page.click('[data-test=permit-save]');
  for (let i = 0; i < 50 && !asked.length; i++) await sleep(100);
  assert.equal(asked.length, 1, 'revoking asks');
  assert.match(asked[0], new RegExp(`撤销排污许可证“${number}”`));
  assert.ok(await page.locator('[data-test=permit-dialog][open]').count(), 'declined: the dialog stays');
  assert.equal((await permitByNumber(ctx, number)).state, 'valid', 'declined: nothing changed');

  page.once('dialog', (d) => d.accept());
  await saveDialog(page);
  const p = await permitByNumber(ctx, number);
  assert.deepEqual([p.state, p.status], ['revoked', 'revoked']);
  assert.match(await row(page, number).locator('[data-test=reg-status]').innerText(), /已撤销/);
  ctx.assertClean(page);
});

test('permits: district staff pick among their district\'s enterprises only', async (ctx) => {
  const u = ctx.users.district_staff;
  const enterprises = (await get(ctx, '/api/v1/enterprises?limit=1000')).items;
  const other = enterprises.find((e) => e.district_id !== u.district_id && e.status !== 'closed');
  assert.ok(other, 'the demo has enterprises in another district');
  const page = await ctx.page({ viewport: 'desktop', role: 'district_staff' });
  await openPermits(page);
  const ids = await page.$$eval('[data-test=reg-row]', (els) => els.map((e) => Number(e.dataset.key)));
  const all = new Map((await get(ctx, '/api/v1/permits')).items.map((p) => [p.id, p]));
  const entById = new Map(enterprises.map((e) => [e.id, e]));
  for (const id of ids) assert.equal(entById.get(all.get(id)?.enterprise_id)?.district_id, u.district_id, `permit ${id} is of their district`);

  await openNew(page);
  const offered = (await dlg(page).locator('[data-test=p-enterprise] option').evaluateAll((os) => os.map((o) => Number(o.value)))).filter(Boolean);
  assert.ok(offered.length > 0, 'their district has enterprises');
  for (const id of offered) assert.equal(entById.get(id)?.district_id, u.district_id, `enterprise ${id} is of their district`);
  assert.ok(!offered.includes(other.id), `${other.name} of another district is not offered`);
  await page.keyboard.press('Escape');
  ctx.assertClean(page);
});

test('permits: the enterprise account sees its permit and the share of its quantity used', async (ctx) => {
  const x = await demoOutlet(ctx);
  const number = 'WEB-PERMIT-ENT';
  // Every outlet of the enterprise, each with a limit and a quantity of its medium.
  const body = {
    number,
    enterprise_id: x.enterprise,
    valid_from: `${YEAR - 1}-01-01`,
    valid_to: `${YEAR + 4}-12-31`,
    issuer: '市生态环境局',
    outlets: x.outlets.map((o) => ({ site_id: o.site.id, limits: [{ factor: o.factor, value: o.value, unit: o.unit, standard: o.standard }] })),
    quantities: [...new Set(x.outlets.map((o) => o.factor))].map((factor) => ({ factor, tonnes_per_year: 0.5 })),
  };
  const made = await ctx.api('/api/v1/permits', { method: 'POST', token: ctx.users.admin.token, body });
  assert.ok([200, 201].includes(made.status), made.text);

  for (const [viewport, name] of [['desktop', 'permits-enterprise-desktop'], ['phone', 'permits-enterprise-phone']]) {
    const page = await ctx.page({ viewport, role: 'enterprise' });
    await page.goto('/console/enterprise');
    await page.waitForSelector('[data-test=ent-permits][data-ready=permits]', { timeout: READY });
    const detail = page.locator(`[data-test=permit-detail][data-number="${number}"]`);
    await detail.waitFor({ timeout: READY });
    assert.match(await detail.locator('[data-test=permit-status]').innerText(), /有效/);
    const panel = detail.locator('[data-test=permit-usage][data-ready=usage]');
    await panel.waitFor({ timeout: READY });
    // The same year, asked by the enterprise itself: what the panel shows is what it may read.
    const usage = await get(ctx, `/api/v1/permits/${made.json.id}/usage?year=${YEAR}`, ctx.users.enterprise.token);
    assert.equal(usage.total.length, body.quantities.length);
    for (const total of usage.total) {
      const factor = panel.locator(`[data-test=usage-factor][data-factor=${total.factor}]`);
      assert.equal(Number(await factor.getAttribute('data-share')), total.share, `the share of ${total.factor} is the API's`);
      assert.match(await factor.locator('[data-test=usage-share]').innerText(), /^\d+(\.\d)?%$/);
      // Missing hours are said, never taken for zero emission.
      if (total.hours_missing) assert.match(await factor.innerText(), new RegExp(`缺测 ${total.hours_missing} 小时`));
      else assert.equal(await factor.locator('[data-test=usage-missing]').count(), 0);
      // With several outlets, each outlet's part of the share.
      if (x.outlets.length > 1) {
        for (const o of usage.outlets.filter((uo) => uo.factors.some((f) => f.factor === total.factor)))
          assert.equal(await factor.locator(`[data-test=usage-outlet][data-site="${o.site_id}"]`).count(), 1, `outlet ${o.site_code} of ${total.factor}`);
      }
    }
    await page.waitForLoadState('networkidle');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `the enterprise page at ${viewport} size scrolls sideways by ${overflow}px`);
    await ctx.shot(page, name);
    ctx.assertClean(page);
  }
});
