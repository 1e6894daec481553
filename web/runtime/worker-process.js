// A process worker: runs one guest program. The kernel worker starts it ahead of need (a pool),
// it says {type: 'ready'}, and later gets one {type: 'run', module, channel, doorbell, pid, argv,
// env} (channel and doorbell are SharedArrayBuffers): it instantiates the compiled module with
// the imports of web/runtime/process.js (WASI preview1 and "web9", all served through the
// channel) and calls _start. When the program ends it posts {type: 'done', pid, how}:
//   how 'exit'    proc_exit or exits: the kernel already has the status
//   how 'return'  _start returned without proc_exit (status "")
//   how 'trap'    the program trapped or could not be instantiated; message says why
// The kernel worker may then send another 'run' (workers are reused) or terminate it; a worker
// that is stopped (kill) is terminated and never reused.

import { parent } from '../kernel/platform.js';
import { makeImports } from './process.js';

async function run({ module, channel, doorbell, pid, argv, env }) {
  let instance = null;
  const { imports, ExitError } = makeImports({
    channel,
    doorbell: new Int32Array(doorbell),
    pid,
    argv,
    env,
    getMemory: () => instance.exports.memory,
  });
  try {
    instance = await WebAssembly.instantiate(module, imports);
    if (typeof instance.exports._start !== 'function') throw new Error('the program has no _start');
    instance.exports._start();
    parent.post({ type: 'done', pid, how: 'return' });
  } catch (err) {
    if (err instanceof ExitError) parent.post({ type: 'done', pid, how: 'exit' });
    else parent.post({ type: 'done', pid, how: 'trap', message: String(err?.message ?? err) });
  }
}

// One run at a time: the kernel worker sends the next only after this one's 'done'.
parent.listen((msg) => {
  if (msg?.type === 'run') run(msg);
});
parent.post({ type: 'ready' });
