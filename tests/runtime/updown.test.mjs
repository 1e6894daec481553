// Files in and out (docs/opfs.md, "Files in and out"): the upload and download commands through
// the transfer store on /mnt/xfer (web/kernel/xfer.js), under tools/web9 (host files in the
// current directory, host paths as operands) and in Chromium (a file chooser, a dropped file,
// the browser's download). Build dirs as in home.test.mjs (WEB9_KERNEL_BUILD, WEB9_WASI_BUILD,
// WEB9_BUILD).
//
//   node --test tests/runtime/updown.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openBrowser, waitForState, terminalLines, waitForTerminal } from '../web/browser.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const web9 = path.join(root, 'tools/web9');
const buildRoot = path.resolve(root, process.env.WEB9_BUILD ?? 'build');
const kernelDir = path.resolve(process.env.WEB9_KERNEL_BUILD ?? path.join(buildRoot, 'emscripten'));
const binDir = path.resolve(process.env.WEB9_WASI_BUILD ?? path.join(buildRoot, 'wasi'));
const programs = ['rc', 'echo', 'cat', 'mkdir', 'cp', 'wc', 'upload', 'download'];

function why() {
  if (!fs.existsSync(path.join(kernelDir, 'kernel.mjs'))) return `no kernel build at ${kernelDir}`;
  const missing = programs.filter((n) => !fs.existsSync(path.join(binDir, `${n}.wasm`)));
  if (missing.length) return `not built in ${binDir}: ${missing.join(' ')}`;
  if (spawnSync('tar', ['--version']).status !== 0) return 'no tar on the host';
  return false;
}
const skip = why();

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'web9-updown-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

// Bytes that are not text: every byte value, in an order that is not a pattern of the length.
function someBytes(n, seed) {
  const b = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return Buffer.from(b);
}

function run(cwd, command) {
  const r = spawnSync(web9, ['--kernel', kernelDir, '--bin', binDir, '--no-home', '-c', command], {
    cwd,
    encoding: 'utf8',
    timeout: 20000,
  });
  if (r.error) throw r.error;
  return r;
}

const tarList = (file) => spawnSync('tar', ['-tf', file], { encoding: 'utf8' });

test('tools/web9: upload reads host paths, download writes into the current directory', { skip }, () => {
  const cwd = path.join(tmp, 'host');
  fs.mkdirSync(cwd);
  const bin = someBytes(200_000, 7);
  fs.writeFileSync(path.join(cwd, 'bin.dat'), bin);
  fs.writeFileSync(path.join(cwd, 'note.txt'), 'from the host\n');
  let r = run(cwd, 'mkdir -p /tmp/in; upload -d /tmp/in bin.dat note.txt; cat /tmp/in/note.txt; ' +
    'mkdir -p /tmp/d/sub; echo one >/tmp/d/a; echo two >/tmp/d/sub/b; download /tmp/in/bin.dat /tmp/d; upload --help');
  assert.equal(r.stderr, '');
  assert.equal(r.status, 0);
  const lines = r.stdout.split('\n');
  assert.deepEqual(lines.slice(0, 5), ['/tmp/in/bin.dat', '/tmp/in/note.txt', 'from the host', 'bin.dat: 200000 bytes', 'd.tar: 4096 bytes']);
  assert.match(r.stdout, /usage: upload/);
  // bin.dat went in and came back out over itself: the same bytes.
  assert.ok(fs.readFileSync(path.join(cwd, 'bin.dat')).equals(bin));
  const list = tarList(path.join(cwd, 'd.tar'));
  assert.equal(list.status, 0, list.stderr);
  assert.deepEqual(list.stdout.split('\n').filter(Boolean).sort(), ['d/', 'd/a', 'd/sub/', 'd/sub/b']);
  const x = path.join(tmp, 'x');
  fs.mkdirSync(x);
  assert.equal(spawnSync('tar', ['-xf', path.join(cwd, 'd.tar'), '-C', x]).status, 0);
  assert.equal(fs.readFileSync(path.join(x, 'd/sub/b'), 'utf8'), 'two\n');

  r = run(cwd, 'upload -d /tmp no-such-file; echo status $status');
  assert.match(r.stderr, /no-such-file: no such file on the host/);
  assert.match(r.stderr, /upload: no files were chosen/);
  assert.notEqual(r.stdout, 'status \n', 'upload failed');
});

let b;

before(async () => {
  if (skip) return;
  const bins = path.join(tmp, 'bin');
  fs.mkdirSync(bins);
  const { makeImage } = await import('../../tools/mkimage.mjs');
  fs.writeFileSync(path.join(bins, 'web9.img'), makeImage({ binDir }));
  b = await openBrowser({ server: { webDir: path.join(root, 'web'), kernelDir, binDir: bins }, context: { acceptDownloads: true } });
});

after(async () => {
  await b?.close();
});

const waitForLines = (ok, timeout = 10000) => waitForTerminal(b.page, ok, timeout);

const atPrompt = (lines) => lines.at(-1)?.trimEnd() === '%';

async function type(command) {
  const before = (await terminalLines(b.page)).length;
  await b.page.keyboard.type(command);
  await b.page.keyboard.press('Enter');
  return before;
}

async function run1(command, timeout = 10000) {
  const before = await type(command);
  const lines = await waitForLines((l) => l.length > before && atPrompt(l), timeout);
  const start = lines.findIndex((l, i) => i >= before - 1 && l.startsWith('%') && l.includes(command));
  assert.ok(start >= 0, `the command line "${command}" is not on the terminal:\n${lines.join('\n')}`);
  return lines.slice(start + 1, -1).map((l) => l.trimEnd());
}

test('Chromium: upload asks for files, download saves them, a directory as a tar', { skip }, async () => {
  await b.page.goto(b.url);
  assert.equal(await waitForState(b.page, ['ready', 'failed', 'unsupported'], 20000), 'ready');
  await b.page.locator('.xterm-helper-textarea').focus();
  await waitForLines(atPrompt, 20000);

  const bin = someBytes(300_000, 11);
  await type('mkdir -p /tmp/up; upload -d /tmp/up');
  await b.page.locator('#upload-bar').waitFor({ state: 'visible' });
  await b.page.setInputFiles('#upload-input', [
    { name: 'bin.dat', mimeType: 'application/octet-stream', buffer: bin },
    { name: 'hello.txt', mimeType: 'text/plain', buffer: Buffer.from('hello\n') },
  ]);
  await waitForLines((l) => atPrompt(l) && l.some((x) => x.includes('/tmp/up/hello.txt')));
  assert.ok(await b.page.locator('#upload-bar').isHidden());
  await b.page.locator('.xterm-helper-textarea').focus();
  assert.deepEqual(await run1('cat /tmp/up/hello.txt'), ['hello']);

  // The uploaded bytes come back out unchanged.
  let saved = b.page.waitForEvent('download');
  assert.deepEqual(await run1('download /tmp/up/bin.dat'), ['bin.dat: 300000 bytes']);
  let d = await saved;
  assert.equal(d.suggestedFilename(), 'bin.dat');
  const out = path.join(tmp, 'got.dat');
  await d.saveAs(out);
  assert.ok(fs.readFileSync(out).equals(bin), 'the downloaded bytes are the uploaded ones');

  // A directory becomes NAME.tar, ustar, that the host's tar lists.
  await run1('mkdir -p /tmp/t/deep; echo x >/tmp/t/x; cp /tmp/up/bin.dat /tmp/t/deep/b');
  saved = b.page.waitForEvent('download');
  const said = await run1('download /tmp/t');
  d = await saved;
  assert.equal(d.suggestedFilename(), 't.tar');
  const tarFile = path.join(tmp, 't.tar');
  await d.saveAs(tarFile);
  assert.deepEqual(said, [`t.tar: ${fs.statSync(tarFile).size} bytes`]);
  const list = tarList(tarFile);
  assert.equal(list.status, 0, list.stderr);
  assert.deepEqual(list.stdout.split('\n').filter(Boolean).sort(), ['t/', 't/deep/', 't/deep/b', 't/x']);
  const x = path.join(tmp, 'tx');
  fs.mkdirSync(x);
  assert.equal(spawnSync('tar', ['-xf', tarFile, '-C', x]).status, 0);
  assert.ok(fs.readFileSync(path.join(x, 't/deep/b')).equals(bin));

  // Cancelling the chooser ends upload with a complaint.
  await type('upload');
  await b.page.locator('#upload-bar button', { hasText: 'Cancel' }).click();
  await waitForLines((l) => atPrompt(l) && l.some((x) => x.includes('upload: no files were chosen')));
  assert.deepEqual(b.errors, []);
});

test('Chromium: files dropped on the terminal go into $home/upload', { skip }, async () => {
  const text = 'dropped bytes\n'.repeat(1000);
  // The second file is big enough for the kernel worker to post progress lines as it copies it.
  await b.page.evaluate((text) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], 'dropped.txt', { type: 'text/plain' }));
    dt.items.add(new File([new Uint8Array(5 << 20).fill(7)], 'big.bin'));
    const target = document.getElementById('web9');
    target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, text);
  await waitForLines((l) => l.some((x) => x.includes('drop: $home/upload/dropped.txt $home/upload/big.bin')));
  await b.page.locator('.xterm-helper-textarea').focus();
  await b.page.keyboard.press('Enter');
  await waitForLines(atPrompt);
  const out = await run1('wc -c $home/upload/dropped.txt');
  assert.equal(out[0]?.trim().split(/\s+/)[0], String(text.length), out.join('\n'));
  const big = await run1('wc -c $home/upload/big.bin');
  assert.equal(big[0]?.trim().split(/\s+/)[0], String(5 << 20), big.join('\n'));
  assert.deepEqual(b.errors, []);
});
