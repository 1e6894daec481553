// The kernel worker: runs kernel.wasm (kernel/bindings.cpp, class Web9) and is its RuntimeHost.
// It moves syscall frames between each process's channel SharedArrayBuffer and kernel memory,
// starts a process worker per process from a pool of pre-started workers, and forwards the
// console to the page. The same file runs as a browser module worker and as a Node
// worker_threads worker (tools/web9.mjs); web/kernel/platform.js hides the difference.
// docs/runtime.md describes the channel, the doorbell and the messages.

import * as protocol from '../protocol.js';
import { parent, startWorker, readBytes, isNode } from './platform.js';
import { NetWeb } from './netweb.js';
import { ENDED, ENDINGS } from '../runtime/process.js';
import { Rings, newArena, RING_SLOTS, FILE_RING_SLOTS, EOF, BROKEN, KCONSUMER, KPRODUCER, TAKEN, TAKEN_OVER, FLAGS, FILE } from '../runtime/ring.js';

const FRAME_HEADER = 128;
const CHANNEL_DATA = 1 << 20;
const CHANNEL_SIZE = FRAME_HEADER + CHANNEL_DATA;
const POOL_SIZE = 2; // idle process workers kept started
// A process may take a large sequential read of a home file over, reading the OPFS data file
// with its own sync access handle (one copy, on its own core): in a browser whose process workers
// can let the handle open while a program runs (JSPI; worker-process.js checks the same).
const TAKE_OVER_READS = !isNode && typeof WebAssembly.Suspending === 'function' && typeof WebAssembly.promising === 'function';
// Only where this much is left to read: opening the handle costs 2–6 ms here, and the kernel's
// ring moves about half as fast as the process's own reads, so a read of less gains nothing.
const TAKE_OVER_MIN = 16 << 20;
// waitAsync wakes at least this often even if no ring came: a lost wake-up (V8's chained
// waitAsync has frozen under some patterns) then costs latency, never a hang.
const DOORBELL_TIMEOUT_MS = 100;
// How long a tab waits for the home's lock before it opens the home read-only.
const LOCK_WAIT_MS = 1000;
const processWorkerUrl = new URL('../runtime/worker-process.js', import.meta.url);
const decoder = new TextDecoder();
const IMAGE_MAGIC = 'web9img1\n'; // tools/mkimage.mjs

let K = null; // the Emscripten module
let web9 = null; // its Web9 instance
// One Int32 every process bumps after posting a request.
const doorbell = new Int32Array(new SharedArrayBuffer(4));
// The pipe rings (web/runtime/ring.js): one arena for every process; slots not given out.
const rings = new Rings(newArena());
const freeSlots = Array.from({ length: RING_SLOTS }, (_, i) => RING_SLOTS - 1 - i);
// The larger rings (after the pipe-sized ones) go to write-behind and read-ahead first.
const freeFileSlots = Array.from({ length: FILE_RING_SLOTS }, (_, i) => RING_SLOTS + FILE_RING_SLOTS - 1 - i);
const freeSlot = (slot) => (slot < RING_SLOTS ? freeSlots : freeFileSlots).push(slot);
// pid → {pid, channel (SharedArrayBuffer), bytes (Uint8Array on it), state and cancel (its words),
//        inKernel (a request is with the kernel), worker, stopTimer, gone}
const procs = new Map();
// Channels of processes that ended cleanly, for the next ones: a spawn then allocates no MiB.
// (A terminated worker's channel is never reused: its thread may not have stopped yet.)
const freeChannels = [];
const FREE_CHANNELS = 4;
// image key → Promise<WebAssembly.Module>: a program is compiled once. Oldest first, at most
// MODULE_CACHE entries (a key names one version of one file; edited programs get new keys).
const modules = new Map();
const MODULE_CACHE = 64;
let stdinPipe = false;
let store = null; // the home directory's store (OpfsStore or HostStore), registered as store 0
let homeData = null; // the 'dataDirectory' message every process worker gets
let takenOver = 0; // read-ahead rings that processes took over
let homeOpening = null; // openHome's promise, so a shutdown during boot still closes the store

function post(message) {
  if (message.data instanceof Uint8Array) parent.post(message, [message.data.buffer]);
  else parent.post(message);
}

// --- the pool of process workers ---

const idle = []; // started workers that said they are ready
const starting = new Set();
const waitingForWorker = []; // jobs (fn(worker)) for when a worker is ready

function refillPool() {
  while (idle.length + starting.size < POOL_SIZE + waitingForWorker.length) {
    const w = startWorker(processWorkerUrl, 'process');
    starting.add(w);
    w.onMessage((msg) => onProcessMessage(w, msg));
    w.onError((message) => onProcessError(w, message));
    // The arena's Memory goes once per worker (cloning it costs a spawn about 0.3 ms; each
    // 'run' carries only its SharedArrayBuffer): with it a process copies to and from the rings
    // by memory.copy (ring.js, attach).
    if (rings.memory) w.post({ type: 'arena', memory: rings.memory });
    if (homeData) w.post(homeData);
  }
}

// A worker whose program has ended runs the next one: a spawn then costs an instantiate, not a
// worker start. Beyond what the pool wants, it is ended.
function recycle(w) {
  if (w.dead) return;
  const job = waitingForWorker.shift();
  if (job) job(w);
  else if (idle.length < POOL_SIZE * 2) idle.push(w);
  else end(w);
}

function end(w) {
  w.dead = true;
  w.terminate();
}

function withWorker(job) {
  const w = idle.shift();
  if (w) job(w);
  else waitingForWorker.push(job);
  refillPool();
}

function onProcessMessage(w, msg) {
  switch (msg?.type) {
    case 'ready': {
      starting.delete(w);
      recycle(w);
      refillPool();
      break;
    }
    default:
      console.warn('web9 kernel: unknown message from a process worker:', msg);
  }
}

// An error the process worker did not catch (it failed to load, or threw outside _start).
function onProcessError(w, message) {
  end(w);
  if (starting.delete(w)) {
    post(protocol.fatal(`a process worker failed to start: ${message}`));
    return;
  }
  const i = idle.indexOf(w);
  if (i >= 0) idle.splice(i, 1);
  for (const p of procs.values()) {
    if (p.worker === w && !p.gone) {
      finish(p);
      web9.exited(p.pid, `sys: trap: ${message}`);
    }
  }
  refillPool();
}

// The program of p is over (its channel says ENDED and how): its worker takes the next one.
function ended(p) {
  const how = ENDINGS[Atomics.load(p.state, 1)];
  const message = how === 'trap' ? decoder.decode(p.bytes.slice(FRAME_HEADER, FRAME_HEADER + Math.min(Atomics.load(p.state, 2), 4096))) : '';
  const w = p.worker;
  p.worker = null; // finish() below must not terminate it
  if (w) recycle(w);
  finish(p);
  // The program is over and its worker let go of the channel: the next process may have it.
  if (freeChannels.length < FREE_CHANNELS) {
    Atomics.store(p.state, 0, 0);
    Atomics.store(p.cancel, 0, 0);
    freeChannels.push(p.channel);
  }
  // After proc_exit the kernel has the status already; otherwise the worker ended on its own.
  if (how === 'return') web9.exited(p.pid, '');
  else if (how === 'trap') web9.exited(p.pid, `sys: trap: ${message}`);
  else if (how === 'killed') web9.exited(p.pid, 'killed'); // the kernel has the note
}

function finish(p) {
  p.gone = true;
  clearTimeout(p.stopTimer);
  if (p.worker) end(p.worker);
  rings.releaseLocks(p.pid); // a worker ended mid-copy published nothing
  procs.delete(p.pid);
}

// --- RuntimeHost (called by kernel.wasm) ---

function frameAt(pid) {
  const ptr = web9.frame(pid);
  return { ptr, heap: K.HEAPU8 }; // HEAPU8 after frame(): making a frame may grow memory
}

const host = {
  reply(pid) {
    const p = procs.get(pid);
    if (!p || p.gone) return;
    p.inKernel = false;
    const { ptr, heap } = frameAt(pid);
    const outLen = Math.min(new DataView(heap.buffer, ptr + 16, 4).getUint32(0, true), CHANNEL_DATA);
    // Everything but state, which is stored last so the process never sees a half-copied reply.
    p.bytes.set(heap.subarray(ptr + 4, ptr + FRAME_HEADER + outLen), 4);
    Atomics.store(p.state, 0, 2);
    Atomics.notify(p.state, 0);
  },

  start(pid, key, wasm, argv, env, cwd, ringMap) {
    const channel = freeChannels.pop() ?? new SharedArrayBuffer(CHANNEL_SIZE);
    const p = {
      pid, channel, bytes: new Uint8Array(channel), state: new Int32Array(channel, 0, 3), cancel: new Int32Array(channel, 24, 1),
      inKernel: false, worker: null, stopTimer: undefined, gone: false,
    };
    procs.set(pid, p);
    let compiled = key ? modules.get(key) : undefined;
    if (compiled) {
      modules.delete(key); // most recently used goes last
      modules.set(key, compiled);
    } else {
      if (!wasm) {
        queueMicrotask(() => kill(p, 'sys: no program image'));
        return;
      }
      // wasm is a view on kernel memory, good only during this call: compile a copy.
      compiled = precompiled(wasm) ?? WebAssembly.compile(wasm.slice());
      if (key) {
        modules.set(key, compiled);
        compiled.catch(() => modules.delete(key));
        while (modules.size > MODULE_CACHE) modules.delete(modules.keys().next().value);
      }
    }
    compiled.then(
      (module) => {
        if (p.gone) return;
        withWorker((w) => {
          if (p.gone) {
            recycle(w);
            return;
          }
          p.worker = w;
          w.post({ type: 'run', module, channel, doorbell: doorbell.buffer, pid, argv, env, cwd, rings: rings.sab, ringMap });
        });
      },
      (err) => kill(p, `sys: bad program image: ${err.message}`),
    );
  },

  stop(pid, graceMs) {
    const p = procs.get(pid);
    if (!p || p.gone) return;
    clearTimeout(p.stopTimer);
    if (graceMs <= 0) {
      // End it now so it runs no further; tell the kernel once this kernel call has returned.
      if (p.worker) end(p.worker);
      p.worker = null;
      queueMicrotask(() => kill(p, 'killed'));
    } else {
      p.stopTimer = setTimeout(() => kill(p, 'killed'), graceMs);
    }
  },

  cancelStop(pid) {
    const p = procs.get(pid);
    if (p) clearTimeout(p.stopTimer);
  },

  // Pipe rings (kernel/bindings.cpp's JsPipeRings; fs/pipe.h).
  ringOpen() {
    const slot = freeSlots.pop();
    if (slot === undefined) return -1;
    return slot | (rings.reset(slot) << 8);
  },
  ringClose(slot) {
    rings.free(slot);
    freeSlot(slot);
  },
  ringRetire(slot) {
    const records = rings.retire(slot);
    freeSlot(slot);
    return records;
  },
  ringHangUp(slot, broken) {
    rings.setFlag(slot, broken ? BROKEN : EOF);
    // The scan after this call answers ring_wait calls on it (checkRings).
    Atomics.add(doorbell, 0, 1);
  },
  ringQueued: (slot) => rings.queued(slot),
  // Write-behind (producer false: the kernel drains it) and read-ahead (true: it fills it).
  fileRingOpen(producer) {
    const slot = freeFileSlots.pop() ?? freeSlots.pop();
    if (slot === undefined) return -1;
    const gen = rings.reset(slot);
    rings.setFlag(slot, producer ? KPRODUCER : KCONSUMER);
    return slot | (gen << 8);
  },
  fileRingTake: (slot, address, size) => rings.drainInto(slot, K.HEAPU8.subarray(address, address + size)),
  fileRingRoom: (slot) => rings.room(slot),
  fileRingSeal: (slot) => rings.seal(slot),
  fileRingPut: (slot, address, size) => rings.put(slot, K.HEAPU8.subarray(address, address + size)),
  fileRingRecall(slot) {
    if (rings.load(slot, FLAGS) & TAKEN_OVER) takenOver++;
    const back = rings.recall(slot);
    freeSlot(slot);
    return back;
  },
  ringChanged: (slot, gen, seq) => rings.changed(slot, gen, seq),
  ringWatch: (slot, on) => rings.watch(slot, on),

  output(bytes) {
    post(protocol.output(bytes.slice()));
  },
  errput(bytes) {
    post(protocol.errput(bytes.slice()));
  },
  booted(pid) {
    post(protocol.ready(pid));
  },
  exit(status) {
    post(protocol.exit(status));
  },
  failed(message) {
    post(protocol.fatal(message));
  },
  notice(text) {
    post(protocol.notice(text));
  },
};

function kill(p, status) {
  if (p.gone) return;
  finish(p);
  web9.exited(p.pid, status);
}

// --- the doorbell ---

// Hands the kernel every channel holding a request it has not seen, and ends the processes
// whose programs are over (ENDED). A process whose
// poll_oneoff timed out sets its channel's cancel word (header bytes 24–27) while its request is
// with the kernel: the kernel then answers the poll with no events (Syscalls::cancel ignores any
// other call).
function scan() {
  for (const p of procs.values()) {
    if (p.gone) continue;
    const state = Atomics.load(p.state, 0);
    if (state === ENDED && !p.inKernel) {
      ended(p);
      continue;
    }
    if (!p.inKernel && state === 1) {
      const inLen = Math.min(new DataView(p.channel, 8, 4).getUint32(0, true), CHANNEL_DATA);
      const { ptr, heap } = frameAt(p.pid);
      heap.set(p.bytes.subarray(0, FRAME_HEADER + inLen), ptr);
      p.inKernel = true;
      web9.submit(p.pid);
    }
    if (p.inKernel && Atomics.load(p.cancel, 0) === 1) web9.cancel(p.pid);
  }
  web9.checkRings();
}

const hasWaitAsync = typeof Atomics.waitAsync === 'function';

// While calls keep coming (one came within HOT_BUDGET_MS of the last turn of the event loop),
// the kernel waits for the next ring blocking, at most HOT_WAIT_MS at a time: a blocked thread
// is woken sooner than a waitAsync, whose wake-up is a task. Promise jobs run between calls; the
// event loop (the page's messages, timers, OPFS's promises) gets a turn at least every
// HOT_BUDGET_MS, and whenever no call came for HOT_WAIT_MS.
const HOT_WAIT_MS = 0.5;
const HOT_BUDGET_MS = 2;
const turn = new MessageChannel();
const nextTurn = () => new Promise((resolve) => {
  turn.port1.onmessage = resolve;
  turn.port1.unref?.(); // under Node: the yield must not keep the worker alive
  turn.port2.postMessage(0);
});

async function serve() {
  let hotUntil = 0;
  for (;;) {
    // Read the doorbell before scanning: a ring during the scan changes it, and the wait below
    // then returns at once instead of sleeping through the request.
    const seen = Atomics.load(doorbell, 0);
    try {
      scan();
    } catch (err) {
      post(protocol.fatal(`kernel: ${err?.message ?? err}`));
      throw err;
    }
    if (performance.now() < hotUntil) {
      if (Atomics.wait(doorbell, 0, seen, HOT_WAIT_MS) !== 'timed-out') {
        await null;
        continue;
      }
    } else if (hotUntil) {
      await nextTurn(); // the budget is spent: the event loop's turn
    }
    if (Atomics.load(doorbell, 0) === seen) {
      if (hasWaitAsync) {
        const w = Atomics.waitAsync(doorbell, 0, seen, DOORBELL_TIMEOUT_MS);
        if (w.async) await w.value;
      } else {
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }
    hotUntil = performance.now() + HOT_BUDGET_MS;
  }
}

// --- the home directory ---

// Opens the store that holds the user's home (kernel/bindings.cpp mounts store 0 at /usr/$user):
// OpfsStore in a browser, HostStore on a host directory under Node. home is the boot option
// (protocol.boot). Answers {store} or {store: null, why} (why '' when the home was asked to be
// in memory); a store another tab or process owns is opened read-only, and the user is told.
async function openHome(home) {
  if (home === false) return { store: null, why: '' };
  try {
    let s;
    if (isNode) {
      if (typeof home !== 'string') return { store: null, why: 'no home directory was given (tools/web9 --home DIR)' };
      const { HostStore } = await import('./hoststore.js');
      s = await HostStore.open(home);
    } else {
      const { OpfsStore } = await import('./opfs.js');
      const name = typeof home === 'string' ? home : 'home';
      s = await OpfsStore.open(name);
      if (s.readOnly && globalThis.navigator?.locks) {
        // After a reload the old page's worker may still be letting go of the lock: wait a
        // moment for it before settling for read-only (a live other tab keeps it, and this tab
        // boots read-only a second later).
        const free = await navigator.locks
          .request(s.lockName, { signal: AbortSignal.timeout(LOCK_WAIT_MS) }, () => true)
          .catch(() => false);
        if (free) {
          await s.close();
          s = await OpfsStore.open(name);
        }
      }
    }
    if (s.readOnly) post(protocol.notice(`web9: the home directory is read-only: ${s.owner}`));
    return { store: s };
  } catch (err) {
    const what = isNode ? `the host directory ${home} cannot be used` : "the browser's private file system (OPFS) cannot be used";
    return { store: null, why: `${what}: ${err?.message ?? err}` };
  }
}

// Saves the home's metadata and gives up its lock; the host exits after closed.
async function shutdown() {
  let error = null;
  try {
    const opened = (await (homeOpening ?? loads.get('home undefined')))?.store;
    await (store ?? opened)?.close();
  } catch (err) {
    error = `the home directory was not closed cleanly: ${err?.message ?? err}`;
  }
  store = null;
  post(protocol.closed(error));
}

// --- files in and out (docs/opfs.md, "Files in and out") ---

let pickWaiting = null; // resolve of the pending upload's promise of files
let pickId = 0;

// The transfer store: in a tab, out/ files stream to the page (protocol.downloadStart, Data,
// End) and an upload asks the page to choose files (protocol.pick ... protocol.picked); under
// tools/web9 they are the host's files in its current directory and the host paths upload was
// given. Nothing is read whole: chosen and dropped files are read a slice at a time.
async function makeXferStore() {
  const { XferStore } = await import('./xfer.js');
  if (isNode) {
    const fs = await import('node:fs');
    const path = await import('node:path');
    return new XferStore({
      // Written into a temporary file beside the target, renamed over it when whole.
      sink: (name) => {
        const to = path.resolve(process.cwd(), path.basename(name));
        const part = path.join(path.dirname(to), `.${path.basename(to)}.web9part`);
        const fd = fs.openSync(part, 'w');
        let open = true;
        const shut = () => open && ((open = false), fs.closeSync(fd));
        return {
          write: (bytes) => {
            for (let at = 0; at < bytes.length; ) at += fs.writeSync(fd, bytes, at);
          },
          end: () => {
            shut();
            fs.renameSync(part, to);
          },
          abort: () => {
            shut();
            fs.rmSync(part, { force: true });
          },
        };
      },
      pick: async (ask) => {
        const files = [];
        for (const p of ask.split('\n').filter(Boolean)) {
          try {
            files.push(hostSource(fs, path.basename(p), path.resolve(process.cwd(), p)));
          } catch (err) {
            post(protocol.notice(`upload: ${p}: ${err.code === 'ENOENT' ? 'no such file on the host' : err.message}`));
          }
        }
        return files;
      },
    });
  }
  let downloads = 0;
  return new XferStore({
    sink: (name) => {
      const id = ++downloads;
      post(protocol.downloadStart(id, name));
      return {
        write: (bytes) => post(protocol.downloadData(id, bytes.slice())),
        end: () => post(protocol.downloadEnd(id, true)),
        abort: () => post(protocol.downloadEnd(id, false)),
      };
    },
    pick: () =>
      new Promise((resolve) => {
        pickWaiting?.([]); // one upload at a time: an older question is answered with nothing
        pickWaiting = (files) => resolve(files.map(blobSource));
        post(protocol.pick(++pickId));
      }),
  });
}

// A host file as a transfer store's source: read a piece at a time through its descriptor.
function hostSource(fs, name, file) {
  const fd = fs.openSync(file, 'r');
  return {
    name,
    size: fs.fstatSync(fd).size,
    read: (offset, dest) => fs.readSync(fd, dest, 0, dest.length, offset),
    close: () => fs.closeSync(fd),
  };
}

// A File (or Blob) from the page as a source: each read is a slice, read synchronously (a
// dedicated worker has FileReaderSync), so only the piece asked for is ever in memory here.
function blobSource({ name, file }) {
  const reader = new FileReaderSync();
  return {
    name,
    size: file.size,
    read(offset, dest) {
      const end = Math.min(file.size, offset + dest.length);
      if (end <= offset) return 0;
      const piece = new Uint8Array(reader.readAsArrayBuffer(file.slice(offset, end)));
      dest.set(piece);
      return piece.length;
    },
  };
}

// Files dropped on the page go into $home/upload (made if missing), each under its own name (a
// taken name gets .1, .2, ...), copied a piece at a time. Answers the names written, or a notice
// saying why not.
const DROP_PIECE = 1 << 20;
async function dropFiles(files) {
  if (!store) {
    post(protocol.notice('drop: the home is not a persistent store here, so dropped files cannot be written'));
    return;
  }
  try {
    try {
      store.stat('/upload');
    } catch {
      store.create('/upload', true, 0o775);
    }
    const names = [];
    const piece = new Uint8Array(DROP_PIECE);
    for (const f of files) {
      const src = blobSource(f);
      const base = String(f.name).replace(/[/\0]/g, '_') || 'file';
      let name = base;
      for (let i = 1; ; i++) {
        try {
          store.stat(`/upload/${name}`);
          name = `${base}.${i}`;
        } catch {
          break;
        }
      }
      store.create(`/upload/${name}`, false, 0o664);
      const h = await store.openFile(`/upload/${name}`);
      const big = src.size >= 4 << 20;
      let shown = -1;
      try {
        for (let at = 0; at < src.size; ) {
          const n = src.read(at, piece);
          if (n <= 0) throw new Error(`${f.name}: the file ended at ${at} of ${src.size} bytes`);
          h.write(at, piece.subarray(0, n));
          at += n;
          const pct = Math.floor((100 * at) / src.size);
          if (big && pct !== shown && pct % 10 === 0) {
            shown = pct;
            post(protocol.dropProgress(f.name, at, src.size));
          }
        }
        h.flush();
      } finally {
        h.close();
      }
      names.push(name);
    }
    store.sync();
    post(protocol.dropped(names, null));
  } catch (err) {
    post(protocol.dropped([], err?.message ?? String(err)));
  }
}

// --- loading early ---

// The page always boots the same kernel, image and home; this worker starts on them as soon as
// it runs, while the page is still drawing itself, and boot() takes what has come (by key)
// instead of asking again. tools/web9 names its own files, so under Node nothing is guessed.
const loads = new Map(); // key -> Promise

function once(key, load) {
  let p = loads.get(key);
  if (!p) loads.set(key, (p = load()));
  return p;
}

// The first program's module, compiled from the boot image while the kernel instantiates:
// {bytes, module: Promise<WebAssembly.Module>}; start() takes it when the kernel hands it the
// same bytes.
let firstProgram = null;

// The bytes of the file at path in a boot image (tools/mkimage.mjs's format), or null.
export function imageFile(image, path) {
  let at = IMAGE_MAGIC.length;
  const field = () => {
    const nul = image.indexOf(0, at);
    if (nul < 0) return null;
    const text = decoder.decode(image.subarray(at, nul));
    at = nul + 1;
    return text;
  };
  if (decoder.decode(image.subarray(0, at)) !== IMAGE_MAGIC) return null;
  while (at < image.length) {
    const name = field();
    const mode = field();
    const size = Number(field());
    if (name === null || mode === null || !Number.isSafeInteger(size)) return null;
    if (name === path) return image.subarray(at, at + size);
    at += size;
  }
  return null;
}

function precompile(image, path) {
  const bytes = imageFile(image, path);
  if (!bytes) return;
  const module = WebAssembly.compile(bytes);
  module.catch(() => {}); // start() then compiles it again and reports the error
  firstProgram = { bytes, module };
}

// The precompiled module, if wasm holds the same bytes.
function precompiled(wasm) {
  const f = firstProgram;
  if (!f || f.bytes.length !== wasm.length) return null;
  for (let i = 0; i < wasm.length; i++) if (f.bytes[i] !== wasm[i]) return null;
  firstProgram = null;
  return f.module;
}

if (!isNode) {
  const at = (p) => new URL(p, import.meta.url);
  const [kernelUrl, wasmUrl, imageUrl] = ['../build/kernel/kernel.mjs', '../build/kernel/kernel.wasm', '../build/bin/web9.img'].map(at);
  const quiet = (p) => p.catch(() => null); // boot() reports a failure, if it asks for the thing
  quiet(once(`import ${kernelUrl.href}`, () => import(kernelUrl.href)));
  quiet(once(`bytes ${wasmUrl.href}`, () => readBytes(wasmUrl)));
  quiet(once(`bytes ${imageUrl.href}`, () => readBytes(imageUrl))).then((image) => image && precompile(image, '/bin/rc'));
  quiet(once('home undefined', () => openHome(undefined)));
  quiet(once('net undefined', () => openNet(undefined)));
  quiet(once('import xfer.js', () => import('./xfer.js')));
}

// /net/web's network; in a tab the dev server's /config.json names its CORS proxy.
function openNet(home) {
  return NetWeb.open({ home, configUrl: isNode ? null : new URL('../config.json', import.meta.url).href });
}

// --- messages from the page (or tools/web9.mjs) ---

let winsize = null;
const early = []; // console input that came before the kernel was up

async function boot(msg) {
  post(protocol.progress('web9: loading the kernel…'));
  const kernelUrl = new URL(msg.kernel);
  const wasmUrl = new URL(kernelUrl.pathname.replace(/\.m?js$/, '.wasm') + kernelUrl.search, kernelUrl);
  const [{ default: createKernel }, wasmBinary, image, home, net] = await Promise.all([
    once(`import ${kernelUrl.href}`, () => import(kernelUrl.href)),
    once(`bytes ${wasmUrl.href}`, () => readBytes(wasmUrl)),
    msg.image instanceof Uint8Array
      ? msg.image
      : once(`bytes ${new URL(msg.image).href}`, () => readBytes(msg.image)).catch((err) => {
          throw new Error(`no boot image: ${err.message} (node tools/mkimage.mjs makes it)`);
        }),
    (homeOpening = once(`home ${msg.options?.home}`, () => openHome(msg.options?.home))),
    once(`net ${msg.options?.home}`, () => openNet(msg.options?.home)),
    once('import xfer.js', () => import('./xfer.js')), // for makeXferStore below
  ]);
  // A home opened early that this boot does not use gives its lock back.
  if (msg.options?.home !== undefined) loads.get('home undefined')?.then((h) => h?.store?.close());
  K = await createKernel({ wasmBinary });
  // For debugging over DevTools, and for tests (tests/opfs/heap.mjs): the kernel's memory, and
  // how many reads processes took over (counted as their rings come back).
  globalThis.web9Kernel = { memoryBytes: () => K.HEAPU8.length, takenOver: () => takenOver };
  // The JS stores kernel/bindings_store.cpp reaches by id; the kernel mounts store 0 as the home.
  store = home.store;
  // The home's data directory, for process workers that read files handed over (they would
  // otherwise find it themselves, a round trip to the browser's storage for each step).
  const dataDir = TAKE_OVER_READS ? store?.dataDirectory : null;
  if (dataDir) {
    homeData = { type: 'dataDirectory', handle: dataDir };
    for (const w of [...idle, ...starting]) w.post(homeData);
  }
  // Store 1, the transfer store, is mounted on /mnt/xfer (upload, download: xfer.js).
  K.web9Stores = [store, await makeXferStore()];
  // kernel/bindings_net.cpp mounts a WebFs over it on /net/web (docs/net.md).
  K.web9Net = net;
  net.attach(K);
  // Read-ahead straight from a store file into its ring (kernel/bindings_store.cpp).
  // A home file's ring names its data file, so that the process may take the read over (-4
  // once it has: the kernel then fills no more; docs/runtime.md, "Taking a read over").
  K.web9RingRead = (file, offset, slot, count) => {
    let id = rings.load(slot, FILE);
    if (!id && homeData && file.size() - offset >= TAKE_OVER_MIN) id = file.dataId?.() ?? 0;
    const n = rings.fillFrom(slot, count, offset, (dest, at) => file.readInto(at, dest), id);
    return n === TAKEN ? -4 : n;
  };
  web9 = new K.Web9(host);
  if (winsize) web9.winsize(winsize.cols, winsize.rows);
  stdinPipe = Boolean(msg.options?.stdinPipe);
  refillPool();
  serve();
  post(protocol.progress('web9: booting…'));
  const options = { ...msg.options };
  delete options.home;
  if (!store) options.homeNote = home.why;
  const at = web9.imageBuffer(image.length);
  K.HEAPU8.set(image, at); // HEAPU8 read after the call, which may have grown memory
  web9.boot(msg.argv, options);
  for (const m of early.splice(0)) onMessage(m);
}

function onMessage(msg) {
  if (msg?.type === 'shutdown') {
    shutdown();
    return;
  }
  if (msg?.type === 'picked') {
    const resolve = pickWaiting;
    pickWaiting = null;
    resolve?.(msg.files ?? []);
    return;
  }
  if (!web9 && msg?.type !== 'boot' && msg?.type !== 'resize') {
    early.push(msg);
    return;
  }
  switch (msg?.type) {
    case 'boot':
      boot(msg).catch((err) => post(protocol.fatal(err?.message ?? String(err))));
      break;
    case 'input':
      web9.consInput(msg.data);
      break;
    case 'resize':
      winsize = { cols: msg.cols, rows: msg.rows };
      web9?.winsize(msg.cols, msg.rows);
      break;
    case 'stdin':
      if (stdinPipe) web9.writeStdin(msg.data);
      break;
    case 'drop':
      dropFiles(msg.files ?? []);
      break;
    case 'stdinEnd':
      if (stdinPipe) web9.closeStdin();
      break;
    default:
      console.warn('web9 kernel: unknown message:', msg);
  }
}

parent.listen(onMessage);
// Process workers take longer to start than the kernel takes to load: start them now, so the
// first program's worker is ready when boot spawns it.
refillPool();
