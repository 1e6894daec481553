// Page side of the baseline benchmarks: starts the workers of worker.js, gathers their timings
// and sums them up. Each measurement is an exported function so that later benchmarks can
// measure web9 and this baseline in the same page, in the same run.

const workerUrl = new URL('worker.js', import.meta.url);

// Starts a benchmark worker and resolves to the result of one command (then stops the worker).
function runInWorker(message, transfer = []) {
  const worker = new Worker(workerUrl, { type: 'module', name: message.cmd });
  return new Promise((resolve, reject) => {
    worker.onmessage = ({ data }) => (data.error ? reject(new Error(data.error)) : resolve(data.result));
    worker.onerror = (e) => reject(new Error(`${message.cmd}: ${e.message || 'worker failed to load'}`));
    worker.postMessage(message, transfer);
  }).finally(() => worker.terminate());
}

// Median, 10th and 90th percentile of a list of samples.
export function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => {
    const i = (sorted.length - 1) * q;
    const lo = Math.floor(i);
    return sorted[lo] + (sorted[Math.ceil(i)] - sorted[lo]) * (i - lo);
  };
  return { median: at(0.5), p10: at(0.1), p90: at(0.9), n: sorted.length };
}

export const defaultPlan = { iterations: 1000, batches: 40, warmup: 3 };

// (a) and (b): bare SharedArrayBuffer round trip between two dedicated workers. The client
// always blocks in Atomics.wait; the server blocks too ('blocking') or uses Atomics.waitAsync
// ('async'). Resolves to µs per round trip over batches.
export async function sabRoundTrip(serverMode = 'blocking', plan = defaultPlan) {
  const sab = new SharedArrayBuffer(8);
  const server = runInWorker({ cmd: `sab-serve-${serverMode}`, sab });
  const perCallUs = await runInWorker({ cmd: 'sab-client', sab, ...plan });
  await server;
  return summarize(perCallUs);
}

// (c): a request sent with postMessage to an event-loop worker, answered by writing a small
// JSON reply into shared memory while the asker blocks in Atomics.wait. µs per request.
export async function postMessageRoundTrip(plan = { ...defaultPlan, iterations: 200 }) {
  const sab = new SharedArrayBuffer(4096);
  const { port1, port2 } = new MessageChannel();
  const server = runInWorker({ cmd: 'message-serve', sab, port: port2 }, [port2]);
  const { perCallUs, sample } = await runInWorker({ cmd: 'message-client', sab, port: port1, ...plan }, [port1]);
  await server;
  return { ...summarize(perCallUs), sample };
}

const MB = 1e6;

// (d1): OPFS sync access handle, sequential write then read, in MB/s (10^6 bytes), one
// sample per repeat.
export async function opfsSequential({ totalBytes = 64 << 20, chunkBytes = 64 << 10, repeats = 3 } = {}) {
  const write = [];
  const read = [];
  for (let i = 0; i < repeats; i++) {
    const t = await runInWorker({ cmd: 'opfs-sequential', totalBytes, chunkBytes, dirName: 'web9-bench-sequential' });
    write.push(totalBytes / MB / (t.writeMs / 1000));
    read.push(totalBytes / MB / (t.readMs / 1000));
  }
  return { write: summarize(write), read: summarize(read), totalBytes, chunkBytes };
}

// (d2): OPFS create, stat and remove of `count` small files, in operations per second.
export async function opfsSmallFiles({ count = 1000, repeats = 3 } = {}) {
  const phases = { create: [], stat: [], remove: [] };
  for (let i = 0; i < repeats; i++) {
    const t = await runInWorker({ cmd: 'opfs-small-files', count, dirName: 'web9-bench-small' });
    phases.create.push(count / (t.createMs / 1000));
    phases.stat.push(count / (t.statMs / 1000));
    phases.remove.push(count / (t.removeMs / 1000));
  }
  return {
    create: summarize(phases.create),
    stat: summarize(phases.stat),
    remove: summarize(phases.remove),
    count,
  };
}

// All of the baseline, one measurement after the other (never two at once: the machine has
// few cores). Resolves to rows {name, unit, median, p10, p90, n}.
export async function runBaseline({ plan = defaultPlan, messagePlan, opfs = {}, onProgress = () => {} } = {}) {
  if (!crossOriginIsolated) throw new Error('the benchmark page is not cross-origin isolated');
  const rows = [];
  const add = (name, unit, s) => rows.push({ name, unit, median: s.median, p10: s.p10, p90: s.p90, n: s.n });

  onProgress('SAB round trip, both blocking');
  add('SAB round trip, both workers in Atomics.wait', 'µs', await sabRoundTrip('blocking', plan));
  onProgress('SAB round trip, server on waitAsync');
  add('SAB round trip, server on Atomics.waitAsync', 'µs', await sabRoundTrip('async', plan));
  onProgress('postMessage request');
  add(
    'postMessage request, JSON reply via Atomics.wait',
    'µs',
    await postMessageRoundTrip(messagePlan ?? { ...plan, iterations: Math.max(1, plan.iterations / 5) }),
  );
  onProgress('OPFS sequential');
  const seq = await opfsSequential(opfs);
  const mib = seq.totalBytes / (1 << 20);
  const kib = seq.chunkBytes / 1024;
  add(`OPFS sync handle write ${mib} MiB in ${kib} KiB chunks`, 'MB/s', seq.write);
  add(`OPFS sync handle read ${mib} MiB in ${kib} KiB chunks`, 'MB/s', seq.read);
  onProgress('OPFS small files');
  const small = await opfsSmallFiles(opfs);
  add(`OPFS ${small.count} small files: create`, 'ops/s', small.create);
  add(`OPFS ${small.count} small files: stat`, 'ops/s', small.stat);
  add(`OPFS ${small.count} small files: remove`, 'ops/s', small.remove);
  return rows;
}
