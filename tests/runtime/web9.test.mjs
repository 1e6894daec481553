// The runtime end to end, headless: tools/web9 boots the real kernel (kernel.mjs/kernel.wasm) in a
// worker_threads worker, starts guest programs (build/wasi) each in a worker of its own, and
// exits with the first program's status. Build dirs as tools/web9 takes them: WEB9_KERNEL_BUILD,
// WEB9_WASI_BUILD, else ${WEB9_BUILD:-build}/{emscripten,wasi}.
//
//   node --test tests/runtime/

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const web9 = path.join(root, 'tools/web9');
const buildRoot = path.resolve(root, process.env.WEB9_BUILD ?? 'build');
const kernelDir = path.resolve(process.env.WEB9_KERNEL_BUILD ?? path.join(buildRoot, 'emscripten'));
const binDir = path.resolve(process.env.WEB9_WASI_BUILD ?? path.join(buildRoot, 'wasi'));

const haveKernel = fs.existsSync(path.join(kernelDir, 'kernel.mjs'));
const have = (name) => fs.existsSync(path.join(binDir, `${name}.wasm`));
const need = (...names) => {
  if (!haveKernel) return `no kernel build at ${kernelDir}`;
  const missing = names.filter((n) => !have(n));
  return missing.length ? `not built in ${binDir}: ${missing.join(' ')}` : false;
};

function run(args, { input = '' } = {}) {
  const r = spawnSync(web9, ['--kernel', kernelDir, '--bin', binDir, '--no-home', ...args], {
    input,
    encoding: 'utf8',
    timeout: 20000,
  });
  if (r.error) throw r.error;
  return r;
}

// A module whose _start traps at once (unreachable), written out byte by byte.
const trapWasm = Buffer.from(
  '0061736d01000000' + // magic, version
    '010401600000' + // type section: () -> ()
    '03020100' + // function section: one function of type 0
    '0503010001' + // memory section: one memory, min 1 page
    '071302' + '065f737461727400' + '00' + '066d656d6f727902' + '00' + // exports _start, memory
    '0a05010300000b', // code: one body, no locals: unreachable, end
  'hex',
);

test('tools/web9 --help says how to use it', () => {
  const r = spawnSync(web9, ['--help'], { encoding: 'utf8' });
  assert.equal(r.status, 0);
  assert.match(r.stdout, /usage: tools\/web9/);
});

test('one program runs in its own worker and its output reaches stdout', { skip: need('echo') }, () => {
  const r = run(['--run', '/bin/echo', 'hi', 'there']);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'hi there\n'); // the console's \r\n comes back as \n
  assert.equal(r.status, 0);
});

test('a program name alone is looked up in /bin', { skip: need('echo') }, () => {
  const r = run(['--run', 'echo', 'short']);
  assert.equal(r.stdout, 'short\n');
  assert.equal(r.status, 0);
});

test('a failing program makes a non-zero exit and its status is shown', { skip: need('false') }, () => {
  const r = run(['--run', '/bin/false']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /web9: \/bin\/false: \S/);
});

test('a program that traps ends with a trap status', { skip: need() }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'web9-rt-'));
  try {
    fs.writeFileSync(path.join(dir, 'trap.wasm'), trapWasm);
    const r = run(['--file', `${path.join(dir, 'trap.wasm')}:/bin/trap`, '--run', '/bin/trap']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /web9: \/bin\/trap: sys: trap: .*unreachable/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing program is reported', { skip: need() }, () => {
  const r = run(['--run', '/bin/no-such-program']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no-such-program/);
});

test("stdin that is not a terminal is the program's fd 0, with end of file", { skip: need('cat') }, () => {
  const text = 'one\ntwo\n'.repeat(1000);
  const r = run(['--run', '/bin/cat'], { input: text });
  assert.equal(r.stderr, '');
  assert.equal(r.stdout.length, text.length);
  assert.equal(r.stdout, text);
  assert.equal(r.status, 0);
});

test("the program's stderr is kept apart from its stdout", { skip: need('cat') }, () => {
  const r = run(['--run', '/bin/cat', '/tmp/absent']);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^cat: \/tmp\/absent: .*\n/);
  assert.notEqual(r.status, 0);
});

test('a file put into the image is there for the program', { skip: need('cat') }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'web9-rt-'));
  try {
    fs.writeFileSync(path.join(dir, 'note'), 'kept\n');
    const r = run(['--file', `${path.join(dir, 'note')}:/tmp/note`, '--run', '/bin/cat', '/tmp/note']);
    assert.equal(r.stdout, 'kept\n');
    assert.equal(r.status, 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('rc -c runs a pipeline across process workers', { skip: need('rc', 'echo', 'cat') }, () => {
  const r = run(['-c', 'echo piped | cat']);
  assert.equal(r.stdout, 'piped\n');
  assert.equal(r.status, 0);
});

test("rc -c's failing status makes a non-zero exit", { skip: need('rc', 'false') }, () => {
  assert.notEqual(run(['-c', 'false']).status, 0);
});

test('a script from the host runs under rc with its arguments', { skip: need('rc', 'echo') }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'web9-rt-'));
  try {
    const script = path.join(dir, 'hello.rc');
    fs.writeFileSync(script, 'echo hello $1\n');
    const r = spawnSync(web9, ['--kernel', kernelDir, '--bin', binDir, '--no-home', script, 'world'], { encoding: 'utf8', timeout: 20000 });
    assert.equal(r.stdout, 'hello world\n');
    assert.equal(r.status, 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('with no program, rc reads commands from a stdin that is not a terminal', { skip: need('rc', 'echo', 'cat') }, () => {
  const r = run([], { input: 'echo a\necho b | cat\n' });
  assert.equal(r.stdout, 'a\nb\n');
  assert.equal(r.status, 0);
});

test('time runs a command, passes its output and status on, and prints the real time it took', { skip: need('rc', 'time', 'echo', 'sleep', 'false') }, () => {
  let r = run(['-c', 'time echo a b; time sleep 0.2']);
  assert.equal(r.stdout, 'a b\n');
  assert.equal(r.status, 0);
  const lines = r.stderr.trim().split('\n');
  assert.match(lines[0], /^\d+\.\d{3}r echo a b$/);
  const slept = Number(/^(\d+\.\d{3})r sleep 0\.2$/.exec(lines[1])?.[1]);
  assert.ok(slept >= 0.19, `sleep 0.2 took ${lines[1]}`);
  r = run(['-c', 'time false; echo status $status']);
  assert.match(r.stdout, /^status .+/);
  assert.notEqual(r.stdout, 'status \n');
  r = run(['-c', 'time /bin/nonesuch; echo status $status']);
  assert.match(r.stderr, /time: \/bin\/nonesuch: /);
  r = run(['-c', 'time']);
  assert.match(r.stderr, /usage: time command/);
  assert.notEqual(r.status, 0);
});
