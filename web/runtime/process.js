// The guest side of the system-call channel (docs/runtime.md, docs/abi.md): the imports of a
// wasm32-wasi program, "wasi_snapshot_preview1" and "web9". Each call that needs the kernel is
// marshalled into the process's channel SharedArrayBuffer, the kernel worker is woken through
// the doorbell, and this thread Atomics.wait()s for the reply. kernel/syscall.cpp is the other
// half: the two change together. Runs in a browser worker and in a Node worker_thread alike.
//
// Every guest pointer and length is checked against the memory's size before it is touched: a
// bad one answers EFAULT and never reaches the kernel.

import { OP, FRAME_HEADER, CHANNEL_DATA, ERR_KILLED, PREOPEN_FD } from './ops.js';
import { Rings, decodeRingInfo, RING_RECORD, KERNEL, BUSY } from './ring.js';

// WASI errno values used here.
const ESUCCESS = 0;
const E2BIG = 1;
const EBADF = 8;
const EFAULT = 21;
const EINVAL = 28;
const ENAMETOOLONG = 37;
const ENOSYS = 52;
const ENOTSUP = 58;

const SUBSCRIPTION_SIZE = 48;
const EVENT_SIZE = 32;
const EVENTTYPE_CLOCK = 0;
const EVENTTYPE_FD_READ = 1;
const EVENTTYPE_FD_WRITE = 2;
const SUBCLOCKFLAG_ABSTIME = 1;
const POLL_EVENT_SIZE = 16;  // the kernel's poll reply records (docs/abi.md)
const CANCEL = 6;  // the frame header's cancel word, as an Int32 index (docs/runtime.md)
// How long a pipe ring operation waits on the ring itself (woken by the other side) before it
// waits in the kernel (ring_wait), where a note can interrupt it.
const RING_DIRECT_WAIT_MS = 5;

// The channel's state word (header word 0): 0 idle, 1 request posted, 2 reply ready, and ENDED
// once the program is over (worker-process.js writes how, the index in ENDINGS, in word 1).
export const ENDED = 3;
export const ENDINGS = ['exit', 'return', 'killed', 'trap'];

// Says in the channel that the program is over: state ENDED, word 1 how (its index in ENDINGS),
// word 2 the length of the message at byte FRAME_HEADER; then rings the doorbell (a
// SharedArrayBuffer). The kernel worker's scan sees it without a message.
export function sayEnded(channel, doorbell, how, message = '') {
  const hdr = new Int32Array(channel, 0, FRAME_HEADER / 4);
  const bytes = encoder.encode(message).subarray(0, 4096); // (a browser's encodeInto refuses shared memory)
  new Uint8Array(channel, FRAME_HEADER).set(bytes);
  hdr[1] = ENDINGS.indexOf(how);
  hdr[2] = bytes.length;
  Atomics.store(hdr, 0, ENDED);
  const bell = new Int32Array(doorbell);
  Atomics.add(bell, 0, 1);
  Atomics.notify(bell, 0);
}

// Thrown by proc_exit and web9 exits once the kernel has the status: it unwinds the guest's
// stack out of _start. code is the WASI exit code, status the Plan 9 exit string.
export class ExitError extends Error {
  constructor(code, status) {
    super(status === '' ? 'exit' : `exit: ${status}`);
    this.name = 'ExitError';
    this.code = code;
    this.status = status;
  }
}

// Thrown when the kernel answers a call with ERR_KILLED: a note the program does not take
// ends it now. The kernel learns it is gone from the channel (ENDED, 'killed').
export class KilledError extends Error {
  constructor() {
    super('killed by a note');
    this.name = 'KilledError';
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// NUL-terminated strings back to back, and their offsets (args_get, environ_get).
function packStrings(list) {
  const parts = list.map((s) => encoder.encode(`${s}\0`));
  const size = parts.reduce((n, p) => n + p.length, 0);
  const buf = new Uint8Array(size);
  const offsets = [];
  let at = 0;
  for (const p of parts) {
    offsets.push(at);
    buf.set(p, at);
    at += p.length;
  }
  return { buf, offsets };
}

function nowNs(id) {
  switch (id) {
    case 0:  // realtime
      return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
    case 1:  // monotonic
    case 2:  // process cputime: there is no better measure in a worker
    case 3:  // thread cputime
      return BigInt(Math.round(performance.now() * 1e6));
    default:
      return null;
  }
}

// The home's OPFS data directory (a FileSystemDirectoryHandle the kernel worker sends every
// process worker), where a process opens its own handle on a file whose read it takes over.
let dataDirectory = null;
export function setDataDirectory(handle) {
  dataDirectory = handle;
}

// takeOver: the process may take large sequential reads of home files over (docs/runtime.md,
// "Taking a read over"): it opens its own sync access handle on the file's data, and fd_read
// waits for that by answering a Promise (only when fd_read is wrapped in WebAssembly.Suspending
// and the program runs under WebAssembly.promising, as worker-process.js does). Besides the
// imports, answers closeFiles(), which closes the handles opened so; call it before the kernel
// learns the program is over (a removed file's data goes once no handle is open on it).
export function makeImports({ channel, doorbell, pid, argv = [], env = [], cwd = null, rings = null, ringMemory = null, ringMap = [], getMemory, takeOver = false }) {
  const hdr = new Int32Array(channel, 0, FRAME_HEADER / 4);
  const args = new BigInt64Array(channel, 32, 8);
  const res = new BigInt64Array(channel, 96, 4);
  const data = new Uint8Array(channel, FRAME_HEADER, CHANNEL_DATA);
  const sleeper = new Int32Array(new SharedArrayBuffer(4));  // only ever waited on: a pure sleep
  // The working directory while only the kernel could have changed it (getcwd), as bytes.
  let knownCwd = typeof cwd === 'string' ? encoder.encode(cwd) : null;
  // The pipe rings this process may use, by descriptor: {r, w} (web/runtime/ring.js). The kernel
  // says which at start (ringMap) and in the replies of pipe and dup; closing or renumbering a
  // descriptor here keeps the map true, and a ring that answers KERNEL is dropped.
  const arena = rings ? new Rings(rings, ringMemory) : null;
  let attached = false; // the guest's memory is made known to the arena at the first ring copy
  const attach = () => {
    if (!attached) arena.attach(getMemory());
    attached = true;
  };
  const ringFds = new Map();
  function learnRing(fd, info) {
    const m = arena ? decodeRingInfo(info) : null;
    if (m) ringFds.set(fd, m);
    else ringFds.delete(fd);
  }
  function dropRing(fd, side) {
    const m = ringFds.get(fd);
    if (!m) return;
    m[side] = null;
    if (!m.r && !m.w) ringFds.delete(fd);
  }
  for (const [fd, info] of ringMap ?? []) learnRing(fd, info);

  // The home's data files this process opened to take reads over, and which fds read through
  // each. A handle is closed when no fd of this process reads through it (before the close
  // reaches the kernel) and when the program ends.
  const dataHandles = new Map(); // data file id -> sync access handle
  const opening = new Map(); // data file id -> Promise of one
  const handleFds = new Map(); // fd -> data file id
  let filesClosed = false;
  function closeHandle(id) {
    dataHandles.get(id)?.close();
    dataHandles.delete(id);
    for (const m of ringFds.values()) if (m.r?.file === id) m.r.sah = null;
  }
  const readThrough = (id) => [...handleFds.values()].includes(id); // by any fd
  function letGo(fd) {
    const id = handleFds.get(fd);
    if (id === undefined) return;
    handleFds.delete(fd);
    if (!readThrough(id)) closeHandle(id);
  }
  function closeFiles() {
    filesClosed = true;
    for (const id of [...dataHandles.keys()]) closeHandle(id);
    handleFds.clear();
  }
  // A read ring just learnt for fd: if it reads a home file, start opening a handle on the file's
  // data (two round trips to the browser's storage: the next read waits for them, while the
  // kernel fills the ring).
  function prepareTakeOver(fd, ref) {
    const id = takeOver && dataDirectory ? arena.fileOf(ref.slot, ref.gen) : 0;
    if (!id) return;
    ref.file = id;
    handleFds.set(fd, id);
    const have = dataHandles.get(id);
    if (have) {
      ref.sah = have;
      return;
    }
    if (opening.has(id)) return;
    const dir = dataDirectory;
    const p = (async () => (await dir.getFileHandle(String(id))).createSyncAccessHandle({ mode: 'readwrite-unsafe' }))();
    opening.set(id, p);
    p.then(
      (sah) => {
        opening.delete(id);
        if (filesClosed || !readThrough(id) || dataHandles.has(id)) return sah.close();
        dataHandles.set(id, sah);
        for (const m of ringFds.values()) if (m.r?.file === id) m.r.sah = sah;
      },
      () => {
        opening.delete(id);
        for (const m of ringFds.values()) if (m.r?.file === id) m.r.file = 0; // the kernel's records, then
      },
    );
  }

  const argvPacked = packStrings(argv);
  const envPacked = packStrings(env);

  const buffer = () => getMemory().buffer;
  const bytes = () => new Uint8Array(buffer());
  const view = () => new DataView(buffer());

  // Is [ptr, ptr+len) inside guest memory? Pointers arrive as signed i32.
  function inside(ptr, len) {
    const p = ptr >>> 0;
    const n = len >>> 0;
    return p + n <= buffer().byteLength;
  }

  // One system call: op and up to 8 arguments (numbers or BigInts), inLen request bytes already
  // in data. Answers the reply's errno; results are in res, reply bytes in data.
  function call(op, a = [], inLen = 0) {
    post(op, a, inLen);
    return answer();
  }
  // Puts a request in the channel and rings the kernel.
  function post(op, a, inLen) {
    hdr[1] = op;
    hdr[2] = inLen;
    hdr[3] = 0;
    hdr[4] = 0;
    hdr[5] = pid;
    for (let i = 0; i < 8; i++) args[i] = i < a.length ? BigInt(a[i]) : 0n;
    Atomics.store(hdr, 0, 1);
    ring();
  }
  function ring() {
    Atomics.add(doorbell, 0, 1);
    Atomics.notify(doorbell, 0);
  }
  // Waits for the reply to the posted request; answers its errno.
  function answer() {
    while (Atomics.load(hdr, 0) === 1) Atomics.wait(hdr, 0, 1);
    const err = hdr[3];
    Atomics.store(hdr, 0, 0);
    if (err === ERR_KILLED) throw new KilledError();
    return err;
  }
  const outLen = () => Math.min(hdr[4] >>> 0, CHANNEL_DATA);
  const r0 = () => res[0];

  // Copies guest bytes [ptr, ptr+len) into the request data at offset.
  function toData(ptr, len, offset = 0) {
    data.set(bytes().subarray(ptr >>> 0, (ptr >>> 0) + (len >>> 0)), offset);
  }
  // Copies up to cap reply bytes to guest memory at ptr; answers the count.
  function fromData(ptr, cap) {
    const n = Math.min(outLen(), cap >>> 0);
    bytes().set(data.subarray(0, n), ptr >>> 0);
    return n;
  }
  const putU32 = (ptr, v) => view().setUint32(ptr >>> 0, Number(v) >>> 0, true);
  const putI32 = (ptr, v) => view().setInt32(ptr >>> 0, Number(v) | 0, true);
  const putU64 = (ptr, v) => view().setBigUint64(ptr >>> 0, BigInt.asUintN(64, BigInt(v)), true);

  // The iovecs at iovs, or null if any is outside memory.
  function iovecs(iovs, count) {
    if (!inside(iovs, (count >>> 0) * 8)) return null;
    const v = view();
    const out = [];
    for (let i = 0; i < count >>> 0; i++) {
      const buf = v.getUint32((iovs >>> 0) + i * 8, true);
      const len = v.getUint32((iovs >>> 0) + i * 8 + 4, true);
      if (!inside(buf, len)) return null;
      out.push({ buf, len });
    }
    return out;
  }
  const total = (vecs) => vecs.reduce((n, v) => n + v.len, 0);

  // The guest bytes [pos, pos+n) of the iovecs, as views.
  function slices(vecs, pos, n) {
    const mem = bytes();
    const out = [];
    for (const v of vecs) {
      if (n === 0) break;
      if (pos >= v.len) {
        pos -= v.len;
        continue;
      }
      const k = Math.min(v.len - pos, n);
      out.push(mem.subarray(v.buf + pos, v.buf + pos + k));
      n -= k;
      pos = 0;
    }
    return out;
  }
  // Copies n bytes of the iovecs starting at byte pos into data (gather) or out of it (scatter).
  function gather(vecs, pos, n) {
    let at = 0;
    for (const s of slices(vecs, pos, n)) {
      data.set(s, at);
      at += s.length;
    }
  }
  function scatter(vecs, pos, n) {
    let at = 0;
    for (const s of slices(vecs, pos, n)) {
      s.set(data.subarray(at, at + s.length));
      at += s.length;
    }
  }

  // Writes the iovecs (from byte start) in chunks of at most CHANNEL_DATA; a short write or an
  // error after some bytes ends it with the count so far.
  function writeChunks(op, fd, iovs, count, offset, nwritten, start = 0) {
    const vecs = iovecs(iovs, count);
    if (!vecs || !inside(nwritten, 4)) return EFAULT;
    const want = total(vecs);
    let done = start;
    // A zero-length write is not sent: on a Plan 9 pipe it would read as end of file.
    while (done < want) {
      const n = Math.min(want - done, CHANNEL_DATA);
      gather(vecs, done, n);
      const a = offset === null ? [fd] : [fd, BigInt(offset) + BigInt(done)];
      const err = call(op, a, n);
      if (err !== ESUCCESS) {
        if (done === 0) return err;
        break;
      }
      const wrote = Number(r0());
      // A large write to a plain file may come back with a ring for the next (write-behind).
      if (op === OP.fd_write && res[1] !== 0n) learnRing(fd, res[1]);
      done += wrote;
      if (wrote < n) break;
    }
    putU32(nwritten, done);
    return ESUCCESS;
  }

  // --- pipe rings ---

  // The ring ref was full, empty or locked when its sequence number was seq: waits for it to
  // move on, first on the ring (the other side wakes it), then in the kernel. Answers an errno
  // (EINTR when a note came).
  function ringWait(ref, seq) {
    if (arena.kernelEnd(ref.slot)) ring(); // the kernel is the other end: it must move first
    if (arena.wait(ref.slot, seq, RING_DIRECT_WAIT_MS) !== 'timed-out') return ESUCCESS;
    return call(OP.ring_wait, [ref.slot, ref.gen, seq]);
  }
  // After a change: the other side's waiters are woken (bump), and the kernel if it watches.
  function ringChanged(ref) {
    if (arena.bump(ref.slot)) ring();
  }

  // Writes the iovecs into the ring, a record of at most RING_RECORD bytes at a time. Answers
  // {done} or, when the ring stopped being usable, {done, kernel: true} (the rest goes to the
  // kernel), or {done, err} when a note interrupted the wait.
  function ringWrite(ref, vecs, want) {
    attach();
    let done = 0;
    while (done < want) {
      const n = Math.min(want - done, RING_RECORD);
      const parts = slices(vecs, done, n);
      for (;;) {
        const seq = arena.seq(ref.slot);
        const r = arena.push(ref.slot, ref.gen, pid, parts, n);
        if (r >= 0) break;
        if (r === KERNEL) return { done, kernel: true };
        const err = ringWait(ref, seq);
        if (err !== ESUCCESS) return { done, err };
      }
      ringChanged(ref);
      done += n;
    }
    return { done };
  }

  // Reads at most want bytes from the ring into the iovecs: a pipe's next bytes of its front
  // record; a file's read-ahead ring (the kernel fills it) answers whole, as a file does, across
  // its records, short only at the end of the file. Answers {done}, {done, kernel: true} when
  // the ring stopped being usable (the rest is read through the kernel), or {done, err}.
  function ringRead(ref, vecs, want) {
    attach();
    const whole = arena.kernelEnd(ref.slot);
    let done = 0;
    for (;;) {
      const seq = arena.seq(ref.slot);
      const r = arena.take(ref.slot, ref.gen, pid, slices(vecs, done, want - done));
      if (r > 0) {
        ringChanged(ref);
        done += r;
        if (whole && done < want) continue;
        return { done };
      }
      if (r === 0) return { done };
      if (r === KERNEL) return { done, kernel: true };
      const err = ringWait(ref, seq);
      if (err !== ESUCCESS) return { done, err };
    }
  }

  // A read through a ring taken over: the file itself at POS, with this process's own handle on
  // its data, answered whole (short only at its end). Answers the count or KERNEL (taken back:
  // the kernel knows where the process stands).
  function takenOverRead(ref, vecs) {
    let done = 0;
    for (const d of slices(vecs, 0, total(vecs))) {
      const r = readTakenOver(ref, d);
      if (r < 0) return done > 0 ? done : r;
      done += r;
      if (r < d.length) break;
    }
    return done;
  }
  const readTakenOver = (ref, dest) => unlessBusy(() => arena.readTakenOver(ref.slot, ref.gen, pid, ref.sah, dest));
  // What f answers once it is not BUSY (the kernel holds the ring's locks only while it takes
  // it back, or fills it).
  function unlessBusy(f) {
    for (;;) {
      const r = f();
      if (r !== BUSY) return r;
      Atomics.wait(sleeper, 0, 0, 0.05);
    }
  }
  // The same for the common case, one iovec, with as little as can be done per call (a 64 KiB
  // read from OPFS takes about 12 µs here: each µs around it shows): answers ESUCCESS, or null
  // for the general path (which also answers what is wrong with the call).
  let dvBuffer = null;
  let dv = null;
  let last = null; // the view of the last read's buffer (a program reads into the same one)
  function fastRead(ref, iovs, nread) {
    const buf = buffer();
    if (buf !== dvBuffer) {
      dvBuffer = buf;
      dv = new DataView(buf);
      last = null;
    }
    const size = buf.byteLength;
    const v = iovs >>> 0;
    if (v + 8 > size || (nread >>> 0) + 4 > size) return null;
    const at = dv.getUint32(v, true);
    const len = dv.getUint32(v + 4, true);
    if (at + len > size || len === 0) return null;
    if (last?.byteOffset !== at || last.length !== len) last = new Uint8Array(buf, at, len);
    const n = readTakenOver(ref, last);
    if (n < 0) return null;
    dv.setUint32(nread >>> 0, n, true);
    return ESUCCESS;
  }
  // Before a read through a file ring: takes the read over once the handle is open. Answers
  // whether the read goes to the file itself.
  function takingOver(ref) {
    if (ref.direct) return true;
    if (!ref.sah) return false;
    if (unlessBusy(() => arena.takeOver(ref.slot, ref.gen, pid)) === true) ref.direct = true;
    else ref.file = 0; // the records hold the rest, or the ring is gone
    return ref.direct === true;
  }

  // Guest strings (pointer, length) appended into the request data; null if any is bad. Answers
  // the bytes used, or an errno as {err}.
  function strings(...pairs) {
    let at = 0;
    for (const [ptr, len] of pairs) {
      if (!inside(ptr, len)) return { err: EFAULT };
      if (at + (len >>> 0) > CHANNEL_DATA) return { err: ENAMETOOLONG };
      toData(ptr, len, at);
      at += len >>> 0;
    }
    return { len: at };
  }

  // Calls that answer a string into (buf, cap) and its length into lenOut.
  function stringReply(op, a, buf, cap, lenOut) {
    if (!inside(buf, cap) || !inside(lenOut, 4)) return EFAULT;
    const err = call(op, a);
    if (err !== ESUCCESS) return err;
    putU32(lenOut, fromData(buf, cap));
    return ESUCCESS;
  }

  function pathCall(op, a, path, pathLen) {
    const s = strings([path, pathLen]);
    if (s.err !== undefined) return s.err;
    return call(op, a, s.len);
  }

  // poll_oneoff's call (n subscriptions in data), waiting at most timeoutMs (Infinity: no
  // bound; 0: the kernel answers at once). When the time is up and the reply has not come, the
  // frame's cancel word asks the kernel worker to end the poll, and the reply is then the
  // cancelled poll's (no events) or a real one that came first: either is what this answers.
  function callPoll(n, timeoutMs) {
    Atomics.store(hdr, CANCEL, 0);
    post(OP.poll_oneoff, [n, timeoutMs > 0 ? 0 : 1], n * 16);
    if (timeoutMs > 0) {
      const deadline = performance.now() + timeoutMs;
      for (let left = timeoutMs; left > 0 && Atomics.load(hdr, 0) === 1; left = deadline - performance.now()) {
        Atomics.wait(hdr, 0, 1, left);
      }
      if (Atomics.load(hdr, 0) === 1) {
        Atomics.store(hdr, CANCEL, 1);
        ring();
      }
    }
    const err = answer();
    Atomics.store(hdr, CANCEL, 0);
    return err;
  }

  function pollOneoff(inPtr, outPtr, nsubs, neventsPtr) {
    const n = nsubs >>> 0;
    if (!inside(inPtr, n * SUBSCRIPTION_SIZE) || !inside(outPtr, n * EVENT_SIZE) || !inside(neventsPtr, 4))
      return EFAULT;
    if (n === 0) return EINVAL;
    if (n * 16 > CHANNEL_DATA) return E2BIG;
    const v = view();
    const clocks = [];
    const fds = [];
    for (let i = 0; i < n; i++) {
      const s = (inPtr >>> 0) + i * SUBSCRIPTION_SIZE;
      const userdata = v.getBigUint64(s, true);
      const tag = v.getUint8(s + 8);
      if (tag === EVENTTYPE_CLOCK) {
        const id = v.getUint32(s + 16, true);
        const timeout = v.getBigUint64(s + 24, true);
        const flags = v.getUint16(s + 40, true);
        const now = nowNs(id);
        if (now === null) return EINVAL;
        const rel = flags & SUBCLOCKFLAG_ABSTIME ? timeout - now : timeout;
        clocks.push({ userdata, rel: rel < 0n ? 0n : rel });
      } else if (tag === EVENTTYPE_FD_READ || tag === EVENTTYPE_FD_WRITE) {
        fds.push({ userdata, tag, fd: v.getUint32(s + 16, true) });
      } else {
        return EINVAL;
      }
    }
    const events = [];
    const start = performance.now();
    const min = clocks.length ? clocks.reduce((m, c) => (c.rel < m ? c.rel : m), clocks[0].rel) : null;
    if (fds.length > 0) {
      // Descriptors go to the kernel, which answers when one is ready (docs/abi.md); the
      // earliest clock bounds the wait.
      const d = new DataView(data.buffer, data.byteOffset, fds.length * 16);
      fds.forEach((f, i) => {
        d.setBigUint64(i * 16, f.userdata, true);
        d.setUint32(i * 16 + 8, f.fd, true);
        d.setUint32(i * 16 + 12, f.tag, true);
      });
      const err = callPoll(fds.length, min === null ? Infinity : Number(min) / 1e6);
      if (err !== ESUCCESS) return err;
      const count = Math.min(Number(r0()), fds.length);
      const r = new DataView(data.buffer, data.byteOffset, count * POLL_EVENT_SIZE);
      for (let k = 0; k < count; k++) {
        const f = fds[r.getUint32(k * POLL_EVENT_SIZE, true)];
        if (!f) continue;
        events.push({
          userdata: f.userdata, type: f.tag,
          error: r.getUint16(k * POLL_EVENT_SIZE + 4, true),
          flags: r.getUint16(k * POLL_EVENT_SIZE + 6, true),
          nbytes: r.getBigUint64(k * POLL_EVENT_SIZE + 8, true),
        });
      }
    } else {
      // Only clocks: sleep here, without the kernel, until the earliest is due.
      const ms = Number(min) / 1e6;
      if (ms > 0) {
        let left = ms;
        while (left > 0) {
          Atomics.wait(sleeper, 0, 0, left);
          left = ms - (performance.now() - start);
        }
      }
    }
    if (min !== null) {
      // The clocks that are due; when no descriptor was ready, the wait ended on the earliest.
      const elapsed = BigInt(Math.ceil((performance.now() - start) * 1e6));
      const ended = events.length === 0;
      for (const c of clocks) {
        if (c.rel <= elapsed || (ended && c.rel === min)) events.push({ userdata: c.userdata, error: 0, type: EVENTTYPE_CLOCK });
      }
    }
    const out = view();
    events.forEach((e, i) => {
      const at = (outPtr >>> 0) + i * EVENT_SIZE;
      for (let k = 0; k < EVENT_SIZE; k++) out.setUint8(at + k, 0);
      out.setBigUint64(at, e.userdata, true);
      out.setUint16(at + 8, e.error, true);
      out.setUint8(at + 10, e.type);
      if (e.type !== EVENTTYPE_CLOCK) {
        out.setBigUint64(at + 16, e.nbytes, true);
        out.setUint16(at + 24, e.flags, true);
      }
    });
    putU32(neventsPtr, events.length);
    return ESUCCESS;
  }

  function exit(op, a, inLen, code, status) {
    closeFiles();
    call(op, a, inLen);
    throw new ExitError(code, status);
  }

  // args_* and environ_* answer the same way from their own list: a count and a size, then the
  // packed NUL-terminated strings and a pointer to each.
  function listSizes(list, packed, countPtr, sizePtr) {
    if (!inside(countPtr, 4) || !inside(sizePtr, 4)) return EFAULT;
    putU32(countPtr, list.length);
    putU32(sizePtr, packed.buf.length);
    return ESUCCESS;
  }
  function listGet(list, packed, ptrs, buf) {
    if (!inside(ptrs, list.length * 4) || !inside(buf, packed.buf.length)) return EFAULT;
    bytes().set(packed.buf, buf >>> 0);
    packed.offsets.forEach((o, i) => putU32((ptrs >>> 0) + i * 4, (buf >>> 0) + o));
    return ESUCCESS;
  }

  const wasi = {
    args_sizes_get: (argcPtr, sizePtr) => listSizes(argv, argvPacked, argcPtr, sizePtr),
    args_get: (ptrs, buf) => listGet(argv, argvPacked, ptrs, buf),
    environ_sizes_get: (countPtr, sizePtr) => listSizes(env, envPacked, countPtr, sizePtr),
    environ_get: (ptrs, buf) => listGet(env, envPacked, ptrs, buf),
    clock_res_get(id, ptr) {
      if (!inside(ptr, 8)) return EFAULT;
      if (nowNs(id) === null) return EINVAL;
      putU64(ptr, 1000n);
      return ESUCCESS;
    },
    clock_time_get(id, _precision, ptr) {
      if (!inside(ptr, 8)) return EFAULT;
      const t = nowNs(id);
      if (t === null) return EINVAL;
      putU64(ptr, t);
      return ESUCCESS;
    },
    random_get(buf, len) {
      if (!inside(buf, len)) return EFAULT;
      // getRandomValues takes at most 65536 bytes and no shared memory: fill a copy in chunks.
      const chunk = new Uint8Array(65536);
      for (let at = 0; at < len >>> 0; at += 65536) {
        const n = Math.min(65536, (len >>> 0) - at);
        crypto.getRandomValues(chunk.subarray(0, n));
        bytes().set(chunk.subarray(0, n), (buf >>> 0) + at);
      }
      return ESUCCESS;
    },
    sched_yield() {
      return ESUCCESS;
    },
    proc_raise() {
      return ENOSYS;
    },
    proc_exit(code) {
      const c = code >>> 0;
      exit(OP.proc_exit, [c], 0, c, c === 0 ? '' : String(c));
    },

    fd_write(fd, iovs, count, nwritten) {
      const m = ringFds.get(fd);
      // A file fd read ahead is written through the kernel, which takes the read-ahead back
      // first: a process uses one file ring per fd at a time.
      if (m?.r && arena.kernelEnd(m.r.slot)) dropRing(fd, 'r');
      const ref = m?.w;
      if (!ref) return writeChunks(OP.fd_write, fd, iovs, count, null, nwritten);
      const vecs = iovecs(iovs, count);
      if (!vecs || !inside(nwritten, 4)) return EFAULT;
      const w = ringWrite(ref, vecs, total(vecs));
      if (w.kernel) {
        dropRing(fd, 'w');
        return writeChunks(OP.fd_write, fd, iovs, count, null, nwritten, w.done);
      }
      if (w.err !== undefined && w.done === 0) return w.err;
      putU32(nwritten, w.done);
      return ESUCCESS;
    },
    fd_pwrite(fd, iovs, count, offset, nwritten) {
      return writeChunks(OP.fd_pwrite, fd, iovs, count, offset, nwritten);
    },
    fd_read(fd, iovs, count, nread) {
      const fast = takeOver && count === 1 ? ringFds.get(fd)?.r : null;
      if (fast?.direct && fast.sah) {
        const err = fastRead(fast, iovs, nread);
        if (err !== null) return err;
      }
      const vecs = iovecs(iovs, count);
      if (!vecs || !inside(nread, 4)) return EFAULT;
      // One request: a read may return less than asked, and asking again could block.
      const want = Math.min(total(vecs), CHANNEL_DATA);
      if (want === 0) {
        putU32(nread, 0);
        return ESUCCESS;
      }
      let done = 0;
      const ref = ringFds.get(fd)?.r;
      // The handle still opening: wait for it (the kernel fills the ring meanwhile), then read;
      // not for a ring the kernel took back (a seek, say): that read goes to the kernel.
      const pending = ref?.file && !ref.sah && arena.fileOf(ref.slot, ref.gen) ? opening.get(ref.file) : null;
      if (pending) {
        const again = () => wasi.fd_read(fd, iovs, count, nread);
        return pending.then(again, again);
      }
      if (ref?.file && takingOver(ref)) {
        const r = ref.sah ? takenOverRead(ref, vecs) : KERNEL;
        if (r >= 0) {
          putU32(nread, r);
          return ESUCCESS;
        }
        dropRing(fd, 'r'); // taken back: the kernel knows where the process stands
      } else if (ref) {
        const r = ringRead(ref, vecs, want);
        done = r.done;
        if (r.err !== undefined && done === 0) return r.err;
        if (!r.kernel) {
          putU32(nread, done);
          return ESUCCESS;
        }
        dropRing(fd, 'r'); // the rest (all of it, or what a file read owes) through the kernel
      }
      const err = call(OP.fd_read, [fd, want - done]);
      if (err !== ESUCCESS) {
        if (done === 0) return err;
        putU32(nread, done);
        return ESUCCESS;
      }
      // A file read in large sequential pieces may come back with a ring (read-ahead).
      if (res[1] !== 0n) {
        learnRing(fd, res[1]);
        const r = ringFds.get(fd)?.r;
        if (r) prepareTakeOver(fd, r);
      }
      const n = Math.min(outLen(), want - done);
      scatter(vecs, done, n);
      putU32(nread, done + n);
      return ESUCCESS;
    },
    fd_pread(fd, iovs, count, offset, nread) {
      const vecs = iovecs(iovs, count);
      if (!vecs || !inside(nread, 4)) return EFAULT;
      const want = total(vecs);
      let done = 0;
      // Positional reads are of files: keep going while each chunk comes back full.
      while (done < want) {
        const n = Math.min(want - done, CHANNEL_DATA);
        const err = call(OP.fd_pread, [fd, n, BigInt(offset) + BigInt(done)]);
        if (err !== ESUCCESS) {
          if (done === 0) return err;
          break;
        }
        const got = Math.min(outLen(), n);
        scatter(vecs, done, got);
        done += got;
        if (got < n) break;
      }
      putU32(nread, done);
      return ESUCCESS;
    },
    fd_seek(fd, offset, whence, newOffset) {
      if (!inside(newOffset, 8)) return EFAULT;
      const err = call(OP.fd_seek, [fd, offset, whence]);
      if (err === ESUCCESS) putU64(newOffset, r0());
      return err;
    },
    fd_tell(fd, ptr) {
      if (!inside(ptr, 8)) return EFAULT;
      const err = call(OP.fd_tell, [fd]);
      if (err === ESUCCESS) putU64(ptr, r0());
      return err;
    },
    fd_close(fd) {
      ringFds.delete(fd);
      letGo(fd);
      return call(OP.fd_close, [fd]);
    },
    fd_sync: (fd) => call(OP.fd_sync, [fd]),
    fd_datasync: (fd) => call(OP.fd_datasync, [fd]),
    fd_advise: (fd, offset, len, advice) => call(OP.fd_advise, [fd, offset, len, advice]),
    fd_allocate: (fd, offset, len) => call(OP.fd_allocate, [fd, offset, len]),
    fd_fdstat_get(fd, ptr) {
      if (!inside(ptr, 24)) return EFAULT;
      const err = call(OP.fd_fdstat_get, [fd]);
      if (err !== ESUCCESS) return err;
      const v = view();
      const p = ptr >>> 0;
      v.setBigUint64(p, 0n, true);
      v.setUint8(p, Number(res[0]));
      v.setUint16(p + 2, Number(res[1]), true);
      v.setBigUint64(p + 8, BigInt.asUintN(64, res[2]), true);
      v.setBigUint64(p + 16, BigInt.asUintN(64, res[3]), true);
      return ESUCCESS;
    },
    fd_fdstat_set_flags: (fd, flags) => call(OP.fd_fdstat_set_flags, [fd, flags]),
    // Rights are not enforced, so narrowing them always succeeds.
    fd_fdstat_set_rights: () => ESUCCESS,
    fd_filestat_get(fd, ptr) {
      if (!inside(ptr, 64)) return EFAULT;
      const err = call(OP.fd_filestat_get, [fd]);
      if (err === ESUCCESS) fromData(ptr, 64);
      return err;
    },
    fd_filestat_set_size: (fd, size) => call(OP.fd_filestat_set_size, [fd, size]),
    fd_filestat_set_times: (fd, atim, mtim, flags) => call(OP.fd_filestat_set_times, [fd, atim, mtim, flags]),
    // The one preopen is a constant of the ABI (kPreopenFd, "/"): answered here, as the kernel
    // would answer, without a round trip (every program asks at its start).
    fd_prestat_get(fd, ptr) {
      if (!inside(ptr, 8)) return EFAULT;
      if (fd !== PREOPEN_FD) return EBADF;
      view().setUint32(ptr >>> 0, 0, true);  // tag 0: a directory
      putU32((ptr >>> 0) + 4, 1);  // strlen("/")
      return ESUCCESS;
    },
    fd_prestat_dir_name(fd, ptr, len) {
      if (!inside(ptr, len)) return EFAULT;
      if (fd !== PREOPEN_FD) return EBADF;
      if (len >>> 0 < 1) return ENAMETOOLONG;
      new Uint8Array(buffer(), ptr >>> 0, 1)[0] = 0x2f;  // "/"
      return ESUCCESS;
    },
    fd_readdir(fd, buf, len, cookie, bufused) {
      if (!inside(buf, len) || !inside(bufused, 4)) return EFAULT;
      const err = call(OP.fd_readdir, [fd, Math.min(len >>> 0, CHANNEL_DATA), cookie]);
      if (err !== ESUCCESS) return err;
      putU32(bufused, fromData(buf, len));
      return ESUCCESS;
    },
    fd_renumber(from, to) {
      letGo(from); // a file's ring stays behind (below), and to is closed first
      letGo(to);
      const err = call(OP.fd_renumber, [from, to]);
      if (err === ESUCCESS && from !== to) {
        // A pipe's rings belong to its streams and go with the descriptor; a file's ring is the
        // kernel's for this fd number (it drained it before the renumber), so it stays behind.
        const m = ringFds.get(from);
        ringFds.delete(from);
        ringFds.delete(to);
        const keep = (ref) => (ref && !arena.kernelEnd(ref.slot) ? ref : null);
        if (m && (keep(m.r) || keep(m.w))) ringFds.set(to, { r: keep(m.r), w: keep(m.w) });
      }
      return err;
    },

    path_open(dirfd, dirflags, path, pathLen, oflags, rightsBase, _rightsInheriting, fdflags, fdOut) {
      if (!inside(fdOut, 4)) return EFAULT;
      const err = pathCall(OP.path_open, [dirfd, oflags, rightsBase, fdflags, dirflags], path, pathLen);
      if (err === ESUCCESS) {
        ringFds.delete(Number(r0()));
        putU32(fdOut, r0());
      }
      return err;
    },
    path_create_directory: (fd, path, len) => pathCall(OP.path_create_directory, [fd], path, len),
    path_remove_directory: (fd, path, len) => pathCall(OP.path_remove_directory, [fd], path, len),
    path_unlink_file: (fd, path, len) => pathCall(OP.path_unlink_file, [fd], path, len),
    path_rename(fd, oldPath, oldLen, newFd, newPath, newLen) {
      const s = strings([oldPath, oldLen], [newPath, newLen]);
      if (s.err !== undefined) return s.err;
      return call(OP.path_rename, [fd, newFd, oldLen >>> 0], s.len);
    },
    path_filestat_get(fd, flags, path, len, buf) {
      if (!inside(buf, 64)) return EFAULT;
      const err = pathCall(OP.path_filestat_get, [fd, flags], path, len);
      if (err === ESUCCESS) fromData(buf, 64);
      return err;
    },
    path_filestat_set_times: (fd, flags, path, len, atim, mtim, fst) =>
      pathCall(OP.path_filestat_set_times, [fd, flags, atim, mtim, fst], path, len),
    path_readlink(fd, path, len, buf, bufLen, bufused) {
      if (!inside(buf, bufLen) || !inside(bufused, 4)) return EFAULT;
      const err = pathCall(OP.path_readlink, [fd, bufLen >>> 0], path, len);
      if (err === ESUCCESS) putU32(bufused, fromData(buf, bufLen));
      return err;
    },
    path_symlink(oldPath, oldLen, fd, newPath, newLen) {
      const s = strings([oldPath, oldLen], [newPath, newLen]);
      if (s.err !== undefined) return s.err;
      return call(OP.path_symlink, [fd, oldLen >>> 0], s.len);
    },
    path_link(oldFd, oldFlags, oldPath, oldLen, newFd, newPath, newLen) {
      const s = strings([oldPath, oldLen], [newPath, newLen]);
      if (s.err !== undefined) return s.err;
      return call(OP.path_link, [oldFd, oldFlags, newFd, oldLen >>> 0], s.len);
    },
    poll_oneoff: pollOneoff,

    // No sockets: /net is files.
    sock_accept: () => ENOTSUP,
    sock_recv: () => ENOTSUP,
    sock_send: () => ENOTSUP,
    sock_shutdown: () => ENOTSUP,
  };

  const web9 = {
    spawn(path, pathLen, argvPtr, argvLen, envPtr, envLen, fdsPtr, nfds, flags, pidOut) {
      if (!inside(pidOut, 4) || !inside(fdsPtr, (nfds >>> 0) * 8)) return EFAULT;
      const s = strings([path, pathLen], [argvPtr, argvLen], [envPtr, envLen], [fdsPtr, (nfds >>> 0) * 8]);
      if (s.err !== undefined) return s.err === ENAMETOOLONG ? E2BIG : s.err;
      const err = call(OP.spawn, [pathLen >>> 0, argvLen >>> 0, envLen >>> 0, nfds >>> 0, flags >>> 0], s.len);
      if (err === ESUCCESS) putI32(pidOut, r0());
      return err;
    },
    wait(pidOut, status, cap, statusLen) {
      if (!inside(pidOut, 4) || !inside(status, cap) || !inside(statusLen, 4)) return EFAULT;
      const err = call(OP.wait, [cap >>> 0]);
      if (err !== ESUCCESS) return err;
      putI32(pidOut, r0());
      putU32(statusLen, fromData(status, cap));
      return ESUCCESS;
    },
    pipe(fds) {
      if (!inside(fds, 8)) return EFAULT;
      const err = call(OP.pipe);
      if (err !== ESUCCESS) return err;
      putI32(fds, res[0]);
      putI32((fds >>> 0) + 4, res[1]);
      learnRing(Number(res[0]), res[2]);
      learnRing(Number(res[1]), res[3]);
      return ESUCCESS;
    },
    dup(oldfd, newfd, fdOut) {
      if (!inside(fdOut, 4)) return EFAULT;
      const err = call(OP.dup, [oldfd, newfd]);
      if (err === ESUCCESS) {
        putI32(fdOut, r0());
        learnRing(Number(r0()), res[1]);
      }
      return err;
    },
    bind(name, nameLen, old, oldLen, flags) {
      const s = strings([name, nameLen], [old, oldLen]);
      if (s.err !== undefined) return s.err;
      return call(OP.bind, [nameLen >>> 0, oldLen >>> 0, flags >>> 0], s.len);
    },
    mount(fd, afd, old, oldLen, flags, aname, anameLen) {
      const s = strings([old, oldLen], [aname, anameLen]);
      if (s.err !== undefined) return s.err;
      return call(OP.mount, [fd, afd, oldLen >>> 0, flags >>> 0, anameLen >>> 0], s.len);
    },
    unmount(name, nameLen, old, oldLen) {
      const s = strings([name, nameLen], [old, oldLen]);
      if (s.err !== undefined) return s.err;
      return call(OP.unmount, [nameLen >>> 0, oldLen >>> 0], s.len);
    },
    chdir(path, len) {
      knownCwd = null; // the kernel's answer from now on
      return pathCall(OP.chdir, [], path, len);
    },
    // The working directory the process started in is known (every program asks, to tell
    // wasi-libc): answered here, as the kernel would, until the process changes it.
    getcwd(buf, cap, lenOut) {
      // A buffer too small goes to the kernel too: its ERANGE sets the errstr that says why.
      if (knownCwd === null || knownCwd.length > cap >>> 0) return stringReply(OP.getcwd, [cap >>> 0], buf, cap, lenOut);
      if (!inside(buf, cap) || !inside(lenOut, 4)) return EFAULT;
      new Uint8Array(buffer(), buf >>> 0, knownCwd.length).set(knownCwd);
      putU32(lenOut, knownCwd.length);
      return ESUCCESS;
    },
    note: (target, note, len) => pathCall(OP.note, [target], note, len),
    notify: (enable) => call(OP.notify, [enable >>> 0]),
    noted: (buf, cap, lenOut) => stringReply(OP.noted, [cap >>> 0], buf, cap, lenOut),
    getpid(pidOut) {
      if (!inside(pidOut, 4)) return EFAULT;
      putI32(pidOut, pid);
      return ESUCCESS;
    },
    fd2path: (fd, buf, cap, lenOut) => stringReply(OP.fd2path, [fd, cap >>> 0], buf, cap, lenOut),
    errstr: (buf, cap, lenOut) => stringReply(OP.errstr, [cap >>> 0], buf, cap, lenOut),
    exits(status, len) {
      // exits does not return, so a bad status pointer still ends the process, saying so.
      let s = strings([status, len]);
      if (s.err !== undefined) {
        const bad = encoder.encode('sys: exits: bad address');
        data.set(bad);
        s = { len: bad.length };
      }
      const text = decoder.decode(data.slice(0, s.len));
      exit(OP.exits, [], s.len, text === '' ? 0 : 1, text);
    },
  };

  return { imports: { wasi_snapshot_preview1: wasi, web9 }, ExitError, KilledError, closeFiles };
}
