// The messages the page and the kernel worker exchange with postMessage (see docs/runtime.md).
// Imported by both sides, so the shape of each message is written down once. The headless host
// (tools/web9.mjs) speaks the same protocol to the same worker under Node.

// Where the page finds the kernel worker, relative to the page. It is started as a module worker.
export const kernelWorkerPath = 'kernel/worker.js';

// page → kernel worker
// Boots the kernel. kernel: URL of kernel.mjs (kernel.wasm beside it); image: URL of the boot image
// (tools/mkimage.mjs) or its bytes; argv: the first program, argv[0] a path ("/bin/rc");
// options: {env: {name: value}, stdinPipe: bool, stderrPipe: bool} (kernel/bindings.cpp, Web9::boot)
// and home: where the persistent home is (web/kernel/worker.js, openHome): in a browser the OPFS
// directory's name (default 'home'), under Node a host directory (no default); false keeps the
// home in memory.
export const boot = (kernel, image, argv, options = {}) => ({ type: 'boot', kernel, image, argv, options });
export const input = (data) => ({ type: 'input', data }); // data: Uint8Array, bytes typed or pasted
export const resize = (cols, rows) => ({ type: 'resize', cols, rows });
// With options.stdinPipe: bytes for the first program's standard input, and its end.
export const stdin = (data) => ({ type: 'stdin', data });
export const stdinEnd = () => ({ type: 'stdinEnd' });
// Closes the home directory's store (its metadata saved, its lock given up) before the host
// exits; the worker answers closed. The kernel does not run on after it.
export const shutdown = () => ({ type: 'shutdown' });
// Files dropped on the page, for $home/upload: files [{name, file: File}]. Answered by dropped.
export const drop = (files) => ({ type: 'drop', files });
// The files the user chose for upload (answering pick id): [{name, file: File}], [] if none.
export const picked = (id, files) => ({ type: 'picked', id, files });

// kernel worker → page
export const output = (data) => ({ type: 'output', data }); // data: Uint8Array for the terminal
export const errput = (data) => ({ type: 'errput', data }); // with options.stderrPipe: fd 2's bytes
export const progress = (text) => ({ type: 'progress', text }); // one short boot step
export const ready = (pid) => ({ type: 'ready', pid }); // boot finished; the first program is pid
export const exit = (status) => ({ type: 'exit', status }); // the first program ended ("" success)
export const fatal = (message) => ({ type: 'fatal', message }); // the kernel cannot go on
// One line the user should read but that is not the program's output (e.g. the home is
// read-only): the page writes it on the terminal, tools/web9 on standard error.
export const notice = (text) => ({ type: 'notice', text });
// Files in and out (web/kernel/xfer.js, docs/opfs.md "Files in and out"): a download streams to
// the page, which saves it as name: downloadStart, its bytes in downloadData pieces (Uint8Array),
// then downloadEnd (ok false: abandoned, nothing is saved); pick asks the page to let the user
// choose files to upload (answered by picked); dropped says which names a drop wrote into
// $home/upload, or error.
export const downloadStart = (id, name) => ({ type: 'downloadStart', id, name });
export const downloadData = (id, data) => ({ type: 'downloadData', id, data });
export const downloadEnd = (id, ok) => ({ type: 'downloadEnd', id, ok });
export const pick = (id) => ({ type: 'pick', id });
export const dropped = (names, error) => ({ type: 'dropped', names, error });
// How far a big dropped file has been copied into the home: at of size bytes.
export const dropProgress = (name, at, size) => ({ type: 'dropProgress', name, at, size });
export const closed = (error) => ({ type: 'closed', error }); // after shutdown; error: text or null

// Posts a message that carries bytes, handing the bytes' buffer over instead of copying it.
// Bytes that are a view on part of a larger or shared buffer are copied first.
export function postBytes(target, message) {
  let { data } = message;
  const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
  if (!whole || !(data.buffer instanceof ArrayBuffer)) data = data.slice();
  target.postMessage({ ...message, data }, [data.buffer]);
}
