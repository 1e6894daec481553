// The dev server's caching in Chromium (tools/serve.mjs, docs/runtime.md "Serving and caching"):
// the page boots the real kernel; a reload asks the server for the page and /config.json only,
// every module, kernel.wasm and the boot image coming from the HTTP cache; a rebuilt file gives
// the next load a new versioned path, so nothing stale is used. Build dirs as in
// tests/runtime/page.test.mjs (WEB9_KERNEL_BUILD, WEB9_WASI_BUILD, WEB9_BUILD).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openBrowser, waitForState, waitForTerminal, repoRoot } from './browser.mjs';
import { makeImage } from '../../tools/mkimage.mjs';

const buildRoot = path.resolve(repoRoot, process.env.WEB9_BUILD ?? 'build');
const kernelDir = path.resolve(process.env.WEB9_KERNEL_BUILD ?? path.join(buildRoot, 'emscripten'));
const wasiDir = path.resolve(process.env.WEB9_WASI_BUILD ?? path.join(buildRoot, 'wasi'));
const skip =
  !fs.existsSync(path.join(kernelDir, 'kernel.mjs')) ? `no kernel build at ${kernelDir}`
  : !fs.existsSync(path.join(wasiDir, 'rc.wasm')) ? `rc is not built in ${wasiDir}`
  : false;

let b;
let binDir;
const requests = []; // the paths asked for, in order

before(async () => {
  if (skip) return;
  binDir = fs.mkdtempSync(path.join(os.tmpdir(), 'web9-cache-'));
  fs.writeFileSync(path.join(binDir, 'web9.img'), makeImage({ binDir: wasiDir }));
  const log = (line) => requests.push(line.split(' ')[2]);
  b = await openBrowser({ server: { webDir: path.join(repoRoot, 'web'), kernelDir, binDir, log } });
});

after(async () => {
  await b?.close();
  if (binDir) fs.rmSync(binDir, { recursive: true, force: true });
});

// Loads the page (or reloads it) up to rc's prompt, and answers the paths the server was asked
// for meanwhile. The process workers the kernel starts after boot are waited for too.
async function load(how) {
  requests.length = 0;
  if (how === 'goto') await b.page.goto(b.url);
  else await b.page.reload();
  assert.equal(await waitForState(b.page, ['ready', 'failed', 'unsupported'], 30000), 'ready');
  await waitForTerminal(b.page, (l) => l.at(-1)?.trimEnd() === '%', 20000, 'no rc prompt');
  await new Promise((r) => setTimeout(r, 500));
  return [...requests];
}

const base = () => b.page.evaluate(() => new URL(document.baseURI).pathname);

test('a reload asks the server only for the page and /config.json', { skip }, async () => {
  const first = await load('goto');
  const prefix = await base();
  assert.match(prefix, /^\/v\/[0-9a-f]+\/$/);
  for (const file of ['kernel/worker.js', 'build/kernel/kernel.mjs', 'build/kernel/kernel.wasm', 'build/bin/web9.img', 'runtime/worker-process.js'])
    assert.ok(first.includes(`${prefix}${file}`), `the first load asked for ${prefix}${file}: ${first.join(' ')}`);

  const again = await load('reload');
  assert.equal(await base(), prefix, 'nothing changed: the same version');
  assert.deepEqual(
    again.filter((p) => p !== '/' && p !== `${prefix}config.json`),
    [],
    `everything else comes from the cache; asked for: ${again.join(' ')}`,
  );
  assert.ok(again.includes('/'), 'the page itself is revalidated');
  assert.deepEqual(b.errors, []);
});

test('a rebuilt boot image gives the next load a new version, and the new image', { skip }, async () => {
  await load('goto');
  const prefix = await base();
  // As a rebuild would: the new image is written beside the old one and renamed over it.
  const image = path.join(binDir, 'web9.img');
  fs.writeFileSync(`${image}.new`, makeImage({ binDir: wasiDir, extra: [{ path: '/tmp/rebuilt', mode: 0o664, data: 'yes\n' }] }));
  fs.renameSync(`${image}.new`, image);
  const asked = await load('reload');
  const now = await base();
  assert.notEqual(now, prefix);
  assert.ok(asked.includes(`${now}build/bin/web9.img`), asked.join(' '));
  await b.page.locator('.xterm-helper-textarea').focus();
  await b.page.keyboard.type('cat /tmp/rebuilt\n');
  await waitForTerminal(b.page, (l) => l.some((x) => x.trimEnd() === 'yes'), 10000, 'the new image is not the one booted');
});
