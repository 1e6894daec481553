// Worker side of the baseline benchmarks: the bare browser mechanisms web9's syscalls and
// storage are built on, timed without any of web9 on top. baseline.js starts one worker per
// role and sends it {cmd, ...}; the worker answers {result} or {error}.

// States of the shared word a ping-pong turns on.
const REQUEST = 1;
const REPLY = 2;
const STOP = 3;

// A waiter that sees nothing for this long gives up instead of hanging the benchmark.
const TIMEOUT_MS = 10000;

function waitWhile(word, value) {
  while (Atomics.load(word, 0) === value)
    if (Atomics.wait(word, 0, value, TIMEOUT_MS) === 'timed-out') throw new Error('no reply within 10 s');
}

// Runs `batches` timed batches of `iterations` calls of `roundTrip` (after `warmup` untimed
// ones) and returns the mean µs per call of each batch.
function timeBatches({ iterations, batches, warmup }, roundTrip) {
  const perCallUs = [];
  for (let b = -warmup; b < batches; b++) {
    const t0 = performance.now();
    for (let i = 0; i < iterations; i++) roundTrip(i);
    const elapsed = performance.now() - t0;
    if (b >= 0) perCallUs.push((elapsed * 1000) / iterations);
  }
  return perCallUs;
}

// The asking side of a bare SharedArrayBuffer ping-pong: raise REQUEST, block until REPLY.
function sabClient({ sab, ...plan }) {
  const word = new Int32Array(sab);
  try {
    return timeBatches(plan, () => {
      Atomics.store(word, 0, REQUEST);
      Atomics.notify(word, 0, 1);
      waitWhile(word, REQUEST);
    });
  } finally {
    Atomics.store(word, 0, STOP);
    Atomics.notify(word, 0, 1);
  }
}

// The serving side, blocking in Atomics.wait between requests.
function sabServeBlocking({ sab }) {
  const word = new Int32Array(sab);
  for (;;) {
    const state = Atomics.load(word, 0);
    if (state === STOP) return 'stopped';
    if (state === REQUEST) {
      Atomics.store(word, 0, REPLY);
      Atomics.notify(word, 0, 1);
    } else if (Atomics.wait(word, 0, state, TIMEOUT_MS) === 'timed-out') {
      throw new Error('no request within 10 s');
    }
  }
}

// The serving side on Atomics.waitAsync, leaving its event loop free between requests, as a
// kernel worker that must also answer postMessage and promises would.
async function sabServeAsync({ sab }) {
  const word = new Int32Array(sab);
  for (;;) {
    const state = Atomics.load(word, 0);
    if (state === STOP) return 'stopped';
    if (state === REQUEST) {
      Atomics.store(word, 0, REPLY);
      Atomics.notify(word, 0, 1);
      continue;
    }
    const waiting = Atomics.waitAsync(word, 0, state, TIMEOUT_MS);
    if (waiting.async && (await waiting.value) === 'timed-out') throw new Error('no request within 10 s');
  }
}

// Layout of the reply area for the postMessage benchmark: a flag word, a length word, bytes.
const FLAG = 0;
const LENGTH = 1;
const BYTES_OFFSET = 8;

// The asking side of a postMessage request: post a small request, block in Atomics.wait
// until the server has written its JSON answer into shared memory, decode it.
function messageClient({ sab, port, ...plan }) {
  const word = new Int32Array(sab);
  const bytes = new Uint8Array(sab, BYTES_OFFSET);
  const decoder = new TextDecoder();
  let last;
  const perCallUs = timeBatches(plan, (tag) => {
    Atomics.store(word, FLAG, 0);
    port.postMessage({ op: 'stat', path: '/usr/glenda/lib/profile', tag });
    waitWhile(word, 0);
    // TextDecoder refuses views on shared memory: copy out first, as a real caller must.
    last = JSON.parse(decoder.decode(bytes.slice(0, Atomics.load(word, LENGTH))));
    if (last.tag !== tag) throw new Error(`reply ${last.tag} answered request ${tag}`);
  });
  port.postMessage({ op: 'stop' });
  return { perCallUs, sample: last };
}

// The serving side: an ordinary event-loop worker answering each message in shared memory.
function messageServe({ sab, port }) {
  const word = new Int32Array(sab);
  const bytes = new Uint8Array(sab, BYTES_OFFSET);
  const encoder = new TextEncoder();
  // encodeInto refuses views on shared memory: encode privately, then copy in.
  const scratch = new Uint8Array(bytes.length);
  return new Promise((resolve, reject) => {
    port.onmessage = ({ data: req }) => {
      if (req.op === 'stop') return resolve('stopped');
      try {
        answer(req);
      } catch (err) {
        reject(err);
      }
    };
    const answer = (req) => {
      const reply = JSON.stringify({
        tag: req.tag,
        name: req.path.slice(req.path.lastIndexOf('/') + 1),
        qid: { path: 4242, vers: 7, type: 0 },
        mode: 0o644,
        length: 1234,
        mtime: 1700000000,
        uid: 'glenda',
      });
      const { written } = encoder.encodeInto(reply, scratch);
      bytes.set(scratch.subarray(0, written));
      Atomics.store(word, LENGTH, written);
      Atomics.store(word, FLAG, 1);
      Atomics.notify(word, FLAG, 1);
    };
  });
}

async function benchDirectory(name) {
  const root = await navigator.storage.getDirectory();
  await root.removeEntry(name, { recursive: true }).catch(() => {});
  return { root, dir: await root.getDirectoryHandle(name, { create: true }) };
}

// Sequential write then read of one file through a sync access handle, in fixed chunks.
// The write time includes the final flush.
async function opfsSequential({ totalBytes, chunkBytes, dirName }) {
  const { root, dir } = await benchDirectory(dirName);
  const handle = await (await dir.getFileHandle('sequential.bin', { create: true })).createSyncAccessHandle();
  try {
    const chunk = new Uint8Array(chunkBytes);
    for (let i = 0; i < chunk.length; i += 65536) crypto.getRandomValues(chunk.subarray(i, i + 65536));
    const t0 = performance.now();
    for (let at = 0; at < totalBytes; at += chunkBytes) {
      chunk[0] = at / chunkBytes; // each chunk differs, so a read of the wrong one shows
      if (handle.write(chunk, { at }) !== chunkBytes) throw new Error(`short write at ${at}`);
    }
    handle.flush();
    const t1 = performance.now();
    if (handle.getSize() !== totalBytes) throw new Error(`file is ${handle.getSize()} bytes`);
    const buffer = new Uint8Array(chunkBytes);
    const t2 = performance.now();
    for (let at = 0; at < totalBytes; at += chunkBytes) {
      if (handle.read(buffer, { at }) !== chunkBytes) throw new Error(`short read at ${at}`);
      if (buffer[0] !== ((at / chunkBytes) & 0xff)) throw new Error(`wrong data at ${at}`);
    }
    const t3 = performance.now();
    return { writeMs: t1 - t0, readMs: t3 - t2 };
  } finally {
    handle.close();
    await root.removeEntry(dirName, { recursive: true });
  }
}

// Create, stat (look up by name and read its size) and remove `count` empty files, as the
// kernel's OPFS server would on the async API. Each phase is timed on its own.
async function opfsSmallFiles({ count, dirName }) {
  const { root, dir } = await benchDirectory(dirName);
  const names = Array.from({ length: count }, (_, i) => `file${i}`);
  try {
    const t0 = performance.now();
    for (const name of names) await dir.getFileHandle(name, { create: true });
    const t1 = performance.now();
    let bytes = 0;
    for (const name of names) bytes += (await (await dir.getFileHandle(name)).getFile()).size;
    const t2 = performance.now();
    for (const name of names) await dir.removeEntry(name);
    const t3 = performance.now();
    if (bytes !== 0) throw new Error('new files are not empty');
    let left = 0;
    for await (const _ of dir.keys()) left++;
    if (left !== 0) throw new Error(`${left} files were not removed`);
    return { createMs: t1 - t0, statMs: t2 - t1, removeMs: t3 - t2 };
  } finally {
    await root.removeEntry(dirName, { recursive: true }).catch(() => {});
  }
}

const commands = {
  'sab-client': sabClient,
  'sab-serve-blocking': sabServeBlocking,
  'sab-serve-async': sabServeAsync,
  'message-client': messageClient,
  'message-serve': messageServe,
  'opfs-sequential': opfsSequential,
  'opfs-small-files': opfsSmallFiles,
};

self.onmessage = async ({ data }) => {
  try {
    const command = commands[data.cmd];
    if (!command) throw new Error(`unknown command ${data.cmd}`);
    self.postMessage({ result: await command(data) });
  } catch (err) {
    self.postMessage({ error: `${data.cmd}: ${err.message}` });
  }
};
