// grep and sed under Node's WASI, compared with 9base's (both use extended regular
// expressions with bare parentheses, as Plan 9's regexp(7) does).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run, tmpdir, populate } from './wasi-run.mjs';
import { sameAs9base } from './common.mjs';

const files = {
  a: 'hello world\nfoo\n',
  b: 'hello\nbar\nfoo\n',
  c: 'alpha\nbeta\ngamma\ndelta\n',
  pats: 'bar\nfoo\n',
};
const dir = () => populate(tmpdir(), files);

test('grep selects lines like 9base grep', (t) => {
  for (const args of [['-n', 'o', 'a', 'b'], ['-c', 'o', 'a', 'b'], ['-l', 'o', 'a', 'b'], ['-v', 'o', 'a'],
    ['-i', 'HELLO', 'a', 'b'], ['-e', 'hel', '-e', 'bar', 'b'], ['-h', 'o', 'a', 'b'], ['^f(o+)$', 'a', 'b'],
    ['-L', 'bar', 'a', 'b'], ['-s', 'o', 'a'], ['a|e', 'c'], ['(al|del)[a-z]+', 'c'], ['.ll?o', 'a'], ['-f', 'pats', 'b'],
    ['nomatch', 'a'], ['-n', 'x'], ['[[:digit:]]', 'c']])
    sameAs9base(t, 'grep', args, { files, stdin: 'x\ny\nx\n' });
});

test('grep exits 0 on a match, 1 on none, 2 on errors', () => {
  const d = dir();
  assert.equal(run('grep', ['foo', 'a'], { dir: d }).status, 0);
  assert.equal(run('grep', ['zzz', 'a'], { dir: d }).status, 1);
  const missing = run('grep', ['foo', 'a', 'nonexist'], { dir: d });
  assert.equal(missing.status, 2);
  assert.equal(missing.out, 'a:foo\n');
  assert.equal(missing.stderr, 'grep: nonexist: file does not exist\n');
  const badre = run('grep', ['(', 'a'], { dir: d });
  assert.equal(badre.status, 2);
  assert.match(badre.stderr, /^grep: \(: /);
  assert.equal(run('grep', ['-Z', 'x', 'a'], { dir: d }).status, 1);
  assert.equal(run('grep', [], { dir: d }).status, 1);
});

test('grep matches UTF-8 characters as runes and copes with binary lines', () => {
  assert.equal(run('grep', ['^h.llo$'], { stdin: 'héllo\nhello\nhxxllo\n' }).out, 'héllo\nhello\n');
  assert.equal(run('grep', ['-c', 'b'], { stdin: Buffer.from([0x61, 0xff, 0x62, 0x0a, 0x00, 0x0a, 0x62, 0x0a]) }).out, '2\n');
  assert.equal(run('grep', ['-x', 'foo'], { stdin: 'foo\nfood\n' }).out, 'foo\n');
  // A byte that is not UTF-8, or a NUL, is one character that . matches, as in Plan 9.
  assert.deepEqual(run('grep', ['^a.b$'], { stdin: Buffer.from([0x61, 0xff, 0x62, 0x0a, 0x61, 0x00, 0x62, 0x0a]) }).stdout,
    Buffer.from([0x61, 0xff, 0x62, 0x0a, 0x61, 0x00, 0x62, 0x0a]));
});

test('sed substitutes around bytes that are not UTF-8 and keeps them', () => {
  const input = Buffer.from([0x61, 0xff, 0x62, 0xc3, 0x0a, 0x00, 0x62, 0x0a]);
  assert.deepEqual(run('sed', ['s/b/B/g'], { stdin: input }).stdout, Buffer.from([0x61, 0xff, 0x42, 0xc3, 0x0a, 0x00, 0x42, 0x0a]));
  assert.deepEqual(run('sed', ['s/a.B*/x/'], { stdin: input }).stdout, Buffer.from([0x78, 0x62, 0xc3, 0x0a, 0x00, 0x62, 0x0a]));
});

test('sed edits streams like 9base sed', (t) => {
  for (const args of [['-n', '2p;$p', 'b'], ['s/(o)/[\\1]/g', 'a'], ['2d', 'b'], ['2q', 'b'], ['-n', '/hel/,/bar/p', 'b'],
    ['2,$s/^/> /', 'b'], ['/bar/!d', 'b'], ['-e', 's/o/O/', '-e', 's/l/L/g', 'a'], ['y/abc/xyz/', 'b'], ['=', 'a'],
    ['$a\\\nend', 'b'], ['1,2{s/o/Q/;p;}', 'b'], ['s/o/&&/gp', 'a'], ['-n', '$=', 'a', 'b'], ['2i\\\nins', 'b'],
    ['2c\\\nchg', 'b'], ['-n', '/o/{p;q;}', 'b'], ['s/[a-z]+$/<&>/', 'a'], ['1!G;h;$!d', 'c'], ['/beta/,/delta/d', 'c'],
    ['2,3!s/a/A/g', 'c'], ['s/a\\/b/X/', 'c'], ['s|a|/|g', 'c'], ['1,/e/d', 'c'], ['-n', '/a$/=', 'c'], ['n;d', 'c']])
    sameAs9base(t, 'sed', args, { files });
});

test('sed s takes an occurrence number and empty regexps reuse the last one', () => {
  const d = dir();
  assert.equal(run('sed', ['s/o/0/2', 'a'], { dir: d }).out, 'hello w0rld\nfo0\n');
  assert.equal(run('sed', ['s/l/L/2g', 'a'], { dir: d }).out, 'helLo worLd\nfoo\n');
  assert.equal(run('sed', ['/foo/s//F/', 'a'], { dir: d }).out, 'hello world\nF\n');
  assert.equal(run('sed', ['s/x*/-/g'], { stdin: 'ab\n' }).out, '-a-b-\n');
  assert.equal(run('sed', ['s/b/\\n/'], { stdin: 'abc\n' }).out, 'a\nc\n');
  assert.equal(run('sed', ['$!d'], { stdin: 'a\nlast' }).out, 'last');
});

test('sed reports bad scripts, missing files and bad flags', () => {
  const d = dir();
  for (const script of ['s/a/b', 'k', '1,x', '{p', 's/(/x/', 'y/ab/c/'])
    assert.equal(run('sed', [script, 'a'], { dir: d }).status, 1, script);
  const r = run('sed', ['p', 'nonexist', 'a'], { dir: d });
  assert.equal(r.status, 1);
  assert.equal(r.stderr, 'sed: nonexist: file does not exist\n');
  assert.equal(r.out, 'hello world\nhello world\nfoo\nfoo\n');
  assert.equal(run('sed', ['-z', 'p', 'a'], { dir: d }).status, 1);
  assert.equal(run('sed', [], { dir: d }).status, 1);
});
