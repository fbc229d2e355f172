// The harness of the browser tests (tests/web/*.spec.mjs) and of bench/web_bench.mjs:
// a real `ecohub serve --demo` serving web/dist on loopback, the HJ 212 simulator
// streaming into it, one account per role, and one headless Chromium.
//
// A spec file registers tests; tests/web/run.mjs runs them one after another:
//
//   import { test, assert } from './lib.mjs';       // assert = node:assert/strict
//   test('the home page shows the city AQI', async (ctx) => {
//     const page = await ctx.page({ viewport: 'phone' });
//     await page.goto(ctx.base + '/');
//     ...
//     ctx.assertClean(page);
//   });
//
// ctx (one per test; everything but the pages is shared by the whole run):
//   base            'http://127.0.0.1:PORT' of the server (pages also get it as baseURL,
//                   so page.goto('/') works)
//   api(path, {token, method = 'GET', body, headers})
//                   -> {status, headers (lower-case names), json (null unless JSON),
//                   text}. `body` is sent as JSON unless it is a string or a Buffer.
//                   A 429 is waited out (Retry-After) and retried.
//   users           {admin, leader, staff, district_staff, inspector, partner, enterprise}:
//                   each {username, password, role, district_id, district_code,
//                   enterprise_id, department, token, me}. `me` is the /api/v1/me
//                   object. Created once per run through the API. district_staff and
//                   inspector share one district with air stations (and water sections,
//                   and an enterprise with outlets, when one has them); enterprise is
//                   bound to the enterprise with the most exceedances. Do not log out
//                   these tokens: they serve every later test (log in anew instead).
//   page({viewport = 'desktop', role, base = ctx.base})
//                   -> a Playwright Page in a new context. viewport: 'phone' (390x844,
//                   isMobile, touch, deviceScaleFactor 2), 'desktop' (1440x900),
//                   'cockpit' (1920x1080). Locale zh-CN, time zone Asia/Shanghai,
//                   acceptDownloads. With `role` (a key of users) the page starts logged
//                   in with a token of its own: localStorage['ecohub.session'] =
//                   {"token", "user": <the /api/v1/me object>}, written before the first
//                   document of the origin runs (once per tab: a logout in the page
//                   stays logged out). The page records console errors, uncaught page
//                   errors, and same-origin requests that failed or answered >= 400
//                   (net::ERR_ABORTED, a request cancelled by the page, is not a failure).
//                   `base` names another server (one a spec started itself) as the
//                   page's origin and baseURL; `role` is for the run's server only.
//   expectHttpError(page, /regex/)
//                   declares failures of `page` that are expected: a recorded request
//                   is excused when the regex matches '<status> <METHOD> <path?query>'
//                   (status 'FAILED' for a network error), e.g. /^403 GET \/api\/v1\/users/.
//   assertClean(page)  throws an Error listing every console error, page error and
//                   unexcused failed request recorded on `page` so far.
//   shot(page, name)   full-page PNG <out>/screenshots/<name>.png; resolves to its path.
//   downloads       the folder downloads land in (Download.path()); save with
//                   download.saveAs(path.join(ctx.downloads, download.suggestedFilename())).
//   browser, out    the Playwright Browser, the output folder.
//   bin             the ecohub binary the run's server is, for a spec that starts one of
//                   its own (startServer) with another configuration.
//
// Failing tests get FAIL-<name>.png of every page they left open (run.mjs). Each test
// has 120 s; its contexts are closed when it ends.
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export { assert };

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// --- registration -------------------------------------------------------------------

const registered = [];
let currentFile = '';

/** Registers a test of the spec file being imported. */
export function test(name, fn) {
  if (typeof name !== 'string' || typeof fn !== 'function') throw new TypeError('test(name, async (ctx) => {...})');
  registered.push({ file: currentFile, name, fn });
}

/** For run.mjs: the file that the next test() calls belong to, and the tests so far. */
export function setSpecFile(file) {
  currentFile = file;
}
export function registeredTests() {
  return registered.slice();
}

// --- processes ----------------------------------------------------------------------

const children = new Set();
const tempDirs = new Set();

function track(child) {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

// Whatever happens (an exception, Ctrl-C, ctest's SIGTERM), the server and the
// simulator die with us.
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
});
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    console.error(`\n${sig}: stopping`);
    for (const c of children) c.kill('SIGKILL');
    process.exit(sig === 'SIGINT' ? 130 : 143);
  });
}

/** Starts `bin args` with stdout and stderr in files; it dies with the run (above). */
export function spawnLogged(bin, args, outFile, errFile) {
  const out = fs.openSync(outFile, 'w');
  const err = fs.openSync(errFile, 'w');
  try {
    return track(spawn(bin, args, { stdio: ['ignore', out, err] }));
  } finally {
    fs.closeSync(out);
    fs.closeSync(err);
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A new folder under the system's temporary one, removed when the run ends if not before. */
export function tempDir(prefix = 'ecohub-web-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

/**
 * A TCP port of 127.0.0.1 free a moment ago, for a server whose address must be known
 * before it starts (another server's configuration names it).
 */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Sends SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stopProcess(child, graceMs = 20000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(t);
}

function tail(file, bytes = 3000) {
  try {
    const s = fs.readFileSync(file, 'utf8');
    return s.slice(-bytes);
  } catch {
    return '';
  }
}

export const ADMIN_PASSWORD = 'Web-admin-pass-2026';
export const USER_PASSWORD = 'Web-test-pass-2026';

/** Whether `bin serve` knows --web-dir (the flag arrived after the first servers). */
export function serveSupportsWebDir(bin) {
  try {
    return execFileSync(bin, ['serve', '--help'], { encoding: 'utf8' }).includes('--web-dir');
  } catch {
    return false;
  }
}

/**
 * Starts `bin serve --demo` on 127.0.0.1 port 0 (HTTP and gateway; `httpListen` names
 * another HTTP address) in a new data folder under `work`, serving `webDir` when the
 * server supports --web-dir, with `extraArgs` after the others. Logs go to
 * `logDir`/serve.out and serve.log. Resolves when /healthz answers 200, to
 * {proc, base, httpPort, gateway ('127.0.0.1:PORT'), webServed, stop()}.
 */
export async function startServer({ bin, work, logDir, webDir = process.env.ECOHUB_WEB_DIR || path.join(REPO, 'web/dist'),
  httpListen = '127.0.0.1:0', extraArgs = [], timeoutMs = 300000 }) {
  bin = path.resolve(bin);
  fs.mkdirSync(logDir, { recursive: true });
  const pw = path.join(work, 'admin.pw');
  fs.writeFileSync(pw, ADMIN_PASSWORD + '\n', { mode: 0o600 });
  const args = ['serve', '--demo', '--data', path.join(work, 'data'),
    '--http-listen', httpListen, '--gateway-listen', '127.0.0.1:0', '--admin-password-file', pw];
  const dataset = path.resolve(REPO, '../shared/data/beijing_multisite_2013_2017');
  if (fs.existsSync(dataset)) args.push('--dataset', dataset);
  const webServed = serveSupportsWebDir(bin);
  if (webServed) args.push('--web-dir', webDir);
  else console.error(`note: ${bin} serve has no --web-dir: the pages are not served`);
  args.push(...extraArgs);
  const outFile = path.join(logDir, 'serve.out');
  const errFile = path.join(logDir, 'serve.log');
  const proc = spawnLogged(bin, args, outFile, errFile);
  const stop = () => stopProcess(proc);
  const deadline = Date.now() + timeoutMs;
  let httpPort = 0;
  let gateway = '';
  while (!httpPort) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`ecohub serve exited early (${proc.exitCode ?? proc.signalCode}):\n${tail(errFile)}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`ecohub serve printed no 'http listening' in ${timeoutMs / 1000} s:\n${tail(errFile)}`);
    }
    const out = fs.readFileSync(outFile, 'utf8');
    const h = out.match(/^http listening on [\d.]+:(\d+)$/m);
    const g = out.match(/^gateway listening on ([\d.]+:\d+)$/m);
    if (h && g) {
      httpPort = Number(h[1]);
      gateway = g[1];
    } else {
      await sleep(100);
    }
  }
  const base = `http://127.0.0.1:${httpPort}`;
  for (;;) {
    try {
      if ((await fetch(base + '/healthz')).status === 200) break;
    } catch { /* not yet */ }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`no /healthz from ${base}:\n${tail(errFile)}`);
    }
    await sleep(200);
  }
  return { proc, base, httpPort, gateway, webServed, logs: { out: outFile, err: errFile }, stop };
}

/**
 * Starts `bin sim` with every demo device (`bin demo devices`) uploading to `gateway`
 * every 30 s for an hour, as scripts/demo.sh does. Resolves to {proc, devices, stop()}.
 */
export async function startSimulator({ bin, gateway, logDir, interval = 30, duration = 3600 }) {
  bin = path.resolve(bin);
  const devices = execFileSync(bin, ['demo', 'devices'], { encoding: 'utf8' }).split('\n').filter((l) => l.trim()).length;
  const proc = spawnLogged(bin, ['sim', '--target', gateway, '--devices', String(devices),
    '--duration', String(duration), '--interval', String(interval)],
  path.join(logDir, 'sim.out'), path.join(logDir, 'sim.log'));
  await sleep(500);
  if (proc.exitCode !== null) throw new Error(`ecohub sim exited at once:\n${tail(path.join(logDir, 'sim.log'))}`);
  return { proc, devices, stop: () => stopProcess(proc, 5000) };
}

// --- the browser ----------------------------------------------------------------------

// The flags that work on this kind of machine (/work/.library/env/machines/cpp.md):
// without the background-networking ones Chromium keeps dialling Google through a closed
// network. Playwright adds a fresh --user-data-dir of its own (it refuses one in args).
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
  '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** playwright-core, from web/node_modules (a devDependency of the front end). */
export function playwright() {
  const require = createRequire(path.join(REPO, 'web/package.json'));
  try {
    return require('playwright-core');
  } catch (e) {
    throw new Error(`playwright-core is not installed in web/node_modules: run scripts/setup.sh (${e.message})`);
  }
}

/** One Chromium for the run (CHROMIUM=/path overrides /usr/bin/chromium). */
export async function launchBrowser({ downloadsPath } = {}) {
  const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) {
    throw new Error(`no Chromium at ${executablePath}: run scripts/setup.sh (Debian package chromium) or set CHROMIUM`);
  }
  return playwright().chromium.launch({ executablePath, args: CHROMIUM_ARGS, downloadsPath });
}

export const VIEWPORTS = {
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
  desktop: { viewport: { width: 1440, height: 900 } },
  cockpit: { viewport: { width: 1920, height: 1080 } },
};

// --- the API ----------------------------------------------------------------------------

/** A ctx.api bound to `base`. */
export function apiClient(base) {
  return async function api(p, { token, method = 'GET', body, headers = {} } = {}) {
    const h = { ...headers };
    if (token) h.Authorization = `Bearer ${token}`;
    let data;
    if (body !== undefined) {
      if (typeof body === 'string' || Buffer.isBuffer(body)) {
        data = body;
      } else {
        data = JSON.stringify(body);
        h['Content-Type'] ??= 'application/json';
      }
    }
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(base + p, { method, headers: h, body: data });
      const text = await res.text();
      if (res.status === 429 && attempt < 20) {
        await sleep(1000 * Number(res.headers.get('retry-after') || 1) + 100);
        continue;
      }
      let json = null;
      if ((res.headers.get('content-type') || '').includes('json')) {
        try {
          json = JSON.parse(text);
        } catch { /* stays null */ }
      }
      return { status: res.status, headers: Object.fromEntries(res.headers), json, text };
    }
  };
}

async function must(r, status, what) {
  if (r.status !== status) throw new Error(`${what}: HTTP ${r.status}, want ${status}: ${r.text.slice(0, 300)}`);
  return r.json;
}

/** Logs `username` in; resolves to {token, me}. */
export async function login(api, username, password) {
  const r = await must(await api('/api/v1/auth/login', { method: 'POST', body: { username, password } }), 200, `login ${username}`);
  const me = await must(await api('/api/v1/me', { token: r.token }), 200, `me of ${username}`);
  return { token: r.token, me };
}

/**
 * Creates one account per role (see the header) and logs each in. Resolves to
 * {users, city: {districtA, enterprise}}.
 */
export async function createUsers(api) {
  const admin = await login(api, 'admin', ADMIN_PASSWORD);
  const A = admin.token;
  const districts = (await must(await api('/api/v1/districts', { token: A }), 200, 'districts')).items;
  const sites = (await must(await api('/api/v1/sites?limit=1000', { token: A }), 200, 'sites')).items;
  const enterprises = (await must(await api('/api/v1/enterprises?limit=1000', { token: A }), 200, 'enterprises')).items;
  const exc = (await must(await api('/api/v1/exceedances', { token: A }), 200, 'exceedances')).items;
  const siteByCode = new Map(sites.map((s) => [s.code, s]));
  const nExc = new Map();
  for (const x of exc) {
    const e = siteByCode.get(x.site)?.enterprise_id;
    if (e) nExc.set(e, (nExc.get(e) || 0) + 1);
  }
  const kinds = (d) => new Set(sites.filter((s) => s.district_id === d).map((s) => s.kind));
  const outletEnts = new Set(sites.filter((s) => s.kind.startsWith('outlet') && s.enterprise_id).map((s) => s.enterprise_id));
  // The enterprise: outlets, the most exceedances; then the district: air stations,
  // preferably that enterprise's district, water sections and outlets too.
  const ents = enterprises.filter((e) => outletEnts.has(e.id))
    .sort((a, b) => (nExc.get(b.id) || 0) - (nExc.get(a.id) || 0) || a.id - b.id);
  if (!ents.length) throw new Error('the demo city has no enterprise with outlets');
  const score = (d) => {
    const k = kinds(d.id);
    return (k.has('air') ? 8 : 0) + (d.id === ents[0].district_id ? 4 : 0) + (k.has('water') ? 2 : 0)
      + ([...k].some((x) => x.startsWith('outlet')) ? 1 : 0);
  };
  const district = [...districts].sort((a, b) => score(b) - score(a) || a.id - b.id)[0];
  if (!kinds(district.id).has('air')) throw new Error('the demo city has no district with air stations');
  const enterprise = ents.find((e) => e.district_id === district.id && (nExc.get(e.id) || 0) === (nExc.get(ents[0].id) || 0)) || ents[0];

  const want = {
    leader: { role: 'leader', department: 'monitoring' },
    staff: { role: 'staff', department: 'monitoring' },
    district_staff: { role: 'staff', district_id: district.id, department: 'monitoring' },
    inspector: { role: 'inspector', district_id: district.id, department: 'monitoring' },
    partner: { role: 'partner', department: 'water_authority' },
    enterprise: { role: 'enterprise', enterprise_id: enterprise.id },
  };
  const codeOf = new Map(districts.map((d) => [d.id, d.code]));
  const describe = (username, password, s) => ({
    username,
    password,
    role: s.me.role,
    district_id: s.me.district_id || 0,
    district_code: codeOf.get(s.me.district_id) || '',
    enterprise_id: s.me.enterprise_id || 0,
    department: s.me.department || '',
    token: s.token,
    me: s.me,
  });
  const users = { admin: describe('admin', ADMIN_PASSWORD, admin) };
  for (const [key, w] of Object.entries(want)) {
    const username = `web_${key}`;
    const first = `${USER_PASSWORD}-first`;
    const body = { username, password: first, role: w.role, district_id: w.district_id || 0, department: w.department || '' };
    if (w.enterprise_id) body.enterprise_id = w.enterprise_id;
    await must(await api('/api/v1/users', { method: 'POST', token: A, body }), 201, `create ${username}`);
    // An administrator chose that password: the user replaces it at first login.
    const { token } = await login(api, username, first);
    const change = { old_password: first, new_password: USER_PASSWORD };
    await must(await api('/api/v1/auth/password', { method: 'POST', token, body: change }), 204, `${username} changes it`);
    users[key] = describe(username, USER_PASSWORD, await login(api, username, USER_PASSWORD));
  }
  return { users, city: { district, enterprise, exceedances: nExc.get(enterprise.id) || 0 } };
}

// --- pages --------------------------------------------------------------------------------

/** Attaches the recorders (see the header) to `page`; its records are page.__eh. */
function record(page, base) {
  const rec = { console: [], errors: [], requests: [], expected: [] };
  page.__eh = rec;
  const sameOrigin = (u) => u === base || u.startsWith(base + '/');
  const pathOf = (u) => u.slice(base.length) || '/';
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const where = m.location()?.url || '';
    // A same-origin resource that failed is recorded (and excusable) as a request.
    if (m.text().startsWith('Failed to load resource') && sameOrigin(where)) return;
    rec.console.push(`console error: ${m.text()}${where ? ` (${where}:${m.location().lineNumber})` : ''}`);
  });
  page.on('pageerror', (e) => rec.errors.push(`page error: ${e.stack || e.message || e}`));
  page.on('response', (r) => {
    if (r.status() >= 400 && sameOrigin(r.url())) rec.requests.push(`${r.status()} ${r.request().method()} ${pathOf(r.url())}`);
  });
  page.on('requestfailed', (r) => {
    const why = r.failure()?.errorText || '';
    if (why === 'net::ERR_ABORTED' || !sameOrigin(r.url())) return;
    rec.requests.push(`FAILED ${r.method()} ${pathOf(r.url())} ${why}`);
  });
  return rec;
}

/**
 * The context of one test. `env` is what the run shares: {base, api, users, browser,
 * out, downloads, bin}. ctx.close() closes every context the test opened.
 */
export function makeContext(env) {
  const contexts = [];
  const pages = [];
  const shotDir = path.join(env.out, 'screenshots');
  const ctx = {
    base: env.base,
    api: env.api,
    users: env.users,
    downloads: env.downloads,
    browser: env.browser,
    out: env.out,
    bin: env.bin,

    async page({ viewport = 'desktop', role, base = env.base } = {}) {
      const vp = VIEWPORTS[viewport];
      if (role !== undefined && base !== env.base) throw new Error(`role '${role}': the run's users are not on ${base}`);
      if (!vp) throw new Error(`viewport '${viewport}': use phone, desktop or cockpit`);
      let session = null;
      if (role !== undefined) {
        const u = env.users[role];
        if (!u) throw new Error(`role '${role}': use one of ${Object.keys(env.users).join(', ')}`);
        const s = await login(env.api, u.username, u.password);
        session = JSON.stringify({ token: s.token, user: s.me });
        // Each page is a browser of its own, with a session of its own; a login beyond the
        // cap on sessions per user (5) ends the oldest, so the shared token follows the newest.
        u.token = s.token;
      }
      const context = await env.browser.newContext({
        ...vp, baseURL: base, acceptDownloads: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai',
      });
      contexts.push(context);
      if (session) {
        await context.addInitScript(([origin, value]) => {
          try {
            if (location.origin !== origin || sessionStorage.getItem('ecohub.test.seeded')) return;
            localStorage.setItem('ecohub.session', value);
            sessionStorage.setItem('ecohub.test.seeded', '1');
          } catch { /* about:blank and other origins have no storage of ours */ }
        }, [base, session]);
      }
      context.on('page', (p) => { if (!p.__eh) { record(p, base); pages.push(p); } });
      const page = await context.newPage();
      if (!page.__eh) { record(page, base); pages.push(page); }
      // A closed page is a browser gone: its keep-alive connections go with it, or a
      // long test's browsers would fill the server's cap of connections per address.
      page.on('close', () => { context.close().catch(() => {}); });
      return page;
    },

    expectHttpError(page, re) {
      if (!page.__eh) throw new Error('expectHttpError: not a page of ctx.page()');
      page.__eh.expected.push(re);
    },

    assertClean(page) {
      const rec = page.__eh;
      if (!rec) throw new Error('assertClean: not a page of ctx.page()');
      const bad = [...rec.console, ...rec.errors,
        ...rec.requests.filter((r) => !rec.expected.some((re) => re.test(r))).map((r) => `request: ${r}`)];
      if (bad.length) {
        const err = new Error(`${page.url()} is not clean (${bad.length}):\n  ${bad.join('\n  ')}`);
        err.name = 'NotClean';
        throw err;
      }
    },

    async shot(page, name) {
      fs.mkdirSync(shotDir, { recursive: true });
      const file = path.join(shotDir, `${String(name).replace(/[^\w.-]+/g, '_')}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },

    // For run.mjs.
    _pages: pages,
    async _close() {
      await Promise.allSettled(contexts.map((c) => c.close()));
    },
  };
  return ctx;
}

// --- everything together --------------------------------------------------------------------

/**
 * Starts the server, the simulator and Chromium, creates the users. Resolves to
 * {env, server, sim, city, stop()}; `env` is what makeContext() takes. Logs go to
 * `out`/logs. Progress goes to stderr.
 */
export async function startAll({ bin, out, sim = true, users = true }) {
  const t0 = Date.now();
  const work = tempDir();
  const logDir = path.join(out, 'logs');
  const downloads = path.join(work, 'downloads');
  fs.mkdirSync(downloads, { recursive: true });
  const parts = { server: null, sim: null, browser: null };
  const stop = async () => {
    if (parts.browser) await parts.browser.close().catch(() => {});
    if (parts.sim) await parts.sim.stop();
    if (parts.server) await parts.server.stop();
    fs.rmSync(work, { recursive: true, force: true });
    tempDirs.delete(work);
  };
  try {
    const dist = path.join(REPO, 'web/dist/index.html');
    if (!fs.existsSync(dist)) console.error(`note: ${dist} is missing: run scripts/setup.sh (npm run build in web/)`);
    console.error(`starting ecohub serve --demo (seeding takes about 30 s; logs in ${logDir})`);
    const browserP = launchBrowser({ downloadsPath: downloads }); // in parallel with the seeding
    browserP.catch(() => {});
    parts.server = await startServer({ bin, work, logDir });
    console.error(`server ${parts.server.base} (gateway ${parts.server.gateway}) up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    if (sim) {
      parts.sim = await startSimulator({ bin, gateway: parts.server.gateway, logDir });
      console.error(`simulator: ${parts.sim.devices} devices`);
    }
    parts.browser = await browserP;
    console.error(`chromium ${parts.browser.version()}`);
    const api = apiClient(parts.server.base);
    let made = { users: {}, city: null };
    if (users) {
      made = await createUsers(api);
      const c = made.city;
      console.error(`users: ${Object.keys(made.users).join(', ')} (district ${c.district.code} ${c.district.name || ''}, ` +
        `enterprise ${c.enterprise.id} ${c.enterprise.name || ''} with ${c.exceedances} exceedances)`);
    }
    fs.writeFileSync(path.join(out, 'users.json'), JSON.stringify({ base: parts.server.base, city: made.city,
      users: Object.fromEntries(Object.entries(made.users).map(([k, u]) => [k, { ...u, token: undefined }])) }, null, 2));
    const env = { base: parts.server.base, api, users: made.users, browser: parts.browser, out, downloads, bin: path.resolve(bin) };
    return { env, server: parts.server, sim: parts.sim, city: made.city, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
