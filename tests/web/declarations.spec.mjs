// The self-declarations page (自行申报, /console/declarations; issue 15,
// docs/declarations.md): the enterprise reaches it from its menu, declares one of its
// outlets stopped (停产) with an open window and a reason; the row shows 待审核; staff
// accept it with a comment (已通过); the declaration opens with its check against the
// data; a leader sees it with no buttons.
import { test, assert } from './lib.mjs';

const READY = 30000;

// Beijing "YYYY-MM-DDTHH:00", `hours` from now: the form's datetime-local value.
const beijingLocal = (hours) => new Date(Date.now() + (8 + hours) * 3600 * 1000).toISOString().slice(0, 13) + ':00';

async function ready(page) {
  await page.waitForSelector('main[data-page="declarations"][data-ready="declarations"]', { timeout: READY });
}

test('declarations: an enterprise declares a stop for its outlet and staff accept it', async (ctx) => {
  const ent = ctx.users.enterprise;
  const sites = await ctx.api('/api/v1/sites?limit=1000', { token: ent.token });
  assert.equal(sites.status, 200, sites.text.slice(0, 200));
  const outlet = sites.json.items.find((s) => s.kind.startsWith('outlet') && s.enterprise_id === ent.enterprise_id);
  assert.ok(outlet, 'the enterprise has an outlet');

  const page = await ctx.page({ viewport: 'desktop', role: 'enterprise' });
  await page.goto('/console/enterprise');
  await page.click('[data-menu=declarations]');
  await page.waitForURL('**/console/declarations', { timeout: READY });
  await ready(page);
  assert.match(await page.innerText('h1'), /自行申报/);
  await page.selectOption('[data-test=decl-site]', outlet.code);
  await page.selectOption('[data-test=decl-kind]', 'stopped');
  await page.fill('[data-test=decl-from]', beijingLocal(-3));
  await page.fill('[data-test=decl-reason]', '网页测试：锅炉停产');
  await page.click('[data-test=decl-submit]');
  await page.waitForSelector('[data-test=decl-message]', { timeout: READY });
  const id = Number((await page.innerText('[data-test=decl-message]')).match(/#(\d+)/)[1]);
  await page.waitForSelector(`[data-test=decl-row][data-id="${id}"][data-status=submitted]`, { timeout: READY });
  assert.match(await page.innerText(`[data-test=decl-row][data-id="${id}"]`), /停产[\s\S]*待审核/);
  assert.equal(await page.locator('[data-test=decl-accept]').count(), 0, 'an enterprise does not accept');
  ctx.assertClean(page);
  await page.close();

  const staff = await ctx.page({ viewport: 'desktop', role: 'staff' });
  await staff.goto('/console/declarations');
  await ready(staff);
  const row = staff.locator(`[data-test=decl-row][data-id="${id}"]`);
  await row.locator('[data-test=decl-comment]').fill('现场核实停产');
  await row.locator('[data-test=decl-accept]').click();
  await staff.waitForSelector(`[data-test=decl-row][data-id="${id}"][data-status=accepted]`, { timeout: READY });
  await row.locator('[data-test=decl-open]').click();
  await staff.waitForSelector(`[data-test=decl-detail][data-id="${id}"]`, { timeout: READY });
  assert.match(await staff.innerText('[data-test=decl-detail]'), /与监测数据比对/);
  assert.match(await staff.innerText('[data-test=decl-detail]'), /现场核实停产/);
  ctx.assertClean(staff);
  await staff.close();

  const r = await ctx.api(`/api/v1/declarations/${id}`, { token: ctx.users.admin.token });
  assert.equal(r.json.status, 'accepted');
  assert.equal(r.json.decision_comment, '现场核实停产');

  // A leader reads, with no form and no buttons.
  const leader = await ctx.page({ viewport: 'phone', role: 'leader' });
  await leader.goto('/console/declarations');
  await ready(leader);
  await leader.waitForSelector(`[data-test=decl-row][data-id="${id}"]`, { timeout: READY });
  assert.equal(await leader.locator('[data-test=decl-form]').count(), 0, 'a leader files nothing');
  assert.equal(await leader.locator('[data-test=decl-accept], [data-test=decl-end]').count(), 0);
  const overflow = await leader.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the page at phone size scrolls sideways by ${overflow}px`);
  ctx.assertClean(leader);
  await leader.close();
});
