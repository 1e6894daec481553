#!/usr/bin/env node
// The runtime's figures beside their targets, measured in one run in headless Chromium (and,
// unless --no-node, under Node with tools/web9): boot to the rc prompt cold and warm, spawn and
// exit of /bin/true, a null system call, and pipe throughput between two processes, each next
// to the bare browser mechanism it is built on (bench/baseline-page, bench/runtime-page),
// measured in the same browser in the same run.
//
// The guest side is three small C programs in bench/guests/, built here with clang-14 for
// wasm32-wasi into a temporary directory and packed into a boot image of their own as /bin/NAME
// (tools/mkimage.mjs's extra files): the page loads that image; tools/web9 gets them by --file.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { launchBrowser } from '../tests/web/browser.mjs';
import { startServer } from '../tools/serve.mjs';
import { makeImage } from '../tools/mkimage.mjs';
import { measureBaseline } from './baseline.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..');
export const guestDir = path.join(here, 'guests');

// The builds, found as tools/web9 and tests/runtime find them.
export function defaultKernelDir() {
  if (process.env.WEB9_KERNEL_BUILD) return path.resolve(process.env.WEB9_KERNEL_BUILD);
  return path.resolve(repoRoot, process.env.WEB9_BUILD ?? 'build', 'emscripten');
}
export function defaultWasiDir() {
  if (process.env.WEB9_WASI_BUILD) return path.resolve(process.env.WEB9_WASI_BUILD);
  return path.resolve(repoRoot, process.env.WEB9_BUILD ?? 'build', 'wasi');
}

/**
 * Compiles one C guest (src, a path) to outFile with clang-14 for wasm32-wasi, with
 * apps/lib on the include path for web9_abi.h. Returns {file} or {why} when clang fails.
 */
export function buildGuest(src, outFile) {
  const r = spawnSync(
    'clang-14',
    ['--target=wasm32-wasi', '-O2', '-Wall', '-Wextra', '-Werror', `-I${path.join(repoRoot, 'apps/lib')}`, '-o', outFile, src],
    { encoding: 'utf8' },
  );
  if (r.error) return { why: r.error.message };
  if (r.status !== 0) return { why: r.stderr.trim() };
  return { file: outFile };
}

// The benchmark guests, built into dir. Resolves to [{name, file}] or throws.
function buildGuests(dir) {
  const out = [];
  for (const name of ['b9spawn', 'b9syscall', 'b9pipe']) {
    const r = buildGuest(path.join(guestDir, `${name}.c`), path.join(dir, `${name}.wasm`));
    if (!r.file) throw new Error(`cannot build bench/guests/${name}.c: ${r.why}`);
    out.push({ name, file: r.file });
  }
  return out;
}

// "bench NAME UNIT v1 v2 ..." lines of a guest's output → {NAME: {unit, samples}}.
export function parseGuestOutput(text) {
  const out = {};
  for (const line of text.replace(/\r/g, '').split('\n')) {
    const m = /^bench (\S+) (\S+)((?: -?[\d.]+)+)$/.exec(line.trim());
    if (m) out[m[1]] = { unit: m[2], samples: m[3].trim().split(' ').map(Number) };
  }
  return out;
}

// Median, 10th and 90th percentile (as bench/baseline-page/baseline.js's summarize).
export function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => {
    const i = (sorted.length - 1) * q;
    const lo = Math.floor(i);
    return sorted[lo] + (sorted[Math.ceil(i)] - sorted[lo]) * (i - lo);
  };
  return { median: at(0.5), p10: at(0.1), p90: at(0.9), n: sorted.length };
}

// --- in the page ---

// Installed before the page's own scripts: wraps Worker so every message of the kernel worker
// (web/protocol.js) is seen from the first, and notes when the rc prompt first arrives, when the
// first program started ('ready') and how it ended. Times are performance.now() of the page,
// whose origin is the start of the navigation.
export function pageHook() {
  const rec = (globalThis.__web9Bench = { out: '', domAt: null, promptAt: null, readyAt: null, workerAt: null, exit: null, exitAt: null, fatal: null });
  document.addEventListener('DOMContentLoaded', () => (rec.domAt = performance.now()));
  const decoder = new TextDecoder();
  const Base = globalThis.Worker;
  globalThis.Worker = class extends Base {
    constructor(url, options) {
      super(url, options);
      if (options?.name !== 'kernel') return;
      rec.workerAt = performance.now();
      this.addEventListener('message', ({ data: m }) => {
        if (m?.type === 'output') {
          rec.out += decoder.decode(m.data, { stream: true });
          if (rec.promptAt === null && /% $/.test(rec.out)) rec.promptAt = performance.now();
        } else if (m?.type === 'ready') rec.readyAt ??= performance.now();
        else if (m?.type === 'exit') {
          rec.exit = m.status;
          rec.exitAt = performance.now();
        } else if (m?.type === 'fatal') rec.fatal = m.message;
      });
    }
  };
}

async function record(page, until, timeout) {
  await page.waitForFunction(
    (u) => {
      const r = globalThis.__web9Bench;
      return r && (r.fatal !== null || (u === 'prompt' ? r.promptAt !== null : r.exit !== null));
    },
    until,
    { polling: 10, timeout },
  );
  const rec = await page.evaluate(() => globalThis.__web9Bench);
  if (rec.fatal) throw new Error(`the kernel stopped: ${rec.fatal}`);
  return rec;
}

// One boot of the real page (rc -l -i) to its prompt: 'goto' a fresh page or 'reload' it.
async function bootToPrompt(page, url, how) {
  if (how === 'reload') await page.reload({ waitUntil: 'commit' });
  else await page.goto(url, { waitUntil: 'commit' });
  return record(page, 'prompt', 60000);
}

// Runs one program as the page's first program (?init=) and answers its parsed output.
export async function runInPage(page, url, argv, timeout = 120000) {
  await page.goto(new URL(`?init=${argv.map(encodeURIComponent).join('+')}`, url).href, { waitUntil: 'commit' });
  const rec = await record(page, 'exit', timeout);
  if (rec.exit !== '') throw new Error(`${argv.join(' ')} ended with status '${rec.exit}':\n${rec.out}`);
  return parseGuestOutput(rec.out);
}

// WebAssembly.compile of a served module, in the page, in ms (where the boot time goes).
function compileTime(page, urlPath) {
  return page.evaluate(async (u) => {
    const bytes = await (await fetch(u)).arrayBuffer();
    const t0 = performance.now();
    await WebAssembly.compile(bytes);
    return { ms: performance.now() - t0, bytes: bytes.byteLength };
  }, urlPath);
}

// --- the run ---

function row(group, name, unit, s, extra = {}) {
  return { group, name, unit, median: s.median, p10: s.p10, p90: s.p90, n: s.n, ...extra };
}

async function measureBrowser(o, log) {
  const rows = [];
  const server = await startServer({ port: 0, kernelDir: o.kernelDir, binDir: o.imageDir });
  let browser = null;
  try {
    // Cold: a fresh profile (empty HTTP cache, no V8 code cache) and a first navigation.
    const cold = [];
    const coldPhases = [];
    for (let i = 0; i < o.cold; i++) {
      log(`cold boot ${i + 1}/${o.cold}`);
      await browser?.close();
      browser = await launchBrowser();
      const page = browser.context.pages()[0] ?? (await browser.context.newPage());
      await page.addInitScript(pageHook);
      const rec = await bootToPrompt(page, server.url, 'goto');
      cold.push(rec.promptAt);
      coldPhases.push(rec);
    }
    const page = browser.context.pages()[0];
    // Warm: reloads of the same page in the same profile.
    const warm = [];
    const warmPhases = [];
    for (let i = 0; i < o.warm; i++) {
      log(`warm boot ${i + 1}/${o.warm}`);
      const rec = await bootToPrompt(page, server.url, 'reload');
      warm.push(rec.promptAt);
      warmPhases.push(rec);
    }
    // The floor: a page that only starts a module worker which fetches kernel.wasm and the
    // boot image, compiles the kernel and opens an OPFS file (bench/runtime-page/floor.html).
    log('boot floor');
    const floor = [];
    await page.goto(new URL('/bench/runtime-page/floor.html', server.url).href, { waitUntil: 'commit' });
    for (let i = 0; i <= o.warm; i++) {
      if (i > 0) await page.reload({ waitUntil: 'commit' });
      await page.waitForFunction(() => globalThis.floor && (floor.doneAt !== null || floor.error !== null), null, { polling: 10, timeout: 60000 });
      const f = await page.evaluate(() => globalThis.floor);
      if (f.error) throw new Error(`boot floor: ${f.error}`);
      if (i > 0) floor.push(f.doneAt); // the first load fills the HTTP cache
    }
    // Medians of when each step was reached, ms from navigation start.
    const phasesOf = (recs) => {
      const at = (k) => summarize(recs.map((r) => r[k])).median;
      return { domContentLoaded: at('domAt'), kernelWorkerStarted: at('workerAt'), firstProgramStarted: at('readyAt'), prompt: at('promptAt') };
    };
    rows.push(row('boot', 'boot to rc prompt, cold (fresh profile, first load)', 'ms', summarize(cold), {
      limit: null,
      phases: phasesOf(coldPhases),
    }));
    const floorMs = summarize(floor);
    rows.push(row('boot', 'boot to rc prompt, warm (reload, same profile)', 'ms', summarize(warm), {
      limit: { op: '<=', value: 200, text: '≤ 200 ms' },
      phases: phasesOf(warmPhases),
      ratio: { 'boot floor': summarize(warm).median / floorMs.median },
    }));
    rows.push(row('boot', '  floor: reload of a page whose worker fetches kernel+image, compiles the kernel, opens an OPFS file', 'ms', floorMs, { limit: null, reference: true }));
    log('compiling kernel.wasm and rc.wasm in the page');
    const kc = [];
    const rcc = [];
    for (let i = 0; i < 3; i++) {
      kc.push((await compileTime(page, '/build/kernel/kernel.wasm')).ms);
      rcc.push((await compileTime(page, '/build/bin/rc.wasm')).ms);
    }
    rows.push(row('boot', '  of which: WebAssembly.compile kernel.wasm', 'ms', summarize(kc), { limit: null }));
    rows.push(row('boot', '  of which: WebAssembly.compile rc.wasm', 'ms', summarize(rcc), { limit: null }));

    log(`spawn and wait /bin/true ×${o.spawns}`);
    const sp = await runInPage(page, server.url, ['/bin/b9spawn', String(o.spawns), '5']);
    rows.push(row('spawn', `spawn+wait /bin/true (web9_spawn, web9_wait), median of ${o.spawns}`, 'ms',
      summarize(sp.spawn.samples.map((us) => us / 1000)), { limit: { op: '<=', value: 1, text: '≤ 1 ms' } }));
    rows.push(row('spawn', '  first spawn of /bin/true (compiles it)', 'ms', summarize(sp['spawn-first'].samples.map((us) => us / 1000)), { limit: null }));

    log('system calls');
    const sc = await runInPage(page, server.url, ['/bin/b9syscall', String(o.syscalls), String(o.batches)]);

    log('pipe');
    const pp = await runInPage(page, server.url, ['/bin/b9pipe', String(o.pipeMiB), '65536', String(o.pipeRuns)]);

    // The bare mechanisms, on a page of their own (not under a booted kernel).
    log('baseline (bench/baseline.mjs measureBaseline)');
    await page.goto(new URL('/bench/baseline-page/', server.url).href);
    const base = await measureBaseline(page, {
      plan: { iterations: o.quick ? 200 : 1000, batches: o.quick ? 5 : 40, warmup: o.quick ? 1 : 3 },
      opfs: { totalBytes: 4 << 20, count: 50, repeats: 1 }, // not reported here: keep it short
      log: (t) => log(`  baseline: ${t}`),
    });
    const pick = (prefix) => {
      const r = base.find((x) => x.name.startsWith(prefix));
      if (!r) throw new Error(`the baseline has no row "${prefix}…"`);
      return r;
    };
    const pingAsync = pick('SAB round trip, server on Atomics.waitAsync');
    const pingBlocking = pick('SAB round trip, both workers');
    const message = pick('postMessage request');
    log('bare SAB copy');
    const copy = await page.evaluate(
      async ([totalBytes, runs]) => (await import('/bench/runtime-page/copy.js')).sabCopyThroughput({ totalBytes, runs }),
      [o.pipeMiB << 20, o.pipeRuns],
    );

    const notify = summarize(sc.notify.samples.map((ns) => ns / 1000));
    rows.push(row('syscall', 'null syscall round trip (web9_notify(0))', 'µs', notify, {
      // The kernel worker serves the doorbell on Atomics.waitAsync: that ping-pong is the bare
      // form of the same path.
      limit: { op: '<=', value: 1.5 * pingAsync.median, text: `≤ 1.5 × ${pingAsync.median.toFixed(2)} µs` },
      ratio: { 'SAB waitAsync': notify.median / pingAsync.median, 'SAB blocking': notify.median / pingBlocking.median },
    }));
    rows.push(row('syscall', '  web9_getpid (answered in the process, no round trip)', 'µs', summarize(sc.getpid.samples.map((ns) => ns / 1000)), { limit: null }));
    rows.push(row('syscall', '  bare SAB ping-pong, server on Atomics.waitAsync', 'µs', pingAsync, { limit: null, reference: true }));
    rows.push(row('syscall', '  bare SAB ping-pong, both in Atomics.wait', 'µs', pingBlocking, { limit: null, reference: true }));
    rows.push(row('syscall', '  postMessage request + Atomics.wait, JSON reply', 'µs', message, { limit: null, reference: true }));

    rows.push(row('pipe', `pipe, ${o.pipeMiB} MiB in 64 KiB writes, writer → reader process`, 'MB/s', summarize(pp.pipe.samples), {
      limit: { op: '>=', value: 1000, text: '≥ 1000 MB/s' },
      ratio: { 'bare SAB copy': summarize(pp.pipe.samples).median / copy.median },
    }));
    rows.push(row('pipe', `  bare SAB copy, worker → worker, ${o.pipeMiB} MiB in 64 KiB chunks`, 'MB/s', copy, { limit: null, reference: true }));
    return { browser: browser.context.browser()?.version() ?? 'unknown', rows };
  } finally {
    await browser?.close();
    await server.close();
  }
}

// The same guests under Node (tools/web9 --run): one tools/web9 process each.
function measureNode(o, log) {
  const web9 = path.join(repoRoot, 'tools/web9.mjs');
  const files = o.guests.flatMap((g) => ['--file', `${g.file}:/bin/${g.name}`]);
  const run = (argv) => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [web9, '--kernel', o.kernelDir, '--bin', o.wasiDir, '--no-home', ...files, '--run', ...argv], {
      encoding: 'utf8',
      timeout: 300000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const ms = performance.now() - t0;
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`tools/web9 --run ${argv.join(' ')}: exit ${r.status}: ${r.stderr}`);
    return { ms, out: parseGuestOutput(r.stdout) };
  };
  const rows = [];
  log('node: boot');
  const boots = [];
  for (let i = 0; i < o.warm; i++) boots.push(run(['/bin/true']).ms);
  rows.push(row('boot', 'tools/web9 --run /bin/true, whole process (node start, boot, run, exit)', 'ms', summarize(boots), { limit: null }));
  log('node: spawn');
  const sp = run(['/bin/b9spawn', String(o.spawns), '5']).out;
  rows.push(row('spawn', `spawn+wait /bin/true, median of ${o.spawns}`, 'ms', summarize(sp.spawn.samples.map((us) => us / 1000)), { limit: { op: '<=', value: 1, text: '≤ 1 ms' } }));
  log('node: system calls');
  const sc = run(['/bin/b9syscall', String(o.syscalls), String(o.batches)]).out;
  rows.push(row('syscall', 'null syscall round trip (web9_notify(0))', 'µs', summarize(sc.notify.samples.map((ns) => ns / 1000)), { limit: null }));
  rows.push(row('syscall', '  web9_getpid (no round trip)', 'µs', summarize(sc.getpid.samples.map((ns) => ns / 1000)), { limit: null }));
  log('node: pipe');
  const pp = run(['/bin/b9pipe', String(o.pipeMiB), '65536', String(o.pipeRuns)]).out;
  rows.push(row('pipe', `pipe, ${o.pipeMiB} MiB in 64 KiB writes`, 'MB/s', summarize(pp.pipe.samples), { limit: { op: '>=', value: 1000, text: '≥ 1000 MB/s' } }));
  return { node: process.version, rows };
}

// --- output ---

function fmt(v) {
  if (v === undefined || v === null || Number.isNaN(v)) return '';
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

function verdict(r) {
  if (!r.limit) return '';
  const ok = r.limit.op === '<=' ? r.median <= r.limit.value : r.median >= r.limit.value;
  return ok ? 'met' : 'MISSED';
}

export function markdownTable(rows) {
  const lines = ['| measure | median | p10 | p90 | unit | n | target | vs. bare | verdict |', '|---|--:|--:|--:|---|--:|---|---|---|'];
  for (const r of rows) {
    const ratio = r.ratio ? Object.entries(r.ratio).map(([k, v]) => `${v.toFixed(2)}× ${k}`).join(', ') : '';
    lines.push(`| ${r.name.replace(/^ {2}/, '↳ ')} | ${fmt(r.median)} | ${fmt(r.p10)} | ${fmt(r.p90)} | ${r.unit} | ${r.n} | ${r.limit?.text ?? (r.reference ? 'reference' : '')} | ${ratio} | ${verdict(r)} |`);
  }
  return lines.join('\n');
}

const usage = `usage: node bench/runtime.mjs [options]

Measures web9's runtime in headless Chromium and prints each figure beside its target and
beside the bare browser mechanism it is built on, measured in the same run:
  boot to the rc prompt, cold (fresh profile) and warm (reload)       target ≤ 200 ms warm
    against the boot floor: a reload of bench/runtime-page/floor.html, whose worker only
    fetches kernel.wasm and the image, compiles the kernel and opens an OPFS file
  spawn+wait of /bin/true from a guest (web9_spawn/web9_wait)         target ≤ 1 ms median
  a null system call round trip (web9_notify(0)) against the bare     target ≤ 1.5 × the
    SAB ping-pong between two workers and a postMessage request        ping-pong (waitAsync)
  pipe throughput between two processes, 64 KiB writes, against a     target ≥ 1 GB/s
    bare SharedArrayBuffer copy between two workers
and then the same guests under Node (tools/web9 --run). The guests (bench/guests/*.c) are
built with clang-14 into a temporary directory and put into a boot image of their own.

options:
  --json          print the results as JSON instead of a markdown table
  --quick         fewer samples (a smoke test, not a measurement)
  --no-node       skip the Node figures
  --cold N        cold boots (default 3), each in a fresh browser profile
  --warm N        warm boots (default 5), reloads of the same page
  --spawns N      timed spawns (default 200)
  --pipe-mib N    MiB through the pipe per run (default 256)
  --kernel DIR    kernel build (default $WEB9_KERNEL_BUILD, else \${WEB9_BUILD:-build}/emscripten)
  --bin DIR       guest build (default $WEB9_WASI_BUILD, else \${WEB9_BUILD:-build}/wasi)
  -h, --help      this text
`;

function parseArgs(args) {
  const o = { json: false, quick: false, node: true, kernelDir: defaultKernelDir(), wasiDir: defaultWasiDir() };
  const numbers = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = () => {
      if (i + 1 >= args.length) throw new Error(`${a} needs a value`);
      return args[++i];
    };
    const count = () => {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1) throw new Error(`${a} wants a positive integer`);
      return n;
    };
    if (a === '-h' || a === '--help') return { help: true };
    else if (a === '--json') o.json = true;
    else if (a === '--quick') o.quick = true;
    else if (a === '--no-node') o.node = false;
    else if (a === '--cold') numbers.cold = count();
    else if (a === '--warm') numbers.warm = count();
    else if (a === '--spawns') numbers.spawns = count();
    else if (a === '--pipe-mib') numbers.pipeMiB = count();
    else if (a === '--kernel') o.kernelDir = path.resolve(value());
    else if (a === '--bin') o.wasiDir = path.resolve(value());
    else throw new Error(`unknown argument ${a}`);
  }
  const defaults = o.quick
    ? { cold: 1, warm: 2, spawns: 50, pipeMiB: 32, pipeRuns: 1, syscalls: 1000, batches: 5 }
    : { cold: 3, warm: 5, spawns: 200, pipeMiB: 256, pipeRuns: 3, syscalls: 5000, batches: 20 };
  return { ...o, ...defaults, ...numbers };
}

async function main() {
  let o;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`bench: ${err.message}\n${usage}`);
    return 2;
  }
  if (o.help) {
    process.stdout.write(usage);
    return 0;
  }
  const missing = !fs.existsSync(path.join(o.kernelDir, 'kernel.mjs'))
    ? `no kernel build at ${o.kernelDir} (--kernel DIR)`
    : ['rc', 'true'].filter((n) => !fs.existsSync(path.join(o.wasiDir, `${n}.wasm`))).map((n) => `no ${n}.wasm in ${o.wasiDir} (--bin DIR)`)[0];
  if (missing) {
    process.stderr.write(`bench: ${missing}\n`);
    return 1;
  }
  const log = (t) => process.stderr.write(`bench: ${t}\n`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'web9-bench-'));
  try {
    log('building bench/guests');
    o.guests = buildGuests(tmp);
    // The page loads /build/bin/web9.img (and the compile figure /build/bin/rc.wasm).
    o.imageDir = path.join(tmp, 'bin');
    fs.mkdirSync(o.imageDir);
    const extra = o.guests.map((g) => ({ path: `/bin/${g.name}`, mode: 0o775, data: fs.readFileSync(g.file) }));
    fs.writeFileSync(path.join(o.imageDir, 'web9.img'), makeImage({ binDir: o.wasiDir, extra }));
    fs.copyFileSync(path.join(o.wasiDir, 'rc.wasm'), path.join(o.imageDir, 'rc.wasm'));

    const chromium = await measureBrowser(o, log);
    const node = o.node ? measureNode(o, log) : null;
    const cached =
      'Warm boots take everything but the page and /config.json from the HTTP cache without asking the server (the ' +
      'dev server serves them under a build-versioned /v/VERSION/ prefix as immutable; docs/runtime.md) and reuse ' +
      "V8's JavaScript code cache. No compiled WebAssembly survives a reload: kernel.wasm is instantiated from bytes " +
      '(compileStreaming was tried: Chromium 156 kept no code cache for it either) and guest modules are ' +
      'compiled from bytes the kernel reads out of the image, cached only in the kernel worker, which a reload ends.';
    const result = {
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, load: os.loadavg().map((x) => Number(x.toFixed(2))) },
      kernelDir: o.kernelDir,
      wasiDir: o.wasiDir,
      chromium,
      node,
      cached,
    };
    if (o.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      const phases = (kind) => {
        const p = chromium.rows.find((r) => r.name.startsWith(`boot to rc prompt, ${kind}`)).phases;
        return `${kind}: DOMContentLoaded ${fmt(p.domContentLoaded)}, kernel worker started ${fmt(p.kernelWorkerStarted)}, ` +
          `first program (rc) started ${fmt(p.firstProgramStarted)}, prompt ${fmt(p.prompt)}`;
      };
      const out = [
        `## web9 runtime — Chromium ${chromium.browser}, ${os.cpus().length} CPUs, load ${result.machine.load.join(' ')}`,
        '',
        markdownTable(chromium.rows),
        '',
        `Boot phases (median ms from navigation start) — ${phases('cold')}; ${phases('warm')}.`,
        `What is cached on a warm boot: ${cached}`,
      ];
      if (node) out.push('', `## the same under Node ${node.node} (tools/web9 --run)`, '', markdownTable(node.rows));
      process.stdout.write(`${out.join('\n')}\n`);
    }
    return 0;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`bench: ${err.stack ?? err}\n`);
      process.exit(1);
    },
  );
}
