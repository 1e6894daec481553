// git.wasm (apps/git/, libgit2 1.5.1 built by cmake/git.cmake): init, add, commit, log and status
// under Node's WASI in a host directory, with the repository then checked by the host's own git
// (log, fsck, cat-file); and the same flow inside web9 (tools/web9, in /tmp, a ram directory).
// Prints git.wasm's size and the libraries' build time (from build/wasi/.ninja_log); asserts
// neither.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { run, tmpdir, populate, hasProgram, buildDir } from '../apps/wasi-run.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const kernelDir = path.resolve(process.env.WEB9_KERNEL_BUILD ?? path.join(root, process.env.WEB9_BUILD ?? 'build', 'emscripten'));
const noGit = hasProgram('git') ? false : `no git.wasm in ${buildDir}`;
const hostGit = spawnSync('git', ['--version']).status === 0;
const noHostGit = noGit || (hostGit ? false : 'no host git');
const noWeb9 = noGit || (fs.existsSync(path.join(kernelDir, 'kernel.mjs')) ? false : `no kernel build at ${kernelDir}`);

const author = { GIT_AUTHOR_NAME: 'Ada Lovelace', GIT_AUTHOR_EMAIL: 'ada@example.org' };
const git = (dir, args, env = author) => run('git', args, { dir, env });
const ok = (r) => {
  assert.equal(r.stderr, '');
  assert.equal(r.status, 0);
  return r.out;
};

// The host's git on dir, with no user or system configuration.
function host(dir, args) {
  const r = spawnSync('git', ['-C', dir, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: dir, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
  });
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

// init, add, commit twice, with status along the way; returns the directory.
function history() {
  const dir = populate(tmpdir('web9-git-'), { 'hello.txt': 'hello\n', 'src/a.c': 'int a;\n', 'src/b.c': 'int b;\n' });
  assert.match(ok(git(dir, ['init'])), /^Initialized empty Git repository in \/\.git\/\n$/);
  ok(git(dir, ['add', 'hello.txt', 'src']));
  assert.equal(ok(git(dir, ['status', '--short'])), 'A  hello.txt\nA  src/a.c\nA  src/b.c\n');
  assert.match(ok(git(dir, ['commit', '-m', 'first commit'])), /^\[master \(root-commit\) [0-9a-f]{7}\] first commit\n$/);
  assert.equal(ok(git(dir, ['status', '--short'])), '');
  fs.writeFileSync(path.join(dir, 'hello.txt'), 'hello, world\n');
  fs.writeFileSync(path.join(dir, 'new.txt'), 'new\n');
  fs.rmSync(path.join(dir, 'src/b.c'));
  assert.equal(ok(git(dir, ['status', '-s'])), ' M hello.txt\n D src/b.c\n?? new.txt\n');
  ok(git(dir, ['add', 'hello.txt', 'new.txt', 'src/b.c']));
  assert.equal(ok(git(dir, ['status', '--short'])), 'M  hello.txt\nA  new.txt\nD  src/b.c\n');
  assert.match(ok(git(dir, ['commit', '-m', 'second\n\nwith a body'])), /^\[master [0-9a-f]{7}\] second\n$/);
  return dir;
}

test('git --help, --version and its errors', { skip: noGit }, () => {
  const dir = tmpdir('web9-git-');
  assert.match(ok(git(dir, ['--help'])), /^usage: git .*\n(.*\n)*  commit +Record the index/);
  assert.match(ok(git(dir, ['--version'])), /^git version libgit2 1\.5\.1 \(web9\)\n$/);
  assert.match(ok(git(dir, ['commit', '--help'])), /^usage: git commit \[-a\] -m message\n/);
  let r = git(dir, ['log']);
  assert.equal(r.stderr, 'git: /: not a git repository (or any of the parent directories)\n');
  assert.equal(r.status, 1);
  r = git(dir, ['frob']);
  assert.equal(r.stderr, 'git: frob: not a git command (git --help lists them)\n');
  assert.equal(r.status, 1);
  ok(git(dir, ['init']));
  r = git(dir, ['log']);
  assert.equal(r.stderr, 'git: log: branch master has no commits yet\n');
  r = git(dir, ['add', 'nothere']);
  assert.equal(r.stderr, 'git: nothere: pathspec did not match any files\n');
  assert.equal(r.status, 1);
  r = git(dir, ['commit', '-m', 'x']);
  assert.equal(r.stderr, 'git: commit: nothing to commit\n');
  assert.equal(r.status, 1);
});

test('git init, add, commit, log and status under Node WASI', { skip: noGit }, () => {
  const dir = history();
  const oneline = ok(git(dir, ['log', '--oneline'])).split('\n');
  assert.equal(oneline.length, 3);
  assert.match(oneline[0], /^[0-9a-f]{7} second$/);
  assert.match(oneline[1], /^[0-9a-f]{7} first commit$/);
  const full = ok(git(dir, ['log']));
  assert.match(full, /^commit [0-9a-f]{40}\nAuthor: Ada Lovelace <ada@example\.org>\nDate:   \w{3} \w{3} \d+ \d\d:\d\d:\d\d \d{4} [+-]\d{4}\n\n    second\n    \n    with a body\n\ncommit [0-9a-f]{40}\n/);
  assert.match(ok(git(dir, ['status'])), /^On branch master\n\nnothing to commit, working tree clean\n$/);
  // Without an author in the environment or configuration: web9's default.
  fs.writeFileSync(path.join(dir, 'hello.txt'), 'third\n');
  assert.match(ok(git(dir, ['status'])), /\nChanges not staged for commit:\n\tmodified:   hello\.txt\n/);
  ok(git(dir, ['add', '.'], {}));
  ok(git(dir, ['commit', '-m', 'third'], {}));
  assert.match(ok(git(dir, ['log', '-n', '1'])), /\nAuthor: web9 <web9@localhost>\n/);
});

test("the host's git reads the repository: log, fsck, trees and blobs", { skip: noHostGit }, () => {
  const dir = history();
  assert.equal(host(dir, ['log', '--format=%an <%ae>|%cn|%s|%b']),
    'Ada Lovelace <ada@example.org>|web9|second|with a body\n\nAda Lovelace <ada@example.org>|web9|first commit|\n');
  host(dir, ['fsck', '--full', '--strict']);
  const blob = (file) => host(dir, ['hash-object', file]).trim();
  assert.equal(host(dir, ['cat-file', '-p', 'HEAD^{tree}']),
    `100644 blob ${blob('hello.txt')}\thello.txt\n100644 blob ${blob('new.txt')}\tnew.txt\n` +
    `040000 tree ${host(dir, ['rev-parse', 'HEAD:src']).trim()}\tsrc\n`);
  assert.equal(host(dir, ['cat-file', '-p', 'HEAD:src']), `100644 blob ${blob('src/a.c')}\ta.c\n`);
  assert.equal(host(dir, ['cat-file', '-p', 'HEAD~1:src/b.c']), 'int b;\n');
  assert.equal(host(dir, ['rev-list', '--count', 'HEAD']), '2\n');
  // Its index agrees with the work tree and HEAD.
  assert.equal(host(dir, ['status', '--porcelain']), '');
  assert.equal(host(dir, ['rev-parse', 'HEAD']).slice(0, 7), ok(git(dir, ['log', '--oneline', '-n', '1'])).slice(0, 7));
});

test('git inside web9: a repository in /tmp', { skip: noWeb9 }, () => {
  const script = [
    'mkdir /tmp/r && cd /tmp/r',
    'echo hello >hello.txt && mkdir d && echo deep >d/f',
    'git init',
    'git add hello.txt d',
    'git status --short',
    'GIT_AUTHOR_NAME=Ada GIT_AUTHOR_EMAIL=ada@example.org git commit -m first',
    'echo more >>hello.txt',
    'git status -s',
    'git add hello.txt && git commit -m second',
    'git log --oneline',
    'git log -n 1',
    'git status',
  ].join('\n');
  const r = spawnSync(path.join(root, 'tools/web9'), ['--kernel', kernelDir, '--bin', buildDir, '--no-home', '-c', script], {
    encoding: 'utf8',
    timeout: 60000,
  });
  assert.equal(r.stderr, '');
  assert.equal(r.status, 0);
  const lines = r.stdout.split('\n');
  assert.equal(lines[0], 'Initialized empty Git repository in /tmp/r/.git/');
  assert.deepEqual(lines.slice(1, 3), ['A  d/f', 'A  hello.txt']);
  assert.match(lines[3], /^\[master \(root-commit\) [0-9a-f]{7}\] first$/);
  assert.equal(lines[4], ' M hello.txt');
  assert.match(lines[5], /^\[master [0-9a-f]{7}\] second$/);
  assert.match(lines[6], /^[0-9a-f]{7} second$/);
  assert.match(lines[7], /^[0-9a-f]{7} first$/);
  assert.match(lines[8], /^commit [0-9a-f]{40}$/);
  assert.equal(lines[9], 'Author: web9 <web9@localhost>');
  assert.match(r.stdout, /\nOn branch master\n\nnothing to commit, working tree clean\n$/);
  const log = r.stdout.slice(r.stdout.indexOf('\n', r.stdout.indexOf('commit ')));
  assert.ok(!log.includes('Ada'), 'the second commit has the default author');
});

test('figures: git.wasm size and the libraries build time (printed, not asserted)', { skip: noGit }, (t) => {
  const size = fs.statSync(path.join(buildDir, 'git.wasm')).size;
  t.diagnostic(`git.wasm: ${(size / 1024).toFixed(0)} KiB`);
  // .ninja_log: start ms, end ms, mtime, output, hash; the last entry per output counts.
  const log = path.join(buildDir, '.ninja_log');
  if (!fs.existsSync(log)) return;
  const last = new Map();
  for (const line of fs.readFileSync(log, 'utf8').split('\n')) {
    const f = line.split('\t');
    if (f.length >= 4) last.set(f[3], Number(f[1]) - Number(f[0]));
  }
  for (const lib of ['web9_zlib', 'web9_http_parser', 'web9_libgit2']) {
    let ms = 0;
    let n = 0;
    for (const [out, d] of last) if (out.includes(`/${lib}.dir/`) || out.endsWith(`lib${lib}.a`)) ms += d, n++;
    t.diagnostic(`${lib}: ${n} steps, ${(ms / 1000).toFixed(1)} s of compile time (-j1 sum)`);
  }
});
