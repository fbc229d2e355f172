// The review page (数据审核, /console/review; issue 15, docs/data-review.md): staff reach it
// from the menu, pick a demo air station, PM2.5 and yesterday, invalidate two hours with a
// reason (the table shows the reason's flag, the trail the original beside the result and
// the reason) and correct one hour (the value changes, flag N); an administrator closes
// yesterday as reviewed (已审核); then a staff change is held as pending, the requester's
// own approval is refused with the server's words, and another person approves it
// (applied). At phone size the page works without sideways scrolling; a leader has no
// such page.
import { test, assert } from './lib.mjs';

const READY = 30000;
const DAY = 86400 * 1000;

// Yesterday in Beijing, YYYY-MM-DD.
const yesterday = () => new Date(Date.now() + 8 * 3600 * 1000 - DAY).toISOString().slice(0, 10);
const hourTime = (day, h) => `${day}T${String(h).padStart(2, '0')}:00:00+08:00`;

async function airSite(ctx) {
  const r = await ctx.api('/api/v1/sites?kind=air&limit=1000', { token: ctx.users.admin.token });
  assert.equal(r.status, 200, r.text.slice(0, 200));
  const air = r.json.items.filter((s) => s.kind === 'air' && s.active);
  return (air.find((s) => s.code === 'AIR-Dongsi') || air[0]).code;
}

async function source(ctx, site, time) {
  const q = new URLSearchParams({ site, factor: 'a34004', period: 'hour', time });
  const r = await ctx.api(`/api/v1/readings/source?${q}`, { token: ctx.users.admin.token });
  assert.equal(r.status, 200, r.text.slice(0, 200));
  return r.json;
}

// Hours of yesterday with a stored valid PM2.5 value, from the API.
async function storedHours(ctx, site, day) {
  const q = new URLSearchParams({ site, factor: 'a34004', period: 'hour', from: hourTime(day, 0), to: `${day}T23:59:59+08:00` });
  const r = await ctx.api(`/api/v1/readings?${q}`, { token: ctx.users.admin.token });
  assert.equal(r.status, 200, r.text.slice(0, 200));
  return new Set((r.json.series?.[0]?.points || []).filter((p) => p.v !== null && p.flag === 'N')
    .map((p) => new Date(Date.parse(p.t) + 8 * 3600 * 1000).getUTCHours()));
}

const row = (page, h) => page.locator(`[data-test=rev-hour][data-hour="${h}"]`);

// Opens the page on `site`, PM2.5, yesterday, with the hours loaded.
async function openReview(page, site) {
  await page.waitForSelector('main[data-page="review"][data-ready="review"]', { timeout: READY });
  // The first air station may be chosen already; else pick it by its code.
  await page.waitForSelector('[data-test=picked-site]', { timeout: READY });
  if (await page.locator(`[data-test=picked-site][data-code="${site}"]`).count() === 0) {
    await page.fill('[data-test=site-search]', site);
    await page.click(`[data-test=site-option][data-code="${site}"]`);
  }
  await page.waitForSelector(`[data-test=picked-site][data-code="${site}"]`, { timeout: READY });
  assert.equal(await page.locator('[data-test=picked-site]').count(), 1, 'one site at a time');
  assert.equal(await page.inputValue('[data-test=rev-factor]'), 'a34004', 'PM2.5 first for an air station');
  assert.equal(await page.inputValue('[data-test=rev-day]'), yesterday(), 'yesterday first');
  await page.waitForSelector('[data-test=rev-hour][data-value]:not([data-value=""])', { timeout: READY });
}

async function waitFlag(page, h, flag) {
  await page.waitForSelector(`[data-test=rev-hour][data-hour="${h}"][data-flag="${flag}"]`, { timeout: READY });
}

// Three hours of yesterday with values, shared by the tests (which run in order).
let plan = null;
async function planOf(ctx) {
  if (plan) return plan;
  const site = await airSite(ctx);
  const day = yesterday();
  const hours = [...(await storedHours(ctx, site, day))].sort((a, b) => a - b);
  // Two adjacent hours to invalidate, one to correct, one for the closed day.
  const pair = hours.find((h) => hours.includes(h + 1) && h >= 2);
  const rest = hours.filter((h) => h !== pair && h !== pair + 1 && h > pair + 2);
  assert.ok(pair !== undefined && rest.length >= 2, `yesterday has values at ${site}: ${hours}`);
  plan = { site, day, pair: [pair, pair + 1], fix: rest[0], later: rest[1] };
  return plan;
}

test('review: staff invalidate two hours with a reason and correct one; the trail shows the original', async (ctx) => {
  const { site, day, pair, fix } = await planOf(ctx);
  const before = await source(ctx, site, hourTime(day, pair[0]));
  assert.equal(before.flag, 'N');

  const page = await ctx.page({ viewport: 'desktop', role: 'staff' });
  await page.goto('/console/alarms');
  await page.click('[data-menu=review]');
  await page.waitForURL('**/console/review', { timeout: READY });
  await openReview(page, site);
  assert.match(await page.innerText('h1'), /数据审核/);
  assert.equal(await page.locator('[data-test=rev-hour]').count(), 24, 'the 24 hours of the day');

  // 剔除 two adjacent hours: one review over [first, last + 1 h).
  for (const h of pair) await row(page, h).locator('[data-test=rev-pick]').check();
  assert.match(await page.innerText('[data-test=rev-selection]'), /已选 2 小时/);
  await page.click('[data-test=rev-act-invalidate]');
  await page.selectOption('[data-test=rev-reason]', 'maintenance');
  await page.fill('[data-test=rev-comment]', '网页测试：季度维护');
  await page.click('[data-test=rev-submit]');
  await page.waitForSelector('[data-test=rev-result][data-status=applied]', { timeout: READY });
  assert.equal(await page.locator('[data-test=rev-result]').count(), 1, 'a contiguous selection is one review');
  for (const h of pair) await waitFlag(page, h, 'M');
  assert.match(await row(page, pair[0]).innerText(), /维护/);
  assert.equal(Number(await row(page, pair[0]).getAttribute('data-value')), Number(before.value), 'the number is kept');

  // The trail: the original beside the result, the reason and the comment.
  await row(page, pair[0]).locator('td.time').click();
  await page.waitForSelector('[data-test=trail-review]', { timeout: READY });
  assert.match(await page.innerText('[data-test=trail-original]'), new RegExp(`${before.value}[\\s\\S]*N`));
  assert.match(await page.innerText('[data-test=trail-flag]'), /M/);
  const why = await page.innerText('[data-test=trail-why]');
  assert.match(why, /剔除/);
  assert.match(why, /维护/);
  assert.match(why, /季度维护/);
  await ctx.shot(page, 'review-invalidated-desktop');

  // 修正 one hour: a value no device sends, flag N.
  await row(page, fix).locator('[data-test=rev-pick]').check();
  await page.click('[data-test=rev-act-correct]');
  await page.fill('[data-test=rev-value-input]', '12.3');
  await page.fill('[data-test=rev-comment]', '网页测试：按手工比对修正');
  await page.click('[data-test=rev-submit]');
  await page.waitForSelector('[data-test=rev-result][data-status=applied]', { timeout: READY });
  await page.waitForSelector(`[data-test=rev-hour][data-hour="${fix}"][data-value="12.3"]`, { timeout: READY });
  assert.equal(await row(page, fix).getAttribute('data-flag'), 'N');
  const fixed = await source(ctx, site, hourTime(day, fix));
  assert.equal(Number(fixed.value), 12.3);
  assert.equal(fixed.source, 'review');
  assert.equal(fixed.review.action, 'correct');

  // Both reviews in the list, applied.
  await page.waitForSelector('[data-test=rev-item][data-status=applied] >> nth=1', { timeout: READY });
  await ctx.shot(page, 'review-corrected-desktop');
  ctx.assertClean(page);
});

test('review: a closed day holds a change until someone other than the requester approves it', async (ctx) => {
  const { site, day, later } = await planOf(ctx);

  // The administrator closes yesterday as reviewed.
  const admin = await ctx.page({ viewport: 'desktop', role: 'admin' });
  await admin.goto('/console/review');
  await openReview(admin, site);
  await admin.waitForSelector('[data-test=rev-day-open]', { timeout: READY });
  await admin.click('[data-test=rev-close-day]');
  await admin.click('[data-test=rev-close-confirm]');
  await admin.waitForSelector('[data-test=rev-day-closed]', { timeout: READY });
  assert.match(await admin.innerText('[data-test=rev-day-closed]'), /已审核/);
  const next = new Date(Date.parse(`${day}T00:00:00Z`) + DAY).toISOString().slice(0, 10); // `to` is not included
  const days = await ctx.api(`/api/v1/public/review-days?from=${day}&to=${next}`);
  assert.ok(days.json.items.some((d) => d.day === day), `the day is public as closed: ${days.text}`);

  // Staff invalidate one more hour: held as pending, nothing changed yet.
  const staff = await ctx.page({ viewport: 'desktop', role: 'staff' });
  ctx.expectHttpError(staff, /^403 POST \/api\/v1\/reviews\/\d+\/approve/);
  await staff.goto('/console/review');
  await openReview(staff, site);
  await staff.waitForSelector('[data-test=rev-day-closed]', { timeout: READY });
  await row(staff, later).locator('[data-test=rev-pick]').check();
  await staff.click('[data-test=rev-act-invalidate]');
  await staff.selectOption('[data-test=rev-reason]', 'fault');
  await staff.fill('[data-test=rev-comment]', '网页测试：仪器故障');
  await staff.click('[data-test=rev-submit]');
  await staff.waitForSelector('[data-test=rev-result][data-status=pending]', { timeout: READY });
  assert.match(await staff.innerText('[data-test=rev-result]'), /待批准/);
  assert.equal((await source(ctx, site, hourTime(day, later))).flag, 'N', 'nothing changes while pending');
  const item = staff.locator('[data-test=rev-item][data-status=pending]').first();
  await item.waitFor({ timeout: READY });
  const id = await item.getAttribute('data-id');

  // The requester cannot approve their own: the server's words are shown.
  await item.locator('[data-test=rev-approve]').click();
  await staff.waitForSelector('[data-test=rev-decide-error]', { timeout: READY });
  const refusal = await staff.innerText('[data-test=rev-decide-error]');
  assert.match(refusal, /另一人/);
  assert.match(refusal, /someone other than the requester/);
  assert.equal(await staff.getAttribute(`[data-test=rev-item][data-id="${id}"]`, 'data-status'), 'pending');
  await ctx.shot(staff, 'review-pending-desktop');

  // Another person (the administrator) approves: applied, the hour takes flag D.
  await admin.click('[data-test=rev-list-refresh]');
  const pending = admin.locator(`[data-test=rev-item][data-id="${id}"][data-status=pending]`);
  await pending.waitFor({ timeout: READY });
  await pending.locator('[data-test=rev-approve]').click();
  await admin.waitForSelector(`[data-test=rev-item][data-id="${id}"][data-status=applied]`, { timeout: READY });
  assert.match(await admin.innerText('[data-test=rev-decide-ok]'), /已批准/);
  await waitFlag(admin, later, 'D');
  assert.equal((await source(ctx, site, hourTime(day, later))).flag, 'D');
  // The detail: the value with what it was before.
  await admin.locator(`[data-test=rev-item][data-id="${id}"] [data-test=rev-detail]`).click();
  await admin.waitForSelector('[data-test=rev-values]', { timeout: READY });
  assert.match(await admin.innerText('[data-test=rev-values]'), /N[\s\S]*D/);
  await ctx.shot(admin, 'review-approved-desktop');
  ctx.assertClean(staff);
  ctx.assertClean(admin);
});

test('review: the page at phone size, and no page for a leader', async (ctx) => {
  const { site, pair } = await planOf(ctx);
  const page = await ctx.page({ viewport: 'phone', role: 'staff' });
  await page.goto('/console/review');
  await openReview(page, site);
  await row(page, pair[0]).locator('td.time').click();
  await page.waitForSelector('[data-test=trail-review]', { timeout: READY });
  await row(page, pair[1]).locator('[data-test=rev-pick]').check();
  await page.click('[data-test=rev-act-invalidate]');
  await page.waitForLoadState('networkidle');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the review page at phone size scrolls sideways by ${overflow}px`);
  await ctx.shot(page, 'review-phone');
  ctx.assertClean(page);

  const leader = await ctx.page({ viewport: 'desktop', role: 'leader' });
  await leader.goto('/console/alarms');
  await leader.waitForSelector('[data-menu=alarms]', { timeout: READY });
  assert.equal(await leader.locator('[data-menu=review]').count(), 0, 'no review page in a leader\'s menu');
  await leader.goto('/console/review');
  await leader.waitForURL((u) => !u.pathname.endsWith('/review'), { timeout: READY });
  ctx.assertClean(leader);
});
