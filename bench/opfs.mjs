#!/usr/bin/env node
// OpfsStore (web/kernel/opfs.js) and a program going through web9's system calls against bare
// OPFS sync access handles, in one run of headless Chromium: 64 MiB sequential write and read,
// and create/stat/remove of 1,000 small files; then ls -l over a directory of 10,000 files.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { openBenchPage } from './baseline.mjs';
import { buildGuest, defaultKernelDir, defaultWasiDir, pageHook, parseGuestOutput, runInPage } from './runtime.mjs';
import { makeImage } from '../tools/mkimage.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

const usage = `usage: node bench/opfs.mjs [--quick] [--json] [--mib N] [--count N] [--ls N] [--repeat N] [--no-guest]

Measures in headless Chromium, in one run, the same work on bare OPFS (in a dedicated worker),
through OpfsStore (web/kernel/opfs.js, the home directory's store, in that worker), and by a
program in web9 (bench/guests/b9file.c) through the kernel's system calls into $home:
  sequential write (with the final flush or fsync) and read of N MiB in 64 KiB chunks,
  the read also bare across two threads (one worker reads the handle into a shared ring,
  another copies out of it into its WebAssembly memory: what any kernel-worker design must do),
  create, stat and remove of COUNT empty files,
  create + write 1 byte + flush + close of COUNT files (bare and OpfsStore only),
and then the time of ls -l (its output to /dev/null) over a directory of LS files in $home.
Bare small files use the async OPFS API (getFileHandle, getFile, removeEntry); OpfsStore's
create/stat/remove are journal records and need no OPFS call until a file is opened.
Ratios are bare time over the other's time: a share of bare speed (above 1: faster than bare).
The program's figures are timed inside it (clock_gettime), without its start-up.

  --quick     4 MiB, 100 files and ls over 1,000 (a smoke test, not a measurement)
  --json      print the figures as JSON
  --mib N     size of the sequential file (default 64)
  --count N   number of small files (default 1000)
  --ls N      files for ls -l (default 10000; making them takes about 20 ms each)
  --repeat N  runs of the sequential and bare/OpfsStore work, the median shown (default 3)
  --no-guest  bare and OpfsStore only (no kernel build needed)
`;

export async function measureOpfs(page, { totalBytes, count, log = () => {} }) {
  await page.exposeFunction('__opfsBenchProgress', (t) => log(t)).catch(() => {});
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'yes');
  return page.evaluate((o) => runOpfsBench(o), { totalBytes, count });
}

// Rows {name, unit, bare, store, guest, storeShare, guestShare} from the times in ms (g: the
// program's, or null); a share is bare time over the other's time.
export function opfsRows(r, g = null) {
  const mb = r.totalBytes / 1e6;
  const rows = [];
  const add = (name, unit, work, bareMs, storeMs, guestMs) =>
    rows.push({
      name,
      unit,
      bare: bareMs == null ? null : work / (bareMs / 1000),
      store: storeMs == null ? null : work / (storeMs / 1000),
      guest: guestMs == null ? null : work / (guestMs / 1000),
      storeShare: bareMs == null || storeMs == null ? null : bareMs / storeMs,
      guestShare: bareMs == null || guestMs == null ? null : bareMs / guestMs,
    });
  add(`write ${r.totalBytes >> 20} MiB sequential`, 'MB/s', mb, r.bareSeq.write, r.storeSeq.write, g?.write);
  add(`read ${r.totalBytes >> 20} MiB sequential`, 'MB/s', mb, r.bareSeq.read, r.storeSeq.read, g?.read);
  if (r.bareTwo) add(`  bare across two threads (sah → ring → memory)`, 'MB/s', mb, r.bareTwo.read, null, g?.read);
  add(`create ${r.count} files`, 'ops/s', r.count, r.bareSmall.create, r.storeSmall.create, g?.create);
  add(`stat ${r.count} files`, 'ops/s', r.count, r.bareSmall.stat, r.storeSmall.stat, g?.stat);
  add(`remove ${r.count} files`, 'ops/s', r.count, r.bareSmall.remove, r.storeSmall.remove, g?.remove);
  add(`create+write+flush ${r.count} files`, 'ops/s', r.count, r.bareSmall.written, r.storeSmall.written, null);
  if (g?.ls != null) rows.push({ name: `ls -l over ${g.lsCount} files`, unit: 'ms', bare: null, store: null, guest: g.ls, storeShare: null, guestShare: null });
  return rows;
}

function fmt(v) {
  if (v >= 1000) return Math.round(v).toLocaleString('en-US');
  if (v >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

export function formatOpfsTable(rows, title) {
  const header = ['measure', 'bare', 'OpfsStore', 'web9 program', 'unit', 'store/bare', 'program/bare'];
  const num = (v) => (v == null ? '-' : fmt(v));
  const share = (v) => (v == null ? '-' : `${Math.round(v * 100)}%`);
  const cells = rows.map((r) =>
    r.unit === 'ms'
      ? [r.name, '-', '-', fmt(r.guest), r.unit, '-', '-']
      : [r.name, num(r.bare), num(r.store), num(r.guest), r.unit, share(r.storeShare), share(r.guestShare)],
  );
  const w = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) => c.map((v, i) => (i === 0 || i === 4 ? v.padEnd(w[i]) : v.padStart(w[i]))).join('  ').trimEnd();
  return [title, line(header), w.map((n) => '-'.repeat(n)).join('  '), ...cells.map(line)].join('\n');
}

// The same work by bench/guests/b9file.c through web9's system calls, each run the page's first
// program (?init=) with the home on OPFS. Answers ms: {write, read, create, stat, remove, ls}.
export async function measureGuest(page, url, { totalBytes, count, lsCount, repeats = 1, log = () => {} }) {
  const run = async (argv) => {
    log(argv.join(' '));
    return runInPage(page, url, argv, 600000);
  };
  const one = (out, name) => {
    if (!out[name]) throw new Error(`b9file printed no ${name}`);
    return out[name].samples[0];
  };
  await page.addInitScript(pageHook);
  const seqs = [];
  // Each file is removed before the next run, as the bare runs remove theirs: OPFS writes that
  // extend a file slow down as the origin fills, so keeping them would bias later runs.
  for (let i = 0; i < repeats; i++) {
    seqs.push(await run(['/bin/b9file', 'plain', `b9seq${i}.dat`, String(totalBytes)]));
    await run(['/bin/rm', `b9seq${i}.dat`]);
  }
  const small = await run(['/bin/b9file', 'small', 'b9small', String(count)]);
  await run(['/bin/b9file', 'mkfiles', 'b9many', String(lsCount)]);
  // ls once to warm what it touches (the compiled ls), then the timed run.
  await run(['/bin/b9file', 'time', '/bin/ls', '-l', 'b9many']);
  const ls = await run(['/bin/b9file', 'time', '/bin/ls', '-l', 'b9many']);
  await run(['/bin/rm', '-r', 'b9many', 'b9small']);
  return {
    write: median(seqs.map((o) => one(o, 'seq-write'))),
    read: median(seqs.map((o) => one(o, 'seq-read'))),
    create: one(small, 'small-create'),
    stat: one(small, 'small-stat'),
    remove: one(small, 'small-remove'),
    ls: one(ls, 'time'),
    lsCount,
  };
}

function median(v) {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

// The median of each figure over several runs of measureOpfs.
function medianRuns(runs) {
  const out = structuredClone(runs[0]);
  for (const k of ['bareSeq', 'bareTwo', 'storeSeq', 'bareSmall', 'storeSmall'])
    for (const f of Object.keys(out[k] ?? {})) if (typeof out[k][f] === 'number') out[k][f] = median(runs.map((r) => r[k][f]));
  return out;
}

// A boot image with bench/guests/b9file.c in it as /bin/b9file, in a new temporary directory.
function guestImage(wasiDir) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'web9-bench-opfs-'));
  const r = buildGuest(path.join(here, 'guests/b9file.c'), path.join(tmp, 'b9file.wasm'));
  if (!r.file) throw new Error(`cannot build bench/guests/b9file.c: ${r.why}`);
  const binDir = path.join(tmp, 'bin');
  fs.mkdirSync(binDir);
  const extra = [{ path: '/bin/b9file', mode: 0o775, data: fs.readFileSync(r.file) }];
  fs.writeFileSync(path.join(binDir, 'web9.img'), makeImage({ binDir: wasiDir, extra }));
  return { tmp, binDir };
}

async function main() {
  const args = process.argv.slice(2);
  if (args.includes('-h') || args.includes('--help')) return process.stdout.write(usage);
  const flag = (name, fallback) => {
    const i = args.indexOf(name);
    return i < 0 ? fallback : Number(args[i + 1]);
  };
  const quick = args.includes('--quick');
  const totalBytes = flag('--mib', quick ? 4 : 64) << 20;
  const count = flag('--count', quick ? 100 : 1000);
  const lsCount = flag('--ls', quick ? 1000 : 10000);
  const guest = !args.includes('--no-guest');
  const repeats = flag('--repeat', quick ? 1 : 3);
  const log = (t) => process.stderr.write(`bench: ${t}\n`);
  let image = null;
  const server = {};
  if (guest) {
    const kernelDir = defaultKernelDir();
    if (!fs.existsSync(path.join(kernelDir, 'kernel.mjs'))) throw new Error(`no kernel build at ${kernelDir} (or pass --no-guest)`);
    image = guestImage(defaultWasiDir());
    Object.assign(server, { webDir: path.resolve(here, '../web'), kernelDir, binDir: image.binDir });
  }
  const bench = await openBenchPage({ path: '/bench/opfs-page/', server });
  try {
    const runs = [];
    for (let i = 0; i < repeats; i++) runs.push(await measureOpfs(bench.page, { totalBytes, count, log }));
    const r = medianRuns(runs);
    const g = guest ? await measureGuest(bench.page, bench.url, { totalBytes, count, lsCount, repeats, log }) : null;
    const rows = opfsRows(r, g);
    if (args.includes('--json')) process.stdout.write(`${JSON.stringify({ browser: bench.browserVersion, rows }, null, 2)}\n`);
    else process.stdout.write(`${formatOpfsTable(rows, `web9 OPFS: bare, OpfsStore, a program through the kernel — Chromium ${bench.browserVersion}`)}\n`);
  } finally {
    await bench.close();
    if (image) fs.rmSync(image.tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((err) => {
    process.stderr.write(`bench: ${err.stack ?? err}\n`);
    process.exit(1);
  });
}
