// Pipe rings (docs/runtime.md, "Pipe rings"): one SharedArrayBuffer, the arena, holds
// RING_SLOTS rings; the kernel worker gives each direction of a new pipe one of them, and every
// process worker gets the arena with each program it runs. A process that was told a ring for
// one of its descriptors (at start, or in the reply of pipe or dup) writes whole records into it
// and reads them out without a system call; the kernel worker is asked only to wait (ring_wait)
// and sees the pipe's data only after it has retired the ring (kernel/fs/pipe.cpp).
//
// A ring: RING_HEADER bytes of Int32 words, then RING_DATA (or FILE_RING_DATA) bytes of records. A record is a u32
// length and that many bytes, padded to 4; a write of more than RING_RECORD bytes is several
// records (Plan 9's Maxatomic: only that much of a write is atomic), each whole in the ring.
// HEAD and TAIL count bytes written and freed (mod 2^32); OFF is how much of the front record
// has been read. Producers hold WLOCK (their pid, or -1 for the kernel) while they copy and
// publish HEAD; consumers hold RLOCK likewise for TAIL and OFF. SEQ goes up after every change;
// whoever waits for one waits on SEQ (WAITERS counts processes doing so: only then is it
// notified). FLAGS: EOF (every writing end is closed), BROKEN (every reading end is closed: a
// write goes to the kernel for its EPIPE and note), RETIRED (the kernel took the data: use the
// kernel), WATCH (the kernel has a process waiting in ring_wait: ring the doorbell after a
// change), TAKEN_OVER (a process reads the file of a read-ahead ring itself: FILE, END, POS).
// GEN goes up each time the slot is given out or taken back, so a stale mapping fails.
// The same file serves the process side (push, take) and the kernel worker's side.

export const RING_SLOTS = 64;
export const RING_DATA = 1024 * 1024; // a power of two: positions wrap at 2^32
export const RING_HEADER = 64;
export const RING_STRIDE = RING_HEADER + RING_DATA;
export const RING_RECORD = 64 * 1024;
// After the RING_SLOTS pipe-sized rings, FILE_RING_SLOTS larger ones, given first to
// write-behind and read-ahead (the kernel worker's end wakes up late, tens to hundreds of
// microseconds after a kick: a deeper ring keeps a fast reader from running dry meanwhile).
export const FILE_RING_SLOTS = 8;
export const FILE_RING_DATA = 4 * 1024 * 1024;
export const ALL_RING_SLOTS = RING_SLOTS + FILE_RING_SLOTS;
export const ARENA_SIZE = RING_SLOTS * RING_STRIDE + FILE_RING_SLOTS * (RING_HEADER + FILE_RING_DATA);
// A slot's data size and where its header starts.
export const ringSize = (slot) => (slot < RING_SLOTS ? RING_DATA : FILE_RING_DATA);
const ringStart = (slot) =>
  slot < RING_SLOTS
    ? slot * RING_STRIDE
    : RING_SLOTS * RING_STRIDE + (slot - RING_SLOTS) * (RING_HEADER + FILE_RING_DATA);

export const GEN = 0;
export const HEAD = 1;
export const TAIL = 2;
export const OFF = 3;
export const WLOCK = 4;
export const RLOCK = 5;
export const FLAGS = 6;
export const SEQ = 7;
export const WAITERS = 8;
export const KICK = 9;
// Read-ahead of a home file (docs/runtime.md, "Taking a read over"): FILE, its data file's id
// (the name in the home's OPFS data directory), or 0; END, the file offset just past the last
// record the kernel put in; POS, where the process reads next once it has taken the read over.
// Offsets are two words, low then high.
export const FILE = 10;
export const END = 11;
export const POS = 13;

export const EOF = 1;
export const BROKEN = 2;
export const RETIRED = 4;
export const WATCH = 8;
// The kernel is the ring's consumer (write-behind) or producer (read-ahead): processes ring the
// doorbell when the ring is a quarter full (consumer) or has a quarter free (producer), once
// until the kernel has been at it again (KICK: waking the kernel worker costs the process tens
// of microseconds), and before they wait on it, so the kernel moves large batches.
export const KCONSUMER = 16;
export const KPRODUCER = 32;
// The process took the read over: it reads the data file with its own handle from POS on, and
// the kernel puts no more records in.
export const TAKEN_OVER = 64;

// What push and take answer besides a count.
export const FULL = -1; // push: no room for the record (take: EMPTY, nothing to read)
export const EMPTY = -1;
export const BUSY = -2; // another process holds the lock
export const KERNEL = -3; // the ring is not (or no longer) this pipe's: go through the kernel
export const TAKEN = -4; // fillFrom: the process has taken the read over; the kernel stops

const KERNEL_OWNER = -1;
const pad = (n) => (n + 3) & ~3;

// The ring info the kernel hands out for a descriptor (kernel/syscall.cpp, ring_info): bits 0–7
// the read ring's slot + 1, 8–15 the write ring's slot + 1, 16–31 and 32–47 their generations.
// Answers {r: {slot, gen} | null, w: ...} or null when neither is a ring.
export function decodeRingInfo(info) {
  const n = Number(info);
  if (!Number.isSafeInteger(n) || n <= 0) return null;
  const rs = n & 0xff;
  const ws = Math.floor(n / 0x100) & 0xff;
  const rg = Math.floor(n / 0x10000) & 0xffff;
  const wg = Math.floor(n / 0x100000000) & 0xffff;
  const m = { r: rs ? { slot: rs - 1, gen: rg } : null, w: ws ? { slot: ws - 1, gen: wg } : null };
  return m.r || m.w ? m : null;
}

// The arena: a shared WebAssembly.Memory where the engine has one (its buffer is a
// SharedArrayBuffer), so that a process can copy between a ring and its own memory with one
// wasm memory.copy (attach); else a plain SharedArrayBuffer.
export function newArena() {
  const pages = Math.ceil(ARENA_SIZE / 65536);
  try {
    return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  } catch {
    return new SharedArrayBuffer(ARENA_SIZE);
  }
}

// A module of two functions over two memories, the arena (0) and a process's (1) — multi-memory,
// which Chromium has and Node 20 has not: out(dst, src, n) copies arena → process, in(dst, src,
// n) process → arena. From a ring that another thread has just filled, memory.copy moved 6.2–6.8
// GB/s here where TypedArray.prototype.set moved 3.8–6.0 (V8 copies out of a SharedArrayBuffer
// word by word, as relaxed atomics).
const MOVER = (() => {
  const str = (t) => [t.length, ...Array.from(t, (c) => c.charCodeAt(0))];
  const sec = (id, body) => [id, body.length, ...body]; // every section here is < 128 bytes
  const copy = (dst, src) => [12, 0, 0x20, 0, 0x20, 1, 0x20, 2, 0xfc, 10, dst, src, 0x0b];
  return new Uint8Array([
    0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...sec(1, [1, 0x60, 3, 0x7f, 0x7f, 0x7f, 0]),
    // m.a: shared, 0 to 65536 pages; m.b: unshared, at least 0 pages.
    ...sec(2, [2, ...str('m'), ...str('a'), 2, 3, 0, 0x80, 0x80, 4, ...str('m'), ...str('b'), 2, 0, 0]),
    ...sec(3, [2, 0, 0]),
    ...sec(7, [2, ...str('out'), 0, 0, ...str('in'), 0, 1]),
    ...sec(10, [2, ...copy(1, 0), ...copy(0, 1)]),
  ]);
})();
let moverModule;
function mover() {
  if (moverModule === undefined) {
    try {
      moverModule = new WebAssembly.Module(MOVER);
    } catch {
      moverModule = null; // no multi-memory: TypedArray copies
    }
  }
  return moverModule;
}

export class Rings {
  // arena: what newArena made, or a SharedArrayBuffer of ARENA_SIZE bytes; memory: the
  // WebAssembly.Memory whose buffer that SharedArrayBuffer is, if it is one (for attach).
  constructor(arena, memory = null) {
    const isMemory = typeof WebAssembly === 'object' && arena instanceof WebAssembly.Memory;
    this.memory = isMemory ? arena : memory?.buffer?.byteLength === arena.byteLength ? memory : null;
    const sab = isMemory ? arena.buffer : arena;
    this.sab = sab;
    this.i32 = new Int32Array(sab);
    this.u8 = new Uint8Array(sab);
    this.guest = null; // the memory copies go to and from with move (attach)
    this.move = null;
    this.words = Int32Array.from({ length: ALL_RING_SLOTS }, (_, s) => ringStart(s) / 4);
  }

  // A process's memory (unshared): views on it are then copied to and from the rings by one
  // memory.copy. Answers whether that is so (it needs multi-memory and an arena Memory).
  attach(memory) {
    const m = this.memory && memory instanceof WebAssembly.Memory ? mover() : null;
    if (!m) return false;
    try {
      this.move = new WebAssembly.Instance(m, { m: { a: this.memory, b: memory } }).exports;
      this.guest = memory;
      return true;
    } catch {
      return false; // a shared memory, say
    }
  }

  word(slot, w) {
    return this.words[slot] + w;
  }
  data(slot) {
    return this.words[slot] * 4 + RING_HEADER;
  }
  // The Int32 index of the record length word at position pos.
  at(slot, pos) {
    return (this.data(slot) + (pos & (ringSize(slot) - 1))) / 4;
  }
  load(slot, w) {
    return Atomics.load(this.i32, this.word(slot, w));
  }
  seq(slot) {
    return Atomics.load(this.i32, this.word(slot, SEQ));
  }

  lock(slot, w, owner) {
    return Atomics.compareExchange(this.i32, this.word(slot, w), 0, owner) === 0;
  }
  unlock(slot, w) {
    Atomics.store(this.i32, this.word(slot, w), 0);
  }

  // After a change: SEQ up, waiting processes woken; answers whether the kernel wants its
  // doorbell rung (WATCH, or a kernel end a quarter full or with a quarter free, once: KICK).
  bump(slot) {
    const s = this.word(slot, SEQ);
    Atomics.add(this.i32, s, 1);
    if (Atomics.load(this.i32, this.word(slot, WAITERS)) > 0) Atomics.notify(this.i32, s);
    const f = Atomics.load(this.i32, this.word(slot, FLAGS));
    if (f & WATCH) return true;
    if (!(f & (KCONSUMER | KPRODUCER))) return false;
    const used = (this.load(slot, HEAD) - this.load(slot, TAIL)) >>> 0;
    const size = ringSize(slot);
    if (f & KCONSUMER ? used < size / 4 : used > (size * 3) / 4) return false;
    return Atomics.compareExchange(this.i32, this.word(slot, KICK), 0, 1) === 0;
  }

  // Does a process about to wait on the ring need to ring the kernel first (its other end)?
  kernelEnd(slot) {
    return (this.load(slot, FLAGS) & (KCONSUMER | KPRODUCER)) !== 0;
  }

  // Moves n bytes between the data area at position pos (wrapping at its end) and the views
  // (Uint8Arrays, in order, each in turn): into the ring (toRing) or out of it.
  copy(slot, pos, views, n, toRing) {
    const base = this.data(slot);
    const size = ringSize(slot);
    let p = pos & (size - 1);
    const gb = this.guest?.buffer;
    for (const v of views) {
      const move = v.buffer === gb ? this.move : null;
      let at = 0;
      while (at < v.length && n > 0) {
        const k = Math.min(v.length - at, size - p, n);
        if (move) {
          if (toRing) move.in(base + p, v.byteOffset + at, k);
          else move.out(v.byteOffset + at, base + p, k);
        } else if (toRing) this.u8.set(v.subarray(at, at + k), base + p);
        else v.set(this.u8.subarray(base + p, base + p + k), at);
        at += k;
        n -= k;
        p = (p + k) & (size - 1);
      }
      if (n === 0) break;
    }
  }
  copyIn(slot, pos, parts, n) {
    this.copy(slot, pos, parts, n, true);
  }
  copyOut(slot, pos, dests, n) {
    this.copy(slot, pos, dests, n, false);
  }

  // The process side: one record of n bytes (n ≤ RING_RECORD) made of parts. Answers n, FULL,
  // BUSY or KERNEL.
  push(slot, gen, owner, parts, n) {
    if (this.load(slot, GEN) !== gen || this.load(slot, FLAGS) & (BROKEN | RETIRED)) return KERNEL;
    if (!this.lock(slot, WLOCK, owner)) return BUSY;
    // Checked again under the lock: the kernel retires a ring holding both locks.
    if (this.load(slot, GEN) !== gen || this.load(slot, FLAGS) & (BROKEN | RETIRED)) {
      this.unlock(slot, WLOCK);
      return KERNEL;
    }
    const head = this.load(slot, HEAD);
    const used = (head - this.load(slot, TAIL)) >>> 0;
    const need = 4 + pad(n);
    if (ringSize(slot) - used < need) {
      this.unlock(slot, WLOCK);
      return FULL;
    }
    this.copyIn(slot, head + 4, parts, n);
    this.publish(slot, head, n);
    this.unlock(slot, WLOCK);
    return n;
  }

  // A record of n bytes, copied in at head + 4, is made readable: its length, then HEAD.
  publish(slot, head, n) {
    this.i32[this.at(slot, head)] = n;
    Atomics.store(this.i32, this.word(slot, HEAD), (head + 4 + pad(n)) | 0);
  }

  // The process side: the next bytes of the front record into dests, at most their total.
  // Answers the count (0: end of file), EMPTY, BUSY or KERNEL.
  take(slot, gen, owner, dests) {
    if (this.load(slot, GEN) !== gen || this.load(slot, FLAGS) & RETIRED) return KERNEL;
    if (!this.lock(slot, RLOCK, owner)) return BUSY;
    // FLAGS before HEAD: EOF is set only after the last writer's last record is published.
    const flags = this.load(slot, FLAGS);
    if (this.load(slot, GEN) !== gen || flags & RETIRED) {
      this.unlock(slot, RLOCK);
      return KERNEL;
    }
    const n = this.takeLocked(slot, dests);
    this.unlock(slot, RLOCK);
    if (n === EMPTY && flags & EOF) return 0;
    return n;
  }

  takeLocked(slot, dests) {
    const tail = this.load(slot, TAIL);
    if (this.load(slot, HEAD) === tail) return EMPTY;
    const len = this.i32[this.at(slot, tail)] >>> 0;
    const off = this.load(slot, OFF);
    const cap = dests.reduce((s, d) => s + d.length, 0);
    const k = Math.min(cap, len - off);
    this.copyOut(slot, tail + 4 + off, dests, k);
    if (off + k >= len) {
      Atomics.store(this.i32, this.word(slot, OFF), 0);
      Atomics.store(this.i32, this.word(slot, TAIL), (tail + 4 + pad(len)) | 0);
    } else {
      Atomics.store(this.i32, this.word(slot, OFF), off + k);
    }
    return k;
  }

  // Read-ahead of a home file: its data file's id, or 0 (not one, or no longer this ring).
  fileOf(slot, gen) {
    if (this.load(slot, GEN) !== gen || !(this.load(slot, FLAGS) & KPRODUCER)) return 0;
    return this.load(slot, FILE);
  }

  // The process takes the read over, now that it has its own handle on the file: the records
  // not yet read are dropped and POS set to the first byte of them (END less what they hold),
  // under both locks, so that the kernel's next fill sees TAKEN_OVER and stops. Answers true,
  // false (the kernel has put the end of the file in already: nothing to gain), BUSY or KERNEL.
  takeOver(slot, gen, owner) {
    if (!this.lock(slot, RLOCK, owner)) return BUSY;
    if (!this.lock(slot, WLOCK, owner)) {
      this.unlock(slot, RLOCK);
      return BUSY;
    }
    let r = KERNEL;
    const flags = this.load(slot, FLAGS);
    if (this.load(slot, GEN) === gen && !(flags & RETIRED)) {
      r = !(flags & EOF);
      if (r) {
        this.setPos(slot, POS, this.pos(slot, END) - this.queued(slot));
        Atomics.store(this.i32, this.word(slot, OFF), 0);
        Atomics.store(this.i32, this.word(slot, TAIL), this.load(slot, HEAD));
        Atomics.or(this.i32, this.word(slot, FLAGS), TAKEN_OVER);
      }
    }
    this.unlock(slot, WLOCK);
    this.unlock(slot, RLOCK);
    return r;
  }

  // Reads from a ring taken over into dest with sah, the process's handle on its file, at POS,
  // which moves on by the count. Answers the count, BUSY or KERNEL (taken back, or the read
  // failed: the kernel then reads with its own handle and meets the error itself).
  // Called for every read of a large file: as few atomic operations as will do.
  readTakenOver(slot, gen, owner, sah, dest) {
    const i32 = this.i32;
    const w = this.words[slot];
    if (Atomics.compareExchange(i32, w + RLOCK, 0, owner) !== 0) return BUSY;
    let n = KERNEL;
    // Under the lock (the kernel retires a ring only holding it, and reads POS only so): plain
    // loads and stores, published by the unlock.
    if (i32[w + GEN] === gen && !(i32[w + FLAGS] & RETIRED)) {
      const lo = i32[w + POS] >>> 0;
      const hi = i32[w + POS + 1];
      const at = this.#readAt;
      at.at = lo + hi * 0x100000000;
      try {
        n = sah.read(dest, at);
        if (n > 0) {
          const end = lo + n;
          i32[w + POS] = end | 0;
          if (end > 0xffffffff) i32[w + POS + 1] = hi + 1;
        }
      } catch {
        n = KERNEL;
      }
    }
    Atomics.store(i32, w + RLOCK, 0);
    return n;
  }
  #readAt = { at: 0 };

  // Waits (blocking, at most ms) for SEQ to move from seq; answers Atomics.wait's word.
  wait(slot, seq, ms) {
    const w = this.word(slot, WAITERS);
    Atomics.add(this.i32, w, 1);
    const r = Atomics.wait(this.i32, this.word(slot, SEQ), seq, ms);
    Atomics.sub(this.i32, w, 1);
    return r;
  }

  // --- the kernel worker's side ---

  // The slot given out afresh: empty, no flags, a new generation (answered).
  reset(slot) {
    for (const w of [HEAD, TAIL, OFF, FLAGS, KICK, FILE]) Atomics.store(this.i32, this.word(slot, w), 0);
    const gen = (Atomics.add(this.i32, this.word(slot, GEN), 1) + 1) & 0xffff;
    Atomics.store(this.i32, this.word(slot, GEN), gen);
    this.bump(slot);
    return gen;
  }

  // The slot taken back: whoever still holds a mapping of it goes to the kernel.
  free(slot) {
    Atomics.or(this.i32, this.word(slot, FLAGS), RETIRED);
    Atomics.store(this.i32, this.word(slot, GEN), (this.load(slot, GEN) + 1) & 0xffff);
    Atomics.notify(this.i32, this.word(slot, SEQ));
    this.bump(slot);
  }

  setFlag(slot, flag) {
    Atomics.or(this.i32, this.word(slot, FLAGS), flag);
    Atomics.notify(this.i32, this.word(slot, SEQ));
    this.bump(slot);
  }

  watch(slot, on) {
    if (!(slot >= 0 && slot < ALL_RING_SLOTS)) return;
    if (on) Atomics.or(this.i32, this.word(slot, FLAGS), WATCH);
    else Atomics.and(this.i32, this.word(slot, FLAGS), ~WATCH);
  }

  // gen and seq as a process saw them (they may come back through the kernel unsigned).
  changed(slot, gen, seq) {
    if (!(slot >= 0 && slot < ALL_RING_SLOTS)) return true;
    return this.load(slot, GEN) !== (gen & 0xffff) || this.seq(slot) !== (seq | 0);
  }

  // Bytes a reader would find (stat's length).
  queued(slot) {
    let bytes = 0;
    const head = this.load(slot, HEAD);
    let at = this.load(slot, TAIL);
    let off = this.load(slot, OFF);
    while (at !== head) {
      const len = this.i32[this.at(slot, at)] >>> 0;
      bytes += len - off;
      off = 0;
      at = (at + 4 + pad(len)) | 0;
    }
    return bytes;
  }

  // Takes a lock for the kernel: processes hold one only while they copy, and the locks of a
  // process that was ended are released (releaseLocks) before its slot can be retired; a lock
  // held past a second is taken anyway.
  kernelLock(slot, w) {
    const deadline = performance.now() + 1000;
    const i = this.word(slot, w);
    for (;;) {
      const cur = Atomics.compareExchange(this.i32, i, 0, KERNEL_OWNER);
      if (cur === 0) return;
      if (performance.now() > deadline) {
        Atomics.store(this.i32, i, KERNEL_OWNER);
        return;
      }
      Atomics.wait(this.i32, i, cur, 0.05);
    }
  }

  // The kernel takes the ring's data: every record left, oldest first, as fresh Uint8Arrays
  // (the unread rest of a partly read one); the ring is retired and its slot free.
  retire(slot) {
    this.kernelLock(slot, WLOCK);
    this.kernelLock(slot, RLOCK);
    const out = [];
    for (;;) {
      const tail = this.load(slot, TAIL);
      if (this.load(slot, HEAD) === tail) break;
      const len = this.i32[this.at(slot, tail)] >>> 0;
      const buf = new Uint8Array(len - this.load(slot, OFF));
      this.takeLocked(slot, [buf]);
      out.push(buf);
    }
    this.free(slot);
    this.unlock(slot, RLOCK);
    this.unlock(slot, WLOCK);
    return out;
  }

  // Write-behind (the kernel is the only consumer): moves the bytes of whole records into dest,
  // as many as fit; answers the count.
  drainInto(slot, dest) {
    Atomics.store(this.i32, this.word(slot, KICK), 0);
    let n = 0;
    for (;;) {
      const tail = this.load(slot, TAIL);
      if (this.load(slot, HEAD) === tail) break;
      const len = this.i32[this.at(slot, tail)] >>> 0;
      if (n + len > dest.length) break;
      this.copyOut(slot, tail + 4, [dest.subarray(n, n + len)], len);
      Atomics.store(this.i32, this.word(slot, TAIL), (tail + 4 + pad(len)) | 0);
      n += len;
    }
    if (n > 0) this.bump(slot);
    return n;
  }

  // Write-behind ended while its process may be pushing: RETIRED under the producers' lock, so
  // no record lands after it; what is in the ring stays for the kernel's last drain.
  seal(slot) {
    this.kernelLock(slot, WLOCK);
    Atomics.or(this.i32, this.word(slot, FLAGS), RETIRED);
    this.unlock(slot, WLOCK);
  }

  // Read-ahead (the kernel is the only producer): bytes free for records.
  room(slot) {
    return ringSize(slot) - ((this.load(slot, HEAD) - this.load(slot, TAIL)) >>> 0);
  }

  // Read-ahead: src as one record (it fits: room() said so). The kernel is the only producer.
  put(slot, src) {
    Atomics.store(this.i32, this.word(slot, KICK), 0);
    const head = this.load(slot, HEAD);
    this.copyIn(slot, head + 4, [src], src.length);
    this.publish(slot, head, src.length);
    this.bump(slot);
  }

  // Read-ahead: one record of up to count bytes that read(dest, offset) puts straight into the
  // ring (in two pieces where the data area wraps); answers the bytes read (0: no record). file:
  // the home data file's id, for a process that may take the read over (FILE, END), under WLOCK;
  // then TAKEN once it has.
  fillFrom(slot, count, offset, read, file = 0) {
    if (file) {
      this.kernelLock(slot, WLOCK);
      try {
        if (this.load(slot, FLAGS) & TAKEN_OVER) return TAKEN;
        if (!this.load(slot, FILE)) Atomics.store(this.i32, this.word(slot, FILE), file);
        const n = this.fillFrom(slot, count, offset, read);
        this.setPos(slot, END, offset + n);
        return n;
      } finally {
        this.unlock(slot, WLOCK);
      }
    }
    Atomics.store(this.i32, this.word(slot, KICK), 0);
    const head = this.load(slot, HEAD);
    const base = this.data(slot);
    const size = ringSize(slot);
    const p = (head + 4) & (size - 1);
    const first = Math.min(count, size - p);
    let n = read(this.u8.subarray(base + p, base + p + first), offset);
    if (n === first && count > first) n += read(this.u8.subarray(base, base + count - first), offset + first);
    if (!(n > 0)) return 0;
    this.publish(slot, head, n);
    this.bump(slot);
    return n;
  }

  // An offset in two words (END, POS).
  setPos(slot, w, at) {
    Atomics.store(this.i32, this.word(slot, w), at % 0x100000000);
    Atomics.store(this.i32, this.word(slot, w + 1), Math.floor(at / 0x100000000));
  }
  pos(slot, w) {
    return (this.load(slot, w) >>> 0) + this.load(slot, w + 1) * 0x100000000;
  }

  // Read-ahead taken back: how far the fd's offset (END, where the kernel's filling got to) goes
  // back — the bytes not yet read, or, from a ring taken over, END less the process's position
  // (negative once it read past END) — and the slot is free.
  recall(slot) {
    this.kernelLock(slot, RLOCK);
    const back = this.load(slot, FLAGS) & TAKEN_OVER ? this.pos(slot, END) - this.pos(slot, POS) : this.queued(slot);
    this.free(slot);
    this.unlock(slot, RLOCK);
    return back;
  }

  // A process worker was ended: the locks it may have held are free (what it was copying was
  // never published).
  releaseLocks(owner) {
    for (let s = 0; s < ALL_RING_SLOTS; s++) {
      for (const w of [WLOCK, RLOCK]) Atomics.compareExchange(this.i32, this.word(s, w), owner, 0);
    }
  }
}
