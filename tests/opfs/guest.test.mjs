// The home on OPFS as programs see it, in Chromium: through the real page, the kernel's StoreFs
// and JsStore and OpfsStore (docs/opfs.md). A program (bench/guests/b9file.c, built here with
// clang-14 and put into the boot image as /bin/b9file) writes a large file into $home in 64 KiB
// writes and, after a reload, reads it back checking every byte, while every worker's memory is
// watched over the DevTools protocol (tests/opfs/heap.mjs): neither the kernel worker nor the
// process may hold the file. Then a directory of 10,000 entries is made, listed and stat'ed
// with ls -l.
//
//   node --test tests/opfs/guest.test.mjs             1 GiB; 10,000 entries, 200 of them files
//   WEB9_BIG=1 ...                                    10,000 files (several minutes more)
//   WEB9_BIG_MIB=256 ...                              a smaller large file
//
// Build dirs as tests/runtime/home.test.mjs takes them (WEB9_KERNEL_BUILD, WEB9_WASI_BUILD,
// WEB9_BUILD).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBrowser, waitForState, terminalLines, waitForTerminal } from '../web/browser.mjs';
import { makeImage } from '../../tools/mkimage.mjs';
import { buildGuest } from '../../bench/runtime.mjs';
import { watchHeaps } from './heap.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const buildRoot = path.resolve(root, process.env.WEB9_BUILD ?? 'build');
const kernelDir = path.resolve(process.env.WEB9_KERNEL_BUILD ?? path.join(buildRoot, 'emscripten'));
const wasiDir = path.resolve(process.env.WEB9_WASI_BUILD ?? path.join(buildRoot, 'wasi'));
const programs = ['rc', 'ls', 'wc', 'sed', 'rm', 'cat'];
const MiB = 1 << 20;
const bigSize = (Number(process.env.WEB9_BIG_MIB) || 1024) * MiB;
// What a worker may hold while the file goes through: the kernel's wasm memory starts at 32 MiB.
const bound = 64 * MiB;

let tmp = null;
process.on('exit', () => tmp && fs.rmSync(tmp, { recursive: true, force: true }));
function why() {
  if (!fs.existsSync(path.join(kernelDir, 'kernel.mjs'))) return `no kernel build at ${kernelDir}`;
  const missing = programs.filter((n) => !fs.existsSync(path.join(wasiDir, `${n}.wasm`)));
  if (missing.length) return `not built in ${wasiDir}: ${missing.join(' ')}`;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'web9-opfs-guest-'));
  for (const [name, src] of [['b9file', 'bench/guests/b9file.c'], ['readahead', 'tests/runtime/fixtures/readahead.c']]) {
    const r = buildGuest(path.join(root, src), path.join(tmp, `${name}.wasm`));
    if (!r.file) return `clang-14 cannot build ${src}: ${r.why}`;
  }
  return false;
}
const skip = why();

let b;

before(async () => {
  if (skip) return;
  const binDir = path.join(tmp, 'bin');
  fs.mkdirSync(binDir);
  const extra = ['b9file', 'readahead'].map((n) => ({ path: `/bin/${n}`, mode: 0o775, data: fs.readFileSync(path.join(tmp, `${n}.wasm`)) }));
  fs.writeFileSync(path.join(binDir, 'web9.img'), makeImage({ binDir: wasiDir, extra }));
  b = await openBrowser({ server: { webDir: path.join(root, 'web'), kernelDir, binDir } });
});

after(async () => {
  await b?.close();
});

const atPrompt = (lines) => lines.at(-1)?.trimEnd() === '%';

async function boot() {
  await b.page.goto(b.url);
  assert.equal(await waitForState(b.page, ['ready', 'failed', 'unsupported'], 30000), 'ready');
  await b.page.locator('.xterm-helper-textarea').focus();
  const lines = await waitForTerminal(b.page, atPrompt, 30000);
  assert.ok(!lines.some((l) => /read-only|in memory/.test(l)), lines.join('\n'));
}

// Types a command line and answers the lines printed before the next prompt.
async function type(command, timeout = 20000) {
  await b.page.evaluate(() => globalThis.web9.console.term.clear());
  const before = (await terminalLines(b.page)).length;
  await b.page.keyboard.type(command);
  await b.page.keyboard.press('Enter');
  const lines = await waitForTerminal(b.page, (l) => l.length > before && atPrompt(l), timeout, `${command} did not finish`);
  const start = lines.findIndex((l, i) => i >= before - 1 && l.startsWith('%') && l.includes(command));
  assert.ok(start >= 0, `the command line "${command}" is not on the terminal:\n${lines.join('\n')}`);
  return lines.slice(start + 1, -1).map((l) => l.trimEnd());
}

// b9file's "sum SUM BYTES BAD" and "mem KIB" lines.
function parse(lines) {
  const sum = lines.map((l) => /^sum ([0-9a-f]{16}) (\d+) (\d+)$/.exec(l)).find(Boolean);
  const mem = lines.map((l) => /^mem (\d+)$/.exec(l)).find(Boolean);
  assert.ok(sum && mem, lines.join('\n'));
  return { sum: sum[1], bytes: Number(sum[2]), bad: Number(sum[3]), memKiB: Number(mem[1]) };
}

// The most any worker of the page held, in bytes: its JS heap, its ArrayBuffers and (the
// kernel's) its wasm memory.
function peakOf(heaps) {
  const peaks = heaps.peaks();
  assert.ok(peaks.some((p) => /kernel\/worker\.js/.test(p.url) && p.wasm > 0), `the kernel worker was never seen: ${JSON.stringify(peaks)}`);
  return Math.max(...peaks.map((p) => p.used + p.backing + p.wasm));
}

// Runs fn with every worker of the page watched; answers fn's value and the most a worker held.
// Started on a booted page: DevTools attaches to the workers already there, and to those they
// start (a navigation may move the page to a new renderer, so each boot gets its own watch).
async function watched(fn) {
  const heaps = await watchHeaps(b.context, b.page);
  try {
    const value = await fn();
    return [value, peakOf(heaps)];
  } finally {
    await heaps.stop();
  }
}

test(`a ${bigSize / MiB} MiB file is written into $home and read back after a reload, streamed`, { skip, timeout: 900000 }, async () => {
  const seed = Math.floor(Math.random() * 2 ** 31);
  try {
    await boot();
    const [wrote, writePeak] = await watched(async () => parse(await type(`b9file write big ${bigSize} ${seed}`, 600000)));
    assert.deepEqual([wrote.bytes, wrote.bad], [bigSize, 0]);
    // A reload: the file is read from OPFS by a new kernel.
    await boot();
    assert.deepEqual(await type('ls -l big').then((l) => l[0]?.split(/\s+/)[5]), String(bigSize));
    const [read, readPeak] = await watched(async () => parse(await type(`b9file read big ${seed}`, 600000)));
    console.log(`${bigSize / MiB} MiB: the most a worker held: ${(writePeak / MiB).toFixed(1)} MiB writing, ${(readPeak / MiB).toFixed(1)} MiB reading; the process's memory ${read.memKiB} KiB`);
    assert.deepEqual([read.bytes, read.bad, read.sum], [bigSize, 0, wrote.sum], 'every byte read back is the byte written');
    // Bounded: no worker held more than the kernel's memory and a little.
    assert.ok(writePeak < bound && readPeak < bound, `a worker held ${writePeak} / ${readPeak} bytes`);
    assert.ok(wrote.memKiB < 4096 && read.memKiB < 4096, `the process grew to ${wrote.memKiB} / ${read.memKiB} KiB`);
  } finally {
    await type('rm -f big').catch(() => {});
  }
  assert.ok(!(await type('ls')).includes('big'));
});

// Taking a read over (docs/runtime.md): in Chromium a program that reads a home file in large
// sequential pieces opens the file's OPFS data itself and reads it with its own handle. What it
// reads is what any read through the kernel would: after a seek, a write or large writes through
// another fd, a truncation, a removal, and for the next program that reads on from the same fd.
// The kernel worker counts the rings taken over; a removed file's data goes once its reader
// closed it (the OPFS data directory is listed from the page).
test('a program takes large reads of home files over and reads exactly what the kernel would', { skip, timeout: 180000 }, async () => {
  const dataFiles = () =>
    b.page.evaluate(async () => {
      const data = await (await (await navigator.storage.getDirectory()).getDirectoryHandle('home')).getDirectoryHandle('data');
      const names = [];
      for await (const name of data.keys()) names.push(name);
      return names.sort();
    });
  await boot();
  await type('rm -f ra gone p1 p2 >[2]/dev/null; echo');
  const heaps = await watchHeaps(b.context, b.page);
  try {
    // The count of the page's kernel worker: the newest one (DevTools may still list an earlier
    // page's for a moment).
    const takenOver = async () => {
      const all = await heaps.evaluate('kernel/worker.js', 'globalThis.web9Kernel ? [performance.timeOrigin, globalThis.web9Kernel.takenOver()] : null');
      return all.filter(Boolean).sort((x, y) => y[0] - x[0])[0]?.[1];
    };
    await new Promise((r) => setTimeout(r, 500)); // DevTools attaches to the kernel worker
    const before = await takenOver();
    assert.equal(typeof before, 'number', 'the kernel worker answers over DevTools');
    const files = await dataFiles();
    // 32 MiB files: a read is taken over only where 16 MiB or more are left to read.
    assert.deepEqual(await type('readahead $home/ra 512', 60000), ['ok']);
    const afterOne = await takenOver();
    assert.ok(afterOne > before, `no read was taken over (${before} → ${afterOne})`);
    assert.deepEqual(await type('readahead unlink $home/gone 512', 60000), ['ok']);
    assert.deepEqual(await type('{readahead part 3 > p1; cat > p2} < ra; cat p1 p2 | cmp - ra && echo handed on', 60000), ['handed on']);
    const afterAll = await takenOver();
    assert.ok(afterAll > afterOne, `the reads of the pipeline were not taken over (${afterOne} → ${afterAll})`);
    await type('rm ra p1 p2');
    // Every data file made here is gone again, gone's too.
    const deadline = Date.now() + 10000;
    let now = await dataFiles();
    while (now.length > files.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      now = await dataFiles();
    }
    assert.deepEqual(now, files);
  } finally {
    await heaps.stop();
  }
});

// An empty file is opened with no OPFS call (OpfsStore.openFileSync): its data file is made by
// the first write, which the kernel then answers later (JsStore::when_ready).
test('files a program makes in $home, empty or written, appended and read back after a reload', { skip, timeout: 120000 }, async () => {
  await boot();
  await type('rm -f lz1 lz2 lz3 >[2]/dev/null; echo');
  await type('>lz1; echo hello >lz2; >lz3; echo more >>lz3; echo again >>lz3');
  assert.deepEqual(await type('cat lz2 lz3'), ['hello', 'more', 'again']);
  await boot();
  assert.deepEqual(await type('cat lz1 lz2 lz3'), ['hello', 'more', 'again']);
  assert.deepEqual(await type('ls -l lz1 lz2 lz3').then((l) => l.map((x) => x.split(/\s+/)[5])), ['0', '6', '11']);
  await type('rm lz1 lz2 lz3');
});

// Making a file through the kernel costs its OPFS data file (about 20 ms each here), so by
// default one entry in 50 is a file and the rest are empty directories: ls -l lists and stats
// 10,000 entries either way. WEB9_BIG=1 makes all 10,000 files.
test('a directory of 10,000 entries in $home is listed and stat\'ed by ls -l', { skip, timeout: 600000 }, async () => {
  const count = 10000;
  const every = process.env.WEB9_BIG ? 1 : 50;
  await boot();
  await type('rm -r many >[2]/dev/null; echo');
  const made = await type(`b9file mkfiles many ${count} ${every}`, 500000);
  assert.ok(made.some((l) => /^bench mkfiles ms /.test(l)), made.join('\n'));
  await boot(); // from OPFS again
  assert.deepEqual(await type('ls -l many | wc -l', 120000).then((l) => l.map((x) => x.trim())), [String(count)]);
  // Every entry is there, with its kind and length: file i holds i in decimal.
  const lines = await type("ls -l many | sed -n '1p;5001p;$p'", 120000);
  assert.equal(lines.length, 3, lines.join('\n'));
  const want = [0, 5000, count - 1].map((i) => {
    const file = i % every === 0;
    return [`many/f${String(i).padStart(5, '0')}`, file ? '-' : 'd', file ? String(String(i).length) : '0'];
  });
  assert.deepEqual(lines.map((l) => l.split(/\s+/)).map((f) => [f.at(-1), f[0][0], f[5]]), want);
  assert.deepEqual(await type('cat many/f00000 many/f05000; echo'), ['05000']);
  assert.ok(!(await type('rm -r many; ls')).includes('many'));
});
