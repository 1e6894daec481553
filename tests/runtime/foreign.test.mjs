// A program from outside the tree (tests/apps/foreign/hello.c: plain C against wasi-libc, no
// web9 imports) runs the same under Node's built-in WASI and under web9 (tools/web9 --run, the
// binary put into the boot image with --file): the same standard output, the same standard
// error and the same exit status, for its arguments, its standard input and the files it writes.
// Build dirs as tools/web9 takes them: WEB9_KERNEL_BUILD, WEB9_WASI_BUILD, else
// ${WEB9_BUILD:-build}/{emscripten,wasi}.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runModule, tmpdir } from '../apps/wasi-run.mjs';
import { buildForeign } from '../apps/foreign/build.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const web9 = path.join(root, 'tools/web9');
const buildRoot = path.resolve(root, process.env.WEB9_BUILD ?? 'build');
const kernelDir = path.resolve(process.env.WEB9_KERNEL_BUILD ?? path.join(buildRoot, 'emscripten'));
const binDir = path.resolve(process.env.WEB9_WASI_BUILD ?? path.join(buildRoot, 'wasi'));

const built = buildForeign('hello');
const skip =
  !built.file ? `clang-14 cannot build for wasm32-wasi: ${built.why}`
  : !fs.existsSync(path.join(kernelDir, 'kernel.mjs')) ? `no kernel build at ${kernelDir}`
  : !fs.existsSync(binDir) ? `no guest build at ${binDir}`
  : false;
const module = built.file ? new WebAssembly.Module(fs.readFileSync(built.file)) : null;

after(() => {
  if (built.dir) fs.rmSync(built.dir, { recursive: true, force: true });
});

// The program is /bin/hello in web9, so argv[0] is that path in both hosts.
const argv0 = '/bin/hello';

function underNode(args, stdin) {
  const r = runModule(module, [argv0, ...args], { dir: tmpdir(), stdin });
  return { status: r.status, stdout: r.out, stderr: r.stderr };
}

function underWeb9(args, stdin) {
  const r = spawnSync(web9, ['--kernel', kernelDir, '--bin', binDir, '--no-home', '--file', `${built.file}:${argv0}`, '--run', argv0, ...args], {
    input: stdin,
    encoding: 'utf8',
    timeout: 30000,
  });
  if (r.error) throw r.error;
  // tools/web9 --run adds one line of its own for a non-empty status: "web9: PROGRAM: STATUS".
  const own = `web9: ${argv0}: ${r.status}\n`;
  const stderr = r.stderr.endsWith(own) ? r.stderr.slice(0, -own.length) : r.stderr;
  return { status: r.status, stdout: r.stdout, stderr, web9Stderr: r.stderr };
}

test('the same foreign binary prints the same and exits 3 under Node WASI and web9', { skip }, () => {
  const args = ['greeting.txt', 'two words'];
  const stdin = 'line one\nline two\n';
  const node = underNode(args, stdin);
  const ours = underWeb9(args, stdin);
  assert.equal(node.status, 3);
  assert.equal(node.stdout, [
    'argc=3', `argv[0]=${argv0}`, 'argv[1]=greeting.txt', 'argv[2]=two words',
    'line one', 'line two', 'stdin=18 bytes', 'read back: written by hello', ''].join('\n'));
  assert.equal(ours.stdout, node.stdout);
  assert.equal(ours.status, node.status);
  assert.equal(ours.stderr, node.stderr);
  assert.match(ours.web9Stderr, /web9: \/bin\/hello: 3\n$/);
});

test('without arguments or stdin both hosts agree too', { skip }, () => {
  const node = underNode([], '');
  const ours = underWeb9([], '');
  assert.equal(node.status, 3);
  assert.match(node.stdout, /stdin=0 bytes\nread back: written by hello\n$/);
  assert.deepEqual({ ...ours, web9Stderr: undefined }, { ...node, web9Stderr: undefined });
});

test('a file it cannot create fails the same way in both hosts', { skip }, () => {
  const node = underNode(['no/such/dir'], '');
  const ours = underWeb9(['no/such/dir'], '');
  assert.equal(node.status, 1);
  assert.match(node.stderr, /^no\/such\/dir: /);
  assert.equal(ours.status, node.status);
  assert.equal(ours.stdout, node.stdout);
  assert.equal(ours.stderr, node.stderr);
});
