// What differs between a browser worker and a Node worker_threads worker, in one place, so
// web/kernel/worker.js and web/runtime/worker-process.js run unchanged in both: the link to the
// parent, starting a child worker, and reading a file by URL.

export const isNode = typeof process === 'object' && typeof process.versions?.node === 'string';

// Only loaded under Node; a browser never evaluates these imports.
const wt = isNode ? await import('node:worker_threads') : null;
const fsp = isNode ? await import('node:fs/promises') : null;

// This worker's link to whoever started it: post(message, transfer) and listen(fn(message)).
export const parent = isNode
  ? {
      post: (message, transfer) => wt.parentPort.postMessage(message, transfer),
      listen: (fn) => wt.parentPort.on('message', fn),
    }
  : {
      post: (message, transfer) => self.postMessage(message, transfer),
      listen: (fn) => self.addEventListener('message', (e) => fn(e.data)),
    };

// Starts a module worker from url (a URL). Answers {post, onMessage(fn), onError(fn), terminate}.
// onError gets a message string for an error the worker did not catch.
export function startWorker(url, name) {
  if (isNode) {
    const w = new wt.Worker(url, { name });
    return {
      post: (message, transfer) => w.postMessage(message, transfer),
      onMessage: (fn) => w.on('message', fn),
      onError: (fn) => w.on('error', (err) => fn(String(err?.message ?? err))),
      terminate: () => void w.terminate(),
    };
  }
  const w = new Worker(url, { type: 'module', name });
  return {
    post: (message, transfer) => w.postMessage(message, transfer),
    onMessage: (fn) => w.addEventListener('message', (e) => fn(e.data)),
    onError: (fn) =>
      w.addEventListener('error', (e) => {
        e.preventDefault();
        fn(e.message || 'the worker could not be loaded');
      }),
    terminate: () => w.terminate(),
  };
}

// The bytes at url (a string or URL; file: URLs under Node), as a Uint8Array.
export async function readBytes(url) {
  const u = new URL(url);
  if (isNode && u.protocol === 'file:') return new Uint8Array(await fsp.readFile(u));
  const res = await fetch(u);
  if (!res.ok) throw new Error(`${u.pathname}: HTTP ${res.status} ${res.statusText}`.trim());
  return new Uint8Array(await res.arrayBuffer());
}
