// The programs that work on files and names (ls, mkdir, rm, mv, cp, touch, du, find, pwd,
// basename, dirname, cleanname) under Node's WASI, against 9base where it has them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { run, tmpdir, populate } from './wasi-run.mjs';
import { sameAs9base, allBytes } from './common.mjs';

const tree = () => populate(tmpdir(), {
  a: 'hello world\nfoo\n',
  b: 'bb\n',
  'd/x': 'x\n',
  'd/y': 'yy\n',
  'd/e/z': 'z'.repeat(3000),
  'empty/': '',
  bin: allBytes,
});
const exists = (dir, p) => fs.existsSync(path.join(dir, p));
const read = (dir, p) => fs.readFileSync(path.join(dir, p), 'utf8');

test('ls lists names sorted, directories by their contents, like 9base ls', (t) => {
  const files = { a: '1', c: '2', 'b/x': '3', 'b/y': '4' };
  for (const args of [['a', 'c'], ['b'], ['-d', 'b'], ['-p', 'b/x'], ['b/x', 'a'], ['-r', 'a', 'c', 'b/y'], ['-F', 'b', 'a']])
    sameAs9base(t, 'ls', args, { files });
});

test('ls with no arguments lists the working directory', () => {
  const dir = tree();
  assert.equal(run('ls', [], { dir }).out, 'a\nb\nbin\nd\nempty\n');
  assert.equal(run('ls', ['-r'], { dir }).out, 'empty\nd\nbin\nb\na\n');
  assert.equal(run('ls', ['-d', 'd', 'a'], { dir }).out, 'a\nd\n');
  assert.equal(run('ls', ['-p', 'd/x', 'd/e'], { dir }).out, 'x\nz\n');
  assert.equal(run('ls', ['d'], { dir }).out, 'd/e\nd/x\nd/y\n');
});

test('ls -t sorts newest first, -r reverses it', () => {
  const dir = tree();
  fs.utimesSync(path.join(dir, 'a'), 1000, 3000);
  fs.utimesSync(path.join(dir, 'b'), 1000, 1000);
  fs.utimesSync(path.join(dir, 'bin'), 1000, 2000);
  assert.equal(run('ls', ['-t', 'a', 'b', 'bin'], { dir }).out, 'a\nbin\nb\n');
  assert.equal(run('ls', ['-tr', 'a', 'b', 'bin'], { dir }).out, 'b\nbin\na\n');
});

test('ls -l prints Plan 9 ls -l columns', () => {
  const dir = tree();
  fs.utimesSync(path.join(dir, 'a'), 0, 1e9);  // Sep  9  2001, long ago: the year, not the time
  const l = run('ls', ['-l', 'a', 'bin', 'd'], { dir }).out.split('\n');
  assert.equal(l[0], '--rw-r--r-- M 0 none none  16 Sep  9  2001 a');
  assert.match(l[1], /^--rw-r--r-- M 0 none none 512 \w{3} [ \d]\d [ \d]\d:\d\d bin$/);
  // Each directory listed is a batch of its own, with its own column widths.
  assert.match(l[2], /^d-rwxr-xr-x M 0 none none 0 .* d\/e$/);
  assert.equal(l.length, 6);
  assert.match(run('ls', ['-l', 'a'], { dir, env: { user: 'glenda' } }).out, /^--rw-r--r-- M 0 glenda glenda 16 /);
});

test('ls reports missing files and bad flags, and lists the rest', () => {
  const dir = tree();
  const r = run('ls', ['a', 'nonexist', 'b'], { dir });
  assert.equal(r.out, 'a\nb\n');
  assert.equal(r.stderr, 'ls: nonexist: file does not exist\n');
  assert.equal(r.status, 1);
  const bad = run('ls', ['-Z'], { dir });
  assert.equal(bad.status, 1);
  assert.equal(bad.stderr, 'usage: ls [-dlnprstF] [file ...]\n');
});

test('mkdir makes directories, -p with their parents', () => {
  const dir = tree();
  assert.equal(run('mkdir', ['n1', 'n2'], { dir }).status, 0);
  assert.ok(fs.statSync(path.join(dir, 'n1')).isDirectory() && exists(dir, 'n2'));
  assert.equal(run('mkdir', ['-p', 'p/q/r', 'd/e'], { dir }).status, 0);
  assert.ok(fs.statSync(path.join(dir, 'p/q/r')).isDirectory());
  let r = run('mkdir', ['d'], { dir });
  assert.equal(r.status, 1);
  assert.equal(r.stderr, 'mkdir: d: file already exists\n');
  r = run('mkdir', ['x/y'], { dir });
  assert.equal(r.stderr, 'mkdir: x/y: file does not exist\n');
  r = run('mkdir', ['-p', 'a/sub'], { dir });
  assert.equal(r.stderr, 'mkdir: a: not a directory\n');
  assert.equal(run('mkdir', [], { dir }).status, 1);
});

test('rm removes files and empty directories, -r trees, -f quietly', () => {
  const dir = tree();
  assert.equal(run('rm', ['a', 'empty'], { dir }).status, 0);
  assert.ok(!exists(dir, 'a') && !exists(dir, 'empty'));
  let r = run('rm', ['d'], { dir });
  assert.equal(r.status, 1);
  assert.equal(r.stderr, 'rm: d: directory not empty\n');
  assert.ok(exists(dir, 'd/x'));
  assert.equal(run('rm', ['-r', 'd'], { dir }).status, 0);
  assert.ok(!exists(dir, 'd'));
  r = run('rm', ['nonexist'], { dir });
  assert.equal(r.stderr, 'rm: nonexist: file does not exist\n');
  assert.equal(r.status, 1);
  r = run('rm', ['-f', 'nonexist', 'b'], { dir });
  assert.equal(r.stderr, '');
  assert.equal(r.status, 0);
  assert.ok(!exists(dir, 'b'));
  assert.equal(run('rm', [], { dir }).status, 1);
});

test('mv renames, moves into a directory, and reports trouble', () => {
  const dir = tree();
  assert.equal(run('mv', ['a', 'a2'], { dir }).status, 0);
  assert.equal(read(dir, 'a2'), 'hello world\nfoo\n');
  assert.ok(!exists(dir, 'a'));
  assert.equal(run('mv', ['a2', 'b', 'empty'], { dir }).status, 0);
  assert.ok(exists(dir, 'empty/a2') && exists(dir, 'empty/b'));
  assert.equal(run('mv', ['d', 'd2'], { dir }).status, 0);
  assert.equal(read(dir, 'd2/e/z').length, 3000);
  let r = run('mv', ['nonexist', 'x'], { dir });
  assert.equal(r.stderr, 'mv: nonexist: file does not exist\n');
  assert.equal(r.status, 1);
  r = run('mv', ['bin', 'd2/x', 'd2/y'], { dir });
  assert.equal(r.stderr, 'mv: d2/y: not a directory\n');
  assert.ok(exists(dir, 'bin'));
  assert.equal(run('mv', ['bin'], { dir }).status, 1);
});

test('cp copies files byte for byte, into directories, and -r trees', () => {
  const dir = tree();
  assert.equal(run('cp', ['bin', 'bin2'], { dir }).status, 0);
  assert.deepEqual(fs.readFileSync(path.join(dir, 'bin2')), allBytes);
  assert.equal(run('cp', ['a', 'b', 'empty'], { dir }).status, 0);
  assert.equal(read(dir, 'empty/a'), read(dir, 'a'));
  assert.equal(read(dir, 'empty/b'), 'bb\n');
  assert.equal(run('cp', ['a', 'b'], { dir }).status, 0);
  assert.equal(read(dir, 'b'), read(dir, 'a'));
  let r = run('cp', ['d', 'd2'], { dir });
  assert.equal(r.stderr, 'cp: d: is a directory\n');
  assert.equal(r.status, 1);
  assert.equal(run('cp', ['-r', 'd', 'd2'], { dir }).status, 0);
  assert.equal(read(dir, 'd2/e/z'), 'z'.repeat(3000));
  assert.equal(read(dir, 'd2/y'), 'yy\n');
  r = run('cp', ['nonexist', 'a', 'empty'], { dir });
  assert.equal(r.stderr, 'cp: nonexist: file does not exist\n');
  assert.equal(r.status, 1);
  assert.ok(exists(dir, 'empty/a'));
  assert.equal(run('cp', ['a', 'no/such/dir'], { dir }).status, 1);
  assert.equal(run('cp', ['a'], { dir }).status, 1);
});

test('touch creates files and sets times; -c does not create', () => {
  const dir = tree();
  assert.equal(run('touch', ['new'], { dir }).status, 0);
  assert.equal(read(dir, 'new'), '');
  assert.equal(run('touch', ['-t', '1000000000', 'a'], { dir }).status, 0);
  assert.equal(fs.statSync(path.join(dir, 'a')).mtimeMs, 1e12);
  assert.equal(read(dir, 'a'), 'hello world\nfoo\n');
  assert.equal(run('touch', ['-c', 'absent'], { dir }).status, 0);
  assert.ok(!exists(dir, 'absent'));
  assert.equal(run('touch', ['no/such/x'], { dir }).status, 1);
  assert.equal(run('touch', ['-t', 'soon', 'a'], { dir }).status, 1);
});

test('du totals kilobytes per directory, -a per file, -s per argument', () => {
  const dir = tree();
  assert.equal(run('du', ['d'], { dir }).out, '3\td/e\n5\td\n');
  assert.equal(run('du', ['-a', 'd'], { dir }).out, '3\td/e/z\n3\td/e\n1\td/x\n1\td/y\n5\td\n');
  assert.equal(run('du', ['-s', 'd', 'a'], { dir }).out, '5\td\n1\ta\n');
  const r = run('du', ['nonexist'], { dir });
  assert.equal(r.stderr, 'du: nonexist: file does not exist\n');
  assert.equal(r.status, 1);
});

test('find walks trees in name order and filters by name and type', () => {
  const dir = tree();
  assert.equal(run('find', ['d'], { dir }).out, 'd\nd/e\nd/e/z\nd/x\nd/y\n');
  assert.equal(run('find', ['d', '-type', 'f'], { dir }).out, 'd/e/z\nd/x\nd/y\n');
  assert.equal(run('find', ['d', '-type', 'd'], { dir }).out, 'd\nd/e\n');
  assert.equal(run('find', ['.', '-name', '[xy]'], { dir }).out, './d/x\n./d/y\n');
  assert.equal(run('find', ['d', '-maxdepth', '1', '!', '-name', 'e'], { dir }).out, 'd\nd/x\nd/y\n');
  assert.equal(run('find', ['d', '-depth', '-name', '*'], { dir }).out, 'd/e/z\nd/e\nd/x\nd/y\nd\n');
  assert.equal(run('find', ['d', '-name', 'x', '-o', '-name', 'z'], { dir }).out, 'd/e/z\nd/x\n');
  const r = run('find', ['nonexist', 'd/x'], { dir });
  assert.equal(r.out, 'd/x\n');
  assert.equal(r.stderr, 'find: nonexist: file does not exist\n');
  assert.equal(r.status, 1);
  assert.equal(run('find', ['d', '-bogus'], { dir }).status, 1);
  assert.equal(run('find', ['d', '-type'], { dir }).status, 1);
});

test('pwd prints the working directory', () => {
  assert.equal(run('pwd').out, '/\n');
  assert.equal(run('pwd', ['x']).status, 1);
});

test('basename, dirname and cleanname work on names alone, like 9base', (t) => {
  for (const args of [['/a/b/c'], ['/a/b/c.c', '.c'], ['-d', '/a/b/c'], ['c'], ['/'], ['a/b/']])
    sameAs9base(t, 'basename', args);
  for (const args of [['/a/../b//c/./d'], ['a/../..'], ['/..'], ['.'], ['x/', 'y//z'], ['-d', '/usr', 'lib/../x']])
    sameAs9base(t, 'cleanname', args);
  assert.equal(run('dirname', ['/a/b/c']).out, '/a/b\n');
  assert.equal(run('dirname', ['c']).out, '.\n');
  assert.equal(run('dirname', ['/c']).out, '/\n');
  assert.equal(run('dirname', ['a/b/']).out, 'a\n');
  assert.equal(run('dirname', []).status, 1);
  assert.equal(run('basename', []).status, 1);
});
