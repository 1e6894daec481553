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
import { makeImports, sayEnded as ended } from './process.js';

// The rings' arena as a WebAssembly.Memory: sent once ('arena', before any 'run') where the
// kernel worker has one; each 'run' carries its SharedArrayBuffer.
let arenaMemory = null;

function run({ module, channel, doorbell, pid, argv, env, cwd, rings, ringMap }) {
  let instance = null;
  const { imports, ExitError, KilledError } = makeImports({
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
  });
  try {
    // Synchronously: a worker may instantiate any size of module so, and it saves a task hop.
    instance = new WebAssembly.Instance(module, imports);
    if (typeof instance.exports._start !== 'function') throw new Error('the program has no _start');
    instance.exports._start();
    ended(channel, doorbell, 'return');
  } catch (err) {
    if (err instanceof ExitError) ended(channel, doorbell, 'exit');
    else if (err instanceof KilledError) ended(channel, doorbell, 'killed');
    else ended(channel, doorbell, 'trap', String(err?.message ?? err));
  }
}

// One run at a time: the kernel worker sends the next only after this one has ended.
parent.listen((msg) => {
  if (msg?.type === 'run') run(msg);
  else if (msg?.type === 'arena') arenaMemory = msg.memory;
});
parent.post({ type: 'ready' });
