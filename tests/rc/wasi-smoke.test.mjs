// The wasm32-wasi rc (shell/os_web9.cpp) under Node's WASI with the web9 imports stubbed: no
// kernel, so no programs can be spawned, but rc's builtins, variables and control flow run
// exactly as in web9. Needs a guest build: $WEB9_RC_WASM, else build/wasi/rc.wasm or
// build/rc-wasi/rc.wasm.
//   node --test tests/rc/wasi-smoke.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, mkdtempSync, rmSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WASI } from 'node:wasi';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const wasmPath = process.env.WEB9_RC_WASM
  ? resolve(process.env.WEB9_RC_WASM)
  : ['build/wasi/rc.wasm', 'build/rc-wasi/rc.wasm'].map((p) => join(root, p)).find(existsSync);

const ENOSYS = 52;
const ECHILD = 12;
const EAGAIN = 6;

// Runs rc.wasm with argv; returns { stdout, stderr, status } where status is the exits() string.
async function runWasm(argv) {
  const dir = mkdtempSync(join(tmpdir(), 'rc-wasi-'));
  const outPath = join(dir, 'out');
  const errPath = join(dir, 'err');
  const out = openSync(outPath, 'w');
  const err = openSync(errPath, 'w');
  const wasi = new WASI({ version: 'preview1', args: argv, env: { home: '/' }, preopens: { '/': dir },
                          stdin: 0, stdout: out, stderr: err, returnOnExit: true });
  let memory;
  let status = null;
  const bytes = (p, n) => Buffer.from(memory.buffer, p, n);
  const putString = (s, buf, cap, lenOut) => {
    const b = Buffer.from(s);
    if (b.length > cap) return 68; // ERANGE
    b.copy(bytes(buf, cap));
    new DataView(memory.buffer).setUint32(lenOut, b.length, true);
    return 0;
  };
  class Exit extends Error {}
  const web9 = {
    spawn: () => ENOSYS,
    wait: () => ECHILD,
    pipe: () => ENOSYS,
    dup: () => ENOSYS,
    bind: () => ENOSYS,
    mount: () => ENOSYS,
    unmount: () => ENOSYS,
    chdir: () => 0,
    getcwd: (buf, cap, lenOut) => putString('/', buf, cap, lenOut),
    note: () => ENOSYS,
    notify: () => 0,
    noted: () => EAGAIN,
    getpid: (p) => { new DataView(memory.buffer).setInt32(p, 42, true); return 0; },
    fd2path: () => ENOSYS,
    errstr: (buf, cap, lenOut) => putString('', buf, cap, lenOut),
    exits: (p, n) => { status = bytes(p, n).toString(); throw new Exit(); },
  };
  const module = await WebAssembly.compile(readFileSync(wasmPath));
  const instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasi.wasiImport, web9 });
  memory = instance.exports.memory;
  try {
    const code = wasi.start(instance);
    if (status === null) status = code ? String(code) : '';
  } catch (e) {
    if (!(e instanceof Exit)) throw e;
  }
  closeSync(out);
  closeSync(err);
  const result = { stdout: readFileSync(outPath, 'utf8'), stderr: readFileSync(errPath, 'utf8'), status };
  rmSync(dir, { recursive: true });
  return result;
}

const cases = [
  ['x=(a b c); whatis x', 'x=(a b c)\n', ''],
  ['x=(a b c d); y=$x(2-); whatis y; z=$#x; whatis z', 'y=(b c d)\nz=4\n', ''],
  ['fn f { r=$1^-^$#* }; f a b; whatis r', 'r=a-2\n', ''],
  ['for(i in 1 2 3) if(~ $i 2) r=$i; whatis r', 'r=2\n', ''],
  ['switch(foo.c){case *.h; r=h; case *.c; r=c}; whatis r', 'r=c\n', ''],
  ['~ abc a*; s1=$status; ~ abc b*; whatis s1 status', "s1=''\nstatus='no match'\n", ''],
  ['exit 3', '', '3'],
  ["eval 'x=1'; whatis x", 'x=1\n', ''],
];

test('wasm32-wasi rc runs builtins under Node WASI', { skip: !wasmPath && 'no rc.wasm built' }, async () => {
  for (const [cmd, stdout, status] of cases) {
    const r = await runWasm(['rc', '-c', cmd]);
    assert.equal(r.stderr, '', `${cmd}: stderr`);
    assert.equal(r.stdout, stdout, cmd);
    assert.equal(r.status, status, `${cmd}: status`);
  }
});

test('a missing program is reported, and rc goes on', { skip: !wasmPath && 'no rc.wasm built' }, async () => {
  const r = await runWasm(['rc', '-c', 'nosuchprog; x=after; whatis x']);
  assert.match(r.stderr, /nosuchprog/);
  assert.equal(r.stdout, 'x=after\n');
});
