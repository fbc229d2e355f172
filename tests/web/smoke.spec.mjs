// The server serves the front end and the public API the home page needs, and the home
// page loads without errors. Page owners test their pages in public.spec.mjs,
// console.spec.mjs and cockpit.spec.mjs.
import { test, assert } from './lib.mjs';

test('the server serves / as HTML', async (ctx) => {
  const r = await ctx.api('/');
  assert.equal(r.status, 200, r.text.slice(0, 200));
  assert.match(r.headers['content-type'] || '', /^text\/html/);
  assert.match(r.text, /<div id="app">/);
});

test('the public city AQI answers', async (ctx) => {
  const r = await ctx.api('/api/v1/public/aqi/city');
  assert.equal(r.status, 200, r.text.slice(0, 200));
  assert.ok(r.json && typeof r.json === 'object', r.text.slice(0, 200));
});

test('every role has a working token', async (ctx) => {
  for (const [key, u] of Object.entries(ctx.users)) {
    const r = await ctx.api('/api/v1/me', { token: u.token });
    assert.equal(r.status, 200, `${key}: ${r.text.slice(0, 200)}`);
    assert.equal(r.json.username, u.username);
  }
});

test('the API documentation renders', async (ctx) => {
  const page = await ctx.page({ viewport: 'desktop' });
  const res = await page.goto('/api/docs');
  assert.equal(res.status(), 200);
  await ctx.shot(page, 'api-docs');
});

test('the home page loads cleanly on a phone', async (ctx) => {
  const page = await ctx.page({ viewport: 'phone' });
  await page.goto('/');
  await page.waitForSelector('[data-ready="home"]', { state: 'attached', timeout: 30000 });
  await ctx.shot(page, 'smoke-home-phone');
  ctx.assertClean(page);
});

test('a logged-in page starts with the session', async (ctx) => {
  const page = await ctx.page({ viewport: 'desktop', role: 'staff' });
  await page.goto('/');
  const s = JSON.parse(await page.evaluate(() => localStorage.getItem('ecohub.session')));
  assert.equal(s.user.username, ctx.users.staff.username);
  assert.ok(s.token);
});
