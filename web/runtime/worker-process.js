// A process worker: runs one guest program. The kernel worker starts it ahead of need (a pool),
// it says {type: 'ready'}, and later gets one {type: 'run', module, channel, doorbell, pid, argv,
// env, cwd, rings, ringMap} (channel, doorbell and rings, the pipe rings' arena, are
// SharedArrayBuffers; ringMap [[fd, ring info], ...]): it instantiates the compiled module with
// the imports of web/runtime/process.js (WASI preview1 and "web9", all served through the
// channel) and calls _start. When the program ends it says how in the channel (process.js's
// sayEnded;
// no message, so a kernel worker busy serving calls sees it at once):
//   'exit'    proc_exit or exits: the kernel already has the status
//   'return'  _start returned without proc_exit (status "")
//   'killed'  a note it does not take ended it (the kernel answered a call ERR_KILLED)
//   'trap'    the program trapped or could not be instantiated; the message says why
// The kernel worker may then send another 'run' (workers are reused) or terminate it; a worker
// that is stopped (kill) is terminated and never reused.

import { parent } from '../kernel/platform.js';
import { makeImports, setDataDirectory, sayEnded as ended } from './process.js';

// The rings' arena as a WebAssembly.Memory: sent once ('arena', before any 'run') where the
// kernel worker has one; each 'run' carries its SharedArrayBuffer.
let arenaMemory = null;

// JSPI: where the engine has it (Chromium), every program runs under WebAssembly.promising and
// fd_read is a WebAssembly.Suspending import, so that a read may let this worker's event loop
// run while it opens a home file's OPFS data file, to read it itself (taking a read over:
// docs/runtime.md; the kernel worker decides the same way). A call that answers at once does
// not suspend (0.3 µs more than a plain import, measured).
const JSPI =
  typeof WebAssembly.Suspending === 'function' &&
  typeof WebAssembly.promising === 'function' &&
  typeof globalThis.navigator?.storage?.getDirectory === 'function';

async function run({ module, channel, doorbell, pid, argv, env, cwd, rings, ringMap }) {
  let instance = null;
  const { imports, ExitError, KilledError, closeFiles } = makeImports({
    channel,
    doorbell: new Int32Array(doorbell),
    pid,
    argv,
    env,
    cwd,
    rings,
    ringMemory: arenaMemory,
    ringMap,
    getMemory: () => instance.exports.memory,
    takeOver: JSPI,
  });
  try {
    const wasi = imports.wasi_snapshot_preview1;
    if (JSPI) imports.wasi_snapshot_preview1 = { ...wasi, fd_read: new WebAssembly.Suspending(wasi.fd_read) };
    // Synchronously: a worker may instantiate any size of module so, and it saves a task hop.
    instance = new WebAssembly.Instance(module, imports);
    if (typeof instance.exports._start !== 'function') throw new Error('the program has no _start');
    if (JSPI) await WebAssembly.promising(instance.exports._start)();
    else instance.exports._start();
    closeFiles();
    ended(channel, doorbell, 'return');
  } catch (err) {
    closeFiles();
    if (err instanceof ExitError) ended(channel, doorbell, 'exit');
    else if (err instanceof KilledError) ended(channel, doorbell, 'killed');
    else ended(channel, doorbell, 'trap', String(err?.message ?? err));
  }
}

// One run at a time: the kernel worker sends the next only after this one has ended.
parent.listen((msg) => {
  if (msg?.type === 'run') run(msg);
  else if (msg?.type === 'arena') arenaMemory = msg.memory;
  else if (msg?.type === 'dataDirectory') setDataDirectory(msg.handle);
});
parent.post({ type: 'ready' });
