#!/usr/bin/env node
// Runs the browser tests against a real `ecohub serve --demo` serving web/dist:
//
//   node tests/web/run.mjs --bin build/ecohub [--out build/web] [--grep PATTERN] [--shard K/N]
//
// Imports every tests/web/*.spec.mjs (sorted by name), starts the server, the simulator
// and one Chromium (lib.mjs), runs the registered tests one after another (120 s each;
// a failure does not stop the others), prints ok/FAIL per test, writes
// <out>/summary.txt and <out>/summary.json, and exits 1 when a test failed. --grep keeps
// the tests whose "<file> <name>" matches the regular expression PATTERN. --shard K/N
// keeps the spec files whose place in the sorted list, counted from 0, is K-1 modulo N,
// so that N runs (each with its own server and browser) share the files: ctest runs
// them beside each other.
// <out>/screenshots is emptied first; failing tests leave FAIL-<name>.png there.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { REPO, makeContext, registeredTests, setSpecFile, startAll } from './lib.mjs';

const TEST_TIMEOUT_MS = 120000;

const { values: opt } = parseArgs({
  options: {
    bin: { type: 'string', default: path.join(REPO, 'build/ecohub') },
    out: { type: 'string', default: path.join(REPO, 'build/web') },
    grep: { type: 'string' },
    shard: { type: 'string' },
  },
});
const shard = (opt.shard || '1/1').match(/^(\d+)\/(\d+)$/);
if (!shard || +shard[1] < 1 || +shard[1] > +shard[2]) {
  console.log(`--shard ${opt.shard}: expected K/N with 1 <= K <= N`);
  process.exit(2);
}
const [shardK, shardN] = [+shard[1], +shard[2]];
const out = path.resolve(opt.out);
const shots = path.join(out, 'screenshots');
fs.rmSync(shots, { recursive: true, force: true });
fs.mkdirSync(shots, { recursive: true });

const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;
const indent = (s) => String(s).replace(/^/gm, '    ');
const results = [];

// 1. The specs: an import error is a failure of that file, the others still run.
const dir = path.join(REPO, 'tests/web');
const specs = fs.readdirSync(dir).filter((f) => f.endsWith('.spec.mjs')).sort()
  .filter((_, i) => i % shardN === shardK - 1);
for (const f of specs) {
  setSpecFile(f);
  try {
    await import(pathToFileURL(path.join(dir, f)).href);
  } catch (e) {
    results.push({ file: f, name: '(import)', ok: false, ms: 0, error: e.stack || String(e) });
    console.log(`FAIL ${f} (import)\n${indent(e.stack || e)}`);
  }
}
const grep = opt.grep ? new RegExp(opt.grep) : null;
const selected = registeredTests().filter((t) => !grep || grep.test(`${t.file} ${t.name}`));
if (!selected.length && !results.length) {
  console.log(grep ? `no test matches ${grep}` : 'no tests registered');
  process.exit(1);
}

// 2. The world they run in.
const t0 = Date.now();
let world;
try {
  world = await startAll({ bin: opt.bin, out });
} catch (e) {
  console.log(`FAIL start: ${e.stack || e}`);
  process.exit(1);
}

function withTimeout(promise, ms, what) {
  let timer;
  const t = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, t]).finally(() => clearTimeout(timer));
}

// 3. The tests, one after another.
try {
  for (const t of selected) {
    const ctx = makeContext(world.env);
    const start = Date.now();
    let error = null;
    try {
      await withTimeout(Promise.resolve().then(() => t.fn(ctx)), TEST_TIMEOUT_MS, t.name);
    } catch (e) {
      error = e;
    }
    const ms = Date.now() - start;
    const shotsTaken = [];
    if (error) {
      const open = ctx._pages.filter((p) => !p.isClosed());
      for (let i = 0; i < open.length; i++) {
        const name = `FAIL-${t.name}${open.length > 1 ? `-${i + 1}` : ''}`;
        try {
          shotsTaken.push(await withTimeout(ctx.shot(open[i], name), 20000, 'screenshot'));
        } catch { /* the page may be gone */ }
      }
    }
    await ctx._close();
    const r = { file: t.file, name: t.name, ok: !error, ms };
    if (error) {
      r.error = error.stack || String(error);
      r.screenshots = shotsTaken;
    }
    results.push(r);
    console.log(`${error ? 'FAIL' : 'ok  '} ${t.file} › ${t.name} (${secs(ms)})`);
    if (error) {
      console.log(indent(r.error));
      for (const s of shotsTaken) console.log(`    screenshot: ${s}`);
    }
  }
} finally {
  await world.stop();
}

// 4. The summary.
const failed = results.filter((r) => !r.ok);
const lines = [
  `${results.length - failed.length} passed, ${failed.length} failed, ${secs(Date.now() - t0)} (server ${world.env.base})`,
  ...failed.map((r) => `FAIL ${r.file} › ${r.name}`),
];
console.log('\n' + lines.join('\n'));
fs.writeFileSync(path.join(out, 'summary.txt'), results.map((r) =>
  `${r.ok ? 'ok  ' : 'FAIL'} ${r.file} › ${r.name} (${secs(r.ms)})${r.ok ? '' : '\n' + indent(r.error)}`).join('\n') +
  '\n\n' + lines.join('\n') + '\n');
fs.writeFileSync(path.join(out, 'summary.json'), JSON.stringify({ passed: results.length - failed.length, failed: failed.length, results }, null, 2));
process.exit(failed.length ? 1 : 0);
