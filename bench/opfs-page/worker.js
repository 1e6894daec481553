// bench/opfs.mjs's measurements, in a dedicated worker: the same work through OpfsStore
// (web/kernel/opfs.js) and on bare OPFS sync access handles, one after the other.

import { OpfsStore } from '/kernel/opfs.js';

const progress = (text) => self.postMessage({ progress: text });

function chunkOf(size) {
  const chunk = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(chunk.subarray(i, Math.min(size, i + 65536)));
  return chunk;
}

// Sequential write (including the final flush) and read of totalBytes in chunkBytes pieces.
function sequential(write, read, flush, { totalBytes, chunkBytes }) {
  const chunk = chunkOf(chunkBytes);
  const t0 = performance.now();
  for (let at = 0; at < totalBytes; at += chunkBytes) {
    chunk[0] = at / chunkBytes;
    if (write(at, chunk) !== chunkBytes) throw new Error(`short write at ${at}`);
  }
  flush();
  const t1 = performance.now();
  const buf = new Uint8Array(chunkBytes);
  for (let at = 0; at < totalBytes; at += chunkBytes) {
    if (read(at, buf) !== chunkBytes) throw new Error(`short read at ${at}`);
    if (buf[0] !== ((at / chunkBytes) & 0xff)) throw new Error(`wrong data at ${at}`);
  }
  const t2 = performance.now();
  return { write: t1 - t0, read: t2 - t1 };
}

async function bareSequential(dir, opts) {
  const sah = await (await dir.getFileHandle('seq', { create: true })).createSyncAccessHandle();
  try {
    return sequential((at, b) => sah.write(b, { at }), (at, b) => sah.read(b, { at }), () => sah.flush(), opts);
  } finally {
    sah.close();
    await dir.removeEntry('seq');
  }
}

// The read with the file system in one thread and the reader in another, the least any
// design with a kernel worker can do: this worker reads records of 128 KiB from the sync
// access handle into a 4 MiB SharedArrayBuffer ring and reader.js copies 64 KiB at a time out
// of it into its WebAssembly memory. Answers the read's time.
async function bareTwoThreads(dir, { totalBytes, chunkBytes }) {
  const record = 128 << 10;
  const ringBytes = 4 << 20;
  const sah = await (await dir.getFileHandle('seq2', { create: true })).createSyncAccessHandle();
  const reader = new Worker(new URL('reader.js', import.meta.url), { type: 'module' });
  try {
    const chunk = chunkOf(chunkBytes);
    for (let at = 0; at < totalBytes; at += chunkBytes) {
      chunk[0] = at / chunkBytes;
      sah.write(chunk, { at });
    }
    sah.flush();
    const sab = new SharedArrayBuffer(16 + ringBytes);
    const ctl = new Int32Array(sab, 0, 4);
    const ring = new Uint8Array(sab, 16, ringBytes);
    await new Promise((resolve) => {
      reader.onmessage = resolve;
      reader.postMessage({ sab, ringBytes, totalBytes, chunkBytes });
    });
    const t0 = performance.now();
    for (let at = 0; at < totalBytes; at += record) {
      for (;;) {
        const tail = Atomics.load(ctl, 1);
        if (((at - tail) | 0) <= ringBytes - record) break;
        Atomics.wait(ctl, 1, tail);
      }
      const p = at % ringBytes;
      if (sah.read(ring.subarray(p, p + record), { at }) !== record) throw new Error(`short read at ${at}`);
      Atomics.store(ctl, 0, (at + record) | 0);
      Atomics.notify(ctl, 0);
    }
    while (Atomics.load(ctl, 2) === 0) Atomics.wait(ctl, 2, 0);
    const ms = performance.now() - t0;
    if (Atomics.load(ctl, 2) !== 1) throw new Error('the reader saw wrong data');
    return { read: ms };
  } finally {
    reader.terminate();
    sah.close();
    await dir.removeEntry('seq2');
  }
}

async function storeSequential(store, opts) {
  store.create('/seq');
  const f = await store.openFile('/seq');
  try {
    return sequential((at, b) => f.write(at, b), (at, b) => f.readInto(at, b), () => f.flush(), opts);
  } finally {
    f.close();
    await store.remove('/seq');
  }
}

// create, stat, remove of count empty files; and create + write + flush + close of count files.
async function bareSmall(dir, { count }) {
  const names = Array.from({ length: count }, (_, i) => `f${i}`);
  const t = [performance.now()];
  for (const n of names) await dir.getFileHandle(n, { create: true });
  t.push(performance.now());
  let bytes = 0;
  for (const n of names) bytes += (await (await dir.getFileHandle(n)).getFile()).size;
  t.push(performance.now());
  for (const n of names) await dir.removeEntry(n);
  t.push(performance.now());
  const one = new Uint8Array([1]);
  for (const n of names) {
    const sah = await (await dir.getFileHandle(n, { create: true })).createSyncAccessHandle();
    sah.write(one, { at: 0 });
    sah.flush();
    sah.close();
  }
  t.push(performance.now());
  for (const n of names) await dir.removeEntry(n);
  if (bytes !== 0) throw new Error('new files are not empty');
  return { create: t[1] - t[0], stat: t[2] - t[1], remove: t[3] - t[2], written: t[4] - t[3] };
}

async function storeSmall(store, { count }) {
  store.create('/small', true);
  const names = Array.from({ length: count }, (_, i) => `/small/f${i}`);
  const t = [performance.now()];
  for (const n of names) store.create(n);
  t.push(performance.now());
  let bytes = 0;
  for (const n of names) bytes += store.stat(n).length;
  t.push(performance.now());
  for (const n of names) store.remove(n);
  await store.settled();
  store.sync();
  t.push(performance.now());
  const one = new Uint8Array([1]);
  for (const n of names) {
    store.create(n);
    const f = await store.openFile(n);
    f.write(0, one);
    f.flush();
    f.close();
  }
  t.push(performance.now());
  for (const n of names) store.remove(n);
  await store.settled();
  store.remove('/small');
  if (bytes !== 0) throw new Error('new files are not empty');
  return { create: t[1] - t[0], stat: t[2] - t[1], remove: t[3] - t[2], written: t[4] - t[3] };
}

self.onmessage = async ({ data: { totalBytes = 64 << 20, chunkBytes = 64 << 10, count = 1000 } }) => {
  const root = await navigator.storage.getDirectory();
  const dirName = `opfs-bench-${Date.now()}`;
  try {
    const bare = await root.getDirectoryHandle(`${dirName}-bare`, { create: true });
    const store = await OpfsStore.open(`${dirName}-store`, { lockName: dirName });
    if (store.readOnly) throw new Error(store.owner);
    const r = {};
    progress('sequential, bare');
    r.bareSeq = await bareSequential(bare, { totalBytes, chunkBytes });
    progress('sequential read, bare, two threads');
    r.bareTwo = await bareTwoThreads(bare, { totalBytes, chunkBytes });
    progress('sequential, OpfsStore');
    r.storeSeq = await storeSequential(store, { totalBytes, chunkBytes });
    progress('small files, bare');
    r.bareSmall = await bareSmall(bare, { count });
    progress('small files, OpfsStore');
    r.storeSmall = await storeSmall(store, { count });
    await store.close();
    self.postMessage({ result: { ...r, totalBytes, chunkBytes, count } });
  } catch (err) {
    self.postMessage({ error: `${err.errno ?? err.name}: ${err.message}` });
  } finally {
    await root.removeEntry(`${dirName}-bare`, { recursive: true }).catch(() => {});
    await root.removeEntry(`${dirName}-store`, { recursive: true }).catch(() => {});
  }
};
