// The runtime in Chromium: the page boots the real kernel worker (build/emscripten/kernel.mjs),
// which loads the boot image and starts each guest program (build/wasi) in a worker of its own;
// the console is the page's terminal. The first program is chosen with ?init=. Build dirs as in
// web9.test.mjs (WEB9_KERNEL_BUILD, WEB9_WASI_BUILD, WEB9_BUILD).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBrowser, waitForState, terminalLines, waitForTerminal } from '../web/browser.mjs';
import { makeImage } from '../../tools/mkimage.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const buildRoot = path.resolve(root, process.env.WEB9_BUILD ?? 'build');
const kernelDir = path.resolve(process.env.WEB9_KERNEL_BUILD ?? path.join(buildRoot, 'emscripten'));
const wasiDir = path.resolve(process.env.WEB9_WASI_BUILD ?? path.join(buildRoot, 'wasi'));
const skip =
  !fs.existsSync(path.join(kernelDir, 'kernel.mjs')) ? `no kernel build at ${kernelDir}`
  : !['echo', 'cat'].every((n) => fs.existsSync(path.join(wasiDir, `${n}.wasm`))) ? `echo and cat are not built in ${wasiDir}`
  : false;

const waitForLines = (page, ok, timeout = 20000) => waitForTerminal(page, ok, timeout);

let b;
let binDir;

before(async () => {
  if (skip) return;
  // The page loads /build/bin/web9.img: make one from the guest build in a directory of our own.
  binDir = fs.mkdtempSync(path.join(os.tmpdir(), 'web9-page-'));
  fs.writeFileSync(path.join(binDir, 'web9.img'), makeImage({ binDir: wasiDir }));
  b = await openBrowser({ server: { webDir: path.join(root, 'web'), kernelDir, binDir } });
});

after(async () => {
  await b?.close();
  if (binDir) fs.rmSync(binDir, { recursive: true, force: true });
});

test('the page boots the kernel and runs a program whose output reaches the terminal', { skip }, async () => {
  await b.page.goto(new URL('?init=/bin/echo+hello+from+web9', b.url).href);
  assert.equal(await waitForState(b.page, ['exited', 'failed', 'unsupported']), 'exited');
  const lines = await terminalLines(b.page);
  assert.ok(lines.includes('hello from web9'), lines.join('\n'));
  assert.ok(lines.some((l) => l.startsWith('[web9: /bin/echo exited;')), lines.join('\n'));
  assert.deepEqual(b.errors, []);
});

test('typing reaches a program reading /dev/cons, and ^D ends it', { skip }, async () => {
  await b.page.goto(new URL('?init=/bin/cat', b.url).href);
  assert.equal(await waitForState(b.page, ['ready', 'failed', 'unsupported']), 'ready');
  await b.page.locator('.xterm-helper-textarea').focus();
  await b.page.keyboard.type('typed line');
  await b.page.keyboard.press('Enter');
  await b.page.keyboard.press('Control+D');
  assert.equal(await waitForState(b.page, ['exited', 'failed']), 'exited');
  // Once from the console's echo, once from cat (which may hold its output until it ends).
  await waitForLines(b.page, (l) => l.filter((x) => x === 'typed line').length === 2);
  assert.deepEqual(b.errors, []);
});

const noRc = skip || (!['rc', 'tee'].every((n) => fs.existsSync(path.join(wasiDir, `${n}.wasm`))) && `rc and tee are not built in ${wasiDir}`);

test('the page boots to rc, and a pipeline typed at it runs', { skip: noRc }, async () => {
  await b.page.goto(b.url);
  assert.equal(await waitForState(b.page, ['ready', 'failed', 'unsupported']), 'ready');
  await b.page.locator('.xterm-helper-textarea').focus();
  await waitForLines(b.page, (l) => l.at(-1)?.startsWith('%'));
  await b.page.keyboard.type('echo through a pipe | cat');
  await b.page.keyboard.press('Enter');
  await waitForLines(b.page, (l) => l.includes('through a pipe') && l.at(-1)?.startsWith('%'));
  // ^C ends a program reading the console and rc carries on. (tee, not cat: tee writes each
  // line as it comes, so its output shows it is running before ^C is pressed.)
  await b.page.keyboard.type('tee');
  await b.page.keyboard.press('Enter');
  await b.page.keyboard.type('to tee');
  await b.page.keyboard.press('Enter');
  await waitForLines(b.page, (l) => l.filter((x) => x === 'to tee').length === 2); // echo, tee
  await b.page.keyboard.press('Control+C');
  // Typed at once, before rc prompts again: tee, which takes no notes, ends at the ^C (its
  // blocked read answers ERR_KILLED, docs/runtime.md), so the line goes to rc, not to tee.
  await b.page.keyboard.type('echo status $status');
  await b.page.keyboard.press('Enter');
  await waitForLines(b.page, (l) => l.includes('status interrupt'));
  const lines = await terminalLines(b.page);
  assert.ok(!lines.includes('echo status $status') && lines.includes('% echo status $status'), `tee read on:\n${lines.join('\n')}`);
  assert.deepEqual(b.errors, []);
});
