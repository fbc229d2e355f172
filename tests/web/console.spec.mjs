// The staff console and the enterprise view: logins per role and their menus, the
// numbers the pages show against the API, the alarm lifecycle and a data request
// through the UI, an export, and every page at phone and desktop size, clean.
import fs from 'node:fs';
import path from 'node:path';
import { test, assert } from './lib.mjs';

// What each role's menu offers (the contract of web/src/lib/session.js, stated
// again here so that a change there is a visible change here).
// The three administrator roles have their own tests (security.spec.mjs).
const MENUS = {
  admin: ['alarms', 'codes', 'complaints', 'tasks', 'draws', 'cases', 'sites', 'registry', 'imports', 'review', 'declarations', 'samples', 'query', 'quality', 'catalog', 'users', 'audit'],
  leader: ['alarms', 'codes', 'complaints', 'tasks', 'draws', 'cases', 'declarations', 'samples', 'sites', 'query', 'quality', 'catalog', 'audit'],
  staff: ['alarms', 'codes', 'complaints', 'tasks', 'draws', 'cases', 'sites', 'registry', 'imports', 'review', 'declarations', 'samples', 'query', 'quality', 'catalog'],
  district_staff: ['alarms', 'codes', 'complaints', 'tasks', 'draws', 'cases', 'sites', 'registry', 'imports', 'review', 'declarations', 'samples', 'query', 'quality', 'catalog'],
  inspector: ['tasks', 'alarms', 'codes', 'declarations', 'sites', 'query', 'quality'],
  partner: ['query', 'catalog'],
  enterprise: ['enterprise', 'alarms', 'declarations', 'cases', 'query'],
};

const READY = 30000;

async function ready(page, name) {
  await page.waitForSelector(`main[data-page="${name}"][data-ready="${name}"]`, { timeout: READY });
}

// Whether the server has the alarm API yet; without it the alarm pages show an
// empty state and their 404s are expected.
async function alarmsServed(ctx, page) {
  const r = await ctx.api('/api/v1/openapi.json');
  const has = !!r.json?.paths?.['/api/v1/alarms'];
  if (!has && page) ctx.expectHttpError(page, /^404 GET \/api\/v1\/alarms/);
  return has;
}

async function list(ctx, p, token) {
  const r = await ctx.api(p, { token });
  assert.equal(r.status, 200, `${p}: ${r.text.slice(0, 200)}`);
  return r.json.items;
}

async function allSites(ctx, token) {
  const items = [];
  let cursor = '';
  do {
    const r = await ctx.api(`/api/v1/sites?limit=1000${cursor ? `&cursor=${cursor}` : ''}`, { token });
    assert.equal(r.status, 200, r.text.slice(0, 200));
    items.push(...r.json.items);
    cursor = r.json.next_cursor || '';
  } while (cursor);
  return items;
}

async function uiLogin(page, u) {
  await page.goto('/login');
  await ready(page, 'login');
  await page.fill('[data-test=login-username]', u.username);
  await page.fill('[data-test=login-password]', u.password);
  await page.click('[data-test=login-submit]');
}

test('console: a login through the form lands each role on its first page with exactly its menu', async (ctx) => {
  const page = await ctx.page({ viewport: 'desktop' });
  await alarmsServed(ctx, page);
  for (const [key, menu] of Object.entries(MENUS)) {
    const u = ctx.users[key];
    await uiLogin(page, u);
    await page.waitForURL(`**/console/${menu[0]}`, { timeout: READY });
    await ready(page, menu[0]);
    const shown = await page.$$eval('[data-menu]', (els) => els.map((e) => e.dataset.menu));
    assert.deepEqual(shown, menu, `${key}'s menu`);
    if (key === 'inspector') assert.ok(!shown.includes('catalog') && !shown.includes('users'), 'an inspector has no catalog or users');
    // A page outside the role's menu is not opened: the router sends it home.
    if (!menu.includes('users')) {
      await page.goto('/console/users');
      await page.waitForURL(`**/console/${menu[0]}`, { timeout: READY });
    }
    ctx.assertClean(page);
    const token = await page.evaluate(() => JSON.parse(localStorage.getItem('ecohub.session')).token);
    await page.click('[data-test=logout]');
    await page.waitForURL('**/login', { timeout: READY });
    // The session ends in the browser at once, and on the server: the token is refused.
    let status = 200;
    for (let i = 0; i < 50 && status === 200; i++) {
      status = (await ctx.api('/api/v1/me', { token })).status;
      if (status === 200) await page.waitForTimeout(100);
    }
    assert.equal(status, 401, `${key}'s token after logging out`);
  }
});

test('console: a wrong password shows the server\'s message and keeps the user on the form', async (ctx) => {
  const page = await ctx.page({ viewport: 'phone' });
  ctx.expectHttpError(page, /^401 POST \/api\/v1\/auth\/login/);
  await uiLogin(page, { username: ctx.users.inspector.username, password: 'not-the-password-1' });
  const err = await page.waitForSelector('[data-test=login-error]', { timeout: READY });
  assert.match(await err.innerText(), /用户名或密码错误/);
  assert.match(page.url(), /\/login/);
  ctx.assertClean(page);
});

test('console: an enterprise sees its own outlets and nothing else', async (ctx) => {
  const u = ctx.users.enterprise;
  const page = await ctx.page({ viewport: 'desktop', role: 'enterprise' });
  await alarmsServed(ctx, page);
  const mine = (await allSites(ctx, u.token)).filter((s) => s.kind.startsWith('outlet'));
  assert.ok(mine.length > 0, 'the enterprise has outlets');
  assert.ok(mine.every((s) => s.enterprise_id === u.enterprise_id), 'the API returns its own sites only');
  await page.goto('/console');
  await page.waitForURL('**/console/enterprise');
  await ready(page, 'enterprise');
  const shown = await page.$$eval('[data-test=outlet]', (els) => els.map((e) => e.dataset.code));
  assert.deepEqual(shown.sort(), mine.map((s) => s.code).sort());
  // Its exceedances are its own outlets'.
  const codes = new Set(mine.map((s) => s.code));
  const exc = (await ctx.api('/api/v1/exceedances?limit=100', { token: u.token })).json.items;
  assert.equal(await page.locator('[data-test=exceedance-row]').count(), exc.length);
  assert.ok(exc.every((x) => codes.has(x.site)), 'exceedances of its own outlets only');
  // The query page offers its own outlets only.
  await page.click('[data-test=query-link] >> nth=0');
  await ready(page, 'query');
  await page.click('[data-test=site-search]');
  const offered = await page.$$eval('[data-test=site-option]', (els) => els.map((e) => e.dataset.code));
  const picked = await page.$$eval('[data-test=picked-site]', (els) => els.map((e) => e.dataset.code));
  assert.ok([...offered, ...picked].every((c) => codes.has(c)), `offered ${offered} picked ${picked}`);
  // Pages outside its menu are not opened.
  for (const p of ['sites', 'quality', 'catalog', 'users']) {
    await page.goto(`/console/${p}`);
    await page.waitForURL('**/console/enterprise');
  }
  ctx.assertClean(page);
});

test('console: the sites page counts what the API lists, for the city and for a district', async (ctx) => {
  for (const key of ['admin', 'district_staff']) {
    const u = ctx.users[key];
    const page = await ctx.page({ viewport: 'desktop', role: key });
    const sites = await allSites(ctx, u.token);
    const devices = await list(ctx, '/api/v1/devices', u.token);
    await page.goto('/console/sites');
    await ready(page, 'sites');
    assert.equal(Number(await page.innerText('[data-test=site-count]')), sites.length, `${key}: sites`);
    assert.equal(Number(await page.innerText('[data-test=device-count]')), devices.length, `${key}: devices`);
    assert.equal(await page.locator('[data-test=site-row]').count(), sites.length);
    if (key === 'district_staff') assert.ok(sites.every((s) => s.district_id === u.district_id));
    // Offline only shows sites with an offline device (the server says which).
    // Devices come online while the simulator starts, so the page is compared with
    // the server only when the server said the same before and after the page loaded.
    const offlineSites = async () => {
      const now = await list(ctx, '/api/v1/devices', u.token);
      const ids = new Set(now.filter((d) => d.online === false).map((d) => d.site_id));
      return sites.filter((s) => ids.has(s.id)).map((s) => s.id).join(',');
    };
    for (let attempt = 1; ; attempt++) {
      const before = await offlineSites();
      await page.reload();
      await ready(page, 'sites');
      await page.check('[data-test=filter-offline]');
      const shown = await page.locator('[data-test=site-row]').count();
      const after = await offlineSites();
      if (before === after) {
        assert.equal(shown, after ? after.split(',').length : 0, `${key}: offline sites`);
        break;
      }
      assert.ok(attempt < 10, 'device status never settled');
      await page.waitForTimeout(2000);
    }
    ctx.assertClean(page);
  }
});

test('console: the worst site on the quality page is the API\'s', async (ctx) => {
  const page = await ctx.page({ viewport: 'desktop', role: 'staff' });
  const r = await ctx.api('/api/v1/quality/rates?level=site', { token: ctx.users.staff.token });
  assert.equal(r.status, 200, r.text.slice(0, 200));
  await page.goto('/console/quality');
  await ready(page, 'quality');
  const items = r.json.items;
  assert.equal(await page.locator('[data-test=quality-row]').count(), items.length);
  if (items.length) {
    const worst = page.locator('[data-test=worst-site]');
    assert.equal(await worst.getAttribute('data-code'), items[0].scope.replace(/^site:/, ''));
    const rate = items[0].transmission_validity ?? items[0].totals?.transmission_validity;
    assert.match(await worst.innerText(), new RegExp(`${(rate * 100).toFixed(1)}%`));
  }
  ctx.assertClean(page);
});

test('console: an alarm is acknowledged, then closed, with comments through the UI', async (ctx) => {
  const page = await ctx.page({ viewport: 'desktop', role: 'staff' });
  if (!(await alarmsServed(ctx, page))) {
    console.log('    (the server has no /api/v1/alarms yet: the empty state is checked instead)');
    await page.goto('/console/alarms');
    await page.waitForSelector('[data-test=alarms-unavailable]', { timeout: READY });
    ctx.assertClean(page);
    return;
  }
  const token = ctx.users.staff.token;
  // The alarm sync runs every minute: wait for an open alarm to exist.
  let open = [];
  for (let i = 0; i < 30 && !open.length; i++) {
    open = (await ctx.api('/api/v1/alarms?status=open&limit=100', { token })).json?.items || [];
    if (!open.length) await new Promise((r) => setTimeout(r, 3000));
  }
  assert.ok(open.length, 'an open alarm');
  await page.goto('/console/alarms');
  await ready(page, 'alarms');
  // The counts are the API's.
  const pending = (await ctx.api('/api/v1/alarms?status=open,acknowledged&limit=1000', { token })).json.items;
  assert.equal(Number(await page.innerText('[data-test=count-open]')) + Number(await page.innerText('[data-test=count-acknowledged]')), pending.length);

  const id = String(open[0].id);
  const row = page.locator(`[data-test=alarm-row][data-id="${id}"]`);
  const ack = `ack by UI ${Date.now()}`;
  await row.locator('[data-test=ack]').click();
  await page.fill('[data-test=comment-dialog] [data-test=comment-text]', ack);
  await page.click('[data-test=comment-dialog] [data-test=comment-confirm]');
  await page.waitForSelector(`[data-test=alarm-row][data-id="${id}"][data-status=acknowledged]`, { timeout: READY });

  const close = `closed by UI ${Date.now()}`;
  await row.locator('[data-test=close]').click();
  // A comment is required: confirming an empty one does nothing.
  await page.click('[data-test=comment-dialog] [data-test=comment-confirm]');
  assert.ok(await page.locator('[data-test=comment-dialog]').evaluate((d) => d.open));
  await page.fill('[data-test=comment-dialog] [data-test=comment-text]', close);
  await page.click('[data-test=comment-dialog] [data-test=comment-confirm]');
  // Closed alarms leave the default view (open + acknowledged).
  await page.waitForSelector(`[data-test=alarm-row][data-id="${id}"]`, { state: 'detached', timeout: READY });

  const closed = (await ctx.api('/api/v1/alarms?status=closed&limit=1000', { token })).json.items;
  const a = closed.find((x) => String(x.id) === id);
  assert.ok(a, 'the API lists the alarm as closed');
  assert.equal(a.status, 'closed');
  const text = JSON.stringify(a);
  assert.ok(text.includes(close) && text.includes(ack), `comments kept: ${text.slice(0, 400)}`);
  ctx.assertClean(page);
});

test('console: a partner asks for a dataset through the UI and the owner department\'s staff approves it', async (ctx) => {
  const { admin, partner, staff } = ctx.users;
  // A dataset of the staff user's department that the partner cannot read yet.
  const id = `web-noise-${Date.now()}`;
  const made = await ctx.api('/api/v1/datasets', {
    method: 'POST',
    token: admin.token,
    body: { id, name: `声环境监测 ${id}`, description: 'functional-zone noise', category: 'environmental_quality', subcategory: 'noise',
      source_system: 'noise', owner_department: staff.department, secrecy: 'restricted', sharing: 'government' },
  });
  assert.equal(made.status, 201, made.text.slice(0, 300));
  const before = await ctx.api(`/api/v1/datasets/${id}`, { token: partner.token });
  assert.equal(before.json?.readable, false, before.text.slice(0, 200));

  const p = await ctx.page({ viewport: 'phone', role: 'partner' });
  await p.goto('/console/catalog');
  await ready(p, 'catalog');
  await p.fill('[data-test=dataset-search]', id);
  const row = p.locator(`[data-test=dataset-row][data-id="${id}"]`);
  await row.waitFor({ timeout: READY });
  assert.equal(await row.getAttribute('data-readable'), 'false');
  await row.locator('[data-test=ask]').click();
  await p.fill('[data-test=ask-purpose]', 'flood forecasting model');
  await p.click('[data-test=ask-submit]');
  await p.waitForSelector('[data-test=ask-done]', { timeout: READY });
  await p.waitForSelector(`[data-test=request-row][data-dataset="${id}"][data-status=pending]`, { timeout: READY });
  ctx.assertClean(p);

  const s = await ctx.page({ viewport: 'desktop', role: 'staff' });
  await s.goto('/console/catalog');
  await ready(s, 'catalog');
  const req = s.locator(`[data-test=request-row][data-dataset="${id}"]`);
  await req.locator('[data-test=approve]').click();
  await s.waitForSelector(`[data-test=request-row][data-dataset="${id}"][data-status=approved]`, { timeout: READY });
  ctx.assertClean(s);

  const after = await ctx.api(`/api/v1/datasets/${id}`, { token: partner.token });
  assert.equal(after.json?.readable, true, after.text.slice(0, 200));
  await p.reload();
  await ready(p, 'catalog');
  await p.fill('[data-test=dataset-search]', id);
  await p.waitForSelector(`[data-test=dataset-row][data-id="${id}"][data-readable=true]`, { timeout: READY });
  ctx.assertClean(p);
});

test('console: the query page exports CSV with a header and rows', async (ctx) => {
  const page = await ctx.page({ viewport: 'desktop', role: 'admin' });
  const air = (await allSites(ctx, ctx.users.admin.token)).find((s) => s.kind === 'air');
  await page.goto(`/console/query?site=${air.code}`);
  await ready(page, 'query');
  assert.ok((await page.locator('[data-test=reading-row]').count()) > 0, 'the table has rows');
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=export-csv]')]);
  const file = path.join(ctx.downloads, dl.suggestedFilename());
  await dl.saveAs(file);
  assert.match(dl.suggestedFilename(), /\.csv$/);
  const lines = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/);
  assert.ok(lines[0].includes(','), `a CSV header: ${lines[0]}`);
  assert.ok(lines.length > 1, 'data rows');
  ctx.assertClean(page);
});

test('console: a command sent from the device page is listed with its status', async (ctx) => {
  const mn = (await list(ctx, '/api/v1/devices', ctx.users.admin.token))[0]?.mn;
  const page = await ctx.page({ viewport: 'desktop', role: 'admin' });
  await page.goto(`/console/devices/${mn}`);
  await ready(page, 'device');
  // A minute history of four days: the server's rule, shown as it words it.
  ctx.expectHttpError(page, /^400 POST \/api\/v1\/devices\/[^/]+\/commands/);
  await page.selectOption('[data-test=cmd-kind]', 'history');
  await page.selectOption('[data-test=cmd-period]', 'minute');
  await page.fill('[data-test=cmd-begin]', '2026-03-01T00:00');
  await page.fill('[data-test=cmd-end]', '2026-03-05T00:00');
  await page.click('[data-test=cmd-send]');
  await page.waitForSelector('[data-test=cmd-error]', { timeout: READY });
  assert.match(await page.textContent('[data-test=cmd-error]'), /at most 1 days/, 'the server names the bad range');
  await page.selectOption('[data-test=cmd-kind]', 'set_rtd_interval');
  await page.fill('[data-test=cmd-rtd]', '120');
  await page.click('[data-test=cmd-send]');
  await page.waitForSelector('[data-test=cmd-row]', { timeout: READY });
  const status = await page.getAttribute('[data-test=cmd-row]', 'data-status');
  assert.ok(['queued', 'sent', 'accepted', 'done', 'timed_out', 'expired'].includes(status), `a status: ${status}`);
  const api = await ctx.api(`/api/v1/devices/${mn}/commands`, { token: ctx.users.admin.token });
  assert.equal(api.json.items[0].params.RtdInterval, '120', 'the API has the command the page sent');
  ctx.assertClean(page);
});

// Each size is a test of its own: eighteen fresh pages would crowd one test's 120 s.
for (const viewport of ['phone', 'desktop']) {
  test(`console: every page at ${viewport} size, clean and without sideways scrolling`, async (ctx) => {
    const mn = (await list(ctx, '/api/v1/devices', ctx.users.admin.token))[0]?.mn;
    const pages = [
      ['login', '/login', undefined],
      ['alarms', '/console/alarms', 'staff'],
      ['sites', '/console/sites', 'admin'],
      ['device', `/console/devices/${mn}`, 'admin'],
      ['registry', '/console/registry/sites', 'district_staff'],
      ['imports', '/console/imports', 'staff'],
      ['review', '/console/review', 'staff'],
      ['declarations', '/console/declarations', 'enterprise'],
      ['samples', '/console/samples', 'staff'],
      ['query', '/console/query', 'admin'],
      ['quality', '/console/quality', 'leader'],
      ['catalog', '/console/catalog', 'admin'],
      ['users', '/console/users', 'admin'],
      ['enterprise', '/console/enterprise', 'enterprise'],
      ['audit', '/console/audit', 'leader'],
      ['tasks', '/console/tasks', 'inspector'],
      ['account', '/console/account', 'inspector'],
    ];
    for (const [name, url, role] of pages) {
      const page = await ctx.page({ viewport, role });
      await alarmsServed(ctx, page);
      await page.goto(url);
      await ready(page, name);
      await page.waitForLoadState('networkidle');
      await ctx.shot(page, `console-${name}-${viewport}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `${name} at ${viewport} scrolls sideways by ${overflow}px`);
      ctx.assertClean(page);
      await page.close();
    }
  });
}

test('console: the English switch changes the page at once', async (ctx) => {
  const page = await ctx.page({ viewport: 'desktop', role: 'admin' });
  await page.goto('/console/quality');
  await ready(page, 'quality');
  await page.click('[data-test=lang]');
  await page.waitForSelector('h1:has-text("Data quality")', { timeout: READY });
  assert.match(await page.innerText('[data-menu=users]'), /Users & keys/);
  ctx.assertClean(page);
});
