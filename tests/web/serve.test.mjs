// The dev server over plain HTTP: isolation headers, MIME types, caching, refusals, the CLI.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { startServer } from '../../tools/serve.mjs';
import { repoRoot } from './browser.mjs';

// The smallest valid WebAssembly module: magic and version.
const emptyWasm = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

let server;
let tmp;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'web9-serve-'));
  fs.mkdirSync(path.join(tmp, 'kernel'));
  fs.mkdirSync(path.join(tmp, 'bin/apps'), { recursive: true });
  fs.writeFileSync(path.join(tmp, 'kernel/kernel.js'), 'export default 1;\n');
  fs.writeFileSync(path.join(tmp, 'kernel/kernel.wasm'), emptyWasm);
  fs.writeFileSync(path.join(tmp, 'bin/apps/cat.wasm'), emptyWasm);
  fs.writeFileSync(path.join(tmp, 'secret.txt'), 'top secret\n');
  server = await startServer({
    port: 0,
    kernelDir: path.join(tmp, 'kernel'),
    binDir: path.join(tmp, 'bin'),
  });
});

after(async () => {
  await server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

// A request with the target sent exactly as written (fetch would normalise "..").
function rawRequest(target, { method = 'GET', headers = {}, port = server.port } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: target, method, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('every response carries the cross-origin isolation headers', async () => {
  for (const target of ['/', '/main.js', '/no/such/file', '/../x']) {
    const res = await rawRequest(target);
    assert.equal(res.headers['cross-origin-opener-policy'], 'same-origin', target);
    assert.equal(res.headers['cross-origin-embedder-policy'], 'require-corp', target);
    assert.equal(res.headers['cross-origin-resource-policy'], 'same-origin', target);
  }
});

test('files are served with the MIME type the browser needs', async () => {
  const expected = {
    '/': 'text/html; charset=utf-8',
    '/index.html': 'text/html; charset=utf-8',
    '/main.js': 'text/javascript; charset=utf-8',
    '/style.css': 'text/css; charset=utf-8',
    '/vendor/xterm/lib/xterm.mjs': 'text/javascript; charset=utf-8',
    '/vendor/xterm/css/xterm.css': 'text/css; charset=utf-8',
    '/vendor/addon-fit/lib/addon-fit.mjs': 'text/javascript; charset=utf-8',
    '/build/kernel/kernel.js': 'text/javascript; charset=utf-8',
    '/build/kernel/kernel.wasm': 'application/wasm',
    '/build/bin/apps/cat.wasm': 'application/wasm',
  };
  for (const [target, type] of Object.entries(expected)) {
    const res = await rawRequest(target);
    assert.equal(res.status, 200, target);
    assert.equal(res.headers['content-type'], type, target);
    assert.equal(res.headers['x-content-type-options'], 'nosniff', target);
  }
});

test('the root serves web/index.html and the wasm bytes arrive intact', async () => {
  const page = await rawRequest('/');
  // With a <base> naming the current version right after <head>, and nothing else changed.
  const html = fs.readFileSync(path.join(repoRoot, 'web/index.html'), 'utf8');
  assert.equal(page.body.toString().replace(/\n  <base href="\/v\/[0-9a-f]+\/">/, ''), html);
  const wasm = await rawRequest('/build/kernel/kernel.wasm');
  assert.deepEqual(wasm.body, emptyWasm);
  assert.equal(wasm.headers['content-length'], String(emptyWasm.length));
});

test('responses are revalidated by ETag rather than cached blindly', async () => {
  const first = await rawRequest('/main.js');
  assert.equal(first.headers['cache-control'], 'no-cache');
  assert.ok(first.headers.etag);
  const again = await rawRequest('/main.js', { headers: { 'If-None-Match': first.headers.etag } });
  assert.equal(again.status, 304);
  assert.equal(again.body.length, 0);
});

// The page's <base href>: /v/VERSION/ and the page's own directory.
async function baseOf(target, port = server.port) {
  const page = await rawRequest(target, { port });
  const m = /<base href="(\/v\/([0-9a-f]+)\/[^"]*)">/.exec(page.body.toString());
  assert.ok(m, `${target} has no <base>`);
  return { href: m[1], version: m[2], page };
}

test('a page names a versioned path; files under it are immutable, the rest revalidated', async () => {
  const { href, version, page } = await baseOf('/');
  assert.equal(href, `/v/${version}/`);
  assert.equal(page.headers['cache-control'], 'no-cache', 'the page itself is always asked for');
  assert.equal((await baseOf('/index.html')).version, version, 'nothing changed: the same version');
  for (const target of ['main.js', 'kernel/worker.js', 'vendor/xterm/lib/xterm.mjs', 'build/kernel/kernel.wasm', 'build/bin/apps/cat.wasm']) {
    const res = await rawRequest(`${href}${target}`);
    assert.equal(res.status, 200, target);
    assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable', target);
    assert.deepEqual(res.body, (await rawRequest(`/${target}`)).body, `${target}: the same bytes as without the prefix`);
  }
  // Without the prefix, under an old or made-up version, and what the server makes up: revalidated.
  for (const target of ['/main.js', '/v/0123456789abcdef/main.js', `${href}config.json`, `${href}`]) {
    const res = await rawRequest(target);
    assert.equal(res.status, 200, target);
    assert.equal(res.headers['cache-control'], 'no-cache', target);
  }
  assert.equal((await rawRequest(`${href}nope.js`)).status, 404);
  // A page in a subdirectory gets its own directory under the version.
  assert.equal((await baseOf('/bench/baseline-page/')).href, `/v/${version}/bench/baseline-page/`);
});

test('a rebuilt file gives the next page a new version, and is not sent immutable under the old one', async () => {
  const wasm = path.join(tmp, 'kernel/kernel.wasm');
  const before = await baseOf('/');
  assert.equal((await rawRequest(`${before.href}build/kernel/kernel.wasm`)).headers['cache-control'], 'public, max-age=31536000, immutable');
  // The same size, so only the mtime (or the inode, when a build renames a new file into place) tells.
  const rebuilt = Buffer.from(emptyWasm);
  rebuilt[7] = 0;
  fs.writeFileSync(`${wasm}.new`, rebuilt);
  fs.renameSync(`${wasm}.new`, wasm);
  try {
    const old = await rawRequest(`${before.href}build/kernel/kernel.wasm`);
    assert.equal(old.headers['cache-control'], 'no-cache', 'the old version no longer vouches for the file');
    const after = await baseOf('/');
    assert.notEqual(after.version, before.version);
    const res = await rawRequest(`${after.href}build/kernel/kernel.wasm`);
    assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.deepEqual(res.body, rebuilt);
    // A file that was never asked for changing also changes the version once it is asked for.
    fs.writeFileSync(path.join(tmp, 'bin/apps/new.wasm'), emptyWasm);
    assert.equal((await rawRequest(`${after.href}build/bin/apps/new.wasm`)).headers['cache-control'], 'no-cache');
    assert.notEqual((await baseOf('/')).version, after.version);
  } finally {
    fs.writeFileSync(wasm, emptyWasm);
    fs.rmSync(path.join(tmp, 'bin/apps/new.wasm'), { force: true });
  }
});

test('the version does not depend on the server: a restart over the same files keeps it', async () => {
  const dirs = { kernelDir: path.join(tmp, 'kernel'), binDir: path.join(tmp, 'bin') };
  const [first, again, plain] = await Promise.all([
    startServer({ port: 0, ...dirs }),
    startServer({ port: 0, ...dirs }),
    startServer({ port: 0, ...dirs, isolation: false }),
  ]);
  try {
    const { version } = await baseOf('/', first.port);
    assert.equal((await baseOf('/', again.port)).version, version);
    // Responses cached with the isolation headers must not be taken for ones without them.
    assert.notEqual((await baseOf('/', plain.port)).version, version);
  } finally {
    await Promise.all([first.close(), again.close(), plain.close()]);
  }
});

test('a missing file is a 404', async () => {
  for (const target of ['/nope.js', '/build/bin/nope.wasm', '/vendor/xterm/lib/nope.js', '/build/kernel/nope/']) {
    const res = await rawRequest(target);
    assert.equal(res.status, 404, target);
  }
});

test('path traversal is refused, however it is spelt', async () => {
  const secret = fs.readFileSync(path.join(tmp, 'secret.txt'), 'utf8');
  const attempts = [
    '/../package.json',
    '/build/bin/../../secret.txt',
    '/build/bin/..%2f..%2fsecret.txt',
    '/build/bin/%2e%2e/%2e%2e/secret.txt',
    '/build/bin/..%5c..%5csecret.txt',
    '/vendor/xterm/..%2f..%2f..%2fpackage.json',
    '//etc/passwd',
    '/%2fetc%2fpasswd',
    '/build/bin/%00',
    '/%E0%A4%A',
  ];
  for (const target of attempts) {
    const res = await rawRequest(target);
    assert.ok(res.status === 403 || res.status === 404, `${target} answered ${res.status}`);
    assert.ok(!res.body.toString().includes(secret.trim()), target);
    assert.ok(!res.body.toString().includes('"name": "web9"'), target);
  }
  assert.equal((await rawRequest('/../package.json')).status, 403);
});

test('only GET and HEAD are served from files', async () => {
  const head = await rawRequest('/main.js', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  assert.ok(Number(head.headers['content-length']) > 0);
  const post = await rawRequest('/main.js', { method: 'POST' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.allow, 'GET, HEAD');
});

test('with isolation off no isolation header is sent', async () => {
  const plain = await startServer({ port: 0, isolation: false });
  try {
    const res = await rawRequest('/', { port: plain.port });
    assert.equal(res.status, 200);
    assert.equal(res.headers['cross-origin-opener-policy'], undefined);
    assert.equal(res.headers['cross-origin-embedder-policy'], undefined);
    assert.equal(res.headers['cross-origin-resource-policy'], undefined);
  } finally {
    await plain.close();
  }
});

test('extra routes come before the defaults', async () => {
  const custom = await startServer({
    port: 0,
    routes: [
      { prefix: '/kernel/worker.js', file: path.join(tmp, 'kernel/kernel.js') },
      { prefix: '/hello/', handle: (req, res, rest) => res.end(`hello ${rest}`) },
    ],
  });
  try {
    const worker = await rawRequest('/kernel/worker.js', { port: custom.port });
    assert.equal(worker.body.toString(), 'export default 1;\n');
    const hello = await rawRequest('/hello/there', { port: custom.port });
    assert.equal(hello.body.toString(), 'hello there');
  } finally {
    await custom.close();
  }
});

test('the command line prints its URL on one line and serves there', async () => {
  const child = spawn(process.execPath, ['tools/serve.mjs', '--port', '0'], { cwd: repoRoot });
  try {
    const line = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('\n')) resolve(out.split('\n')[0]);
      });
      child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });
    const m = /^web9: serving (http:\/\/127\.0\.0\.1:(\d+)\/)$/.exec(line);
    assert.ok(m, line);
    const res = await fetch(m[1]);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cross-origin-opener-policy'), 'same-origin');
  } finally {
    child.kill();
  }
});

test('--help explains the flags and exits cleanly; a bad flag is refused', async () => {
  const run = (args) =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, ['tools/serve.mjs', ...args], { cwd: repoRoot });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('exit', (code) => resolve({ code, out }));
    });
  const help = await run(['--help']);
  assert.equal(help.code, 0);
  for (const flag of ['--port', '--kernel-dir', '--bin-dir', '--no-isolation']) assert.match(help.out, new RegExp(flag));
  const bad = await run(['--frobnicate']);
  assert.equal(bad.code, 2);
  assert.match(bad.out, /unknown argument: --frobnicate/);
});
