// A program from outside the tree (tests/apps/foreign/hello.c, plain C against wasi-libc)
// built here with clang and run under Node's WASI: it must see its arguments, standard input
// and files and leave its exit status. web9 runs the same binary and must agree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runModule, tmpdir } from './wasi-run.mjs';
import { buildForeign } from './foreign/build.mjs';

test('a plain wasi-libc program sees args, stdin and files and exits 3', (t) => {
  const built = buildForeign('hello');
  if (!built.file) {
    t.skip(`clang-14 cannot build for wasm32-wasi: ${built.why}`);
    return;
  }
  built.module = new WebAssembly.Module(fs.readFileSync(built.file));
  assert.deepEqual(WebAssembly.Module.imports(built.module).map((i) => i.module).filter((m) => m !== 'wasi_snapshot_preview1'), [],
    'a foreign program imports only WASI');
  const root = tmpdir();
  const r = runModule(built.module, ['hello', 'greeting.txt', 'two words'], { dir: root, stdin: 'line one\nline two\n' });
  assert.equal(r.status, 3);
  assert.equal(r.out, [
    'argc=3', 'argv[0]=hello', 'argv[1]=greeting.txt', 'argv[2]=two words',
    'line one', 'line two', 'stdin=18 bytes', 'read back: written by hello', ''].join('\n'));
  assert.equal(r.stderr, 'hello: exiting with status 3\n');
  assert.equal(fs.readFileSync(path.join(root, 'greeting.txt'), 'utf8'), 'written by hello\n');

  // Without arguments it writes hello.out; a path it cannot create makes it fail with 1.
  assert.equal(runModule(built.module, ['hello'], { dir: root }).status, 3);
  assert.equal(fs.readFileSync(path.join(root, 'hello.out'), 'utf8'), 'written by hello\n');
  const bad = runModule(built.module, ['hello', 'no/such/dir'], { dir: root });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^no\/such\/dir: /);
  fs.rmSync(built.dir, { recursive: true, force: true });
  fs.rmSync(root, { recursive: true, force: true });
});
