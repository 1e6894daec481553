// Pipe rings (web/runtime/ring.js, docs/runtime.md "Pipe rings"): the record format, the
// flags, the kernel's retire, a producer and a consumer in two threads; then end to end under
// tools/web9, where pipes between processes use them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  Rings, decodeRingInfo, ARENA_SIZE, RING_DATA, RING_RECORD, RING_SLOTS, ALL_RING_SLOTS, FILE_RING_DATA, ringSize, EOF, BROKEN, WATCH, FULL, EMPTY, BUSY, KERNEL, WLOCK,
} from '../../web/runtime/ring.js';
import { buildGuest } from '../../bench/runtime.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

const fresh = () => {
  const r = new Rings(new SharedArrayBuffer(ARENA_SIZE));
  const gen = r.reset(3);
  return { r, gen };
};
const bytes = (n, fill) => new Uint8Array(n).fill(fill);

test('records keep write boundaries; a short read leaves the rest of its record', () => {
  const { r, gen } = fresh();
  assert.equal(r.push(3, gen, 7, [bytes(5, 1)], 5), 5);
  assert.equal(r.push(3, gen, 7, [bytes(2, 2), bytes(1, 3)], 3), 3);
  assert.equal(r.queued(3), 8);
  const buf = new Uint8Array(100);
  assert.equal(r.take(3, gen, 8, [buf.subarray(0, 3)]), 3);
  assert.equal(r.queued(3), 5);
  assert.equal(r.take(3, gen, 8, [buf]), 2, 'the rest of the first write only');
  assert.deepEqual([...buf.subarray(0, 2)], [1, 1]);
  // Two destinations are filled in turn (readv).
  const d1 = new Uint8Array(2);
  const d2 = new Uint8Array(5);
  assert.equal(r.take(3, gen, 8, [d1, d2]), 3);
  assert.deepEqual([...d1, ...d2.subarray(0, 1)], [2, 2, 3]);
  assert.equal(r.take(3, gen, 8, [buf]), EMPTY);
});

for (const slot of [3, RING_SLOTS + 1]) {
  test(`records wrap around the end of the ring and a full ring says FULL (slot ${slot}, ${ringSize(slot) >> 20} MiB)`, () => {
    const r = new Rings(new SharedArrayBuffer(ARENA_SIZE));
    const gen = r.reset(slot);
    const rec = RING_RECORD;
    let pushed = 0;
    while (r.push(slot, gen, 7, [bytes(rec, pushed & 0xff)], rec) === rec) pushed++;
    assert.equal(pushed, Math.floor(ringSize(slot) / (rec + 4)));
    assert.equal(r.push(slot, gen, 7, [bytes(rec, 0)], rec), FULL);
    const buf = new Uint8Array(rec);
    // Round after round, so records straddle the end of the data area.
    for (let i = 0; i < 3 * pushed; i++) {
      assert.equal(r.take(slot, gen, 8, [buf]), rec);
      assert.equal(buf[0], i & 0xff);
      assert.equal(buf[rec - 1], i & 0xff);
      assert.equal(r.push(slot, gen, 7, [bytes(rec, (pushed + i) & 0xff)], rec), rec);
    }
  });
}

test('the file-sized rings follow the pipe-sized ones, each whole inside the arena and apart', () => {
  assert.equal(ringSize(0), RING_DATA);
  assert.equal(ringSize(RING_SLOTS), FILE_RING_DATA);
  const r = new Rings(new SharedArrayBuffer(ARENA_SIZE));
  let end = 0;
  for (let s = 0; s < ALL_RING_SLOTS; s++) {
    assert.equal(r.word(s, 0) * 4, end, `slot ${s} starts where the one before ended`);
    assert.ok(r.data(s) > r.word(s, 15) * 4, 'the data after the header words');
    end = r.data(s) + ringSize(s);
  }
  assert.equal(end, ARENA_SIZE);
  // A full large ring leaves its neighbours alone.
  const g = r.reset(RING_SLOTS);
  const n = r.reset(RING_SLOTS + 1);
  while (r.push(RING_SLOTS, g, 7, [bytes(RING_RECORD, 0xee)], RING_RECORD) > 0);
  assert.equal(r.take(RING_SLOTS + 1, n, 8, [new Uint8Array(4)]), EMPTY);
  assert.equal(r.queued(RING_SLOTS + 1), 0);
});

test('end of file, a broken pipe, a retired ring and a stale generation', () => {
  const { r, gen } = fresh();
  r.push(3, gen, 7, [bytes(4, 9)], 4);
  r.setFlag(3, EOF);
  const buf = new Uint8Array(10);
  assert.equal(r.take(3, gen, 8, [buf]), 4, 'what was written before the end is read first');
  assert.equal(r.take(3, gen, 8, [buf]), 0, 'then end of file');
  r.setFlag(3, BROKEN);
  assert.equal(r.push(3, gen, 7, [bytes(1, 1)], 1), KERNEL, 'a write to a broken pipe goes to the kernel');

  const b = fresh();
  assert.equal(b.r.push(3, b.gen + 1, 7, [bytes(1, 1)], 1), KERNEL, 'another generation');
  b.r.push(3, b.gen, 7, [bytes(6, 1)], 6);
  b.r.push(3, b.gen, 7, [bytes(2, 2)], 2);
  b.r.take(3, b.gen, 8, [new Uint8Array(4)]);
  const records = b.r.retire(3);
  assert.deepEqual(records.map((x) => [...x]), [[1, 1], [2, 2]], 'the unread rest, oldest first');
  assert.equal(b.r.push(3, b.gen, 7, [bytes(1, 1)], 1), KERNEL);
  assert.equal(b.r.take(3, b.gen, 8, [buf]), KERNEL);
  assert.notEqual(b.r.reset(3), b.gen, 'given out again, with a new generation');
});

test('a lock held elsewhere answers BUSY; the locks of an ended process are released', () => {
  const { r, gen } = fresh();
  assert.equal(r.lock(3, WLOCK, 42), true);
  assert.equal(r.push(3, gen, 7, [bytes(1, 1)], 1), BUSY);
  r.releaseLocks(42);
  assert.equal(r.push(3, gen, 7, [bytes(1, 1)], 1), 1);
});

test('the kernel is rung only while it watches the ring', () => {
  const { r } = fresh();
  assert.equal(r.bump(3), false);
  r.watch(3, true);
  assert.equal(r.bump(3), true);
  const seq = r.seq(3);
  assert.equal(r.changed(3, r.load(3, 0), seq), false);
  r.bump(3);
  assert.equal(r.changed(3, r.load(3, 0), seq >>> 0), true, 'seq may come back unsigned');
  r.watch(3, false);
  assert.equal(r.bump(3), false);
});

test('ring info from the kernel decodes to slots and generations', () => {
  assert.equal(decodeRingInfo(0), null);
  assert.equal(decodeRingInfo(0n), null);
  const info = (5 + 1) + (9 + 1) * 0x100 + 77 * 0x10000 + 65535 * 0x100000000;
  assert.deepEqual(decodeRingInfo(BigInt(info)), { r: { slot: 5, gen: 77 }, w: { slot: 9, gen: 65535 } });
  assert.deepEqual(decodeRingInfo(1 + 3 * 0x10000), { r: { slot: 0, gen: 3 }, w: null });
});

test('a producer thread and a consumer thread move 32 MiB through a ring, every byte in order', async () => {
  const { r, gen } = fresh();
  const total = 32 << 20;
  const worker = new Worker(
    `
    const { workerData } = require('node:worker_threads');
    import(workerData.ring).then(({ Rings, RING_RECORD, FULL, BUSY }) => {
      const r = new Rings(workerData.sab);
      let seed = 1, at = 0;
      const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0);
      const buf = new Uint8Array(RING_RECORD);
      while (at < workerData.total) {
        const n = Math.min(1 + (rand() % RING_RECORD), workerData.total - at);
        for (let i = 0; i < n; i++) buf[i] = (at + i) % 251;
        for (;;) {
          const seq = r.seq(3);
          const k = r.push(3, workerData.gen, 7, [buf.subarray(0, n)], n);
          if (k === n) break;
          if (k !== FULL && k !== BUSY) throw new Error('push: ' + k);
          r.wait(3, seq, 50);
        }
        r.bump(3);
        at += n;
      }
      r.setFlag(3, 1);
    });`,
    { eval: true, workerData: { sab: r.sab, gen, total, ring: new URL('../../web/runtime/ring.js', import.meta.url).href } },
  );
  const failed = new Promise((_, reject) => worker.on('error', reject));
  let got = 0;
  let seed = 7;
  const buf = new Uint8Array(100000);
  const reading = (async () => {
    for (;;) {
      const want = 1 + ((seed = (seed * 69069 + 1) >>> 0) % buf.length);
      const seq = r.seq(3);
      const k = r.take(3, gen, 8, [buf.subarray(0, want)]);
      if (k === 0) break;
      if (k < 0) {
        r.wait(3, seq, 1);
        await null;
        continue;
      }
      assert.ok(k <= RING_RECORD && k <= want);
      for (let i = 0; i < k; i++) if (buf[i] !== (got + i) % 251) assert.fail(`byte ${got + i} is ${buf[i]}`);
      got += k;
      r.bump(3);
    }
  })();
  await Promise.race([reading, failed]);
  assert.equal(got, total);
  await worker.terminate();
});

// --- end to end under tools/web9 ---

const buildRoot = path.resolve(root, process.env.WEB9_BUILD ?? 'build');
const kernelDir = path.resolve(process.env.WEB9_KERNEL_BUILD ?? path.join(buildRoot, 'emscripten'));
const binDir = path.resolve(process.env.WEB9_WASI_BUILD ?? path.join(buildRoot, 'wasi'));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'web9-ring-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

function built(...names) {
  if (!fs.existsSync(path.join(kernelDir, 'kernel.mjs'))) return `no kernel build at ${kernelDir}`;
  const missing = names.filter((n) => !fs.existsSync(path.join(binDir, `${n}.wasm`)));
  if (missing.length) return `not built in ${binDir}: ${missing.join(' ')}`;
  const guests = [
    ['pipering', path.join(here, 'fixtures/pipering.c')],
    ['readahead', path.join(here, 'fixtures/readahead.c')],
    ['renumber', path.join(here, 'fixtures/renumber.c')],
    ['b9pipe', path.join(root, 'bench/guests/b9pipe.c')],
    ['b9file', path.join(root, 'bench/guests/b9file.c')],
  ];
  for (const [name, src] of guests) {
    const r = buildGuest(src, path.join(tmp, `${name}.wasm`));
    if (!r.file) return `clang-14 cannot build ${src}: ${r.why}`;
  }
  return false;
}
const skip = built('rc', 'seq', 'sed', 'wc', 'cat', 'cmp', 'sleep', 'ps', 'grep', 'kill');

function web9(args, { home = null, timeout = 30000 } = {}) {
  const files = ['pipering', 'readahead', 'renumber', 'b9pipe', 'b9file'].flatMap((n) => ['--file', `${path.join(tmp, `${n}.wasm`)}:/bin/${n}`]);
  const where = home ? ['--home', home] : ['--no-home'];
  const r = spawnSync(path.join(root, 'tools/web9'), ['--kernel', kernelDir, '--bin', binDir, ...where, ...files, ...args], {
    encoding: 'utf8',
    timeout,
  });
  if (r.error) throw r.error;
  return r;
}

test('bytes a process wrote into a ring stay whole and in order when the kernel takes the pipe over', { skip }, () => {
  const r = web9(['--run', '/bin/pipering']);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'ok\n');
  assert.equal(r.status, 0);
});

test('64 MiB between two processes, in writes larger and smaller than a ring record, arrive whole', { skip }, () => {
  // b9pipe checks every chunk's index and the total; 200000-byte writes are four records each.
  for (const chunk of ['200000', '65536', '1000']) {
    const r = web9(['--run', '/bin/b9pipe', chunk === '1000' ? '4' : '64', chunk, '1']);
    assert.equal(r.status, 0, `${chunk}: ${r.stderr}`);
    assert.match(r.stdout, /^bench pipe MB\/s [\d.]+$/m);
  }
});

test('a pipeline of rc commands keeps every byte; a reader that stops early ends the writer', { skip }, () => {
  const r = web9(['-c', 'seq 1 300000 > /tmp/a; cat /tmp/a | cat | cat | cmp /tmp/a - && echo same; seq 1 300000 | wc -l; seq 1 100000000 | sed 2q; echo end']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n').map((l) => l.trim()), ['same', '300000', '1', '2', 'end']);
});

test('a note reaches a writer waiting on a full ring', { skip }, () => {
  // seq fills the ring that sleep never reads and waits; kill's note ends it well before sleep.
  const script = 'seq 1 100000000 | sleep 20 &\nsleep 1\nps | grep -c seq\nkill seq | rc\nsleep 1\nps | grep -c seq\nkill sleep | rc\n';
  const t0 = performance.now();
  const r = web9(['-c', script]);
  assert.deepEqual(r.stdout.trim().split('\n').slice(0, 2).map((l) => l.trim()), ['1', '0'], r.stdout + r.stderr);
  assert.ok(performance.now() - t0 < 15000, 'the pipeline did not outlive its kill');
});

// --- write-behind and read-ahead (files) ---

for (const [where, dir] of [['a ram file (/tmp)', '/tmp'], ['a file of the home (a host directory)', '$home']]) {
  test(`reads ahead and writes behind stay invisible on ${where}: positions, other writers, truncation`, { skip }, () => {
    const home = fs.mkdtempSync(path.join(tmp, 'home-'));
    const r = web9(['-c', `readahead ${dir}/ra`], { home });
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, 'ok\n');
  });
}

test('a program that leaves a file read ahead hands the true position on to the next', { skip }, () => {
  const home = fs.mkdtempSync(path.join(tmp, 'home-'));
  const script = 'readahead $home/ra; {readahead part 3 > p1; cat > p2} < ra; cat p1 p2 | cmp - ra && echo handed on';
  const r = web9(['-c', script], { home });
  assert.equal(r.stdout, 'ok\nhanded on\n', r.stderr);
});

test('32 MiB written behind by one program is all there for the next, whose reads go ahead', { skip }, () => {
  const home = fs.mkdtempSync(path.join(tmp, 'home-'));
  const r = web9(['-c', 'b9file write $home/f 33554432 11; b9file read $home/f 11 && ls -l f'], { home });
  assert.equal(r.status, 0, r.stderr);
  const sums = [...r.stdout.matchAll(/^sum (\S+) (\d+) (\d+)$/gm)].map((m) => m.slice(1));
  assert.equal(sums.length, 2, r.stdout);
  assert.deepEqual(sums[0], sums[1], 'what was read is what was written');
  assert.equal(sums[1][2], '0', 'no byte off the pattern');
  assert.match(r.stdout, / 33554432 .* f$/m);
});

test('one read-write fd written behind, synced, rewound and read ahead gives every piece back whole', { skip }, () => {
  const home = fs.mkdtempSync(path.join(tmp, 'home-'));
  // b9file plain: 64 KiB writes, fsync, seek to 0, 64 KiB reads that must be full and in order.
  const r = web9(['-c', 'b9file plain $home/p 33554432 && b9file plain /tmp/p 16777216'], { home });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.match(/^bench seq-read /gm)?.length, 2, r.stdout);
});

test('writes behind a descriptor that was renumbered all land', { skip }, () => {
  const r = web9(['-c', 'renumber /tmp/rn && tr -d a < /tmp/rn | wc -c && tr -d b < /tmp/rn | wc -c']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n').map((l) => l.trim()), ['262144', '131072']);
});
