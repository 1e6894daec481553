// git.wasm's local commands beyond init/add/commit/log/status (git.test.mjs): diff, show, log -p
// and --format, rm, mv, branch, checkout, switch, config, commit -a and finishing a merge. Each
// runs under Node's WASI in a host directory; output formats are compared with the host's git on
// the same repository, and the results (refs, index, work tree, commits) are checked with it.
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
const noWeb9 = noGit || (fs.existsSync(path.join(kernelDir, 'kernel.mjs')) ? false : `no kernel build at ${kernelDir}`);
const skip = noGit || (spawnSync('git', ['--version']).status === 0 ? false : 'no host git');

const who = { GIT_AUTHOR_NAME: 'Ada Lovelace', GIT_AUTHOR_EMAIL: 'ada@example.org' };
const git = (dir, args, env = who) => run('git', args, { dir, env });
const ok = (r) => {
  assert.equal(r.stderr, '');
  assert.equal(r.status, 0);
  return r.out;
};
const fails = (r, stderr) => {
  assert.equal(r.stderr, stderr);
  assert.equal(r.status, 1);
};

// The host's git on dir, with no user or system configuration.
function host(dir, args, { status = 0 } = {}) {
  const r = spawnSync('git', ['-C', dir, ...args], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH, HOME: dir, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 'Host', GIT_AUTHOR_EMAIL: 'host@example.org', GIT_COMMITTER_NAME: 'Host',
      GIT_COMMITTER_EMAIL: 'host@example.org',
    },
  });
  assert.equal(r.status, status, `git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
const write = (dir, file, data) => fs.writeFileSync(path.join(dir, file), data);
const read = (dir, file) => fs.readFileSync(path.join(dir, file), 'utf8');
const exists = (dir, file) => fs.existsSync(path.join(dir, file));

// Two commits by git.wasm, then changes of every kind in the index and the work tree.
function repo() {
  const dir = populate(tmpdir('web9-git-'), {
    'a.txt': 'one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\n',
    'b.txt': 'bee\n',
    'src/main.c': 'int main(void)\n{\n  return 0;\n}\n',
    'noeol.txt': 'no newline',
  });
  ok(git(dir, ['init']));
  ok(git(dir, ['add', '.']));
  ok(git(dir, ['commit', '-m', 'first']));
  write(dir, 'a.txt', 'one\ntwo\nTHREE\nfour\nfive\nsix\nseven\neight\nnine\n');
  write(dir, 'noeol.txt', 'no newline, still');
  ok(git(dir, ['add', 'a.txt', 'noeol.txt']));
  ok(git(dir, ['commit', '-m', 'second\n\nbody']));
  write(dir, 'b.txt', 'bee\nbuzz\n');
  write(dir, 'new.txt', 'new\n');
  ok(git(dir, ['add', 'new.txt']));
  write(dir, 'src/main.c', 'int main(void)\n{\n  return 1;\n}\n');
  fs.rmSync(path.join(dir, 'noeol.txt'));
  return dir;
}

test('git diff, show and log -p print what the host git prints', { skip }, () => {
  const dir = repo();
  const same = (args) => {
    const ours = ok(git(dir, args));
    assert.equal(ours, host(dir, args), `git ${args.join(' ')}`);
    return ours;
  };
  assert.match(same(['diff']), /^diff --git a\/b\.txt b\/b\.txt\nindex [0-9a-f]{7}\.\.[0-9a-f]{7} 100644\n--- a\/b\.txt\n\+\+\+ b\/b\.txt\n@@ -1 \+1,2 @@\n bee\n\+buzz\n/);
  assert.match(same(['diff', '--cached']), /^diff --git a\/new\.txt b\/new\.txt\nnew file mode 100644\n/);
  same(['diff', '--staged']);
  same(['diff', 'HEAD']);
  same(['diff', '--stat']);
  same(['diff', 'HEAD', '--stat']);
  same(['diff', 'HEAD~1', 'HEAD']);
  same(['diff', 'HEAD~1..HEAD', '--', 'noeol.txt']);
  same(['diff', 'HEAD', '--', 'src']);
  same(['diff', 'b.txt']);
  assert.match(same(['show']), /^commit [0-9a-f]{40}\nAuthor: Ada Lovelace <ada@example\.org>\nDate: .*\n\n    second\n    \n    body\n\ndiff --git a\/a\.txt b\/a\.txt\n/);
  assert.match(same(['show', 'HEAD~1']), /\n    first\n\ndiff --git a\/a\.txt b\/a\.txt\nnew file mode 100644\n/);
  same(['show', '--stat', 'HEAD']);
  assert.equal(same(['show', 'HEAD~1:noeol.txt']), 'no newline');
  same(['show', 'HEAD:src']);
  same(['log', '-p']);
  same(['log', '--oneline', '-p']);
  same(['log', '--format=%H %s']);
  same(['log', '--format=%h %an <%ae> %p%n%b|', 'HEAD']);
  same(['log', '--pretty=oneline']);
  // A rename, as git reports it by default.
  ok(git(dir, ['commit', '-a', '-m', 'third']));
  ok(git(dir, ['mv', 'b.txt', 'bee.txt']));
  same(['diff', '--cached']);
  fails(git(dir, ['diff', 'nosuch..HEAD']), 'git: nosuch..HEAD: unknown revision or path not in the work tree\n');
  fails(git(dir, ['diff', 'nosuch', 'HEAD']), 'git: nosuch: unknown revision or path not in the work tree\n');
  fails(git(dir, ['diff', 'HEAD..nosuch']), 'git: nosuch: unknown revision\n');
  fails(git(dir, ['show', 'HEAD:nosuch']), 'git: HEAD:nosuch: unknown revision\n');
});

test('git diff --stat: long names, wide changes, binary files and renames as git lays them out', { skip }, () => {
  const lines = (n, f) => Array.from({ length: n }, (_, i) => f(i)).join('\n') + '\n';
  const long = 'a/very/long/directory/name/that/goes/on/and/on/file-with-a-long-name.txt';
  const dir = populate(tmpdir('web9-git-'), {
    [long]: lines(200, (i) => `l${i}`),
    'bin.dat': Buffer.from([0, 1, 2, 3, 0, 255]),
    'small': 'x\n',
    'src/old/name.c': lines(20, (i) => `int v${i};`),
  });
  ok(git(dir, ['init']));
  ok(git(dir, ['add', '.']));
  ok(git(dir, ['commit', '-m', 'one']));
  write(dir, long, lines(150, (i) => `m${i}`));
  write(dir, 'bin.dat', Buffer.from([0, 1, 2, 4, 0, 255, 7]));
  write(dir, 'small', '');
  fs.mkdirSync(path.join(dir, 'src/new'));
  fs.renameSync(path.join(dir, 'src/old/name.c'), path.join(dir, 'src/new/name.c'));
  ok(git(dir, ['add', '.']));
  const ours = ok(git(dir, ['diff', '--cached', '--stat']));
  assert.equal(ours, host(dir, ['diff', '--cached', '--stat']));
  assert.match(ours, /\n src\/\{old => new\}\/name\.c +\| +0\n/);
  assert.match(ours, /^ \.\.\.\/that\/goes/);
  ok(git(dir, ['commit', '-m', 'two']));
  assert.equal(ok(git(dir, ['show', '--stat'])), host(dir, ['show', '--stat']));
});

test('git rm and git mv: index and work tree as the host git sees them', { skip }, () => {
  const dir = repo();
  ok(git(dir, ['commit', '-a', '-m', 'all']));
  populate(dir, { 'd/x': 'x\n', 'd/e/y': 'y\n', 'keep.txt': 'keep\n' });
  ok(git(dir, ['add', 'd', 'keep.txt']));
  ok(git(dir, ['commit', '-m', 'more']));

  write(dir, 'b.txt', 'changed\n');
  fails(git(dir, ['rm', 'b.txt']), 'git: rm b.txt: has local modifications (--cached keeps the file, -f removes it anyway)\n');
  fails(git(dir, ['rm', 'd']), 'git: d: not removing a directory without -r\n');
  fails(git(dir, ['rm', 'nosuch']), 'git: nosuch: pathspec did not match any files\n');
  assert.equal(ok(git(dir, ['rm', '--cached', 'b.txt'])), "rm 'b.txt'\n");
  assert.equal(read(dir, 'b.txt'), 'changed\n');
  assert.equal(ok(git(dir, ['rm', '-r', 'd'])), "rm 'd/e/y'\nrm 'd/x'\n");
  assert.ok(!exists(dir, 'd'), 'the emptied directories go');
  assert.equal(ok(git(dir, ['rm', 'keep.txt'])), "rm 'keep.txt'\n");
  assert.ok(!exists(dir, 'keep.txt'));
  assert.equal(host(dir, ['status', '--porcelain']), 'D  b.txt\nD  d/e/y\nD  d/x\nD  keep.txt\n?? b.txt\n');
  ok(git(dir, ['commit', '-m', 'removed']));

  fails(git(dir, ['mv', 'b.txt', 'c.txt']), 'git: mv b.txt: not under version control\n');
  fails(git(dir, ['mv', 'nosuch', 'c.txt']), 'git: mv nosuch: bad source: no such file or directory\n');
  fails(git(dir, ['mv', 'a.txt', 'new.txt']), 'git: mv a.txt: destination exists (-f overwrites it)\n');
  ok(git(dir, ['mv', 'a.txt', 'alpha.txt']));
  ok(git(dir, ['mv', 'new.txt', 'src']));
  ok(git(dir, ['mv', 'src', 'lib']));
  assert.equal(read(dir, 'lib/new.txt'), 'new\n');
  assert.ok(!exists(dir, 'src') && !exists(dir, 'a.txt'));
  write(dir, 'lib/main.c', 'changed after the move\n');
  assert.equal(ok(git(dir, ['status', '--short'])), 'R  a.txt -> alpha.txt\nRM src/main.c -> lib/main.c\nR  new.txt -> lib/new.txt\n?? b.txt\n');
  assert.equal(host(dir, ['status', '--porcelain']), 'R  a.txt -> alpha.txt\nRM src/main.c -> lib/main.c\nR  new.txt -> lib/new.txt\n?? b.txt\n');
  assert.match(ok(git(dir, ['status'])), /\n\trenamed:    a\.txt -> alpha\.txt\n/);
  ok(git(dir, ['checkout', '--', 'lib/main.c']));
  host(dir, ['diff', '--quiet']);  // the index's stat data matches the moved files
  ok(git(dir, ['commit', '-m', 'moved']));
  assert.equal(host(dir, ['ls-files']), 'alpha.txt\nlib/main.c\nlib/new.txt\n');
  host(dir, ['fsck', '--strict']);
});

test('git branch, checkout and switch', { skip }, () => {
  const dir = repo();
  ok(git(dir, ['commit', '-a', '-m', 'all']));
  ok(git(dir, ['branch', 'feature']));
  ok(git(dir, ['branch', 'old', 'HEAD~1']));
  assert.equal(ok(git(dir, ['branch'])), '  feature\n* master\n  old\n');
  assert.equal(ok(git(dir, ['branch'])), host(dir, ['branch']));
  assert.equal(ok(git(dir, ['branch', '-v'])), host(dir, ['branch', '-v']));
  fails(git(dir, ['branch', 'feature']), "git: branch feature: a branch named 'feature' already exists\n");
  assert.equal(host(dir, ['rev-parse', 'old']), host(dir, ['rev-parse', 'HEAD~1']));

  assert.equal(ok(git(dir, ['checkout', 'feature'])), "Switched to branch 'feature'\n");
  assert.equal(ok(git(dir, ['checkout', 'feature'])), "Already on 'feature'\n");
  write(dir, 'b.txt', 'feature bee\n');
  ok(git(dir, ['commit', '-a', '-m', 'on feature']));
  assert.equal(ok(git(dir, ['switch', 'master'])), "Switched to branch 'master'\n");
  assert.equal(read(dir, 'b.txt'), 'bee\nbuzz\n');
  assert.equal(host(dir, ['symbolic-ref', 'HEAD']), 'refs/heads/master\n');
  assert.equal(host(dir, ['status', '--porcelain']), '');

  // Local changes that a checkout would overwrite: refused, nothing touched.
  write(dir, 'b.txt', 'local\n');
  fails(git(dir, ['checkout', 'feature']), 'git: checkout: your local changes to b.txt would be overwritten; commit or stash them first\n');
  assert.equal(read(dir, 'b.txt'), 'local\n');
  assert.equal(host(dir, ['symbolic-ref', 'HEAD']), 'refs/heads/master\n');
  // Local changes elsewhere come along.
  ok(git(dir, ['checkout', '--', 'b.txt']));
  assert.equal(read(dir, 'b.txt'), 'bee\nbuzz\n');
  write(dir, 'new.txt', 'carried\n');
  ok(git(dir, ['checkout', 'feature']));
  assert.equal(read(dir, 'new.txt'), 'carried\n');
  assert.equal(host(dir, ['status', '--porcelain']), ' M new.txt\n');
  ok(git(dir, ['checkout', 'HEAD', '--', 'new.txt']));
  ok(git(dir, ['checkout', 'master', '--', 'b.txt']));
  assert.equal(host(dir, ['status', '--porcelain']), 'M  b.txt\n');
  ok(git(dir, ['checkout', '--', '.']));
  ok(git(dir, ['checkout', 'HEAD', '--', '.']));
  assert.equal(host(dir, ['status', '--porcelain']), '');

  assert.equal(ok(git(dir, ['checkout', '-b', 'topic', 'old'])), "Switched to a new branch 'topic'\n");
  assert.equal(read(dir, 'a.txt'), 'one\ntwo\nTHREE\nfour\nfive\nsix\nseven\neight\nnine\n');
  assert.equal(host(dir, ['rev-parse', 'HEAD']), host(dir, ['rev-parse', 'old']));
  assert.equal(host(dir, ['status', '--porcelain']), '');
  assert.equal(ok(git(dir, ['switch', '-c', 'topic2'])), "Switched to a new branch 'topic2'\n");
  fails(git(dir, ['switch', 'nosuch']), 'git: switch nosuch: no such branch (git switch --detach takes a commit)\n');
  assert.match(ok(git(dir, ['checkout', 'HEAD~1'])), /^HEAD is now at [0-9a-f]{7} first\n$/);
  assert.match(ok(git(dir, ['branch'])), /^\* \(HEAD detached at [0-9a-f]{7}\)\n  feature\n/);
  assert.equal(ok(git(dir, ['branch'])), host(dir, ['branch']));
  ok(git(dir, ['switch', 'master']));
  // A name only a remote has: a new branch that tracks it.
  host(dir, ['remote', 'add', 'origin', '/nowhere']);
  host(dir, ['update-ref', 'refs/remotes/origin/fromremote', 'old']);
  assert.equal(ok(git(dir, ['checkout', 'fromremote'])),
    "branch 'fromremote' set up to track 'origin/fromremote'.\nSwitched to a new branch 'fromremote'\n");
  assert.equal(host(dir, ['rev-parse', '--abbrev-ref', 'fromremote@{upstream}']), 'origin/fromremote\n');
  ok(git(dir, ['switch', 'master']));
  ok(git(dir, ['branch', '-D', 'fromremote']));

  fails(git(dir, ['branch', '-d', 'feature']), 'git: branch feature: not fully merged (git branch -D deletes it anyway)\n');
  fails(git(dir, ['branch', '-d', 'master']), 'git: branch master: it is the current branch\n');
  fails(git(dir, ['branch', '-d', 'nosuch']), 'git: branch nosuch: no such branch\n');
  assert.match(ok(git(dir, ['branch', '-d', 'topic'])), /^Deleted branch topic \(was [0-9a-f]{7}\)\.\n$/);
  ok(git(dir, ['branch', '-D', 'feature']));
  ok(git(dir, ['branch', '-m', 'topic2', 'renamed']));
  ok(git(dir, ['branch', '-m', 'main']));
  assert.equal(host(dir, ['branch']), '* main\n  old\n  renamed\n');
  assert.equal(host(dir, ['symbolic-ref', 'HEAD']), 'refs/heads/main\n');
  host(dir, ['fsck', '--strict']);
});

test('git commit -a, finishing a conflicted merge, and git config', { skip }, () => {
  const dir = repo();
  assert.match(ok(git(dir, ['commit', '-a', '-m', 'all'])), /^\[master [0-9a-f]{7}\] all\n$/);
  assert.equal(host(dir, ['status', '--porcelain']), '');
  assert.equal(host(dir, ['show', '--format=', '--name-status', 'HEAD']), 'M\tb.txt\nA\tnew.txt\nD\tnoeol.txt\nM\tsrc/main.c\n');

  // The host's git merges and stops on a conflict (as `git pull` does); git.wasm finishes it.
  host(dir, ['checkout', '-q', '-b', 'other', 'HEAD~1']);
  write(dir, 'b.txt', 'theirs\n');
  host(dir, ['commit', '-q', '-a', '-m', 'theirs']);
  host(dir, ['checkout', '-q', 'master']);
  host(dir, ['merge', 'other'], { status: 1 });
  fails(git(dir, ['commit', '-m', 'too soon']), 'git: commit: the index has unresolved conflicts\n');
  write(dir, 'b.txt', 'resolved\n');
  ok(git(dir, ['add', 'b.txt']));
  assert.match(ok(git(dir, ['commit'])), /^\[master [0-9a-f]{7}\] Merge branch 'other'\n$/);
  assert.equal(host(dir, ['rev-parse', 'HEAD^1', 'HEAD^2']), host(dir, ['rev-parse', 'HEAD@{1}', 'other']));
  assert.equal(host(dir, ['log', '-1', '--format=%B']), "Merge branch 'other'\n\n");
  assert.ok(!exists(dir, '.git/MERGE_HEAD') && !exists(dir, '.git/MERGE_MSG'));
  assert.equal(host(dir, ['status', '--porcelain']), '');
  assert.equal(host(dir, ['show', 'HEAD:b.txt']), 'resolved\n');
  assert.match(ok(git(dir, ['log', '-n', '1'])), /^commit [0-9a-f]{40}\nMerge: [0-9a-f]{7} [0-9a-f]{7}\n/);
  host(dir, ['fsck', '--strict']);

  // config: the repository's file, and the global one in $HOME.
  const env = { ...who, HOME: '/home' };
  fs.mkdirSync(path.join(dir, 'home'));
  ok(git(dir, ['config', 'user.name', 'Grace Hopper'], env));
  assert.equal(host(dir, ['config', 'user.name']), 'Grace Hopper\n');
  assert.equal(ok(git(dir, ['config', 'user.name'], env)), 'Grace Hopper\n');
  ok(git(dir, ['config', '--global', 'user.email', 'grace@example.org'], env));
  assert.match(read(dir, 'home/.gitconfig'), /\[user\]\n\temail = grace@example.org\n/);
  assert.equal(ok(git(dir, ['config', 'user.email'], env)), 'grace@example.org\n');
  assert.equal(ok(git(dir, ['config', '--global', '--list'], env)), 'user.email=grace@example.org\n');
  assert.match(ok(git(dir, ['config', '--list'], env)), /^user\.email=grace@example\.org\n(.*\n)*user\.name=Grace Hopper\n$/);
  let r = git(dir, ['config', 'no.such'], env);
  assert.equal(r.out + r.stderr, '');
  assert.equal(r.status, 1);
  ok(git(dir, ['config', '--unset', 'user.name'], env));
  assert.equal(host(dir, ['config', 'user.name'], { status: 1 }), '');
  // The configured identity signs commits.
  write(dir, 'b.txt', 'again\n');
  ok(git(dir, ['commit', '-a', '-m', 'signed'], { HOME: '/home' }));
  assert.equal(host(dir, ['log', '-1', '--format=%an <%ae>']), 'web9 <grace@example.org>\n');
});

// Inside web9 rename works only within a directory: git mv moves across directories anyway.
test('git inside web9: diff, mv across directories, branch, checkout, rm', { skip: noWeb9 }, () => {
  const script = [
    'mkdir /tmp/r && cd /tmp/r',
    'echo hello >hello.txt && mkdir d && echo deep >d/f',
    'git init >/dev/null',
    'git add hello.txt d && git commit -m first >/dev/null',
    'echo deeper >>d/f',
    'git diff --stat',
    'git mv hello.txt d',
    'cd d && git mv f ../f && cd ..',
    'git status -s',
    'git commit -a -m moved >/dev/null',
    'git checkout -b side',
    'git rm d/hello.txt',
    'git commit -m gone >/dev/null',
    'git checkout master',
    'git branch',
    'cat d/hello.txt f',
    'git show --stat side',
  ].join('\n');
  const r = spawnSync(path.join(root, 'tools/web9'), ['--kernel', kernelDir, '--bin', buildDir, '--no-home', '-c', script], {
    encoding: 'utf8',
    timeout: 60000,
  });
  assert.equal(r.stderr, '');
  assert.equal(r.status, 0);
  assert.match(r.stdout, new RegExp([
    '^ d/f \\| 1 \\+\n 1 file changed, 1 insertion\\(\\+\\)\n',
    'R  hello.txt -> d/hello.txt\nRM d/f -> f\n',
    "Switched to a new branch 'side'\nrm 'd/hello.txt'\nSwitched to branch 'master'\n",
    '\\* master\n  side\n',
    'hello\ndeep\ndeeper\n',
    'commit [0-9a-f]{40}\n(.*\n){2}\n    gone\n\n d/hello.txt \\| 1 -\n 1 file changed, 1 deletion\\(-\\)\n$',
  ].join('')));
});

test('git --help lists the commands; each answers --help; errors are one line', { skip: noGit }, () => {
  const dir = tmpdir('web9-git-');
  const help = ok(git(dir, ['--help']));
  for (const c of ['rm', 'mv', 'diff', 'show', 'branch', 'checkout', 'switch', 'config']) {
    assert.match(help, new RegExp(`\n  ${c} +\\S`));
    assert.match(ok(git(dir, [c, '--help'])), new RegExp(`^usage: git ${c} .*\n.+\n$`));
  }
  fails(git(dir, ['diff']), 'git: /: not a git repository (or any of the parent directories)\n');
  fails(git(dir, ['config', 'user.name', 'x']), 'git: /: not a git repository (or any of the parent directories)\n');
  ok(git(dir, ['init']));
  fails(git(dir, ['show', 'HEAD']), 'git: HEAD: unknown revision\n');
  fails(git(dir, ['branch', 'x']), 'git: HEAD: unknown revision\n');
  // An unborn branch can still be renamed or replaced.
  ok(git(dir, ['branch', '-m', 'main']));
  assert.equal(ok(git(dir, ['checkout', '-b', 'trunk'])), "Switched to a new branch 'trunk'\n");
  write(dir, 'f', 'f\n');
  ok(git(dir, ['add', 'f']));
  assert.match(ok(git(dir, ['commit', '-m', 'root'])), /^\[trunk \(root-commit\) [0-9a-f]{7}\] root\n$/);
  assert.equal(ok(git(dir, ['diff'])), '');
});
