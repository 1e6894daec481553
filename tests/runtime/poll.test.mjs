// poll() end to end, headless: a plain wasm32-wasi C program (fixtures/polltest.c, built with
// clang-14 and put into the image as /bin/polltest) polls a pipe and its standard input through
// wasi-libc's poll(), which becomes poll_oneoff with a descriptor and a clock subscription: the
// kernel answers when the descriptor is ready, the clock ends the wait when nothing comes.
// Build dirs as tools/web9 takes them: WEB9_KERNEL_BUILD, WEB9_WASI_BUILD, else
// ${WEB9_BUILD:-build}/{emscripten,wasi}.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildGuest } from '../../bench/runtime.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const web9 = path.join(root, 'tools/web9');
const buildRoot = path.resolve(root, process.env.WEB9_BUILD ?? 'build');
const kernelDir = path.resolve(process.env.WEB9_KERNEL_BUILD ?? path.join(buildRoot, 'emscripten'));
const binDir = path.resolve(process.env.WEB9_WASI_BUILD ?? path.join(buildRoot, 'wasi'));

let tmp = null;
process.on('exit', () => tmp && fs.rmSync(tmp, { recursive: true, force: true }));
function why() {
  if (!fs.existsSync(path.join(kernelDir, 'kernel.mjs'))) return `no kernel build at ${kernelDir}`;
  const missing = ['rc', 'sleep', 'echo'].filter((n) => !fs.existsSync(path.join(binDir, `${n}.wasm`)));
  if (missing.length) return `not built in ${binDir}: ${missing.join(' ')}`;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'web9-poll-'));
  const r = buildGuest(path.join(here, 'fixtures', 'polltest.c'), path.join(tmp, 'polltest.wasm'));
  return r.file ? false : `clang-14 cannot build fixtures/polltest.c: ${r.why}`;
}
const skip = why();
const args = (...rest) => ['--kernel', kernelDir, '--bin', binDir, '--no-home', '--file', `${tmp}/polltest.wasm:/bin/polltest`, ...rest];

// "poll COUNT [in][ hup] MS" → {count, what, ms}
function pollLine(line) {
  const m = /^poll (\d+)((?: in)?(?: hup)?) (\d+)$/.exec(line);
  assert.ok(m, `not a poll line: ${line}`);
  return { count: Number(m[1]), what: m[2].trim(), ms: Number(m[3]) };
}

function lines(stdout) {
  return stdout.split('\n').filter((l) => l !== '');
}

test('poll on a pipe: a timeout with nothing written, readable after a write, end of file after close', { skip }, () => {
  const r = spawnSync(web9, args('--run', '/bin/polltest', 'pipe', 'p', '100', 'o', '0', 'w', 'hello', 'p', '5000', 'c',
    'p', '5000', 'r', 'p', '5000', 'r'), { encoding: 'utf8', timeout: 30000 });
  assert.equal(r.stderr, '');
  assert.equal(r.status, 0);
  const out = lines(r.stdout);
  assert.equal(out.length, 10, r.stdout);
  assert.equal(out[0], 'pipe');
  const timedOut = pollLine(out[1]);
  assert.equal(timedOut.count, 0);
  assert.equal(timedOut.what, '');
  assert.ok(timedOut.ms >= 90, `the 100 ms timeout ended after ${timedOut.ms} ms`);
  assert.equal(out[2], 'pollout 1 out');
  assert.equal(out[3], 'wrote 5');
  const ready = pollLine(out[4]);
  assert.deepEqual([ready.count, ready.what], [1, 'in']);
  assert.ok(ready.ms < 5000);
  assert.equal(out[5], 'closed');
  // The writer is gone but "hello" is still queued: readable, and hung up.
  assert.deepEqual(Object.values(pollLine(out[6])).slice(0, 2), [1, 'in hup']);
  assert.equal(out[7], 'read 5 [hello]');
  assert.deepEqual(Object.values(pollLine(out[8])).slice(0, 2), [1, 'in hup']);
  assert.equal(out[9], 'read 0 []');
});

test('poll wakes when another process writes the pipe, and sees it close', { skip }, () => {
  const r = spawnSync(web9, args('-c', '{sleep 0.6; echo hi} | polltest p 100 p 10000 r p 10000 r'),
    { encoding: 'utf8', timeout: 30000 });
  assert.equal(r.stderr, '');
  assert.equal(r.status, 0);
  const out = lines(r.stdout);
  assert.equal(out.length, 6, r.stdout);
  const timedOut = pollLine(out[0]);
  assert.equal(timedOut.count, 0);
  assert.ok(timedOut.ms >= 90, `the 100 ms timeout ended after ${timedOut.ms} ms`);
  const ready = pollLine(out[1]);
  assert.deepEqual([ready.count, ready.what], [1, 'in']);
  assert.ok(ready.ms < 10000);
  assert.equal(out[2], 'read 3 [hi');  // the newline read splits the line
  assert.equal(out[3], ']');
  assert.deepEqual([pollLine(out[4]).count, pollLine(out[4]).what], [1, 'in hup']);
  assert.equal(out[5], 'read 0 []');
});

test('poll on standard input fed by tools/web9 (a pipe): timeout, data, end of file', { skip }, async () => {
  const child = spawn(web9, args('--run', '/bin/polltest', 'p', '100', 'p', '10000', 'r', 'p', '10000', 'r'),
    { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s) => { stdout += s; });
  child.stderr.setEncoding('utf8').on('data', (s) => { stderr += s; });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  // Wait for the first poll to time out before writing: then the second one must be woken.
  const deadline = Date.now() + 20000;
  while (!stdout.includes('\n') && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
  child.stdin.write('x\n');
  await new Promise((res) => setTimeout(res, 300));
  child.stdin.end();
  const timer = setTimeout(() => child.kill(), 20000);
  const code = await exited;
  clearTimeout(timer);
  assert.equal(stderr, '');
  assert.equal(code, 0);
  const out = lines(stdout);
  assert.equal(out.length, 6, stdout);
  const timedOut = pollLine(out[0]);
  assert.equal(timedOut.count, 0);
  assert.ok(timedOut.ms >= 90, `the 100 ms timeout ended after ${timedOut.ms} ms`);
  assert.deepEqual([pollLine(out[1]).count, pollLine(out[1]).what], [1, 'in']);
  assert.equal(out[2], 'read 2 [x');  // the newline read splits the line
  assert.equal(out[3], ']');
  assert.deepEqual([pollLine(out[4]).count, pollLine(out[4]).what], [1, 'in hup']);
  assert.equal(out[5], 'read 0 []');
});
