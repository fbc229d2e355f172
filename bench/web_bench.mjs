#!/usr/bin/env node
// The web front end's two budgets, measured against a real `ecohub serve --demo` serving
// web/dist with the simulator streaming (the harness of tests/web/lib.mjs):
//
//   node bench/web_bench.mjs --bin build/ecohub [--loads 15] [--pages /,/air]
//
// (a) Time to the public home page WITH its data: from navigation start to the moment
//     an element [data-ready="home"] exists (the home page sets it once the city AQI is
//     rendered), read with performance.now() inside the page by a MutationObserver
//     installed before the first script. Each load is cold: a new browser context, so
//     an empty cache. Median, min and max over --loads loads; first contentful paint
//     beside it.
// (b) JavaScript: raw and gzip -9 size of every web/dist/assets/*.js; the JS the entry
//     of web/dist/index.html pulls statically (entry script + modulepreload links); and
//     the JS requests a browser actually made loading each of --pages (until the network
//     is idle), summed as gzip -9 of the files and as bytes on the wire.
//
// Goals: the home page with data well under 1 s; < 500 KB gzipped JS for a public page.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { parseArgs } from 'node:util';
import { REPO, startAll } from '../tests/web/lib.mjs';

const { values: opt } = parseArgs({
  options: {
    bin: { type: 'string', default: path.join(REPO, 'build/ecohub') },
    out: { type: 'string', default: path.join(REPO, 'build/web-bench') },
    loads: { type: 'string', default: '15' },
    pages: { type: 'string', default: '/' },
  },
});
const LOADS = Number(opt.loads);
const GOAL_READY_MS = 1000;
const GOAL_JS_GZ = 500 * 1024;
const dist = path.join(REPO, 'web/dist');

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const gz = (buf) => zlib.gzipSync(buf, { level: 9 }).length;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const table = (rows) => {
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((c, i) => (i ? String(c).padStart(w[i]) : String(c).padEnd(w[i]))).join('  ')).join('\n');
};

if (!fs.existsSync(path.join(dist, 'index.html'))) {
  console.log(`web/dist/index.html is missing: run scripts/setup.sh (it runs npm run build in web/)`);
  process.exit(1);
}

// (b1) What is on disk, measured before anything runs.
const assets = fs.existsSync(path.join(dist, 'assets'))
  ? fs.readdirSync(path.join(dist, 'assets')).filter((f) => f.endsWith('.js')).sort() : [];
const sizeOf = new Map();
for (const f of assets) {
  const b = fs.readFileSync(path.join(dist, 'assets', f));
  sizeOf.set(`/assets/${f}`, { raw: b.length, gz: gz(b) });
}
const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
const staticJs = new Set();
for (const m of html.matchAll(/<script\b[^>]*\bsrc="([^"]+\.js)"/g)) staticJs.add(m[1]);
for (const m of html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+\.js)"/g)) staticJs.add(m[1]);
for (const m of html.matchAll(/<link\b[^>]*\bhref="([^"]+\.js)"[^>]*\brel="modulepreload"/g)) staticJs.add(m[1]);
const fileOf = (u) => sizeOf.get(new URL(u, 'http://x').pathname);

const world = await startAll({ bin: opt.bin, out: path.resolve(opt.out), users: false });
let failed = false;
try {
  const { browser, base } = world.env;
  if (!world.server.webServed) throw new Error('this ecohub serve has no --web-dir: nothing to measure');

  // (a) Cold loads of the home page.
  const observe = () => {
    const mark = () => {
      if (window.__ehReadyAt === undefined && document.querySelector('[data-ready="home"]')) {
        window.__ehReadyAt = performance.now();
      }
    };
    new MutationObserver(mark).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-ready'] });
  };
  const ready = [];
  const fcp = [];
  for (let i = 0; i < LOADS; i++) {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    await context.addInitScript(observe);
    const page = await context.newPage();
    try {
      await page.goto(base + '/', { waitUntil: 'commit' });
      await page.waitForFunction(() => window.__ehReadyAt !== undefined, null, { timeout: 30000 });
      ready.push(await page.evaluate(() => window.__ehReadyAt));
      const p = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime);
      if (p !== undefined) fcp.push(p);
    } finally {
      await context.close();
    }
  }

  // (b2) The JS a visitor of each page downloads.
  const visits = [];
  for (const p of opt.pages.split(',').filter(Boolean)) {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const js = [];
    page.on('requestfinished', (r) => {
      if (r.url().startsWith(base) && (r.resourceType() === 'script' || /\.m?js(\?|$)/.test(r.url()))) js.push(r);
    });
    await page.goto(base + p, { waitUntil: 'load' });
    await page.waitForLoadState('networkidle', { timeout: 15000 }).catch(() => {});
    let gzSum = 0;
    let wire = 0;
    for (const r of js) {
      gzSum += fileOf(r.url())?.gz ?? 0;
      wire += (await r.sizes()).responseBodySize;
    }
    visits.push({ page: p, requests: js.length, gz: gzSum, wire });
    await context.close();
  }

  // The report.
  const r0 = (x) => x.toFixed(0);
  console.log(`home page with data ([data-ready="home"]), ${ready.length} cold loads, ms from navigation start`);
  console.log(table([
    ['', 'median', 'min', 'max'],
    ['ready', r0(median(ready)), r0(Math.min(...ready)), r0(Math.max(...ready))],
    ...(fcp.length ? [['first contentful paint', r0(median(fcp)), r0(Math.min(...fcp)), r0(Math.max(...fcp))]] : []),
  ]));
  console.log();
  console.log('web/dist/assets/*.js (* = loaded by index.html: entry or modulepreload)');
  const rows = [['file', 'raw', 'gzip -9']];
  let rawAll = 0;
  let gzAll = 0;
  for (const [u, s] of sizeOf) {
    rows.push([(staticJs.has(u) ? '* ' : '  ') + u.slice('/assets/'.length), kb(s.raw), kb(s.gz)]);
    rawAll += s.raw;
    gzAll += s.gz;
  }
  const st = [...staticJs].map(fileOf).filter(Boolean);
  rows.push(['all', kb(rawAll), kb(gzAll)]);
  rows.push(['index.html, statically', kb(st.reduce((a, s) => a + s.raw, 0)), kb(st.reduce((a, s) => a + s.gz, 0))]);
  console.log(table(rows));
  console.log();
  console.log('JS a visitor downloads (requests made until the network was idle)');
  console.log(table([['page', 'requests', 'gzip -9', 'on the wire'],
    ...visits.map((v) => [v.page, v.requests, kb(v.gz), kb(v.wire)])]));
  console.log();
  const med = median(ready);
  const worst = Math.max(...visits.map((v) => v.gz));
  console.log(`goal: home page with data well under ${GOAL_READY_MS} ms: median ${r0(med)} ms ${med < GOAL_READY_MS ? 'meets it' : 'MISSES it'}`);
  console.log(`goal: public pages < ${kb(GOAL_JS_GZ)} gzipped JS: largest ${kb(worst)} ${worst < GOAL_JS_GZ ? 'meets it' : 'MISSES it'}`);
} catch (e) {
  console.log(`web bench failed: ${e.stack || e}`);
  failed = true;
} finally {
  await world.stop();
}
process.exit(failed ? 1 : 0);
