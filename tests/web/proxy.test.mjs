// The dev server's CORS proxy (tools/serve.mjs, /proxy/) and /config.json, without a browser:
// what it forwards to an allowed host, what it refuses, and what it says when the host is down.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, proxyHosts } from '../../tools/serve.mjs';

let upstream;
let up; // http://127.0.0.1:PORT of the upstream
let dev;
const seen = [];

before(async () => {
  upstream = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() });
      if (req.url.startsWith('/moved')) {
        res.writeHead(301, { Location: '/r.git/info/refs?service=git-upload-pack' });
        return res.end();
      }
      res.writeHead(200, { 'Content-Type': 'application/x-git-upload-pack-result', 'Set-Cookie': 'a=b' });
      res.end(`answer to ${req.method} ${req.url}`);
    });
  });
  await new Promise((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  up = `http://127.0.0.1:${upstream.address().port}`;
  dev = await startServer({ port: 0, allowHosts: [new URL(up).host] });
});

after(async () => {
  await dev?.close();
  upstream?.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
});

test('/config.json names the proxy', async () => {
  const res = await fetch(new URL('config.json', dev.url));
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { proxy: '/proxy/' });
});

test('an allowed host gets the method, the body and the git headers, and nothing else', async () => {
  const res = await fetch(`${dev.url}proxy/${up}/r.git/git-upload-pack?x=1`, {
    method: 'POST',
    headers: {
      Authorization: 'Basic eA==',
      'Content-Type': 'application/x-git-upload-pack-request',
      Accept: 'application/x-git-upload-pack-result',
      'Git-Protocol': 'version=2',
      Cookie: 'page=secret',
      'X-Other': 'no',
    },
    body: '0032want abc\n',
  });
  assert.equal(res.status, 200);
  assert.equal(await res.text(), 'answer to POST /r.git/git-upload-pack?x=1');
  assert.equal(res.headers.get('content-type'), 'application/x-git-upload-pack-result');
  assert.equal(res.headers.get('set-cookie'), null);
  const req = seen.at(-1);
  assert.equal(req.body, '0032want abc\n');
  assert.equal(req.headers.authorization, 'Basic eA==');
  assert.equal(req.headers['git-protocol'], 'version=2');
  assert.equal(req.headers.accept, 'application/x-git-upload-pack-result');
  assert.equal(req.headers.cookie, undefined);
  assert.equal(req.headers['x-other'], undefined);
});

test('a redirect stays behind the proxy', async () => {
  const res = await fetch(`${dev.url}proxy/${up}/moved`, { redirect: 'manual' });
  assert.equal(res.status, 301);
  assert.equal(res.headers.get('location'), `/proxy/${up}/r.git/info/refs?service=git-upload-pack`);
});

test('a host not allowed is refused with 403 and a line saying how to allow it', async () => {
  const n = seen.length;
  const res = await fetch(`${dev.url}proxy/http://127.0.0.1:1/x`);
  assert.equal(res.status, 403);
  assert.match(await res.text(), /^web9 proxy: 127\.0\.0\.1:1 is not an allowed host \(allowed: github\.com, .*--allow-host/);
  // github.com on another port is another host.
  assert.equal((await fetch(`${dev.url}proxy/https://github.com:8443/x`)).status, 403);
  assert.equal((await fetch(`${dev.url}proxy/file:///etc/passwd`)).status, 400);
  assert.equal(seen.length, n);
});

test('an allowed host that is down is a 502 that says why', async () => {
  const d = await startServer({ port: 0, allowHosts: ['127.0.0.1:1'] });
  try {
    const res = await fetch(`${d.url}proxy/http://127.0.0.1:1/x`);
    assert.equal(res.status, 502);
    assert.equal(res.headers.get('x-web9-proxy-error'), 'connect: connection refused');
  } finally {
    await d.close();
  }
});

test('allowed hosts come from github.com, WEB9_PROXY_HOSTS and --allow-host', () => {
  assert.deepEqual(proxyHosts(['Example.org:8080'], 'a.example, b.example:81'), ['github.com', 'a.example', 'b.example:81', 'example.org:8080']);
  assert.deepEqual(proxyHosts([], ''), ['github.com']);
});
