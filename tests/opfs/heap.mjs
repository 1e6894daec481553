// Watches the memory of every worker of a page, nested ones included (the kernel worker and the
// process workers it starts), through the DevTools protocol: Runtime.getHeapUsage on each worker
// target answers its JS heap (usedSize) and the bytes behind its ArrayBuffers
// (backingStorageSize: every Uint8Array's bytes), and for the kernel worker Runtime.evaluate
// asks for its wasm memory's size (globalThis.web9Kernel, web/kernel/worker.js). A process's
// wasm memory is its own to report (bench/guests/b9file.c prints it).
// Worker targets are reached with Target.setAutoAttach and Target.sendMessageToTarget, nested
// through their parent's session.
//
//   const heaps = await watchHeaps(context, page);   // before the page's workers start
//   ... work ...
//   heaps.peaks()   // [{url, used, backing, wasm}] the largest figures seen per worker
//   await heaps.evaluate('kernel/worker.js', 'expression')   // its value in each such worker
//   await heaps.stop();

export async function watchHeaps(context, page, { every = 250 } = {}) {
  const cdp = await context.newCDPSession(page);
  const targets = new Map(); // sessionId -> {url, path: [sessionId, ...] from the page's session}
  const waiting = new Map();
  let nextId = 1;
  const peaks = new Map(); // url + sessionId -> {url, used, backing}

  // Sends method to the target at path (a chain of session ids), answering its result.
  const send = (path, method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      let message = JSON.stringify({ id, method, params });
      for (let i = path.length - 1; i > 0; i--)
        message = JSON.stringify({ id: nextId++, method: 'Target.sendMessageToTarget', params: { sessionId: path[i], message } });
      cdp.send('Target.sendMessageToTarget', { sessionId: path[0], message }).catch(reject);
    });

  const attached = (path, params) => {
    if (params.targetInfo.type !== 'worker') return;
    const at = [...path, params.sessionId];
    targets.set(params.sessionId, { url: params.targetInfo.url, path: at });
    send(at, 'Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false }).catch(() => {});
  };

  // A message from a target, maybe wrapped in its children's messages.
  const received = (path, message) => {
    const m = JSON.parse(message);
    if (m.method === 'Target.receivedMessageFromTarget') return received([...path, m.params.sessionId], m.params.message);
    if (m.method === 'Target.attachedToTarget') return attached(path, m.params);
    if (m.method === 'Target.detachedFromTarget') return targets.delete(m.params.sessionId);
    const w = m.id !== undefined && waiting.get(m.id);
    if (!w) return;
    waiting.delete(m.id);
    if (m.error) w.reject(new Error(m.error.message));
    else w.resolve(m.result);
  };

  cdp.on('Target.attachedToTarget', (p) => attached([], p));
  cdp.on('Target.detachedFromTarget', (p) => targets.delete(p.sessionId));
  cdp.on('Target.receivedMessageFromTarget', (p) => received([p.sessionId], p.message));
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });

  // The kernel worker's wasm memory in bytes (web/kernel/worker.js's web9Kernel), else 0.
  const wasmBytes = async (path) => {
    const r = await send(path, 'Runtime.evaluate', { expression: 'globalThis.web9Kernel?.memoryBytes() ?? 0', returnByValue: true });
    return r.result.value;
  };
  const timeout = (p) => Promise.race([p, new Promise((res) => setTimeout(res, 5000))]).catch(() => null);

  const sample = async () => {
    await Promise.all(
      [...targets].map(async ([sid, t]) => {
        const [r, wasm] = await Promise.all([timeout(send(t.path, 'Runtime.getHeapUsage')), timeout(wasmBytes(t.path))]);
        if (!r) return;
        const key = `${t.url} ${sid}`;
        const p = peaks.get(key) ?? { url: t.url, used: 0, backing: 0, wasm: 0 };
        p.used = Math.max(p.used, r.usedSize);
        p.backing = Math.max(p.backing, r.backingStorageSize ?? 0);
        p.wasm = Math.max(p.wasm, wasm ?? 0);
        peaks.set(key, p);
      }),
    );
  };
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await sample();
      await new Promise((res) => setTimeout(res, every));
    }
  })();

  return {
    peaks: () => [...peaks.values()],
    // expression's value in the workers whose URL includes urlPart (their list; a worker that
    // does not answer in 5 s, one gone say, is left out).
    evaluate: async (urlPart, expression) => {
      const values = await Promise.all(
        [...targets.values()]
          .filter((t) => t.url.includes(urlPart))
          .map((t) => timeout(send(t.path, 'Runtime.evaluate', { expression, returnByValue: true }).then((r) => ({ value: r.result.value })))),
      );
      return values.filter(Boolean).map((v) => v.value);
    },
    reset: () => peaks.clear(),
    stop: async () => {
      stopped = true;
      await loop;
      await cdp.detach().catch(() => {});
    },
  };
}
