// The enterprise environment code (环保码): the console's page counts the codes the API
// counts (the demo city has many red ones), a tile filters by colour, a district narrows
// to what the API gives for it, and a code opened shows the four rules whose points add up
// to 100 − score and 30 coloured days; an inspector sees the codes of the district; the
// enterprise sees its own code on its page; the portal shows the key units' codes only,
// each one explained on a tap; at 390×844 neither the console's code, the enterprise's
// page nor the portal scrolls sideways.
import { test, assert } from './lib.mjs';

const READY = 30000;
const COLORS = ['red', 'yellow', 'green'];
const RULES = ['exceedance', 'offline', 'unanswered', 'permit'];

async function ready(page, name) {
  await page.waitForSelector(`main[data-page="${name}"][data-ready="${name}"]`, { state: 'attached', timeout: READY });
}

async function noSidewaysScroll(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `${what} scrolls sideways by ${overflow}px`);
}

// The JSON of the next answer to GET `path` (any query) the page receives.
function answerOf(page, path) {
  return page
    .waitForResponse((r) => r.request().method() === 'GET' && new URL(r.url()).pathname === path && r.status() === 200, { timeout: READY })
    .then((r) => r.json());
}

const tileCounts = (page, prefix = 'code-tile', count = 'tile-count') =>
  page.$$eval(`[data-test=${prefix}]`, (els, c) => Object.fromEntries(els.map((e) => [e.dataset.color, Number(e.querySelector(`[data-test=${c}]`).textContent.trim())])), count);
const cards = (page) => page.$$eval('[data-test=code-card]', (els) => els.map((e) => ({ id: Number(e.dataset.id), color: e.dataset.color, score: Number(e.dataset.score), district: Number(e.dataset.district) })));

// What a code shown by CodeView.vue says: its colour and score, the rules' rows, the days.
async function shownCode(page, root) {
  const view = page.locator(`${root} [data-test=code-view]`);
  await view.waitFor({ timeout: READY });
  return {
    id: Number(await view.getAttribute('data-id')),
    color: await view.getAttribute('data-color'),
    score: Number(await view.getAttribute('data-score')),
    scoreText: (await view.locator('[data-test=code-score]').innerText()).trim(),
    badge: await view.locator('[data-test=code-badge]').getAttribute('data-color'),
    points: await view.locator('[data-test=point-row]').evaluateAll((rows) => rows.map((r) => ({ rule: r.dataset.rule, points: Number(r.dataset.points), taken: r.querySelector('[data-test=point-taken]').textContent.trim() }))),
    days: await view.locator('[data-test=history-day]').evaluateAll((els) => els.map((e) => ({ date: e.dataset.date, color: e.dataset.color, score: Number(e.dataset.score) }))),
    rules: await view.locator('[data-test=code-rules]').count(),
  };
}

// The code's arithmetic: the four rules in order, their points 100 − score (the score
// stops at 0), the days as the API gave them, today's colour the code's.
function checkCode(shown, api, what) {
  assert.equal(shown.id, api.enterprise_id, `${what}: the enterprise`);
  assert.equal(shown.color, api.color, `${what}: the colour`);
  assert.equal(shown.badge, api.color, `${what}: the badge's colour`);
  assert.equal(shown.score, api.score, `${what}: the score`);
  assert.equal(shown.scoreText, String(api.score));
  assert.deepEqual(shown.points.map((p) => p.rule), RULES, `${what}: four rules in order`);
  assert.deepEqual(shown.points.map((p) => p.points), api.points.map((p) => p.points), `${what}: the points of the API`);
  const taken = shown.points.reduce((n, p) => n + p.points, 0);
  if (api.score > 0) assert.equal(taken, 100 - api.score, `${what}: the points add up to 100 − score`);
  else assert.ok(taken >= 100, `${what}: a score of 0 took 100 or more (${taken})`);
  for (const p of shown.points) assert.equal(p.taken, p.points ? `−${p.points}` : '0');
  assert.equal(shown.days.length, 30, `${what}: 30 days`);
  assert.deepEqual(shown.days, api.history, `${what}: the days of the API, oldest first`);
  assert.equal(shown.days.at(-1).color, api.color, `${what}: today is the code`);
  assert.equal(shown.rules, 1, `${what}: the rules are explained`);
}

test('codes: the console counts what the API counts, a red tile shows the red ones, a code adds up and has 30 days', async (ctx) => {
  const { admin } = ctx.users;
  const page = await ctx.page({ viewport: 'desktop', role: 'admin' });
  const listed = answerOf(page, '/api/v1/enterprise-codes');
  await page.goto('/console');
  await page.click('[data-menu=codes]');
  await page.waitForURL('**/console/codes', { timeout: READY });
  await ready(page, 'codes');
  assert.equal((await page.locator('[data-menu=codes]').innerText()).trim(), '环保码');
  const list = await listed;
  assert.equal(list.rules, 'ecohub-code-1');
  assert.ok(list.counts.red > 0, `the demo city has red codes: ${JSON.stringify(list.counts)}`);

  // The tiles are the counts of the API's answer, and its cards are its items.
  assert.deepEqual(await tileCounts(page), list.counts);
  const tally = { red: 0, yellow: 0, green: 0 };
  for (const x of list.items) tally[x.color]++;
  assert.deepEqual(tally, list.counts, 'the counts are the items');
  const all = await cards(page);
  assert.deepEqual(all.map((c) => c.id), list.items.map((x) => x.enterprise_id), 'every enterprise, worst first');
  // The scope is every enterprise of the registry.
  const fresh = (await ctx.api('/api/v1/enterprise-codes', { token: admin.token })).json;
  assert.equal(COLORS.reduce((n, c) => n + fresh.counts[c], 0), all.length);

  // A red tile: the red ones only; again: all of them.
  await page.click('[data-test=code-tile][data-color=red]');
  await page.waitForURL(/[?&]color=red/, { timeout: READY });
  assert.equal(await page.getAttribute('[data-test=code-tile][data-color=red]', 'aria-pressed'), 'true');
  const reds = await cards(page);
  assert.equal(reds.length, list.counts.red);
  assert.ok(reds.every((c) => c.color === 'red'), 'only red codes');
  assert.deepEqual(await tileCounts(page), list.counts, 'the tiles still count everything');

  // A red code with points left, opened from its card (?id=).
  const pick = reds.find((c) => c.score > 0) || reds[0];
  const opened = answerOf(page, `/api/v1/enterprises/${pick.id}/code`);
  await page.click(`[data-test=code-card][data-id="${pick.id}"]`);
  await page.waitForURL(new RegExp(`[?&]id=${pick.id}`), { timeout: READY });
  await page.waitForSelector(`[data-test=code-detail][data-id="${pick.id}"]`, { timeout: READY });
  await ready(page, 'codes');
  const code = await opened;
  checkCode(await shownCode(page, '[data-test=code-detail]'), code, 'the console');
  // A tap on a day names it.
  await page.click('[data-test=history-day] >> nth=0');
  assert.match(await page.innerText('[data-test=history-picked]'), new RegExp(`^${code.history[0].date.slice(5)}：`));
  await ctx.shot(page, 'codes-console-detail');

  await page.click('[data-test=code-tile][data-color=red]');
  await page.waitForFunction(() => !/[?&]color=/.test(location.search), null, { timeout: READY });
  assert.equal((await cards(page)).length, all.length);

  // A district: what the API gives for it.
  const district = code.district_id;
  const narrowed = answerOf(page, '/api/v1/enterprise-codes');
  await page.selectOption('[data-test=code-district]', String(district));
  const inDistrict = await narrowed;
  await ready(page, 'codes');
  assert.deepEqual(await tileCounts(page), inDistrict.counts);
  const shownThere = await cards(page);
  assert.deepEqual(shownThere.map((c) => c.id), inDistrict.items.map((x) => x.enterprise_id));
  assert.ok(shownThere.length > 0 && shownThere.every((c) => c.district === district), 'the district\'s enterprises only');
  ctx.assertClean(page);

  // A phone: the code instead of the list, nothing sideways, back to the list.
  const phone = await ctx.page({ viewport: 'phone', role: 'admin' });
  await phone.goto(`/console/codes?id=${pick.id}`);
  await ready(phone, 'codes');
  await phone.locator('[data-test=code-detail] [data-test=code-view]').waitFor({ timeout: READY });
  assert.equal(await phone.locator('[data-test=code-list]').isVisible(), false, 'the list steps aside');
  await noSidewaysScroll(phone, 'a code on a phone');
  await ctx.shot(phone, 'codes-console-detail-phone');
  await phone.click('[data-test=back]');
  await phone.locator('[data-test=code-list]').waitFor({ timeout: READY });
  await noSidewaysScroll(phone, 'the codes on a phone');
  ctx.assertClean(phone);
});

test('codes: an inspector sees the district\'s codes; an enterprise sees its own on its page', async (ctx) => {
  const { inspector, enterprise } = ctx.users;
  const page = await ctx.page({ viewport: 'desktop', role: 'inspector' });
  const listed = answerOf(page, '/api/v1/enterprise-codes');
  await page.goto('/console/codes');
  await ready(page, 'codes');
  const list = await listed;
  assert.deepEqual(await tileCounts(page), list.counts);
  assert.equal(await page.locator('[data-test=code-district]').count(), 0, 'no district to choose');
  const shown = await cards(page);
  assert.ok(shown.length > 0 && shown.every((c) => c.district === inspector.district_id), 'the inspector\'s district only');
  ctx.assertClean(page);

  for (const viewport of ['desktop', 'phone']) {
    const own = await ctx.page({ viewport, role: 'enterprise' });
    const got = answerOf(own, `/api/v1/enterprises/${enterprise.enterprise_id}/code`);
    await own.goto('/console/enterprise');
    await ready(own, 'enterprise');
    assert.equal((await own.locator('[data-test=my-code] h2').first().innerText()).trim(), '我的环保码');
    checkCode(await shownCode(own, '[data-test=my-code]'), await got, `the enterprise's page (${viewport})`);
    if (viewport === 'phone') await noSidewaysScroll(own, 'the enterprise\'s page on a phone');
    await ctx.shot(own, `codes-enterprise-${viewport}`);
    assert.equal(await own.locator('[data-menu=codes]').count(), 0, 'no codes page for an enterprise');
    ctx.assertClean(own);
  }
});

test('codes: the portal shows the key units\' codes only, counted, each explained on a tap, and fits a phone', async (ctx) => {
  const registry = (await ctx.api('/api/v1/enterprises?limit=1000', { token: ctx.users.admin.token })).json.items;
  const keyUnit = new Map(registry.map((e) => [e.id, !!e.key_unit]));
  assert.ok(registry.some((e) => !e.key_unit), 'the demo has enterprises that are not key units');
  for (const viewport of ['desktop', 'phone']) {
    const page = await ctx.page({ viewport });
    const got = answerOf(page, '/api/v1/public/enterprise-codes');
    await page.goto('/enterprises');
    await ready(page, 'enterprises');
    const codes = await got;
    assert.deepEqual(await tileCounts(page, 'ent-code-tile', 'ent-code-count'), codes.counts);
    const badges = await page.$$eval('[data-test=ent-code]', (els) => els.map((e) => ({ id: Number(e.dataset.id), color: e.dataset.color, score: Number(e.dataset.score), card: Number(e.closest('[data-test=ent-card]').dataset.id) })));
    assert.ok(badges.length > 0, 'badges are shown');
    assert.ok(badges.every((b) => keyUnit.get(b.id) === true), `key units only: ${badges.filter((b) => !keyUnit.get(b.id)).map((b) => b.id)}`);
    const byId = new Map(codes.items.map((x) => [x.enterprise_id, x]));
    for (const b of badges) {
      assert.equal(b.card, b.id, 'each badge on its own enterprise');
      assert.deepEqual([b.color, b.score], [byId.get(b.id)?.color, byId.get(b.id)?.score], `the code of ${b.id}`);
    }
    const cardIds = await page.$$eval('[data-test=ent-card]', (els) => els.map((e) => Number(e.dataset.id)));
    assert.equal(badges.length, cardIds.filter((id) => byId.has(id)).length, 'every enterprise with a code has its badge');

    // A tap explains the first one: its four rules and their points.
    const first = badges[0];
    await page.click(`[data-test=ent-code][data-id="${first.id}"]`);
    const why = page.locator(`[data-test=ent-card][data-id="${first.id}"] [data-test=ent-code-why]`);
    await why.waitFor({ timeout: READY });
    const points = await why.locator('[data-test=ent-code-point]').evaluateAll((els) => els.map((e) => [e.dataset.rule, Number(e.dataset.points)]));
    assert.deepEqual(points, byId.get(first.id).points.map((p) => [p.rule, p.points]));
    assert.equal(await page.locator('[data-test=ent-code-rules]').count(), 1, 'the rules are on the page');

    // A red tile: the red ones only.
    await page.click('[data-test=ent-code-tile][data-color=red]');
    const red = await page.$$eval('[data-test=ent-code]', (els) => els.map((e) => e.dataset.color));
    assert.equal(red.length, codes.counts.red);
    assert.ok(red.every((c) => c === 'red'));
    await page.click('[data-test=ent-code-tile][data-color=red]');
    assert.equal(await page.locator('[data-test=ent-card]').count(), cardIds.length, 'all of them again');

    if (viewport === 'phone') await noSidewaysScroll(page, 'the portal\'s enterprises on a phone');
    await ctx.shot(page, `codes-portal-${viewport}`);
    ctx.assertClean(page);
  }
});
