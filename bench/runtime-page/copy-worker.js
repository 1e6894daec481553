// Worker side of the bare copy baseline (copy.js). Word 0 of the shared buffer is the slot's
// state (0 empty, 1 full, 2 done), word 1 the bytes in it; the data starts at byte 16.
const EMPTY = 0;
const FULL = 1;
const DONE = 2;
const TIMEOUT_MS = 10000;

function waitWhile(word, value) {
  while (Atomics.load(word, 0) === value)
    if (Atomics.wait(word, 0, value, TIMEOUT_MS) === 'timed-out') throw new Error('the other side stopped');
}

function producer({ sab, totalBytes, chunkBytes }) {
  const word = new Int32Array(sab, 0, 2);
  const slot = new Uint8Array(sab, 16, chunkBytes);
  const mine = new Uint8Array(chunkBytes).fill(120);
  for (let at = 0, i = 0; at < totalBytes; at += chunkBytes, i++) {
    const n = Math.min(chunkBytes, totalBytes - at);
    mine[0] = i & 255; // each chunk differs, so the consumer can tell a lost one
    waitWhile(word, FULL);
    slot.set(n === chunkBytes ? mine : mine.subarray(0, n));
    word[1] = n;
    Atomics.store(word, 0, FULL);
    Atomics.notify(word, 0);
  }
  waitWhile(word, FULL);
  Atomics.store(word, 0, DONE);
  Atomics.notify(word, 0);
  return 'done';
}

function consumer({ sab, totalBytes, chunkBytes }) {
  const word = new Int32Array(sab, 0, 2);
  const slot = new Uint8Array(sab, 16, chunkBytes);
  const mine = new Uint8Array(chunkBytes);
  let bytes = 0;
  let first = 0;
  let t0 = 0;
  for (let i = 0; ; i++) {
    waitWhile(word, EMPTY);
    if (Atomics.load(word, 0) === DONE) break;
    const n = word[1];
    mine.set(n === chunkBytes ? slot : slot.subarray(0, n));
    if (mine[0] !== (i & 255)) throw new Error(`chunk ${i} came out of order`);
    if (i === 0) {
      first = n;
      t0 = performance.now();
    }
    bytes += n;
    Atomics.store(word, 0, EMPTY);
    Atomics.notify(word, 0);
  }
  const ms = performance.now() - t0;
  if (bytes !== totalBytes) throw new Error(`${bytes} of ${totalBytes} bytes arrived`);
  // As b9pipe: the first chunk starts the clock, so it is not counted.
  return { bytes: bytes - first, ms };
}

self.onmessage = ({ data }) => {
  try {
    const result = data.role === 'producer' ? producer(data) : consumer(data);
    self.postMessage({ result });
  } catch (err) {
    self.postMessage({ error: `${data.role}: ${err.message}` });
  }
};
