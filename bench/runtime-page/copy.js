// Page side of the bare copy baseline for bench/runtime.mjs: what moving bytes from one worker
// to another through a SharedArrayBuffer costs with nothing of web9 on top. A producer worker
// copies CHUNK bytes at a time from its own memory into a shared slot and hands it over; a
// consumer copies each chunk out into its own memory and hands the slot back (one slot, as a
// pipe write waits for its frame's reply). web9's pipe does the same job through the kernel.

import { summarize } from '../baseline-page/baseline.js';

const workerUrl = new URL('copy-worker.js', import.meta.url);

function runInWorker(message) {
  const worker = new Worker(workerUrl, { type: 'module', name: message.role });
  return new Promise((resolve, reject) => {
    worker.onmessage = ({ data }) => (data.error ? reject(new Error(data.error)) : resolve(data.result));
    worker.onerror = (e) => reject(new Error(`${message.role}: ${e.message || 'worker failed to load'}`));
    worker.postMessage(message);
  }).finally(() => worker.terminate());
}

// MB/s (10^6 bytes) per run, timed by the consumer from its first chunk to the last.
export async function sabCopyThroughput({ totalBytes = 256 << 20, chunkBytes = 64 << 10, runs = 3 } = {}) {
  if (!crossOriginIsolated) throw new Error('the page is not cross-origin isolated');
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const sab = new SharedArrayBuffer(16 + chunkBytes);
    const producer = runInWorker({ role: 'producer', sab, totalBytes, chunkBytes });
    const { bytes, ms } = await runInWorker({ role: 'consumer', sab, totalBytes, chunkBytes });
    await producer;
    samples.push(bytes / 1e6 / (ms / 1000));
  }
  return { ...summarize(samples), totalBytes, chunkBytes };
}
