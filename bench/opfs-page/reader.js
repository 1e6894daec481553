// The reading half of bareTwoThreads (worker.js): takes chunkBytes at a time out of the ring
// the other worker fills from a sync access handle, into its own WebAssembly memory, as a
// program in a process worker would. Words of ctl: 0 head, 1 tail (bytes, mod 2^32), 2 done.

self.onmessage = ({ data: { sab, ringBytes, totalBytes, chunkBytes } }) => {
  const ctl = new Int32Array(sab, 0, 4);
  const ring = new Uint8Array(sab, 16, ringBytes);
  const memory = new WebAssembly.Memory({ initial: Math.ceil(chunkBytes / 65536) + 1 });
  const buf = new Uint8Array(memory.buffer, 0, chunkBytes);
  self.postMessage('ready');
  let bad = 0;
  for (let at = 0; at < totalBytes; at += chunkBytes) {
    for (;;) {
      const head = Atomics.load(ctl, 0);
      if (((head - at) | 0) >= chunkBytes) break;
      Atomics.wait(ctl, 0, head);
    }
    const p = at % ringBytes;
    buf.set(ring.subarray(p, p + chunkBytes));
    if (buf[0] !== ((at / chunkBytes) & 0xff)) bad++;
    Atomics.store(ctl, 1, (at + chunkBytes) | 0);
    Atomics.notify(ctl, 1);
  }
  Atomics.store(ctl, 2, bad ? -1 : 1);
  Atomics.notify(ctl, 2);
};
