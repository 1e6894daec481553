// git's network commands inside web9 (tools/web9) against a real git server (git http-backend,
// tests/support/gitserver.mjs): clone with progress, push, fetch, pull as a fast-forward and as a
// merge that stops on a conflict with markers in the file, a push refused as non-fast-forward,
// and the errors people meet: no such remote, authentication failed, not a repository.
//
//   node --test tests/git/remote.test.mjs

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startGitServer, runWeb9 } from '../support/gitserver.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const web9 = path.join(root, 'tools/web9');
const buildRoot = path.resolve(root, process.env.WEB9_BUILD ?? 'build');
const kernelDir = path.resolve(process.env.WEB9_KERNEL_BUILD ?? path.join(buildRoot, 'emscripten'));
const binDir = path.resolve(process.env.WEB9_WASI_BUILD ?? path.join(buildRoot, 'wasi'));
const skip = !fs.existsSync(path.join(kernelDir, 'kernel.mjs'))
  ? `no kernel build at ${kernelDir}`
  : !fs.existsSync(path.join(binDir, 'git.wasm'))
    ? `no git.wasm in ${binDir}`
    : false;

let server;
after(async () => server?.close());

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'web9-remote-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

// web9 on the persistent home `home` (asynchronous: the git server answers from this process).
const run = (home, command) => runWeb9(web9, ['--kernel', kernelDir, '--bin', binDir, '--home', home], command);

const bare = (name, ...args) =>
  execFileSync('git', ['--git-dir', path.join(server.root, `${name}.git`), ...args], { encoding: 'utf8' });

// Someone else's commit on the server, written into the bare repository with plumbing.
function remoteCommit(name, file, text, message) {
  const env = { ...process.env, GIT_AUTHOR_NAME: 'Other', GIT_AUTHOR_EMAIL: 'o@x', GIT_COMMITTER_NAME: 'Other',
    GIT_COMMITTER_EMAIL: 'o@x', GIT_INDEX_FILE: path.join(tmp, `index-${Date.now()}`) };
  const g = (args, input) =>
    execFileSync('git', ['--git-dir', path.join(server.root, `${name}.git`), ...args], { env, encoding: 'utf8', input }).trim();
  const blob = g(['hash-object', '-w', '--stdin'], text);
  g(['read-tree', 'main']);
  g(['update-index', '--add', '--cacheinfo', `100644,${blob},${file}`]);
  const commit = g(['commit-tree', g(['write-tree']), '-p', 'main', '-m', message]);
  g(['update-ref', 'refs/heads/main', commit]);
}

async function git() {
  server ??= await startGitServer({ token: 'tok' });
  return server;
}

const prelude = (srv) => `echo token 127.0.0.1:${srv.port} tok >/net/web/ctl
GIT_AUTHOR_NAME=web9; GIT_AUTHOR_EMAIL=w@9; GIT_COMMITTER_NAME=web9; GIT_COMMITTER_EMAIL=w@9`;

test('clone, push, fetch, a fast-forward pull, a refused push, a pull that conflicts, the merge pushed', { skip, timeout: 180000 }, async () => {
  const srv = await git();
  srv.makeRepo('r', { files: 2 });
  const home = path.join(tmp, 'home');
  let r = await run(home, `${prelude(srv)}
git clone ${srv.url('r')} r || exit clone
cd r
echo mine >>file1.txt
git commit -a -m 'from web9' || exit commit
git push || exit push
git remote -v`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /Cloning into 'r'/);
  assert.match(r.stderr, /Receiving objects: 100% \(\d+\/\d+\)/);
  assert.match(r.stdout, /^origin\t\S+ \(fetch\)$/m);
  assert.equal(bare('r', 'log', '-1', '--format=%s', 'main').trim(), 'from web9');
  assert.equal(bare('r', 'show', 'main:file1.txt'), 'file 1\nmine\n');

  remoteCommit('r', 'file2.txt', 'theirs\n', 'from elsewhere');
  r = await run(home, `${prelude(srv)}
cd r
git fetch || exit fetch
git pull || exit pull
cat file2.txt`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /^From http:\/\/127\.0\.0\.1:\d+\/r\.git$/m);
  assert.match(r.stderr, /main -> origin\/main/);
  assert.match(r.stdout, /Fast-forward/);
  assert.match(r.stdout, /^theirs$/m);

  remoteCommit('r', 'file1.txt', 'remote line\n', 'remote change');
  r = await run(home, `${prelude(srv)}
cd r
echo local line >file1.txt
git commit -a -m 'local change' >/dev/null
git push
echo push $status
git pull
echo pull $status
cat file1.txt`);
  assert.match(r.stderr, /! \[rejected\]\s+main -> main \(non-fast-forward\)/);
  assert.match(r.stdout, /^push .+/m);
  assert.doesNotMatch(r.stdout, /^push $/m);
  assert.match(r.stdout, /^CONFLICT \(content\): Merge conflict in file1\.txt$/m);
  assert.doesNotMatch(r.stdout, /^pull $/m);
  assert.match(r.stdout, /^<<<<<<< .*\nlocal line\n=======\nremote line\n>>>>>>> /m);

  r = await run(home, `${prelude(srv)}
cd r
echo both lines >file1.txt
git add file1.txt
git commit -m 'merged' || exit commit
git push || exit push`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(bare('r', 'show', 'main:file1.txt'), 'both lines\n');
  assert.equal(bare('r', 'log', '-1', '--format=%P', 'main').trim().split(' ').length, 2);
  bare('r', 'fsck', '--strict');
});

test('errors: no such remote, authentication failed, not a repository', { skip }, async () => {
  const srv = await git();
  srv.makeRepo('e', { files: 1 });
  const home = path.join(tmp, 'home-e');
  const r = await run(home, `${prelude(srv)}
git clone ${srv.url('e')} e >[2]/dev/null || exit clone
cd e
git fetch nosuch
echo token 127.0.0.1:${srv.port} wrong >/net/web/ctl
git fetch
cd /tmp
git status`);
  assert.match(r.stderr, /^git: nosuch: no such remote/m);
  assert.match(r.stderr, /authentication failed for http:\/\/127\.0\.0\.1:\d+\/e\.git/);
  assert.match(r.stderr, /^git: \/tmp: not a git repository/m);
  assert.doesNotMatch(r.stdout + r.stderr, /wrong|tok\b/, 'no token is ever printed');
});
