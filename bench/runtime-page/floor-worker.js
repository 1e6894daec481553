// The worker of floor.html: the bytes a boot needs, the kernel compiled, one OPFS file opened.
const at = (p) => new URL(p, import.meta.url);
const bytes = async (p) => {
  const r = await fetch(at(p));
  if (!r.ok) throw new Error(`${p}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
};
const opfs = async () => {
  const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('web9-floor', { create: true });
  const sah = await (await dir.getFileHandle('f', { create: true })).createSyncAccessHandle();
  sah.read(new Uint8Array(64), { at: 0 });
  sah.close();
};
Promise.all([bytes('../../build/kernel/kernel.wasm').then((b) => WebAssembly.compile(b)), bytes('../../build/bin/web9.img'), opfs()]).then(
  () => postMessage({}),
  (err) => postMessage({ error: String(err?.message ?? err) }),
);
