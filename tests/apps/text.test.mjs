// The text programs (cat, echo, wc, head, tail, tee, tr, sort, uniq, cmp, diff, seq) under
// Node's WASI, compared with 9base where it has them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, tmpdir, populate } from './wasi-run.mjs';
import { sameAs9base, dropD, allBytes } from './common.mjs';

const files = {
  a: 'hello world\nfoo\n',
  b: 'hello\nbar\nfoo\n',
  s: 'b 2\na 10\nc 1\nB 3\na 10\n',
  u: 'a\na\nb\nc\nc\nc\n',
  n1: 'one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\n',
  n2: 'zero\none\ntwo\nTHREE\nfour\nfive\nsix\nseven\nnine\nten\neleven\n',
  'utf.txt': 'héllo wörld ☺\n',
};
const withFiles = () => populate(tmpdir(), { ...files, bin: allBytes });

test('cat concatenates files like 9base cat', (t) => {
  sameAs9base(t, 'cat', ['a', 'b'], { files });
  sameAs9base(t, 'cat', [], { files, stdin: 'from stdin\n' });
});

test('cat reads standard input for -, as POSIX says', () => {
  const dir = withFiles();
  assert.equal(run('cat', ['a', '-', 'b'], { dir, stdin: 'middle\n' }).out, files.a + 'middle\n' + files.b);
});

test('cat passes binary data through unchanged and reports missing files', () => {
  const dir = withFiles();
  const r = run('cat', ['bin', 'nonexist', 'a'], { dir });
  assert.deepEqual(r.stdout, Buffer.concat([allBytes, Buffer.from(files.a)]));
  assert.equal(r.stderr, 'cat: nonexist: file does not exist\n');
  assert.equal(r.status, 1);
  assert.deepEqual(run('cat', [], { dir, stdin: allBytes }).stdout, allBytes);
});

test('echo prints its arguments, -n without the newline', (t) => {
  sameAs9base(t, 'echo', ['hello', 'world']);
  sameAs9base(t, 'echo', ['-n', 'a', 'b']);
  sameAs9base(t, 'echo', []);
  assert.equal(run('echo', ['-x', 'y']).out, '-x y\n');
});

test('wc counts like Plan 9 wc in its column format', () => {
  const dir = withFiles();
  assert.equal(run('wc', ['a', 'b'], { dir }).out, '      2       3      16 a\n      3       3      14 b\n      5       6      30 total\n');
  assert.equal(run('wc', ['-l', 'a'], { dir }).out, '      2 a\n');
  assert.equal(run('wc', [], { dir, stdin: 'x y\n z' }).out, '      1       3       6\n');
  assert.equal(run('wc', ['-r', '-c', 'utf.txt'], { dir }).out, '     14      18 utf.txt\n');
  assert.equal(run('wc', ['-c', 'bin'], { dir }).out, '    512 bin\n');
  const bad = run('wc', ['a', 'nonexist'], { dir });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^wc: nonexist: file does not exist\n$/);
});

test('head prints the first lines, -n N and -N', () => {
  const dir = withFiles();
  assert.equal(run('head', ['-n', '3', 'n1'], { dir }).out, 'one\ntwo\nthree\n');
  assert.equal(run('head', ['-2', 'n1'], { dir }).out, 'one\ntwo\n');
  assert.equal(run('head', ['n1'], { dir }).out, files.n1);
  assert.equal(run('head', ['-n1', 'a', 'b'], { dir }).out, '==> a <==\nhello world\n\n==> b <==\nhello\n');
  assert.deepEqual(run('head', ['-n', '1000', 'bin'], { dir }).stdout, allBytes);
  assert.equal(run('head', ['-n', 'x', 'a'], { dir }).status, 1);
  assert.equal(run('head', ['nonexist'], { dir }).status, 1);
});

test('tail prints the last lines like 9base tail, with -n N, -N and +N', (t) => {
  for (const args of [['-n', '2', 'n1'], ['-3', 'n1'], ['+8', 'n1'], ['n1'], ['-n', '+9', 'n1']])
    sameAs9base(t, 'tail', args, { files });
  sameAs9base(t, 'tail', ['-2'], { files, stdin: 'x\ny\nz\n' });
});

test('tail handles a last line without newline, bytes and binary data', () => {
  const dir = withFiles();
  assert.equal(run('tail', ['-n', '2'], { dir, stdin: 'a\nb\nc' }).out, 'b\nc');
  assert.equal(run('tail', ['-c', '4', 'a'], { dir }).out, 'foo\n');
  assert.deepEqual(run('tail', ['-c', '512', 'bin'], { dir }).stdout, allBytes);
  assert.equal(run('tail', ['nonexist'], { dir }).status, 1);
  assert.equal(run('tail', ['-q', 'a'], { dir }).status, 1);
});

test('tail -f keeps printing what is appended to the file', async () => {
  const dir = withFiles();
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'wasi-run.mjs');
  const child = spawn(process.execPath, [script, 'tail', '-f', '-n', '1', 'a'], { cwd: dir });
  let seen = '';
  child.stdout.on('data', (d) => (seen += d));
  const waitFor = async (text) => {
    for (let i = 0; i < 100 && !seen.includes(text); i++) await new Promise((r) => setTimeout(r, 50));
  };
  await waitFor('foo\n');
  fs.appendFileSync(path.join(dir, 'a'), 'more\n');
  await waitFor('more\n');
  child.kill();
  assert.equal(seen, 'foo\nmore\n');
});

test('tee copies standard input to standard output and files, -a appends', () => {
  const dir = withFiles();
  let r = run('tee', ['t1', 't2'], { dir, stdin: allBytes });
  assert.deepEqual(r.stdout, allBytes);
  assert.deepEqual(fs.readFileSync(path.join(dir, 't1')), allBytes);
  assert.deepEqual(fs.readFileSync(path.join(dir, 't2')), allBytes);
  run('tee', ['-a', 't1'], { dir, stdin: 'tail\n' });
  assert.equal(fs.readFileSync(path.join(dir, 't1')).length, allBytes.length + 5);
  r = run('tee', ['nodir/x'], { dir, stdin: 'x\n' });
  assert.equal(r.out, 'x\n');
  assert.equal(r.status, 1);
});

test('tr translates, deletes and complements like 9base tr', (t) => {
  const stdin = files.a + files.s;
  for (const args of [['a-z', 'A-Z'], ['-d', 'o'], ['-c', 'a-z', 'X'], ['-d', 'a-c'], ['abc', 'x'], ['-cd', 'a-z']])
    sameAs9base(t, 'tr', args, { stdin });
});

test('tr squeezes and handles escapes and binary input', () => {
  assert.equal(run('tr', ['-s', 'l'], { stdin: 'hello  ll\n' }).out, 'helo  l\n');
  assert.equal(run('tr', ['\\n', ' '], { stdin: 'a\nb\n' }).out, 'a b ');
  assert.equal(run('tr', ['-d', '\\000'], { stdin: Buffer.from([0, 65, 0, 66]) }).out, 'AB');
  assert.equal(run('tr', ['z-a', 'x']).status, 1);
  assert.equal(run('tr', ['-d']).status, 1);
});

test('sort orders lines like 9base sort', (t) => {
  for (const args of [['s'], ['-r', 's'], ['-n', '-k', '2', 's'], ['-u', 's'], ['-f', 's'], ['-k2n', 's'],
    ['-t', ' ', '-k', '2', 's'], ['-u', '-k', '1,1', 's']])
    sameAs9base(t, 'sort', args, { files });
});

test('sort breaks ties on the whole line, as POSIX says', () => {
  const dir = withFiles();
  assert.equal(run('sort', ['-nr', 'n1'], { dir }).out, 'two\nthree\nten\nsix\nseven\none\nnine\nfour\nfive\neight\n');
});

test('sort reports missing files and bad keys', () => {
  const dir = withFiles();
  const r = run('sort', ['a', 'nonexist'], { dir });
  assert.equal(r.status, 1);
  assert.equal(r.out, 'foo\nhello world\n');
  assert.equal(run('sort', ['-k', '0', 'a'], { dir }).status, 1);
  run('sort', ['-o', 'a', 'a'], { dir });
  assert.equal(fs.readFileSync(path.join(dir, 'a'), 'utf8'), 'foo\nhello world\n');
});

test('uniq collapses adjacent lines like 9base uniq', (t) => {
  for (const args of [['u'], ['-c', 'u'], ['-d', 'u'], ['-u', 'u'], ['-c', 's']])
    sameAs9base(t, 'uniq', args, { files });
});

test('cmp finds the first difference like 9base cmp', (t) => {
  for (const args of [['a', 'b'], ['-l', 'a', 'b'], ['-s', 'a', 'b'], ['a', 'a'], ['b', 'a', '1', '2'], ['n1', 'n2']])
    sameAs9base(t, 'cmp', args, { files });
});

test('cmp compares binary files and reports trouble with status 2', () => {
  const dir = withFiles();
  fs.writeFileSync(path.join(dir, 'bin2'), Buffer.concat([allBytes.subarray(0, 100), Buffer.from([1]), allBytes.subarray(101)]));
  assert.equal(run('cmp', ['bin', 'bin'], { dir }).status, 0);
  const r = run('cmp', ['bin', 'bin2'], { dir });
  assert.equal(r.out, 'bin bin2 differ: char 101\n');
  assert.equal(r.status, 1);
  assert.equal(run('cmp', ['a', 'nonexist'], { dir }).status, 2);
  assert.equal(run('cmp', ['a'], { dir }).status, 1);
});

test('diff prints the normal format like 9base diff', (t) => {
  for (const args of [['a', 'b'], ['n1', 'n2'], ['n2', 'n1'], ['a', 'a'], ['s', 'u'], ['u', 's']])
    sameAs9base(t, 'diff', args, { files });
});

test('diff -u prints unified hunks with context', () => {
  const dir = withFiles();
  const r = run('diff', ['-u', 'n1', 'n2'], { dir });
  assert.equal(r.status, 1);
  assert.equal(r.out, [
    '--- n1', '+++ n2',
    '@@ -1,10 +1,11 @@', '+zero', ' one', ' two', '-three', '+THREE', ' four', ' five', ' six',
    ' seven', '-eight', ' nine', ' ten', '+eleven', ''].join('\n'));
  // Changes more than twice the context apart make separate hunks.
  const far = run('diff', ['-U', '1', 'n1', 'n2'], { dir }).out;
  assert.match(far, /^@@ -1,4 \+1,5 @@\n/m);
  assert.match(far, /^@@ -7,4 \+8,4 @@\n/m);
  assert.equal(run('diff', ['-u', 'a', 'a'], { dir }).out, '');
});

test('diff marks a missing final newline, binary files and missing files', () => {
  const dir = populate(withFiles(), { x: 'a\nb', y: 'a\nc\n' });
  assert.equal(run('diff', ['x', 'y'], { dir }).out, '2c2\n< b\n\\ No newline at end of file\n---\n> c\n');
  assert.equal(run('diff', ['bin', 'a'], { dir }).out, 'Binary files bin and a differ\n');
  const r = run('diff', ['a', 'nonexist'], { dir });
  assert.equal(r.status, 2);
  assert.equal(r.stderr, 'diff: nonexist: file does not exist\n');
  assert.equal(run('diff', ['a'], { dir }).status, 1);
});

test('seq prints sequences like 9base seq', (t) => {
  for (const args of [['3'], ['2', '5'], ['1', '0.5', '3'], ['-w', '8', '10'], ['5', '-1', '1'], ['-f', '%.2f', '1', '2'],
    ['-w', '-5', '-1', '-8'], ['0', '0.1', '0.3'], ['-w', '0.5', '0.5', '1.5'], ['3', '1']])
    sameAs9base(t, 'seq', args);
});

test('seq rejects bad numbers, zero steps and bad formats', () => {
  assert.equal(run('seq', ['x']).status, 1);
  assert.equal(run('seq', ['1', '0', '3']).status, 1);
  assert.equal(run('seq', ['-f', '%d', '3']).status, 1);
  assert.equal(run('seq', []).status, 1);
});
