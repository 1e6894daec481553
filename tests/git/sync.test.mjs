// The GitHub-synced file system under the headless runtime (tools/web9), against a real git
// server (git http-backend, tests/support/gitserver.mjs) standing in for GitHub: clone, edit,
// sync, then native git on the server checks what arrived; a remote change pulled in; a conflict
// with nothing lost; a wrong token; the server down mid-push; the tree back after a "reload" (a
// second run on the same home); auto sync.
//
//   node --test tests/git/sync.test.mjs

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startGitServer, runWeb9 } from '../support/gitserver.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const web9 = path.join(root, 'tools/web9');
const buildRoot = path.resolve(root, process.env.WEB9_BUILD ?? 'build');
const kernelDir = path.resolve(process.env.WEB9_KERNEL_BUILD ?? path.join(buildRoot, 'emscripten'));
const binDir = path.resolve(process.env.WEB9_WASI_BUILD ?? path.join(buildRoot, 'wasi'));

function why() {
  if (!fs.existsSync(path.join(kernelDir, 'kernel.mjs'))) return `no kernel build at ${kernelDir}`;
  if (!fs.existsSync(path.join(binDir, 'git.wasm'))) return `no git.wasm in ${binDir}`;
  return false;
}
const skip = why();

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'web9-sync-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

let server;
async function git() {
  server ??= await startGitServer({ token: 'right-token' });
  return server;
}
after(async () => server?.close());

// web9 on the persistent home `home` (asynchronous: the git server answers from this process).
const run = (home, command) => runWeb9(web9, ['--kernel', kernelDir, '--bin', binDir, '--home', home], command);

// Native git against the server's bare repository.
function bare(srv, name, ...args) {
  return execFileSync('git', ['--git-dir', path.join(srv.root, `${name}.git`), ...args], { encoding: 'utf8' });
}

// A native working clone that pushes a change to the server, as someone else editing on GitHub.
// Asynchronous, like run(): the server answers from this process.
async function pushNative(srv, name, file, text, message) {
  const dir = fs.mkdtempSync(path.join(tmp, 'native-'));
  const env = { ...process.env, GIT_TERMINAL_PROMPT: '0' };
  const auth = `http.extraHeader=Authorization: Basic ${Buffer.from('x:right-token').toString('base64')}`;
  const g = (...args) =>
    new Promise((resolve, reject) => {
      const child = spawn('git', ['-c', auth, '-c', 'user.name=Other', '-c', 'user.email=o@x', ...args], { cwd: dir, env });
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`git ${args[0]}: ${err}`))));
    });
  await g('clone', '-q', srv.url(name), '.');
  fs.writeFileSync(path.join(dir, file), text);
  await g('add', file);
  await g('commit', '-qm', message);
  await g('push', '-q', 'origin', 'HEAD');
}

function setup(srv, name, owner = 'web9') {
  return `echo token 127.0.0.1:${srv.port} right-token >/net/web/ctl
github -u ${srv.url(name)} ${owner}/${name} || exit clone`;
}

test('clone, edit, sync: the commit arrives on the server with the right tree', { skip }, async () => {
  const srv = await git();
  srv.makeRepo('site', { files: 3 });
  const home = path.join(tmp, 'h1');
  const r = await run(home, `${setup(srv, 'site')}
cd /n/github/web9/site
ls
echo '<h1>edited in web9</h1>' >index.html
echo changed >file1.txt
rm file2.txt
echo new >new.txt
echo sync >/mnt/github/web9/site/ctl
cat /mnt/github/web9/site/status`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /file1\.txt/);
  assert.match(r.stdout, /^ahead 0$/m, r.stdout);
  assert.match(r.stdout, /^changed 0$/m);
  assert.match(r.stdout, /^error none$/m);
  assert.doesNotMatch(r.stdout, /last-sync never/);
  const subject = bare(srv, 'site', 'log', '-1', '--format=%s%n%b', 'main');
  assert.match(subject, /^web9 sync: /);
  assert.match(subject, /index\.html/);
  assert.match(subject, /new\.txt/);
  assert.match(subject, /^M file1\.txt$/m);
  assert.match(subject, /^D file2\.txt$/m);
  assert.match(subject, /^A index\.html$/m);
  assert.equal(bare(srv, 'site', 'show', 'main:file1.txt'), 'changed\n');
  assert.equal(bare(srv, 'site', 'show', 'main:index.html'), '<h1>edited in web9</h1>\n');
  assert.equal(bare(srv, 'site', 'show', 'main:new.txt'), 'new\n');
  const files = bare(srv, 'site', 'ls-tree', '-r', '--name-only', 'main').trim().split('\n');
  assert.ok(!files.includes('file2.txt'), files.join(' '));
  assert.ok(files.includes('file1.txt'));
  bare(srv, 'site', 'fsck', '--strict');
});

test('a remote change is pulled in, and the tree comes back on the next boot', { skip }, async () => {
  const srv = await git();
  srv.makeRepo('pulled', { files: 2 });
  const home = path.join(tmp, 'h2');
  let r = await run(home, `${setup(srv, 'pulled')}\ncat /n/github/web9/pulled/file1.txt`);
  assert.equal(r.status, 0, r.stderr);
  await pushNative(srv, 'pulled', 'file1.txt', 'changed on github\n', 'remote edit');
  // A new boot on the same home: the token was not persisted, the tree was.
  r = await run(home, `echo token 127.0.0.1:${srv.port} right-token >/net/web/ctl
github -r
echo pull >/mnt/github/web9/pulled/ctl
cat /n/github/web9/pulled/file1.txt
grep behind /mnt/github/web9/pulled/status`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^changed on github$/m);
  assert.match(r.stdout, /^behind 0$/m);
});

test('both sides change a file: the local version stays, the remote one waits beside it', { skip }, async () => {
  const srv = await git();
  srv.makeRepo('conflict', { files: 1 });
  const home = path.join(tmp, 'h3');
  let r = await run(home, setup(srv, 'conflict'));
  assert.equal(r.status, 0, r.stderr);
  await pushNative(srv, 'conflict', 'file1.txt', 'remote text\n', 'remote edit');
  const before = bare(srv, 'conflict', 'rev-parse', 'main').trim();
  r = await run(home, `echo token 127.0.0.1:${srv.port} right-token >/net/web/ctl
github -r
cd /n/github/web9/conflict
echo local text >file1.txt
echo sync >/mnt/github/web9/conflict/ctl
cat file1.txt
cat file1.txt.remote
cat /mnt/github/web9/conflict/status`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^local text\nremote text\n/m);
  assert.match(r.stdout, /^conflicts 1$/m);
  assert.match(r.stdout, /file1\.txt \(remote version in file1\.txt\.remote\)/);
  // Nothing was pushed while the conflict stands.
  assert.equal(bare(srv, 'conflict', 'rev-parse', 'main').trim(), before);
  // Resolved: the user keeps a mix and removes the .remote file; the next sync pushes it.
  r = await run(home, `echo token 127.0.0.1:${srv.port} right-token >/net/web/ctl
github -r
cd /n/github/web9/conflict
echo local and remote text >file1.txt
rm file1.txt.remote
echo sync >/mnt/github/web9/conflict/ctl
grep conflicts /mnt/github/web9/conflict/status`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^conflicts 0$/m);
  assert.equal(bare(srv, 'conflict', 'show', 'main:file1.txt'), 'local and remote text\n');
  // The remote's commit is in the history (a merge), not thrown away.
  bare(srv, 'conflict', 'merge-base', '--is-ancestor', before, 'main');
});

test('a wrong token: the clone fails and says authentication failed', { skip }, async () => {
  const srv = await git();
  srv.makeRepo('private', { files: 1 });
  const r = await run(path.join(tmp, 'h4'), `echo token 127.0.0.1:${srv.port} wrong >/net/web/ctl
github -u ${srv.url('private')} web9/private`);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /authentication failed/);
  assert.doesNotMatch(r.stdout + r.stderr, /wrong/, 'the token is never printed');
});

test('the server goes down mid-push: everything stays local and the sync retries', { skip }, async () => {
  const srv = await git();
  srv.makeRepo('flaky', { files: 1 });
  const home = path.join(tmp, 'h5');
  let r = await run(home, setup(srv, 'flaky'));
  assert.equal(r.status, 0, r.stderr);
  const before = bare(srv, 'flaky', 'rev-parse', 'main').trim();
  srv.down('cut');
  r = await run(home, `echo token 127.0.0.1:${srv.port} right-token >/net/web/ctl
github -r
cd /n/github/web9/flaky
echo offline edit >file1.txt
echo sync >/mnt/github/web9/flaky/ctl || echo sync failed
cat file1.txt
cat /mnt/github/web9/flaky/status
git log --oneline`);
  await srv.up();
  assert.match(r.stdout, /sync failed/);
  assert.match(r.stdout, /^offline edit$/m);
  assert.match(r.stdout, /^error .+/m);
  assert.doesNotMatch(r.stdout, /^error none$/m);
  assert.match(r.stdout, /web9 sync: file1\.txt/, 'the edit is committed locally');
  assert.equal(bare(srv, 'flaky', 'rev-parse', 'main').trim(), before);
  // Back up: the retry (driven by the server's clock) delivers it without a new `sync`.
  r = await run(home, `echo token 127.0.0.1:${srv.port} right-token >/net/web/ctl
github -r
sleep 14
cat /mnt/github/web9/flaky/status`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^error none$/m, r.stdout);
  assert.equal(bare(srv, 'flaky', 'show', 'main:file1.txt'), 'offline edit\n');
});

test('auto on: an edit is synced once the tree has been idle', { skip }, async () => {
  const srv = await git();
  srv.makeRepo('auto', { files: 1 });
  const r = await run(path.join(tmp, 'h6'), `${setup(srv, 'auto')}
echo auto on >/mnt/github/web9/auto/ctl
echo automatic >/n/github/web9/auto/file1.txt
sleep 9
cat /mnt/github/web9/auto/status`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^auto on$/m);
  assert.equal(bare(srv, 'auto', 'show', 'main:file1.txt'), 'automatic\n');
});
