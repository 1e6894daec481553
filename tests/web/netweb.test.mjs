// /net/web in Chromium: the page boots the real kernel, whose worker reads the dev server's
// /config.json and sends each request through the CORS proxy at /proxy/ (tools/serve.mjs) with
// fetch(). A GET of a real git server's smart-HTTP advertisement (tests/support/gitserver.mjs, a
// host the proxy is told to allow) comes through; a host not allowed gets the proxy's 403; an
// allowed host that is down is "web: connect: connection refused". Build dirs as in
// tests/runtime/page.test.mjs.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBrowser, waitForState, terminalLines } from './browser.mjs';
import { makeImage } from '../../tools/mkimage.mjs';
import { startGitServer } from '../support/gitserver.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const buildRoot = path.resolve(root, process.env.WEB9_BUILD ?? 'build');
const kernelDir = path.resolve(process.env.WEB9_KERNEL_BUILD ?? path.join(buildRoot, 'emscripten'));
const wasiDir = path.resolve(process.env.WEB9_WASI_BUILD ?? path.join(buildRoot, 'wasi'));
const skip = !fs.existsSync(path.join(kernelDir, 'kernel.mjs'))
  ? `no kernel build at ${kernelDir}`
  : !['rc', 'cat', 'echo'].every((n) => fs.existsSync(path.join(wasiDir, `${n}.wasm`)))
    ? `rc, cat and echo are not built in ${wasiDir}`
    : false;

// $1 the URL: prints the proxy setting, then the body, a newline (a git advertisement ends
// without one), the status and the headers, then "done".
const getScript = `cat /net/web/ctl
{
  cat <[0=3] >/tmp/conn
  n=\`{cat /tmp/conn}
  echo url $1 >[1=3]
  cat /net/web/$n/body
  echo
  cat /net/web/$n/status
  cat /net/web/$n/headers
} <>[3] /net/web/clone
echo done
`;

let b;
let git;
let binDir;

before(async () => {
  if (skip) return;
  git = await startGitServer();
  git.makeRepo('r', { files: 2 });
  binDir = fs.mkdtempSync(path.join(os.tmpdir(), 'web9-netweb-'));
  const extra = [{ path: '/tmp/get.rc', mode: 0o775, data: getScript }];
  fs.writeFileSync(path.join(binDir, 'web9.img'), makeImage({ binDir: wasiDir, extra }));
  b = await openBrowser({
    // 127.0.0.1:2 is allowed but nobody listens there.
    server: { webDir: path.join(root, 'web'), kernelDir, binDir, allowHosts: [`127.0.0.1:${git.port}`, '127.0.0.1:2'] },
  });
});

after(async () => {
  await b?.close();
  await git?.close();
  if (binDir) fs.rmSync(binDir, { recursive: true, force: true });
});

// Boots rc on /tmp/get.rc URL and answers the terminal's lines once it has ended.
async function fetchInPage(url) {
  await b.page.goto(new URL(`?init=/bin/rc+/tmp/get.rc+${encodeURIComponent(url)}`, b.url).href);
  assert.equal(await waitForState(b.page, ['exited', 'failed', 'unsupported'], 30000), 'exited');
  return terminalLines(b.page);
}

test('a GET in the page goes through the dev server\'s proxy to an allowed host', { skip }, async () => {
  const lines = await fetchInPage(`${git.url('r')}/info/refs?service=git-upload-pack`);
  const text = lines.join('\n');
  assert.ok(lines.includes(`proxy ${b.url}proxy/`), text);
  assert.ok(lines.includes('001e# service=git-upload-pack'), text);
  assert.ok(lines.includes('200 OK'), text);
  assert.ok(lines.includes('content-type: application/x-git-upload-pack-advertisement'), text);
  assert.ok(lines.includes('done'), text);
  assert.ok(git.requests.some((r) => r.url === '/r.git/info/refs?service=git-upload-pack'));
  assert.deepEqual(b.errors, []);
});

test('a host the proxy does not allow gets its 403', { skip }, async () => {
  const before = git.requests.length;
  const lines = await fetchInPage('http://127.0.0.1:1/secret');
  const text = lines.join('\n');
  assert.ok(lines.includes('403 Forbidden'), text);
  assert.match(text, /web9 proxy: 127\.0\.0\.1:1 is not an allowed host/);
  assert.equal(git.requests.length, before);
});

test('an allowed host that refuses the connection is the same error as without the proxy', { skip }, async () => {
  const lines = await fetchInPage('http://127.0.0.1:2/x');
  const text = lines.join('\n');
  assert.match(text, /cat: \/net\/web\/0\/body: web: connect: connection refused/);
  assert.ok(lines.includes('done'), text);
});
