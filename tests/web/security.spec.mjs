// The console's side of issue 11's level-3 controls, against the real server: the first
// login of an account an administrator made goes to a password change; a 403 telling a
// session to change its password first sends it to 账户安全 from any page; a second factor
// (TOTP) is enrolled there with its QR code and key, asked at the next login as a 动态口令,
// and disabled with a code; the three administrator roles (三员分立) land on their own pages
// with their own menus, the audit administrator reading accounts without buttons; the
// security administrator clears a lost second factor; the audit log lists, filters, pages
// back and checks its chain at phone width.
//
// Accounts are made here through the API by the seeded administrator: each test's own,
// plus one security and one audit administrator shared by the run (settle() takes them
// through the first password change and, when the server asks for one, a second factor).
import crypto from 'node:crypto';
import { test, assert } from './lib.mjs';

const READY = 30000;
const MUST_PASSWORD = /\/console\/account\?must=password$/;

// --- TOTP (RFC 6238 over RFC 4226's HOTP: HMAC-SHA-1, 30 s steps, 6 digits) -----------

const STEP = 30;

/** RFC 4648 base32 (no padding needed) -> bytes. */
function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bytes = [];
  let bits = 0;
  let value = 0;
  for (const ch of text.replace(/[\s=]/g, '').toUpperCase()) {
    const v = alphabet.indexOf(ch);
    if (v < 0) throw new Error(`not base32: ${ch}`);
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

/** The code of time step `step` for a base32 `secret`, `digits` long. */
function totp(secret, step, digits = 6) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = crypto.createHmac('sha1', base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f; // RFC 4226 5.3, dynamic truncation
  const bin = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(bin % 10 ** digits).padStart(digits, '0');
}

const stepOf = (ms) => Math.floor(ms / 1000 / STEP);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A code `acct` has not used yet: a server may refuse a step it has accepted before
 * (replay), so a second code waits for the next step. A step about to end is skipped
 * too, so the code is still current when the server checks it.
 */
async function nextCode(acct) {
  for (;;) {
    const now = Date.now();
    const step = stepOf(now);
    const left = (step + 1) * STEP * 1000 - now;
    if ((acct.lastStep === undefined || step > acct.lastStep) && left > 2000) {
      acct.lastStep = step;
      return totp(acct.secret, step);
    }
    await sleep(left + 100);
  }
}

/** A code that is not the current one (nor, but for a one-in-a-million chance, a neighbour). */
function wrongCode(secret) {
  return String((Number(totp(secret, stepOf(Date.now()))) + 500000) % 1000000).padStart(6, '0');
}

// --- accounts -------------------------------------------------------------------------

const kind = (r) => String(r.json?.type || '').split('/').pop();
const strongPassword = () => `Sec-${crypto.randomBytes(6).toString('hex')}-Q7`;
let serial = 0;

// The seeded administrator's session. The run's shared token can be pushed out by the
// server's cap on sessions per user (every ctx.page({role: 'admin'}) logs in anew), so
// a 401 logs in once more.
let adminToken = '';
async function asAdmin(ctx, p, opts = {}) {
  let r = await ctx.api(p, { ...opts, token: adminToken || ctx.users.admin.token });
  if (r.status === 401) {
    adminToken = (await apiLogin(ctx, ctx.users.admin)).token;
    r = await ctx.api(p, { ...opts, token: adminToken });
  }
  return r;
}

/** A new account of `role` made by the seeded administrator: {id, username, password, role}. */
async function makeAccount(ctx, role, extra = {}) {
  const username = `sec_${role}_${process.pid}_${++serial}`;
  const password = strongPassword();
  const body = { username, password, role, display_name: `${role} ${serial}`, district_id: 0, department: 'monitoring', ...extra };
  const r = await asAdmin(ctx, '/api/v1/users', { method: 'POST', body });
  assert.equal(r.status, 201, `create ${username}: ${r.text.slice(0, 300)}`);
  return { id: r.json.id, username, password, role };
}

/** POST /auth/login for `acct`, with its 动态口令 when the server asks for one. */
async function apiLogin(ctx, acct) {
  const body = { username: acct.username, password: acct.password };
  let r = await ctx.api('/api/v1/auth/login', { method: 'POST', body });
  if (r.status === 401 && kind(r) === 'otp-required') {
    assert.ok(acct.secret, `${acct.username}: otp-required, but no second factor was enrolled here`);
    r = await ctx.api('/api/v1/auth/login', { method: 'POST', body: { ...body, otp: await nextCode(acct) } });
  }
  assert.equal(r.status, 200, `login ${acct.username}: ${r.text.slice(0, 300)}`);
  return r.json;
}

async function me(ctx, token) {
  const r = await ctx.api('/api/v1/me', { token });
  assert.equal(r.status, 200, r.text.slice(0, 300));
  return r.json;
}

/** Enrols a second factor for the session `token` through the API; acct.secret is its key. */
async function enrol(ctx, acct, token) {
  const r = await ctx.api('/api/v1/me/totp', { method: 'POST', token });
  assert.equal(r.status, 200, `enrol ${acct.username}: ${r.text.slice(0, 300)}`);
  assert.match(r.json.uri, /^otpauth:\/\/totp\//);
  acct.secret = r.json.secret;
  acct.lastStep = undefined;
  const c = await ctx.api('/api/v1/me/totp/confirm', { method: 'POST', token, body: { code: await nextCode(acct) } });
  assert.equal(c.status, 204, `confirm ${acct.username}: ${c.text.slice(0, 300)}`);
}

/**
 * Takes `acct` through what its first login asks (a new password; a second factor when
 * its role needs one) and leaves it logged in: acct.token and acct.me.
 */
async function settle(ctx, acct) {
  let s = await apiLogin(ctx, acct);
  if (s.must_change_password) {
    const next = strongPassword();
    const r = await ctx.api('/api/v1/auth/password', { method: 'POST', token: s.token, body: { old_password: acct.password, new_password: next } });
    assert.equal(r.status, 204, `password of ${acct.username}: ${r.text.slice(0, 300)}`);
    acct.password = next;
    s = await apiLogin(ctx, acct);
  }
  acct.token = s.token;
  acct.me = await me(ctx, s.token);
  if (acct.me.must_enroll_second_factor) {
    await enrol(ctx, acct, acct.token);
    acct.me = await me(ctx, acct.token);
    if (acct.me.must_enroll_second_factor) {
      const again = await apiLogin(ctx, acct);
      acct.token = again.token;
      acct.me = await me(ctx, again.token);
    }
  }
  assert.ok(!acct.me.must_change_password && !acct.me.must_enroll_second_factor, `${acct.username} is still restricted`);
  return acct;
}

// One security and one audit administrator for the run (their sessions are never logged out).
const shared = new Map();
function administrator(ctx, role) {
  if (!shared.has(role)) {
    const p = makeAccount(ctx, role).then((a) => settle(ctx, a));
    p.catch(() => shared.delete(role));
    shared.set(role, p);
  }
  return shared.get(role);
}

// --- pages ----------------------------------------------------------------------------

async function ready(page, name) {
  await page.waitForSelector(`main[data-page="${name}"][data-ready="${name}"]`, { timeout: READY });
}

/** A page whose tab starts with `session` ({token, user}) as the console stores it. */
async function pageWith(ctx, session, viewport = 'desktop') {
  const page = await ctx.page({ viewport });
  await page.addInitScript(([origin, value]) => {
    try {
      if (location.origin !== origin || sessionStorage.getItem('ecohub.test.seeded')) return;
      localStorage.setItem('ecohub.session', value);
      sessionStorage.setItem('ecohub.test.seeded', '1');
    } catch { /* about:blank has no storage of ours */ }
  }, [ctx.base, JSON.stringify(session)]);
  return page;
}

const pageAs = (ctx, acct, viewport) => pageWith(ctx, { token: acct.token, user: acct.me }, viewport);

/** The login form, with the 动态口令 step when the account has a second factor. */
async function uiLogin(ctx, page, acct) {
  await page.goto('/login');
  await ready(page, 'login');
  await page.fill('[data-test=login-username]', acct.username);
  await page.fill('[data-test=login-password]', acct.password);
  await page.click('[data-test=login-submit]');
  if (!acct.secret) return;
  ctx.expectHttpError(page, /^401 POST \/api\/v1\/auth\/login$/);
  await page.waitForSelector('[data-test=login-otp]', { timeout: READY });
  await page.fill('[data-test=login-otp]', await nextCode(acct));
  await page.click('[data-test=login-submit]');
}

const menuOf = (page) => page.$$eval('[data-menu]', (els) => els.map((e) => e.dataset.menu));
const sessionToken = (page) => page.evaluate(() => JSON.parse(localStorage.getItem('ecohub.session') || '{}').token || '');

// --- tests ------------------------------------------------------------------------------

test('security: the spec\'s TOTP gives RFC 6238\'s test vectors (SHA-1)', async () => {
  // RFC 6238 appendix B: the key is the ASCII "12345678901234567890", codes of 8 digits.
  const key = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
  for (const [t, code] of [[59, '94287082'], [1111111109, '07081804'], [1234567890, '89005924'], [2000000000, '69279037']]) {
    assert.equal(totp(key, Math.floor(t / STEP), 8), code, `T=${t}`);
  }
  assert.equal(totp(key, 1), '287082');
});

test('security: the first login of an account an administrator made goes to a password change, then to the console', async (ctx) => {
  const acct = await makeAccount(ctx, 'staff');
  const page = await ctx.page({ viewport: 'phone' });
  await uiLogin(ctx, page, acct);
  await page.waitForURL(MUST_PASSWORD, { timeout: READY });
  await ready(page, 'account');
  await page.waitForSelector('[data-test=must-password]');
  assert.deepEqual(await menuOf(page), [], 'no menu before the password is changed');
  assert.equal(await page.locator('[data-test=totp-card]').count(), 0, 'no second factor before the password is changed');
  // Every other page leads back here.
  await page.goto('/console/alarms');
  await page.waitForURL(MUST_PASSWORD, { timeout: READY });
  await ready(page, 'account');

  // The two new passwords must agree (checked here, no request).
  const next = strongPassword();
  await page.fill('[data-test=pw-old]', acct.password);
  await page.fill('[data-test=pw-new]', next);
  await page.fill('[data-test=pw-repeat]', `${next}x`);
  await page.click('[data-test=pw-submit]');
  assert.match(await page.innerText('[data-test=pw-error]'), /不一致/);
  // The server's rules are shown as it states them.
  ctx.expectHttpError(page, /^4\d\d POST \/api\/v1\/auth\/password$/);
  await page.fill('[data-test=pw-new]', 'short1');
  await page.fill('[data-test=pw-repeat]', 'short1');
  await page.click('[data-test=pw-submit]');
  await page.waitForFunction(() => {
    const e = document.querySelector('[data-test=pw-error]');
    return e && !/不一致/.test(e.textContent) && e.textContent.trim().length > 0;
  }, null, { timeout: READY });
  assert.match(page.url(), /\/console\/account/);

  const old = await sessionToken(page);
  await page.fill('[data-test=pw-new]', next);
  await page.fill('[data-test=pw-repeat]', next);
  await page.click('[data-test=pw-submit]');
  await page.waitForURL(/\/login\?changed=1$/, { timeout: READY });
  await page.waitForSelector('[data-test=login-changed]');
  // The change ended the session it was made in.
  assert.equal((await ctx.api('/api/v1/me', { token: old })).status, 401, 'the old session is over');

  acct.password = next;
  await uiLogin(ctx, page, acct);
  await page.waitForURL('**/console/alarms', { timeout: READY });
  await ready(page, 'alarms');
  assert.ok((await menuOf(page)).includes('alarms'));
  const shown = await me(ctx, await sessionToken(page));
  assert.equal(shown.must_change_password, false);
  assert.ok(shown.password_changed, 'password_changed is set');
  ctx.assertClean(page);
});

test('security: a 403 password-change-required on any request sends the console to 账户安全', async (ctx) => {
  const acct = await makeAccount(ctx, 'staff');
  const s = await apiLogin(ctx, acct);
  assert.equal(s.must_change_password, true, 'an account made by an administrator must change its password');
  // A session whose stored user does not know it yet (as one kept from before the reset).
  const user = { ...(await me(ctx, s.token)), must_change_password: false, must_enroll_second_factor: false };
  const page = await pageWith(ctx, { token: s.token, user }, 'desktop');
  ctx.expectHttpError(page, /^403 GET \/api\/v1\//);
  await page.goto('/console/sites');
  await page.waitForURL(MUST_PASSWORD, { timeout: READY });
  await ready(page, 'account');
  await page.waitForSelector('[data-test=must-password]');
  assert.deepEqual(await menuOf(page), []);
  ctx.assertClean(page);
});

test('security: a second factor enrolled on 账户安全 is asked as a 动态口令 at the next login', async (ctx) => {
  const acct = await settle(ctx, await makeAccount(ctx, 'staff'));
  const page = await ctx.page({ viewport: 'desktop' });
  await uiLogin(ctx, page, acct);
  await page.waitForURL('**/console/alarms', { timeout: READY });
  await ready(page, 'alarms');
  // The account page is in the header.
  await page.click('[data-test=who]');
  await page.waitForURL('**/console/account', { timeout: READY });
  await ready(page, 'account');
  assert.equal(await page.getAttribute('[data-test=acc-totp]', 'data-on'), 'false');
  assert.match(await page.innerText('[data-test=acc-role]'), /业务人员/);

  await page.click('[data-test=totp-enable]');
  const qr = await page.waitForSelector('[data-test=totp-qr]', { timeout: READY });
  assert.match(await qr.getAttribute('src'), /^data:image\/png;base64,/);
  assert.ok(await qr.evaluate((img) => img.complete && img.naturalWidth > 0), 'the QR code is an image');
  acct.secret = await page.getAttribute('[data-test=totp-secret]', 'data-secret');
  assert.match(acct.secret, /^[A-Z2-7]+=*$/);
  assert.equal((await page.innerText('[data-test=totp-secret]')).replace(/\s/g, ''), acct.secret, 'the key is shown as text');
  const code = page.locator('[data-test=totp-code]');
  assert.equal(await code.getAttribute('inputmode'), 'numeric');
  assert.equal(await code.getAttribute('autocomplete'), 'one-time-code');

  // A wrong code is refused, and said so.
  ctx.expectHttpError(page, /^400 POST \/api\/v1\/me\/totp\/confirm$/);
  await code.fill(wrongCode(acct.secret));
  await page.click('[data-test=totp-confirm]');
  assert.match(await (await page.waitForSelector('[data-test=totp-error]')).innerText(), /不正确/);
  await code.fill(await nextCode(acct));
  await page.click('[data-test=totp-confirm]');
  await page.waitForSelector('[data-test=acc-totp][data-on=true]', { timeout: READY });
  await page.waitForSelector('[data-test=totp-message]');
  assert.equal((await me(ctx, await sessionToken(page))).second_factor, true, 'the server has it on');

  await page.click('[data-test=logout]');
  await page.waitForURL('**/login', { timeout: READY });
  // Password, then the 动态口令: a wrong one first.
  ctx.expectHttpError(page, /^401 POST \/api\/v1\/auth\/login$/);
  await page.fill('[data-test=login-username]', acct.username);
  await page.fill('[data-test=login-password]', acct.password);
  await page.click('[data-test=login-submit]');
  const otp = page.locator('[data-test=login-otp]');
  await otp.waitFor({ timeout: READY });
  assert.equal(await otp.getAttribute('inputmode'), 'numeric');
  assert.equal(await otp.getAttribute('autocomplete'), 'one-time-code');
  await otp.fill(wrongCode(acct.secret));
  await page.click('[data-test=login-submit]');
  assert.match(await (await page.waitForSelector('[data-test=login-error]')).innerText(), /动态口令/);
  assert.match(page.url(), /\/login/);
  await otp.fill(await nextCode(acct));
  await page.click('[data-test=login-submit]');
  await page.waitForURL('**/console/alarms', { timeout: READY });
  await ready(page, 'alarms');
  ctx.assertClean(page);
});

test('security: a second factor is disabled on 账户安全 with a current code', async (ctx) => {
  const acct = await settle(ctx, await makeAccount(ctx, 'inspector'));
  if (!acct.secret) await enrol(ctx, acct, acct.token);
  acct.me = await me(ctx, acct.token);
  const page = await pageAs(ctx, acct, 'phone');
  await page.goto('/console/account');
  await ready(page, 'account');
  await page.waitForSelector('[data-test=acc-totp][data-on=true]', { timeout: READY });
  // A wrong code is refused (the contract names no status for it: any 4xx but a restriction).
  ctx.expectHttpError(page, /^4(00|01|22) POST \/api\/v1\/me\/totp\/disable$/);
  await page.fill('[data-test=totp-disable-code]', wrongCode(acct.secret));
  await page.click('[data-test=totp-disable]');
  assert.ok((await (await page.waitForSelector('[data-test=totp-disable-error]')).innerText()).trim(), 'the refusal is shown');
  await page.fill('[data-test=totp-disable-code]', await nextCode(acct));
  await page.click('[data-test=totp-disable]');
  await page.waitForSelector('[data-test=acc-totp][data-on=false]', { timeout: READY });
  assert.equal((await me(ctx, acct.token)).second_factor, false);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the account page scrolls sideways by ${overflow}px`);
  ctx.assertClean(page);
});

test('security: the security and audit administrators land on their own pages with their own menus', async (ctx) => {
  const cases = [
    ['security_admin', 'users', ['users'], /安全管理员/],
    ['audit_admin', 'audit', ['audit', 'users'], /审计管理员/],
  ];
  // Made together: when their roles need a second factor, the waits for fresh codes overlap.
  await Promise.all(cases.map(([role]) => administrator(ctx, role)));
  for (const [role, first, menu, label] of cases) {
    const acct = await administrator(ctx, role);
    const page = await ctx.page({ viewport: 'desktop' });
    await uiLogin(ctx, page, acct);
    await page.waitForURL(`**/console/${first}`, { timeout: READY });
    await ready(page, first);
    assert.deepEqual(await menuOf(page), menu, `${role}'s menu`);
    assert.match(await page.innerText('[data-test=who]'), label);
    // Pages of other roles are not opened.
    await page.goto('/console/sites');
    await page.waitForURL(`**/console/${first}`, { timeout: READY });
    await ready(page, first);
    ctx.assertClean(page);
    await page.close();
  }

  // The audit administrator reads the accounts and changes nothing.
  const audit = await administrator(ctx, 'audit_admin');
  const page = await pageAs(ctx, audit, 'desktop');
  await page.goto('/console/users');
  await ready(page, 'users');
  assert.ok((await page.locator('[data-test=user-row]').count()) > 0, 'the accounts are listed');
  for (const button of ['new-user', 'reset', 'disable', 'enable', 'reset-totp', 'key-create', 'revoke']) {
    assert.equal(await page.locator(`[data-test=${button}]`).count(), 0, `no ${button} for the audit administrator`);
  }
  const row = page.locator(`[data-test=user-row][data-username="${audit.username}"]`);
  assert.match(await row.innerText(), /审计管理员/);
  ctx.assertClean(page);

  // The security administrator's form offers every role and says a first login changes the password.
  const security = await administrator(ctx, 'security_admin');
  const sp = await pageAs(ctx, security, 'desktop');
  await sp.goto('/console/users');
  await ready(sp, 'users');
  await sp.click('[data-test=new-user]');
  const roles = await sp.$$eval('[data-test=nu-role] option', (os) => os.map((o) => [o.value, o.textContent.trim()]));
  for (const [value, text] of [['admin', '系统管理员'], ['security_admin', '安全管理员'], ['audit_admin', '审计管理员']]) {
    assert.ok(roles.some(([v, t]) => v === value && t === text), `${value} offered as ${text}: ${JSON.stringify(roles)}`);
  }
  assert.match(await sp.innerText('[data-test=nu-first-login]'), /首次登录/);
  ctx.assertClean(sp);
});

test('security: the security administrator clears a lost second factor from the users page', async (ctx) => {
  const victim = await settle(ctx, await makeAccount(ctx, 'partner', { department: 'water_authority' }));
  if (!victim.secret) await enrol(ctx, victim, victim.token);
  const security = await administrator(ctx, 'security_admin');
  const page = await pageAs(ctx, security, 'desktop');
  await page.goto('/console/users');
  await ready(page, 'users');
  const row = page.locator(`[data-test=user-row][data-username="${victim.username}"]`);
  assert.equal(await row.getAttribute('data-second-factor'), 'true');
  assert.match(await row.locator('[data-test=user-totp]').innerText(), /已启用/);
  let asked = '';
  page.once('dialog', (d) => {
    asked = d.message();
    d.accept();
  });
  await row.locator('[data-test=reset-totp]').click();
  await page.waitForSelector(`[data-test=user-row][data-username="${victim.username}"][data-second-factor=false]`, { timeout: READY });
  assert.match(asked, new RegExp(victim.username));
  assert.match(await row.locator('[data-test=user-totp]').innerText(), /未启用/);
  const u = await ctx.api(`/api/v1/users/${victim.id}`, { token: security.token });
  assert.equal(u.status, 200, u.text.slice(0, 200));
  assert.equal(u.json.second_factor, false);
  // The account logs in with its password alone again.
  const s = await ctx.api('/api/v1/auth/login', { method: 'POST', body: { username: victim.username, password: victim.password } });
  assert.equal(s.status, 200, s.text.slice(0, 200));
  ctx.assertClean(page);
});

test('security: the audit log lists, filters, pages back and checks its chain at phone width', async (ctx) => {
  const audit = await administrator(ctx, 'audit_admin');
  const first = await ctx.api('/api/v1/audit?limit=100', { token: audit.token });
  assert.equal(first.status, 200, first.text.slice(0, 300));
  const page = await pageAs(ctx, audit, 'phone');
  await page.goto('/console/audit');
  await ready(page, 'audit');
  const ids = () => page.$$eval('[data-test=audit-row]', (els) => els.map((e) => Number(e.dataset.id)));
  const shown = await ids();
  // Rows may have been added since (this page's own reads, for one).
  if (first.json.next_cursor) assert.equal(shown.length, first.json.items.length, 'one page of rows');
  else assert.ok(shown.length >= first.json.items.length, 'every row');
  assert.ok(shown[0] >= first.json.items[0].id, 'newest first');
  assert.ok(shown.every((id, i) => i === 0 || id < shown[i - 1]), 'newest first throughout');

  // 更早: the next page, older rows only.
  if (first.json.next_cursor) {
    await page.click('[data-test=audit-older]');
    await page.waitForFunction((n) => document.querySelectorAll('[data-test=audit-row]').length > n, shown.length, { timeout: READY });
    const more = await ids();
    assert.equal(new Set(more).size, more.length, 'no row twice');
    assert.ok(more.every((id, i) => i === 0 || id < more[i - 1]), 'older rows follow');
  }

  // A row's detail opens in place.
  const toggle = page.locator('[data-test=audit-detail-toggle]').first();
  if (await toggle.count()) {
    await toggle.click();
    await page.waitForSelector('[data-test=audit-detail]');
  }

  // The logins of this run, in Chinese.
  await page.fill('[data-test=filter-action]', 'login');
  await page.click('[data-test=audit-search]');
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('[data-test=audit-row]')];
    return rows.length > 0 && rows.every((r) => r.dataset.action === 'login');
  }, null, { timeout: READY });
  assert.match(await page.locator('[data-test=audit-row]').first().innerText(), /登录/);
  // An actor without its kind is a user.
  await page.fill('[data-test=filter-actor]', audit.username);
  await page.click('[data-test=audit-search]');
  await page.waitForFunction((who) => {
    const rows = [...document.querySelectorAll('[data-test=audit-row]')];
    return rows.length > 0 && rows.every((r) => r.innerText.includes(who));
  }, audit.username, { timeout: READY });

  // The chain check, on demand.
  assert.equal(await page.locator('[data-test=chain-status]').count(), 0, 'not checked before it is asked');
  await page.click('[data-test=audit-verify]');
  const status = await page.waitForSelector('[data-test=chain-status]', { timeout: 60000 });
  assert.equal(await status.getAttribute('data-ok'), 'true', await page.innerText('[data-test=chain-detail]'));
  assert.match(await status.innerText(), /完整/);

  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the audit page scrolls sideways by ${overflow}px`);
  await ctx.shot(page, 'security-audit-phone');
  ctx.assertClean(page);
});
