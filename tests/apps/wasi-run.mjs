// Runs the guest programs (apps/*.wasm) under Node's built-in WASI, an independent host,
// with a temporary directory preopened as "/" and stdio captured through files; and runs
// 9base's tools on the same inputs for comparison.
//
// As a script (node tests/apps/wasi-run.mjs NAME ARGS...) it runs one program with the
// current directory as "/" and this process's stdio, for tests that need a live process.
import fs from 'node:fs';
import os from 'node:os';
import v8 from 'node:v8';
import vm from 'node:vm';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

// Where the .wasm files are: WEB9_WASI_BUILD, else build/wasi in the repository.
export const buildDir = path.resolve(root, process.env.WEB9_WASI_BUILD ?? 'build/wasi');
export const plan9bin = '/usr/lib/plan9/bin';

// node:wasi warns that it is experimental on first use; that is known and not news.
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (!String(w.message).includes('WASI')) console.error(`${w.name}: ${w.message}`);
});
// Imported after the listener is in place: loading node:wasi is what warns.
const { WASI } = await import('node:wasi');

const modules = new Map();

// Every instance reserves gigabytes of address space for its memory, and V8 crashes (SIGSEGV)
// rather than collecting when a few hundred dead ones pile up: collect every so many runs.
v8.setFlagsFromString('--expose-gc');
const collect = vm.runInNewContext('gc');
let runs = 0;

// WASI errno ENOSYS, what every web9 import answers under Node.
export const ENOSYS = 52;

// The "web9" import module (apps/lib/web9_abi.h) as Node has it: nothing. Each import the
// program asks for is a stub answering ENOSYS, so programs that need web9 still load and
// take their error paths; web9.exits ends the program as proc_exit would.
export function web9Stubs(module, wasi) {
  const stubs = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.module !== 'web9' || imp.kind !== 'function') continue;
    stubs[imp.name] = imp.name === 'exits'
      ? () => wasi.getImportObject().wasi_snapshot_preview1.proc_exit(1)
      : () => ENOSYS;
  }
  return stubs;
}

function instantiate(module, wasi) {
  return new WebAssembly.Instance(module, { ...wasi.getImportObject(), web9: web9Stubs(module, wasi) });
}

// Compiles NAME.wasm once per test process.
export function compiled(name) {
  if (!modules.has(name)) {
    const file = path.join(buildDir, `${name}.wasm`);
    modules.set(name, new WebAssembly.Module(fs.readFileSync(file)));
  }
  return modules.get(name);
}

export function hasProgram(name) {
  return fs.existsSync(path.join(buildDir, `${name}.wasm`));
}

// Temporary directories last until this test process exits.
const made = [];
process.on('exit', () => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

export function tmpdir(prefix = 'web9-apps-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

// Makes files under dir from {relative path: contents}; a path ending in / is a directory.
export function populate(dir, files) {
  for (const [name, data] of Object.entries(files)) {
    const p = path.join(dir, name);
    if (name.endsWith('/')) {
      fs.mkdirSync(p, { recursive: true });
      continue;
    }
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, data);
  }
  return dir;
}

// Runs NAME.wasm with args; dir (a host directory) is the guest's "/" and working
// directory. Returns {status, stdout: Buffer, stderr: string, out: string}.
export function run(name, args = [], options = {}) {
  return runModule(compiled(name), [name, ...args], options);
}

// Runs a compiled module with the whole argv (argv[0] included), as run() does.
export function runModule(module, argv, { dir, stdin = '', env = {} } = {}) {
  const root = dir ?? tmpdir();
  const io = fs.mkdtempSync(path.join(os.tmpdir(), 'web9-io-'));
  const files = ['stdin', 'stdout', 'stderr'].map((f) => path.join(io, f));
  fs.writeFileSync(files[0], stdin);
  const fds = [fs.openSync(files[0], 'r'), fs.openSync(files[1], 'w'), fs.openSync(files[2], 'w')];
  let status;
  try {
    const wasi = new WASI({
      version: 'preview1',
      args: argv,
      env,
      preopens: { '/': root },
      stdin: fds[0],
      stdout: fds[1],
      stderr: fds[2],
      returnOnExit: true,
    });
    if (++runs % 32 === 0) collect();
    const instance = instantiate(module, wasi);
    try {
      status = wasi.start(instance);
    } catch (e) {
      status = `trap: ${e.message}`;
    }
  } finally {
    fds.forEach((fd) => fs.closeSync(fd));
  }
  const stdout = fs.readFileSync(files[1]);
  const stderr = fs.readFileSync(files[2], 'utf8');
  fs.rmSync(io, { recursive: true, force: true });
  return { status, stdout, stderr, out: stdout.toString('utf8') };
}

// Runs 9base's NAME with cwd dir on the same inputs; same result shape as run().
export function plan9(name, args = [], { dir, stdin = '' } = {}) {
  const r = spawnSync(path.join(plan9bin, name), args, {
    cwd: dir,
    input: stdin,
    env: { PATH: `${plan9bin}:/usr/bin:/bin`, TZ: 'UTC' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8'), out: r.stdout.toString('utf8') };
}

export function hasPlan9(name) {
  try {
    fs.accessSync(path.join(plan9bin, name), fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

// Runs NAME under both hosts in one fresh directory made from files, for comparing.
// normalize (optional) maps each output before the comparison.
export function both(name, args, { files = {}, stdin = '' } = {}) {
  const dir = populate(tmpdir(), files);
  try {
    return { ours: run(name, args, { dir, stdin }), theirs: plan9(name, args, { dir, stdin }) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [name, ...args] = process.argv.slice(2);
  const wasi = new WASI({
    version: 'preview1',
    args: [name, ...args],
    env: {},
    preopens: { '/': process.cwd() },
    returnOnExit: true,
  });
  const instance = instantiate(compiled(name), wasi);
  process.exitCode = wasi.start(instance);
}
