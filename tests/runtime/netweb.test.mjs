// /net/web end to end under tools/web9 (node:http behind the kernel's WebFs): rc scripts that
// open clone, write ctl and postbody and cat body, status and headers, against a local HTTP
// server and a real git smart-HTTP server (tests/support/gitserver.mjs). Build dirs as in
// web9.test.mjs. The browser's side (fetch through the dev server's proxy) is in
// tests/web/netweb.test.mjs.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startGitServer, tokenAuthorization } from '../support/gitserver.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const web9 = path.join(root, 'tools/web9');
const buildRoot = path.resolve(root, process.env.WEB9_BUILD ?? 'build');
const kernelDir = path.resolve(process.env.WEB9_KERNEL_BUILD ?? path.join(buildRoot, 'emscripten'));
const binDir = path.resolve(process.env.WEB9_WASI_BUILD ?? path.join(buildRoot, 'wasi'));
const skip = !fs.existsSync(path.join(kernelDir, 'kernel.mjs'))
  ? `no kernel build at ${kernelDir}`
  : !['rc', 'cat', 'echo'].every((n) => fs.existsSync(path.join(binDir, `${n}.wasm`)))
    ? `rc, cat and echo are not built in ${binDir}`
    : false;

// Runs tools/web9 -c script args... without blocking this process's event loop (the servers the
// script talks to run here).
function run(script, args = [], { home = null } = {}) {
  const homeArgs = home ? ['--home', home] : ['--no-home'];
  return new Promise((resolve, reject) => {
    const p = spawn(web9, ['--kernel', kernelDir, '--bin', binDir, ...homeArgs, '-c', script, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill(), 30000);
    p.on('error', reject);
    p.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

// A whole request: $1 the URL, then ctl lines in $2..; prints body, then status, then headers.
const get = `
{
  cat <[0=3] >/tmp/conn
  n=\`{cat /tmp/conn}
  echo url $1 >[1=3]
  for (l in $*(2-)) echo $l >[1=3]
  cat /net/web/$n/body
  cat /net/web/$n/status
  cat /net/web/$n/headers
} <>[3] /net/web/clone
`;

let server;
let base;
const seen = []; // {method, url, authorization, body}

before(async () => {
  server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization ?? null, xreq: req.headers['x-req'] ?? null, body });
      if (req.url === '/hello') {
        res.writeHead(200, { 'Content-Type': 'text/plain', 'X-Test': 'yes' });
        return res.end('hello from the host\n');
      }
      if (req.url === '/echo') {
        res.writeHead(201, { 'Content-Type': 'text/plain' });
        return res.end(`${req.method} ${body.toUpperCase()}`);
      }
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('no such page\n');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});

after(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
});

test('a GET through /net/web prints the body, the status and the headers', { skip }, async () => {
  const r = await run(get, [`${base}/hello`, 'header X-Req: one']);
  assert.equal(r.stderr, '');
  assert.equal(r.status, 0);
  const [body, status, ...headers] = r.stdout.split('\n');
  assert.equal(body, 'hello from the host');
  assert.equal(status, '200 OK');
  assert.ok(headers.includes('content-type: text/plain'), r.stdout);
  assert.ok(headers.includes('x-test: yes'), r.stdout);
  const req = seen.at(-1);
  assert.equal(req.method, 'GET');
  assert.equal(req.xreq, 'one');
  assert.equal(req.authorization, null);
});

test('cat /net/web/clone gives a connection number; ctl and the listing look right', { skip }, async () => {
  const r = await run(`cat /net/web/clone; ls /net/web; cat /net/web/ctl
{ cat <[0=3] >/tmp/conn; n=\`{cat /tmp/conn}; echo url ${base}/x >[1=3]; echo request PUT >[1=3]; ls /net/web/$n; cat /net/web/$n/ctl } <>[3] /net/web/clone`);
  assert.equal(r.stderr, '');
  assert.equal(
    r.stdout,
    [
      '0',
      '/net/web/clone',
      '/net/web/ctl',
      'proxy none',
      '/net/web/0/body',
      '/net/web/0/ctl',
      '/net/web/0/headers',
      '/net/web/0/postbody',
      '/net/web/0/status',
      `url ${base}/x`,
      'request PUT',
      '',
    ].join('\n'),
  );
});

test('writing postbody makes a POST that carries it', { skip }, async () => {
  const script = `{ cat <[0=3] >/tmp/conn; n=\`{cat /tmp/conn}; echo url $1 >[1=3]; echo -n hello post >/net/web/$n/postbody; cat /net/web/$n/body; echo; cat /net/web/$n/status } <>[3] /net/web/clone`;
  const r = await run(script, [`${base}/echo`]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'POST HELLO POST\n201 Created\n');
  assert.equal(seen.at(-1).body, 'hello post');
});

test('hget makes a whole request and fails on a status that is not 2xx', { skip: skip || (!fs.existsSync(path.join(binDir, 'hget.wasm')) && 'hget is not built') }, async () => {
  const r = await run(`hget -i -H 'X-Req: two' -d 'posted body' $1/echo; echo; hget $1/nothing; echo status $status`, [base]);
  const [head, rest] = r.stdout.split('\n\n');
  assert.match(head, /^201 Created\ncontent-type: text\/plain\n/);
  assert.equal(rest, 'POST POSTED BODY\nno such page\nstatus 1\n');
  assert.equal(seen.at(-2).xreq, 'two');
  assert.equal(r.stderr, `hget: ${base}/nothing: 404 Not Found\n`);
});

test('a token is sent to its host and cannot be read back', { skip }, async () => {
  const host = new URL(base).host;
  const n = seen.length;
  const r = await run(
    `echo token ${host} s3cr3t-tok >/net/web/ctl; echo token example.invalid zzz >/net/web/ctl; cat /net/web/ctl
${get}
echo untoken ${host} >/net/web/ctl
${get}
echo token ${host} t persist >/net/web/ctl`,
    [`${base}/hello`],
  );
  assert.match(r.stdout, new RegExp(`^proxy none\\ntoken ${host} \\(set\\)\\ntoken example.invalid \\(set\\)\\nhello from the host\\n200 OK\\n`));
  assert.ok(!r.stdout.includes('s3cr3t-tok'));
  assert.deepEqual(seen.slice(n).map((s) => s.authorization), [tokenAuthorization('s3cr3t-tok'), null]);
  // Without a home there is nowhere to keep a token, and the write says so.
  assert.equal(r.stderr, 'echo: write error: web: token: persist: the home is in memory here, so nothing persists\n');
});

test('a token marked persist is kept beside the home, unreadable in the name space', { skip }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'web9-net-'));
  try {
    const home = path.join(dir, 'home');
    const host = new URL(base).host;
    const first = await run(`echo token ${host} kept-tok persist >/net/web/ctl`, [], { home });
    assert.equal(first.stderr, '');
    const file = `${home}.tokens`;
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    // A new boot reads it back: the request is authorised, and nothing shows the token.
    const again = await run(`cat /net/web/ctl; grep -r kept-tok $home\n${get}\necho untoken ${host} >/net/web/ctl`, [`${base}/hello`], { home });
    assert.match(again.stdout, new RegExp(`token ${host} \\(set, persist\\)`));
    assert.ok(!again.stdout.includes('kept-tok'), again.stdout);
    assert.equal(seen.at(-1).authorization, tokenAuthorization('kept-tok'));
    // untoken forgets it there too.
    assert.equal(fs.existsSync(file), false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a refused connection is an error that says so', { skip }, async () => {
  // A port nobody listens on: take one, then let it go.
  const probe = http.createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = probe.address().port;
  await new Promise((resolve) => probe.close(resolve));
  const r = await run(get, [`http://127.0.0.1:${port}/`]);
  assert.match(r.stderr, /web: connect: connection refused/);
  assert.notEqual(r.status, 0);
});

test('the git server\'s smart-HTTP advertisement comes through, with the token it asks for', { skip }, async () => {
  const git = await startGitServer({ token: 'git-tok' });
  try {
    const head = git.makeRepo('r', { files: 2 });
    const url = `${git.url('r')}/info/refs?service=git-upload-pack`;
    const both = await run(`${get}\necho token 127.0.0.1:${git.port} git-tok >/net/web/ctl\necho\n${get}`, [url]);
    assert.equal(both.stderr, '');
    const [denied, r] = both.stdout.split('\n\n');
    assert.match(denied, /^authentication required\n401 Unauthorized\n/);
    assert.match(denied, /www-authenticate: Basic realm="web9 test git"/);
    assert.match(r, /^001e# service=git-upload-pack\n0000/);
    assert.ok(r.includes(`${head} HEAD`), r);
    assert.ok(r.includes(`${head} refs/heads/main`), r);
    // The advertisement ends with a flush packet ("0000", no newline); status follows it.
    assert.match(r, /refs\/heads\/main\n0000200 OK\n/);
    assert.match(r, /content-type: application\/x-git-upload-pack-advertisement/);
    // A response cut off part-way is a read error, not a short file.
    git.down('cut');
    const cut = await run(`echo token 127.0.0.1:${git.port} git-tok >/net/web/ctl\n${get}`, [url]);
    assert.match(cut.stderr, /web: read: the connection closed before the end of the body|web: connection reset/);
  } finally {
    await git.close();
  }
});
