// The programs that need the web9 kernel (ps, kill, ns read and write /proc; bind, mount and
// unmount call web9 imports). Under Node's WASI /proc is a directory the test makes, in the
// kernel's formats (fs/procfs.cpp), and every web9 import answers ENOSYS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { run, tmpdir, populate } from './wasi-run.mjs';

// A /proc/N/status line as the kernel writes it: Plan 9's 27/27/11-wide columns, then
// twelve-wide numbers (times in ms, memory in KiB).
const status = (name, user, state, numbers) =>
  [name.padEnd(27), user.padEnd(27), state.padEnd(11), ...numbers.map((n) => String(n).padStart(11))].join(' ') + '\n';

const fakeProc = () => populate(tmpdir(), {
  'proc/1/status': status('rc', 'glenda', 'Wait', [61000, 2000, 3723000, 0, 0, 0, 512, 0, 0]),
  'proc/1/args': 'rc -i',
  'proc/1/note': '',
  'proc/1/ns': "bind / /\nmount -a '#s/boot' /n/boot\n",
  'proc/12/status': status('cat', 'glenda', 'Running', [0, 0, 5000, 0, 0, 0, 0, 0, 0]),
  'proc/12/args': "cat 'a b'",
  'proc/12/note': '',
  'proc/7/status': status('cat', 'none', 'Wakeme', [0, 0, 90061000, 0, 0, 0, 64, 0, 0]),
  'proc/7/note': '',
  'proc/self/': '',
  'proc/junk': 'not a process\n',
});
const note = (dir, pid) => fs.readFileSync(path.join(dir, `proc/${pid}/note`), 'utf8');

test('ps prints Plan 9 ps columns from /proc/N/status, by pid', () => {
  const dir = fakeProc();
  assert.equal(run('ps', [], { dir }).out, [
    'glenda            1    1:01   0:02     512K Wait     rc',
    'none              7    0:00   0:00      64K Wakeme   cat',
    'glenda           12    0:00   0:00       0K Running  cat', ''].join('\n'));
  assert.equal(run('ps', ['-a'], { dir }).out.split('\n')[2], "glenda           12    0:00   0:00       0K Running  cat 'a b'");
  assert.equal(run('ps', ['-a'], { dir }).out.split('\n')[1], 'none              7    0:00   0:00      64K Wakeme   cat ?');
  const r = run('ps', ['-r'], { dir }).out.split('\n');
  assert.equal(r[0], 'glenda            1     1:02:03    1:01   0:02     512K Wait     rc');
  assert.equal(r[1], 'none              7  1:01:01:01    0:00   0:00      64K Wakeme   cat');
  assert.equal(r[2], 'glenda           12        0:05    0:00   0:00       0K Running  cat');
});

test('ps skips status files it cannot read and fails without /proc', () => {
  const dir = fakeProc();
  fs.writeFileSync(path.join(dir, 'proc/12/status'), 'garbage');
  fs.writeFileSync(path.join(dir, 'proc/1/status'), Buffer.from([0, 1, 2, 0xff, 10]));
  assert.equal(run('ps', [], { dir }).out, 'none              7    0:00   0:00      64K Wakeme   cat\n');
  const r = run('ps', [], { dir: tmpdir() });
  assert.equal(r.stderr, 'ps: /proc: file does not exist\n');
  assert.equal(r.status, 1);
  assert.equal(run('ps', ['-x'], { dir }).status, 1);
  assert.equal(run('ps', ['12'], { dir }).status, 1);
});

test('kill writes kill, or the note named, to /proc/N/note', () => {
  const dir = fakeProc();
  assert.equal(run('kill', ['12'], { dir }).status, 0);
  assert.equal(note(dir, 12), 'kill');
  assert.equal(note(dir, 7), '');
  assert.equal(run('kill', ['-interrupt', '7', '1'], { dir }).status, 0);
  assert.equal(note(dir, 7), 'interrupt');
  assert.equal(note(dir, 1), 'interrupt');
});

test('kill by name posts to every process of that name', () => {
  const dir = fakeProc();
  assert.equal(run('kill', ['-hangup', 'cat'], { dir }).status, 0);
  assert.equal(note(dir, 12), 'hangup');
  assert.equal(note(dir, 7), 'hangup');
  assert.equal(note(dir, 1), '');
});

test('kill reports processes that do not exist and bad usage', () => {
  const dir = fakeProc();
  let r = run('kill', ['99', 'nobody', '12'], { dir });
  assert.equal(r.stderr, 'kill: 99: process does not exist\nkill: nobody: process does not exist\n');
  assert.equal(r.status, 1);
  assert.equal(note(dir, 12), 'kill');
  r = run('kill', [], { dir });
  assert.equal(r.stderr, 'usage: kill [-note] pid|name ...\n');
  assert.equal(r.status, 1);
  assert.equal(run('kill', ['-interrupt'], { dir }).status, 1);
  assert.equal(run('kill', ['name'], { dir: tmpdir() }).stderr, 'kill: /proc: file does not exist\n');
});

test('ns prints /proc/N/ns', () => {
  const dir = fakeProc();
  assert.equal(run('ns', ['1'], { dir }).out, "bind / /\nmount -a '#s/boot' /n/boot\n");
  // With no pid it reads its own (through /proc/self when web9 cannot say its pid).
  let r = run('ns', [], { dir });
  assert.equal(r.stderr, 'ns: /proc/self/ns: file does not exist\n');
  assert.equal(r.status, 1);
  r = run('ns', ['99'], { dir });
  assert.equal(r.stderr, 'ns: /proc/99/ns: file does not exist\n');
  assert.equal(run('ns', ['x'], { dir }).status, 1);
  assert.equal(run('ns', ['1', '2'], { dir }).status, 1);
});

test('bind, mount and unmount fail cleanly where web9 is missing', () => {
  const dir = populate(tmpdir(), { 'srv/boot': '' });
  const cases = [
    ['bind', ['/a', '/b'], 'bind: /a /b: not implemented\n'],
    ['bind', ['-bc', '/a', '/b'], 'bind: /a /b: not implemented\n'],
    ['bind', ['-q', '/a', '/b'], ''],
    ['mount', ['/srv/boot', '/n/boot'], 'mount: /srv/boot /n/boot: not implemented\n'],
    ['mount', ['-a', '0', '/n', 'spec'], 'mount: 0 /n: not implemented\n'],
    ['mount', ['/srv/nope', '/n'], 'mount: /srv/nope: file does not exist\n'],
    ['unmount', ['/n'], 'unmount: /n: not implemented\n'],
    ['unmount', ['/a', '/n'], 'unmount: /a /n: not implemented\n'],
  ];
  for (const [name, args, stderr] of cases) {
    const r = run(name, args, { dir });
    assert.equal(r.stderr, stderr, `${name} ${args.join(' ')}`);
    assert.equal(r.status, 1, `${name} ${args.join(' ')}`);
  }
});

test('bind, mount and unmount check their flags and operands', () => {
  for (const [name, args] of [['bind', ['/a']], ['bind', ['-ab', '/a', '/b']], ['bind', ['-x', '/a', '/b']],
    ['mount', ['/srv/x']], ['mount', ['-ab', '/srv/x', '/n']], ['mount', ['a', 'b', 'c', 'd']],
    ['unmount', []], ['unmount', ['a', 'b', 'c']], ['unmount', ['-a', '/n']]]) {
    const r = run(name, args);
    assert.equal(r.status, 1, `${name} ${args.join(' ')}`);
    assert.match(r.stderr, new RegExp(`^usage: ${name} `), `${name} ${args.join(' ')}`);
  }
});
