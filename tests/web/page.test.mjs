// The page in Chromium, against the echo stand-in for the kernel worker: isolation, the
// terminal, typing, resizing, copy and paste, and what the user sees when the worker is missing.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openBrowser, echoKernelRoute, waitForState, terminalLines, waitForTerminal, cursorLine } from './browser.mjs';

// Waits until the terminal's lines satisfy `ok`, and returns them.
const waitForLines = (page, ok, timeout = 5000) => waitForTerminal(page, ok, timeout, 'terminal never showed what was expected');

let b;
let binDir;

before(async () => {
  binDir = fs.mkdtempSync(path.join(os.tmpdir(), 'web9-bin-'));
  // A module exporting add(a, b): (i32, i32) -> i32.
  const addWasm = Buffer.from(
    '0061736d0100000001070160027f7f017f030201000707010361646400000a09010700200020016a0b',
    'hex',
  );
  fs.writeFileSync(path.join(binDir, 'add.wasm'), addWasm);
  b = await openBrowser({ server: { routes: [echoKernelRoute], binDir } });
  await b.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(b.url).origin });
  await b.page.goto(b.url);
  await waitForState(b.page, ['ready', 'failed', 'unsupported']);
});

after(async () => {
  await b?.close();
  fs.rmSync(binDir, { recursive: true, force: true });
});

test('the page is cross-origin isolated and has everything web9 needs', async () => {
  const env = await b.page.evaluate(async () => ({
    isolated: crossOriginIsolated,
    sab: typeof SharedArrayBuffer,
    opfs: typeof (await navigator.storage.getDirectory()).getFileHandle,
    state: document.documentElement.dataset.web9State,
  }));
  assert.deepEqual(env, { isolated: true, sab: 'function', opfs: 'function', state: 'ready' });
  assert.deepEqual(b.errors, []);
});

test('the terminal fills the window and shows the worker\'s output', async () => {
  const size = await b.page.evaluate(() => {
    const r = document.querySelector('.xterm').getBoundingClientRect();
    return { width: r.width, height: r.height, win: [innerWidth, innerHeight] };
  });
  assert.ok(size.width >= size.win[0] - 10 && size.height >= size.win[1] - 10, JSON.stringify(size));
  const rows = await b.page.locator('.xterm-rows').innerText();
  assert.match(rows, /echo>/);
  const lines = await terminalLines(b.page);
  assert.equal(lines[0], 'echo> ', 'the boot progress line was replaced by the output');
});

test('typed text goes to the worker as bytes and comes back onto the screen', async () => {
  await b.page.keyboard.type('hello, wörld');
  await b.page.keyboard.press('Enter');
  const lines = await waitForLines(b.page, (l) => l[0] === 'echo> hello, wörld');
  assert.equal(lines[0], 'echo> hello, wörld');
  // The echo's "\r\n" may land a moment after the text: wait for it, then check.
  const deadline = Date.now() + 5000;
  while ((await cursorLine(b.page)) !== 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(await cursorLine(b.page), 1, 'Enter moved the cursor to the next line');
  await b.page.screenshot({ path: path.join(os.tmpdir(), 'web9-page.png') });
});

test('a window resize reaches the worker as the new cols and rows', async () => {
  const before = await b.page.evaluate(() => [web9.console.cols, web9.console.rows]);
  await b.page.setViewportSize({ width: 640, height: 400 });
  await b.page.waitForFunction((old) => web9.console.cols !== old, before[0]);
  const [cols, rows] = await b.page.evaluate(() => [web9.console.cols, web9.console.rows]);
  assert.ok(cols < before[0] && rows < before[1], `${before} -> ${cols}x${rows}`);
  await b.page.keyboard.type('size?');
  await b.page.keyboard.press('Enter');
  const lines = await waitForLines(b.page, (l) => l.some((s) => s.startsWith('size ')));
  assert.ok(lines.includes(`size ${cols}x${rows}`), lines.join('\n'));
  await b.page.setViewportSize({ width: 1000, height: 640 });
});

test('a selection copies with Ctrl+Shift+C and the clipboard pastes with Ctrl+Shift+V', async () => {
  await b.page.keyboard.type('copy me');
  const lines = await waitForLines(b.page, (l) => l.at(-1).endsWith('copy me'));
  const row = lines.length - 1;
  const lineText = lines[row];
  const startCol = lineText.indexOf('copy me');
  await b.page.evaluate(([c, r]) => web9.console.term.select(c, r, 7), [startCol, row]);
  await b.page.keyboard.press('Control+Shift+C');
  assert.equal(await b.page.evaluate(() => navigator.clipboard.readText()), 'copy me');

  await b.page.evaluate(() => navigator.clipboard.writeText(' and paste'));
  await b.page.keyboard.press('Control+Shift+V');
  await waitForLines(b.page, (l) => l[row]?.endsWith('copy me and paste'));
});

test('a mouse selection copies with Ctrl+C instead of sending an interrupt', async () => {
  await b.page.keyboard.press('Enter');
  await b.page.keyboard.type('drag over me');
  const lines = await waitForLines(b.page, (l) => l.includes('drag over me'));
  const row = lines.indexOf('drag over me');
  const col = lines[row].indexOf('over');
  const screen = await b.page.locator('.xterm-screen').boundingBox();
  const [cols, rows] = await b.page.evaluate(() => [web9.console.cols, web9.console.rows]);
  const [w, h] = [screen.width / cols, screen.height / rows];
  await b.page.mouse.move(screen.x + col * w + 1, screen.y + (row + 0.5) * h);
  await b.page.mouse.down();
  await b.page.mouse.move(screen.x + (col + 4) * w - 1, screen.y + (row + 0.5) * h, { steps: 4 });
  await b.page.mouse.up();
  await b.page.keyboard.press('Control+C');
  assert.equal(await b.page.evaluate(() => navigator.clipboard.readText()), 'over');
  // No ^C reached the worker while text was selected; without a selection it does.
  await b.page.keyboard.type('!');
  await waitForLines(b.page, (l) => l[row] === 'drag over me!');
  await b.page.keyboard.press('Control+C');
  await waitForLines(b.page, (l) => l[row] === 'drag over me!^C');
});

test('guest .wasm from the build directory compiles by streaming', async () => {
  const sum = await b.page.evaluate(async () => {
    const { instance } = await WebAssembly.instantiateStreaming(fetch('build/bin/add.wasm'));
    return instance.exports.add(40, 2);
  });
  assert.equal(sum, 42);
});

test('a missing kernel worker is reported in the terminal', async () => {
  const missing = { prefix: '/kernel/worker.js', handle: (req, res) => res.writeHead(404, 'Not Found').end() };
  const other = await openBrowser({ server: { routes: [missing] }, path: '/' });
  try {
    assert.equal(await waitForState(other.page, ['ready', 'failed', 'unsupported']), 'failed');
    const lines = await terminalLines(other.page);
    // The path under the page's versioned prefix (tools/serve.mjs).
    assert.match(lines[0], /cannot start the kernel worker: \/v\/[0-9a-f]+\/kernel\/worker\.js answered HTTP 404/);
  } finally {
    await other.close();
  }
});

test('a kernel worker that throws while loading is reported in the terminal', async () => {
  const broken = fs.mkdtempSync(path.join(os.tmpdir(), 'web9-broken-'));
  fs.writeFileSync(path.join(broken, 'worker.js'), 'throw new Error("kernel.wasm is corrupt");\n');
  const other = await openBrowser({
    server: { routes: [{ prefix: '/kernel/worker.js', file: path.join(broken, 'worker.js') }] },
    path: '/',
  });
  try {
    assert.equal(await waitForState(other.page, ['ready', 'failed', 'unsupported']), 'failed');
    const lines = await waitForLines(other.page, (l) => l.length > 0 && !l[0].includes('starting'));
    assert.match(lines[0], /the kernel worker failed: .*kernel\.wasm is corrupt/);
  } finally {
    await other.close();
    fs.rmSync(broken, { recursive: true, force: true });
  }
});

test('a fatal message from the kernel worker is shown', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'web9-fatal-'));
  fs.writeFileSync(
    path.join(dir, 'worker.js'),
    "import * as p from '../protocol.js';\nself.postMessage(p.fatal('out of memory'));\n",
  );
  const other = await openBrowser({
    server: { routes: [{ prefix: '/kernel/worker.js', file: path.join(dir, 'worker.js') }] },
    path: '/',
  });
  try {
    assert.equal(await waitForState(other.page, ['ready', 'failed', 'unsupported']), 'failed');
    const lines = await terminalLines(other.page);
    assert.ok(lines.some((l) => l === 'web9: the kernel stopped: out of memory'), lines.join('\n'));
  } finally {
    await other.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
