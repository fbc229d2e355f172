// The console's login through the city's unified identity (OpenID Connect), in Chromium.
//
// The run's server has no [oidc] section, so the round trip gets a world of its own: a
// real provider (tests/oidc/provider.mjs, npm oidc-provider on loopback: any login name
// is accepted and becomes the subject `sub`) and a second `ecohub serve --demo` whose
// configuration points at it, its redirect_uri being that server's own /login/oidc.
// The provider's redirect URI names the server's port and the server's configuration
// names the provider, so the server's port is chosen first (freePort).
//
// Without the provider script (branch oidc-e2e) or oidc-provider in web/node_modules the
// round trip prints "skipped: <why>" and passes (the harness has no skipped state). The
// other tests need no provider: the return page's refusals on the run's server, and an
// administrator linking an account on the users page.
import fs from 'node:fs';
import path from 'node:path';
import { test, assert, REPO, ADMIN_PASSWORD, apiClient, freePort, login, sleep, spawnLogged, startServer, stopProcess, tempDir } from './lib.mjs';

const READY = 30000;
const PROVIDER = path.join(REPO, 'tests/oidc/provider.mjs');
const NAME = '统一身份认证';

async function ready(page, name) {
  await page.waitForSelector(`main[data-page="${name}"][data-ready="${name}"]`, { timeout: READY });
}

/** Why the round trip cannot run here, or '' when it can. */
function missingProvider() {
  if (!fs.existsSync(PROVIDER)) return `${path.relative(REPO, PROVIDER)} is missing (it comes with branch oidc-e2e)`;
  if (!fs.existsSync(path.join(REPO, 'web/node_modules/oidc-provider/package.json'))) {
    return 'oidc-provider is not installed in web/node_modules (run scripts/setup.sh)';
  }
  return '';
}

/** Starts provider.mjs for `redirectUri`; resolves to {proc, issuer} once it listens. */
async function startProvider(redirectUri, logDir) {
  const out = path.join(logDir, 'provider.out');
  const err = path.join(logDir, 'provider.log');
  const proc = spawnLogged(process.execPath, [PROVIDER, '--port', '0', '--redirect-uri', redirectUri], out, err);
  const deadline = Date.now() + 20000;
  for (;;) {
    const line = fs.readFileSync(out, 'utf8').split('\n')[0];
    if (line.endsWith('}')) return { proc, issuer: JSON.parse(line).issuer };
    if (proc.exitCode !== null || Date.now() > deadline) {
      await stopProcess(proc, 2000);
      throw new Error(`provider.mjs did not start:\n${fs.readFileSync(err, 'utf8').slice(-2000)}`);
    }
    await sleep(100);
  }
}

/**
 * The provider and an ecohub server configured for it: {base, issuer, api, adminToken
 * (the seeded administrator's), stop()}.
 * Logs under <out>/logs/oidc.
 */
async function startOidcWorld(ctx) {
  const work = tempDir('ecohub-oidc-');
  const logDir = path.join(ctx.out, 'logs', 'oidc');
  fs.mkdirSync(logDir, { recursive: true });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const provider = await startProvider(`${base}/login/oidc`, logDir);
  let server = null;
  const stop = async () => {
    if (server) await server.stop();
    await stopProcess(provider.proc, 5000);
    fs.rmSync(work, { recursive: true, force: true });
  };
  try {
    const config = path.join(work, 'ecohub.toml');
    fs.writeFileSync(config, [
      '[oidc]',
      `issuer = "${provider.issuer}"`,
      'client_id = "ecohub"',
      `redirect_uri = "${base}/login/oidc"`,
      `display_name = "${NAME}"`,
      'scopes = "openid profile"',
      '',
    ].join('\n'));
    server = await startServer({ bin: ctx.bin, work, logDir, httpListen: `127.0.0.1:${port}`, extraArgs: ['--config', config] });
    const api = apiClient(server.base);
    const { token } = await login(api, 'admin', ADMIN_PASSWORD);
    return { base: server.base, issuer: provider.issuer, api, adminToken: token, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * A staff account on `world`'s server, past its first password change, whose unified
 * identity is `subject`: {id, username}.
 */
async function linkedAccount(world, subject) {
  const username = `oidc_${subject}`;
  const first = `Oidc-first-${process.pid}-Q7`;
  const body = { username, password: first, role: 'staff', display_name: `王 ${subject}`, district_id: 0, department: 'monitoring' };
  const made = await world.api('/api/v1/users', { method: 'POST', token: world.adminToken, body });
  assert.equal(made.status, 201, `create ${username}: ${made.text.slice(0, 300)}`);
  const { token } = await login(world.api, username, first);
  const change = { old_password: first, new_password: `Oidc-next-${process.pid}-Q7` };
  const changed = await world.api('/api/v1/auth/password', { method: 'POST', token, body: change });
  assert.equal(changed.status, 204, `password of ${username}: ${changed.text.slice(0, 300)}`);
  const link = await world.api(`/api/v1/users/${made.json.id}`, { method: 'PATCH', token: world.adminToken, body: { oidc_subject: subject } });
  assert.equal(link.status, 200, `link ${username}: ${link.text.slice(0, 300)}`);
  assert.equal(link.json.oidc_subject, subject);
  return { id: made.json.id, username };
}

/**
 * From /login`next` of `world`'s server through the provider's forms (the login as
 * `loginName` with any password, then the consent) back to the server. `shots` names
 * screenshots of the login page and of the provider's form, when given.
 */
async function roundTrip(ctx, world, page, loginName, { next = '', shots = {} } = {}) {
  // The provider's forms ask for a web font (off the network here) and the browser for the
  // provider's favicon: answered empty, so that what the page records is the console's.
  await page.route((u) => u.hostname !== '127.0.0.1' || u.href === `${world.issuer}/favicon.ico`, (r) => r.fulfill({ status: 200, body: '' }));
  await page.goto(`/login${next}`);
  await ready(page, 'login');
  const button = page.locator('[data-test=login-oidc]');
  await button.waitFor({ timeout: READY });
  assert.equal((await button.innerText()).trim(), `${NAME}登录`);
  if (shots.login) await ctx.shot(page, shots.login);
  await button.click();
  await page.waitForSelector('input[name=login]', { timeout: READY });
  assert.ok(page.url().startsWith(`${world.issuer}/`), `at the provider: ${page.url()}`);
  if (shots.provider) await ctx.shot(page, shots.provider);
  await page.fill('input[name=login]', loginName);
  await page.fill('input[name=password]', 'any');
  await page.click('button[type=submit]');
  // The consent form, unless the provider goes straight back (a locator outlives navigations).
  await page.locator('input[name=prompt][value=consent], main[data-page]').first().waitFor({ state: 'attached', timeout: READY });
  if (page.url().startsWith(`${world.issuer}/`)) await page.click('button[type=submit]');
  await page.waitForURL((u) => u.origin === world.base, { timeout: READY });
}

test('oidc: the login page offers the unified identity; a linked name lands in the console, an unlinked one sees its subject (phone and desktop)', async (ctx) => {
  const why = missingProvider();
  if (why) {
    console.log(`    skipped: ${why}`);
    return;
  }
  const world = await startOidcWorld(ctx);
  try {
    const methods = await world.api('/api/v1/auth/methods');
    assert.equal(methods.status, 200, methods.text.slice(0, 300));
    assert.equal(methods.json.oidc?.name, NAME);
    const acct = await linkedAccount(world, 'wang');
    const signedIn = async (page, landing) => {
      await page.waitForURL(new RegExp(`/console/${landing}$`), { timeout: READY });
      await ready(page, landing);
      assert.match(await page.textContent('[data-test=who]'), /王 wang/);
      const kept = await page.evaluate(() => JSON.parse(localStorage.getItem('ecohub.session') || '{}'));
      assert.match(kept.token || '', /^eht_/);
      assert.equal(kept.user?.username, acct.username);
      assert.equal(kept.user?.oidc_subject, 'wang');
      assert.equal(await page.evaluate(() => sessionStorage.getItem('ecohub.oidc.state')), null, 'the state is used once');
    };

    // A linked identity, at phone width: the first page of a staff member's console.
    const phone = await ctx.page({ viewport: 'phone', base: world.base });
    await roundTrip(ctx, world, phone, 'wang', { shots: { login: 'oidc-login-phone', provider: 'oidc-provider-phone' } });
    await signedIn(phone, 'alarms');
    await ctx.shot(phone, 'oidc-signed-in-phone');
    await phone.goto('/console/account');
    await ready(phone, 'account');
    assert.match(await phone.innerText('[data-test=acc-oidc]'), /已关联统一身份/);
    ctx.assertClean(phone);

    // An identity linked to no account: the subject to give an administrator.
    const stranger = await ctx.page({ viewport: 'phone', base: world.base });
    ctx.expectHttpError(stranger, /^403 POST \/api\/v1\/auth\/oidc\/login$/);
    await roundTrip(ctx, world, stranger, 'zhao');
    await ready(stranger, 'login-oidc');
    assert.match(await stranger.innerText('[data-test=oidc-error]'), /尚未关联 EcoHub 账户/);
    assert.equal((await stranger.innerText('[data-test=oidc-subject]')).trim(), 'zhao');
    assert.equal(new URL(stranger.url()).search, '', 'the code and state are gone from the address');
    assert.equal(await stranger.evaluate(() => localStorage.getItem('ecohub.session')), null);
    await ctx.shot(stranger, 'oidc-not-linked-phone');
    // A reload sends nothing again: no login under way.
    await stranger.reload();
    await ready(stranger, 'login-oidc');
    assert.match(await stranger.innerText('[data-test=oidc-error]'), /没有进行中的统一身份认证登录/);
    ctx.assertClean(stranger);

    // The desktop, with a ?next= that the round trip carries through.
    const desk = await ctx.page({ viewport: 'desktop', base: world.base });
    await roundTrip(ctx, world, desk, 'wang', { next: '?next=/console/query', shots: { login: 'oidc-login-desktop' } });
    await signedIn(desk, 'query');
    await ctx.shot(desk, 'oidc-signed-in-desktop');
    ctx.assertClean(desk);
  } finally {
    await world.stop();
  }
});

test('oidc: the return page refuses a provider error and a state this tab did not start, sending nothing', async (ctx) => {
  const page = await ctx.page({ viewport: 'phone' });
  const sent = [];
  page.on('request', (r) => { if (r.url().includes('/api/v1/auth/oidc/')) sent.push(r.url()); });

  await page.goto('/login/oidc?error=access_denied&error_description=End-User%20aborted%20interaction');
  await ready(page, 'login-oidc');
  assert.match(await page.innerText('[data-test=oidc-error]'), /统一身份认证未完成：End-User aborted interaction/);
  assert.equal(new URL(page.url()).search, '');
  // Back to the login page, which offers no unified identity: the run's server has none.
  const methods = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/methods'), { timeout: READY });
  await page.click('[data-test=oidc-again]');
  await page.waitForURL(/\/login$/, { timeout: READY });
  await ready(page, 'login');
  assert.equal((await (await methods).json()).oidc, null);
  assert.equal(await page.locator('[data-test=login-oidc]').count(), 0);

  // A code and state that this tab never asked for (a forged or replayed link).
  await page.evaluate(() => sessionStorage.setItem('ecohub.oidc.state', 'mine'));
  await page.goto('/login/oidc?code=stolen&state=theirs');
  await ready(page, 'login-oidc');
  assert.match(await page.innerText('[data-test=oidc-error]'), /登录请求与本页面不符/);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('ecohub.oidc.state')), null);
  assert.deepEqual(sent, [], 'nothing is sent to the server');
  ctx.assertClean(page);
});

test('oidc: an administrator links an account to a unified identity on the users page, a subject already taken is refused, and unlinks it', async (ctx) => {
  const { staff, leader } = ctx.users;
  const page = await ctx.page({ viewport: 'desktop', role: 'admin' });
  await page.goto('/console/users');
  await ready(page, 'users');
  const row = (u) => page.locator(`[data-test=user-row][data-username="${u}"]`);
  const subject = `sub-${process.pid}-${Date.now()}`;

  await row(staff.username).locator('[data-test=link-oidc]').click();
  await page.fill('[data-test=oidc-subject-input]', subject);
  await page.click('[data-test=oidc-link-submit]');
  await page.waitForSelector(`[data-test=user-row][data-username="${staff.username}"][data-oidc="${subject}"]`, { timeout: READY });
  assert.match(await row(staff.username).locator('[data-test=user-oidc]').innerText(), /统一身份/);
  assert.match(await page.innerText('[data-test=users-message]'), /已将 .* 关联到统一身份/);

  // The same subject for a second account: the server's 409 is shown in the dialog.
  ctx.expectHttpError(page, /^409 PATCH \/api\/v1\/users\/\d+$/);
  await row(leader.username).locator('[data-test=link-oidc]').click();
  await page.fill('[data-test=oidc-subject-input]', subject);
  await page.click('[data-test=oidc-link-submit]');
  await page.waitForSelector('[data-test=oidc-link-error]', { timeout: READY });
  assert.match(await page.innerText('[data-test=oidc-link-error]'), /已关联到其他账户/);
  assert.equal(await row(leader.username).getAttribute('data-oidc'), '');
  await ctx.shot(page, 'oidc-users-conflict-desktop');
  await page.click('[data-test=oidc-dialog] button[type=button]');

  // Emptied: unlinked.
  await row(staff.username).locator('[data-test=link-oidc]').click();
  assert.equal(await page.inputValue('[data-test=oidc-subject-input]'), subject);
  await page.fill('[data-test=oidc-subject-input]', '');
  await page.click('[data-test=oidc-link-submit]');
  await page.waitForSelector(`[data-test=user-row][data-username="${staff.username}"][data-oidc=""]`, { timeout: READY });
  assert.equal(await row(staff.username).locator('[data-test=user-oidc]').count(), 0);
  ctx.assertClean(page);
});
