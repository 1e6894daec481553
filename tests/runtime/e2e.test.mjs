// End to end in Chromium: the real page boots rc on the real kernel, and a person's session is
// played on it through the keyboard, reading xterm.js's buffer: a pipeline, ^C of a running
// program, a program that traps, and one that hands the kernel bad pointers. Between them the
// shell must keep answering. The two misbehaving programs (tests/runtime/fixtures/*.c) are built
// with clang-14 and put into the boot image as /bin/trap and /bin/efault.
// Build dirs as in page.test.mjs (WEB9_KERNEL_BUILD, WEB9_WASI_BUILD, WEB9_BUILD).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBrowser, waitForState, terminalLines, waitForTerminal } from '../web/browser.mjs';
import { makeImage } from '../../tools/mkimage.mjs';
import { buildGuest } from '../../bench/runtime.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const buildRoot = path.resolve(root, process.env.WEB9_BUILD ?? 'build');
const kernelDir = path.resolve(process.env.WEB9_KERNEL_BUILD ?? path.join(buildRoot, 'emscripten'));
const wasiDir = path.resolve(process.env.WEB9_WASI_BUILD ?? path.join(buildRoot, 'wasi'));
const programs = ['rc', 'echo', 'wc', 'sleep'];

let tmp = null;
// Removed however the run ends (after() is not reached when every test is skipped).
process.on('exit', () => tmp && fs.rmSync(tmp, { recursive: true, force: true }));
function why() {
  if (!fs.existsSync(path.join(kernelDir, 'kernel.mjs'))) return `no kernel build at ${kernelDir}`;
  const missing = programs.filter((n) => !fs.existsSync(path.join(wasiDir, `${n}.wasm`)));
  if (missing.length) return `not built in ${wasiDir}: ${missing.join(' ')}`;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'web9-e2e-'));
  for (const name of ['trap', 'efault']) {
    const r = buildGuest(path.join(here, 'fixtures', `${name}.c`), path.join(tmp, `${name}.wasm`));
    if (!r.file) return `clang-14 cannot build fixtures/${name}.c: ${r.why}`;
  }
  return false;
}
const skip = why();

let b;

before(async () => {
  if (skip) return;
  // The page loads /build/bin/web9.img: the guest build plus the two fixtures.
  const binDir = path.join(tmp, 'bin');
  fs.mkdirSync(binDir);
  const extra = ['trap', 'efault'].map((n) => ({ path: `/bin/${n}`, mode: 0o775, data: fs.readFileSync(path.join(tmp, `${n}.wasm`)) }));
  fs.writeFileSync(path.join(binDir, 'web9.img'), makeImage({ binDir: wasiDir, extra }));
  b = await openBrowser({ server: { webDir: path.join(root, 'web'), kernelDir, binDir } });
});

after(async () => {
  await b?.close();
});

const waitForLines = (ok, timeout = 10000) => waitForTerminal(b.page, ok, timeout);

// The prompt with nothing typed after it, on the last line.
const atPrompt = (lines) => lines.at(-1)?.trimEnd() === '%';

// Types a command line and waits for the next prompt; answers the lines printed in between
// (the command's own line, echoed by the console, is left out).
async function run(command, timeout = 10000) {
  const before = (await terminalLines(b.page)).length;
  await b.page.keyboard.type(command);
  await b.page.keyboard.press('Enter');
  const lines = await waitForLines((l) => l.length > before && atPrompt(l), timeout);
  const start = lines.findIndex((l, i) => i >= before - 1 && l.startsWith('%') && l.includes(command));
  assert.ok(start >= 0, `the command line "${command}" is not on the terminal:\n${lines.join('\n')}`);
  return lines.slice(start + 1, -1).map((l) => l.trimEnd());
}

test('the page boots to the rc prompt', { skip }, async () => {
  await b.page.goto(b.url);
  assert.equal(await waitForState(b.page, ['ready', 'failed', 'unsupported'], 20000), 'ready');
  await b.page.locator('.xterm-helper-textarea').focus();
  await waitForLines(atPrompt, 20000);
  assert.deepEqual(await run('echo hello'), ['hello']);
});

test('a pipeline runs, its two processes joined by a pipe', { skip }, async () => {
  const out = await run('echo a b c | wc');
  assert.equal(out.length, 1, out.join('\n'));
  assert.deepEqual(out[0].trim().split(/\s+/), ['1', '3', '6']);
});

test('^C interrupts a running program and the shell answers again', { skip }, async () => {
  const t0 = Date.now();
  await b.page.keyboard.type('sleep 100');
  await b.page.keyboard.press('Enter');
  // The first ^C may reach the console before rc has started sleep (rc then ignores it): press
  // again until the prompt is back.
  let lines;
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 300));
    await b.page.keyboard.press('Control+C');
    lines = await terminalLines(b.page);
    if (atPrompt(lines)) break;
    await new Promise((r) => setTimeout(r, 200));
    if (atPrompt(await terminalLines(b.page))) break;
  }
  await waitForLines(atPrompt, 5000);
  assert.ok(Date.now() - t0 < 20000, 'sleep 100 was not interrupted');
  assert.deepEqual(await run('echo status $status'), ['status interrupt']);
  assert.deepEqual(await run('echo still here'), ['still here']);
});

test('a program that traps ends with a trap status and the shell goes on', { skip }, async () => {
  const out = await run('trap');
  assert.ok(out.includes('about to trap'), out.join('\n'));
  // rc reports a child that died of a note or trap on its fd 2 (the console): "PID: status".
  assert.ok(out.some((l) => /^\d+: sys: trap: unreachable/.test(l)), out.join('\n'));
  assert.deepEqual(await run('echo status $status'), ['status sys: trap: unreachable']);
  assert.deepEqual(await run('echo a b c | wc').then((o) => o[0]?.trim().split(/\s+/)), ['1', '3', '6']);
});

test('bad pointers get EFAULT and the kernel keeps working', { skip }, async () => {
  // Three raw fd_write calls with bad pointers: each EFAULT (21), nothing written.
  assert.deepEqual(await run('efault'), ['efault: 21 21 21']);
  assert.deepEqual(await run('echo status $status'), ['status']);
  assert.deepEqual(await run('echo a b c | wc').then((o) => o[0]?.trim().split(/\s+/)), ['1', '3', '6']);
  assert.deepEqual(b.errors, []);
});
