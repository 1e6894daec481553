// web/runtime/process.js against a tiny fake kernel: a worker_thread that answers channel frames
// with canned replies and reports every frame it saw. The guest side runs on this thread with a
// plain WebAssembly.Memory, blocking in Atomics.wait as a process worker does.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Worker, MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { makeImports, ExitError } from '../../web/runtime/process.js';
import { OP, CHANNEL_SIZE, CHANNEL_DATA } from '../../web/runtime/ops.js';

const EFAULT = 21;

const kernelSource = `
const { workerData } = require('node:worker_threads');
const { channel, doorbell, port, ops } = workerData;
const hdr = new Int32Array(channel, 0, 32);
const a = new BigInt64Array(channel, 32, 8);
const r = new BigInt64Array(channel, 96, 4);
const data = new Uint8Array(channel, 128);
const bell = new Int32Array(doorbell);
const name = Object.fromEntries(Object.entries(ops).map(([k, v]) => [v, k]));
const text = (s) => new TextEncoder().encode(s);
for (;;) {
  const seen = Atomics.load(bell, 0);
  if (Atomics.load(hdr, 0) !== 1) {
    Atomics.wait(bell, 0, seen);
    continue;
  }
  const op = name[hdr[1]];
  const inLen = hdr[2];
  const args = Array.from(a);
  port.postMessage({ op, inLen, pid: hdr[5], a: args, data: data.slice(0, inLen) });
  let out = null;
  let err = 0;
  r.fill(0n);
  switch (op) {
    case 'fd_write':
    case 'fd_pwrite':
      r[0] = BigInt(inLen);
      break;
    case 'fd_read':
      out = text('hello, world'.slice(0, Number(args[1])));
      r[0] = BigInt(out.length);
      break;
    case 'fd_pread': {
      const n = Number(args[1]);
      const off = Number(args[2]);
      out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = (off + i) & 255;
      r[0] = BigInt(n);
      break;
    }
    case 'poll_oneoff': {
      // Every descriptor is ready at once, but fd 99, which never is: that poll waits until the
      // process sets the frame's cancel word and rings, and answers no events.
      const n = Number(args[0]);
      const subs = new DataView(data.buffer, data.byteOffset, n * 16);
      const fds = Array.from({ length: n }, (_, i) => subs.getUint32(i * 16 + 8, true));
      if (fds.includes(99)) {
        for (;;) {
          const rung = Atomics.load(bell, 0);
          if (Atomics.load(hdr, 6) === 1) break;
          Atomics.wait(bell, 0, rung);
        }
        port.postMessage({ cancelled: true });
        break;
      }
      out = new Uint8Array(n * 16);
      const ev = new DataView(out.buffer);
      for (let i = 0; i < n; i++) {
        ev.setUint32(i * 16, i, true);
        ev.setUint16(i * 16 + 6, fds[i] === 5 ? 1 : 0, true);  // fd 5: hung up
        ev.setBigUint64(i * 16 + 8, 7n, true);
      }
      r[0] = BigInt(n);
      break;
    }
    case 'path_open':
      r[0] = 9n;
      break;
    case 'fd_close':
      err = 8;
      break;
    case 'wait':
      out = text('oops'.slice(0, Number(args[0])));
      r[0] = 5n;
      break;
    case 'pipe':
      r[0] = 4n;
      r[1] = 5n;
      break;
    case 'getcwd':
      if (Number(args[0]) < 4) err = 68; // ERANGE
      else out = text('/tmp');
      r[0] = 4n;
      break;
  }
  if (out) data.set(out);
  hdr[4] = out ? out.length : 0;
  hdr[3] = err;
  Atomics.store(hdr, 0, 2);
  Atomics.notify(hdr, 0);
}
`;

const channel = new SharedArrayBuffer(CHANNEL_SIZE);
const doorbell = new Int32Array(new SharedArrayBuffer(4));
const { port1, port2 } = new MessageChannel();
const kernel = new Worker(kernelSource, {
  eval: true,
  workerData: { channel, doorbell: doorbell.buffer, port: port2, ops: { ...OP } },
  transferList: [port2],
});
after(() => kernel.terminate());

const memory = new WebAssembly.Memory({ initial: 64 });  // 4 MiB
const { imports } = makeImports({
  channel,
  doorbell,
  pid: 7,
  argv: ['prog', 'ärg'],
  env: ['HOME=/usr/glenda'],
  getMemory: () => memory,
});
const wasi = imports.wasi_snapshot_preview1;
const web9 = imports.web9;
const mem = () => new Uint8Array(memory.buffer);
const dv = () => new DataView(memory.buffer);

// The frames the fake kernel has seen since the last drain.
function frames() {
  const out = [];
  for (let m; (m = receiveMessageOnPort(port1)); ) out.push(m.message);
  return out;
}
function iovs(at, list) {
  list.forEach(([buf, len], i) => {
    dv().setUint32(at + i * 8, buf, true);
    dv().setUint32(at + i * 8 + 4, len, true);
  });
}

test('bad pointers answer EFAULT without a system call', () => {
  frames();
  const size = memory.buffer.byteLength;
  assert.equal(wasi.fd_write(1, size - 4, 1, 16), EFAULT);  // iovec array past the end
  iovs(0, [[size - 2, 10]]);
  assert.equal(wasi.fd_write(1, 0, 1, 16), EFAULT);  // iovec buffer past the end
  iovs(0, [[100, 10]]);
  assert.equal(wasi.fd_read(0, 0, 1, size), EFAULT);  // nread past the end
  assert.equal(wasi.fd_read(0, 0, 1, -4), EFAULT);  // a "negative" pointer is a huge one
  assert.equal(wasi.path_open(3, 0, size - 1, 5, 0, 0n, 0n, 0, 16), EFAULT);
  assert.equal(wasi.fd_seek(3, 0n, 0, size - 7), EFAULT);
  assert.equal(wasi.poll_oneoff(0, size - 8, 1, 16), EFAULT);
  assert.equal(web9.spawn(0, 4, 0, 0, 0, 0, size, 1, 0, 16), EFAULT);
  assert.equal(web9.getcwd(size - 1, 2, 16), EFAULT);
  assert.deepEqual(frames(), []);
});

test('writes gather iovecs into one frame; reads scatter the reply', () => {
  frames();
  mem().set(new TextEncoder().encode('ab'), 1000);
  mem().set(new TextEncoder().encode('cde'), 2000);
  iovs(0, [[1000, 2], [1500, 0], [2000, 3]]);
  assert.equal(wasi.fd_write(1, 0, 3, 64), 0);
  assert.equal(dv().getUint32(64, true), 5);
  let seen = frames();
  assert.equal(seen.length, 1);
  assert.equal(seen[0].op, 'fd_write');
  assert.equal(seen[0].pid, 7);
  assert.equal(seen[0].a[0], 1n);
  assert.equal(Buffer.from(seen[0].data).toString(), 'abcde');

  iovs(0, [[3000, 4], [4000, 100]]);
  assert.equal(wasi.fd_read(0, 0, 2, 64), 0);
  assert.equal(dv().getUint32(64, true), 12);
  assert.equal(Buffer.from(mem().subarray(3000, 3004)).toString(), 'hell');
  assert.equal(Buffer.from(mem().subarray(4000, 4008)).toString(), 'o, world');
  seen = frames();
  assert.equal(seen.length, 1);
  assert.equal(seen[0].a[1], 104n);

  // Kernel errors come back as they are.
  assert.equal(wasi.fd_close(5), 8);
});

test('large writes and positional reads are split into channel-sized chunks', () => {
  frames();
  const big = Math.floor(2.5 * CHANNEL_DATA);
  const src = 65536;
  for (let i = 0; i < big; i++) mem()[src + i] = (i * 7) & 255;
  iovs(0, [[src, 1000], [src + 1000, big - 1000]]);
  assert.equal(wasi.fd_write(1, 0, 2, 64), 0);
  assert.equal(dv().getUint32(64, true), big);
  const w = frames();
  assert.deepEqual(w.map((f) => f.inLen), [CHANNEL_DATA, CHANNEL_DATA, big - 2 * CHANNEL_DATA]);
  const joined = Buffer.concat(w.map((f) => Buffer.from(f.data)));
  assert.ok(joined.equals(Buffer.from(mem().subarray(src, src + big))));

  mem().fill(0, src, src + big);
  iovs(0, [[src, big]]);
  assert.equal(wasi.fd_pread(4, 0, 1, 10n, 64), 0);
  assert.equal(dv().getUint32(64, true), big);
  const r = frames();
  assert.deepEqual(r.map((f) => f.a[2]), [10n, 10n + BigInt(CHANNEL_DATA), 10n + 2n * BigInt(CHANNEL_DATA)]);
  for (const i of [0, 1, CHANNEL_DATA, big - 1]) assert.equal(mem()[src + i], (10 + i) & 255);

  // pwrite carries its offset forward per chunk too.
  iovs(0, [[src, CHANNEL_DATA + 1]]);
  assert.equal(wasi.fd_pwrite(4, 0, 1, 5n, 64), 0);
  assert.deepEqual(frames().map((f) => [f.a[1], f.inLen]), [[5n, CHANNEL_DATA], [5n + BigInt(CHANNEL_DATA), 1]]);
});

test('poll_oneoff with only clocks sleeps here; descriptors go to the kernel', () => {
  frames();
  const sub = 8192;
  const out = 9000;
  const v = dv();
  for (let i = 0; i < 96; i++) v.setUint8(sub + i, 0);
  v.setBigUint64(sub, 42n, true);
  v.setUint8(sub + 8, 0);  // clock
  v.setUint32(sub + 16, 1, true);  // monotonic
  v.setBigUint64(sub + 24, 60_000_000n, true);  // 60 ms
  v.setBigUint64(sub + 48, 43n, true);
  v.setUint8(sub + 56, 0);
  v.setUint32(sub + 64, 1, true);
  v.setBigUint64(sub + 72, 5_000_000_000n, true);  // 5 s: not due
  const start = performance.now();
  assert.equal(wasi.poll_oneoff(sub, out, 2, 64), 0);
  const took = performance.now() - start;
  assert.ok(took >= 59 && took < 2000, `slept ${took} ms`);
  assert.equal(dv().getUint32(64, true), 1);
  assert.equal(dv().getBigUint64(out, true), 42n);
  assert.equal(dv().getUint8(out + 10), 0);
  assert.deepEqual(frames(), []);

  // An fd_read subscription is answered by the kernel: nbytes and the hang-up flag come back.
  v.setUint8(sub + 8, 1);
  v.setUint32(sub + 16, 5, true);
  assert.equal(wasi.poll_oneoff(sub, out, 1, 64), 0);
  assert.equal(dv().getUint32(64, true), 1);
  assert.equal(dv().getBigUint64(out, true), 42n);
  assert.equal(dv().getUint8(out + 10), 1);
  assert.equal(dv().getBigUint64(out + 16, true), 7n);
  assert.equal(dv().getUint16(out + 24, true), 1);
  const f = frames();
  assert.equal(f.length, 1);
  assert.equal(f[0].op, 'poll_oneoff');
  assert.equal(f[0].inLen, 16);
  assert.equal(f[0].a[1], 0n);  // no clock: the kernel may wait as long as it takes
});

test('poll_oneoff with a descriptor and a clock: the clock ends the wait and the kernel is told', () => {
  frames();
  const sub = 8192;
  const out = 9000;
  const v = dv();
  for (let i = 0; i < 96; i++) v.setUint8(sub + i, 0);
  v.setBigUint64(sub, 1n, true);
  v.setUint8(sub + 8, 1);  // fd_read
  v.setUint32(sub + 16, 99, true);  // never ready in the fake kernel
  v.setBigUint64(sub + 48, 2n, true);
  v.setUint8(sub + 56, 0);  // clock
  v.setUint32(sub + 64, 1, true);
  v.setBigUint64(sub + 72, 80_000_000n, true);  // 80 ms
  const start = performance.now();
  assert.equal(wasi.poll_oneoff(sub, out, 2, 64), 0);
  const took = performance.now() - start;
  assert.ok(took >= 79 && took < 2000, `waited ${took} ms`);
  assert.equal(dv().getUint32(64, true), 1);
  assert.equal(dv().getBigUint64(out, true), 2n);
  assert.equal(dv().getUint8(out + 10), 0);
  const f = frames();
  assert.equal(f.length, 2);
  assert.equal(f[0].op, 'poll_oneoff');
  assert.equal(f[0].a[1], 0n);  // wait
  assert.deepEqual(f[1], { cancelled: true });
  // The cancel word is down again for the next call.
  assert.equal(new Int32Array(channel, 0, 8)[6], 0);

  // A zero timeout asks the kernel to answer at once.
  v.setBigUint64(sub + 72, 0n, true);
  v.setUint32(sub + 16, 4, true);
  assert.equal(wasi.poll_oneoff(sub, out, 2, 64), 0);
  assert.equal(frames()[0].a[1], 1n);

  // A descriptor that is ready comes back without waiting for the clock.
  v.setBigUint64(sub + 72, 5_000_000_000n, true);
  const again = performance.now();
  assert.equal(wasi.poll_oneoff(sub, out, 2, 64), 0);
  assert.ok(performance.now() - again < 2000);
  assert.equal(dv().getUint32(64, true), 1);
  assert.equal(dv().getBigUint64(out, true), 1n);
  assert.equal(dv().getUint8(out + 10), 1);
  assert.equal(frames().length, 1);
});

test('args, environ, clocks, random and the preopen are answered locally', () => {
  frames();
  const v = dv();
  assert.equal(wasi.args_sizes_get(0, 4), 0);
  assert.equal(v.getUint32(0, true), 2);
  const size = v.getUint32(4, true);
  assert.equal(size, Buffer.byteLength('prog\0ärg\0'));
  assert.equal(wasi.args_get(100, 200), 0);
  assert.equal(v.getUint32(100, true), 200);
  assert.equal(Buffer.from(mem().subarray(200, 200 + size)).toString(), 'prog\0ärg\0');
  assert.equal(wasi.environ_sizes_get(0, 4), 0);
  assert.equal(wasi.environ_get(100, 300), 0);
  assert.equal(Buffer.from(mem().subarray(300, 316)).toString(), 'HOME=/usr/glenda');
  assert.equal(wasi.clock_time_get(0, 0n, 400), 0);
  const t = Number(v.getBigUint64(400, true) / 1_000_000n);
  assert.ok(Math.abs(t - Date.now()) < 1000);
  assert.equal(wasi.clock_time_get(9, 0n, 400), 28);
  mem().fill(0, 1 << 20, (1 << 20) + 200000);
  assert.equal(wasi.random_get(1 << 20, 200000), 0);
  assert.ok(mem().subarray((1 << 20) + 150000, (1 << 20) + 200000).some((b) => b !== 0));
  assert.equal(wasi.sched_yield(), 0);
  assert.equal(web9.getpid(500), 0);
  assert.equal(v.getInt32(500, true), 7);
  // The preopen is a constant of the ABI (kernel/syscall.h kPreopenFd): fd 3 is "/".
  mem().fill(0xee, 600, 620);
  assert.equal(wasi.fd_prestat_get(3, 600), 0);
  assert.equal(v.getUint32(600, true), 0); // a directory
  assert.equal(v.getUint32(604, true), 1);
  assert.equal(wasi.fd_prestat_dir_name(3, 610, 1), 0);
  assert.equal(v.getUint8(610), 0x2f);
  assert.equal(v.getUint8(611), 0xee); // not NUL-terminated, as WASI has it
  assert.equal(wasi.fd_prestat_get(4, 600), 8); // EBADF: wasi-libc's loop over preopens ends
  assert.equal(wasi.fd_prestat_dir_name(0, 610, 1), 8);
  assert.equal(wasi.fd_prestat_dir_name(3, 610, 0), 37); // ENAMETOOLONG
  assert.deepEqual(frames(), []);
});

test('getcwd is answered locally from the start directory until the process calls chdir', () => {
  const started = makeImports({ channel, doorbell, pid: 7, cwd: '/usr/glenda', getMemory: () => memory }).imports.web9;
  frames();
  const v = dv();
  assert.equal(started.getcwd(700, 64, 780), 0);
  assert.equal(v.getUint32(780, true), 11);
  assert.equal(Buffer.from(mem().subarray(700, 711)).toString(), '/usr/glenda');
  assert.deepEqual(frames(), []);
  // A buffer too small: the kernel answers (ERANGE, and its errstr says why).
  assert.equal(started.getcwd(700, 3, 780), 68);
  assert.deepEqual(frames().map((f) => f.op), ['getcwd']);
  mem().set(Buffer.from('/tmp'), 800);
  assert.equal(started.chdir(800, 4), 0);
  started.getcwd(700, 64, 780); // the kernel's answer now
  assert.deepEqual(frames().map((f) => f.op), ['chdir', 'getcwd']);
});

test('web9 calls encode their strings and decode their results', () => {
  frames();
  const enc = (s, at) => mem().set(new TextEncoder().encode(s), at);
  enc('/bin/ls', 1000);
  enc('ls\0-l\0', 1100);
  const v = dv();
  v.setInt32(1200, 0, true);
  v.setInt32(1204, 4, true);
  assert.equal(web9.spawn(1000, 7, 1100, 6, 0, 0, 1200, 1, 3, 1300), 0);
  let f = frames()[0];
  assert.equal(f.op, 'spawn');
  assert.deepEqual(f.a.slice(0, 5), [7n, 6n, 0n, 1n, 3n]);
  assert.equal(Buffer.from(f.data).toString('latin1'), '/bin/ls' + 'ls\0-l\0' + '\0\0\0\0\x04\0\0\0');

  assert.equal(web9.wait(1400, 1500, 2, 1404), 0);
  assert.equal(v.getInt32(1400, true), 5);
  assert.equal(v.getUint32(1404, true), 2);
  assert.equal(Buffer.from(mem().subarray(1500, 1502)).toString(), 'oo');
  assert.equal(frames()[0].a[0], 2n);

  assert.equal(web9.pipe(1600), 0);
  assert.deepEqual([v.getInt32(1600, true), v.getInt32(1604, true)], [4, 5]);
  enc('#c/dev', 1700);
  assert.equal(web9.bind(1700, 2, 1702, 4, 2), 0);
  f = frames();
  assert.deepEqual(f.map((x) => x.op), ['pipe', 'bind']);
  assert.deepEqual(f[1].a.slice(0, 3), [2n, 4n, 2n]);
  assert.equal(web9.note(-3, 1700, 2), 0);
  assert.equal(frames()[0].a[0], -3n);

  enc('path', 1800);
  assert.equal(wasi.path_open(3, 1, 1800, 4, 9, 0x42n, 0n, 1, 1900), 0);
  assert.equal(v.getUint32(1900, true), 9);
  f = frames()[0];
  assert.deepEqual(f.a.slice(0, 5), [3n, 9n, 0x42n, 1n, 1n]);
  assert.equal(Buffer.from(f.data).toString(), 'path');
});

test('proc_exit and exits throw ExitError after the kernel has the status', () => {
  frames();
  assert.throws(() => wasi.proc_exit(3), (e) => e instanceof ExitError && e.code === 3 && e.status === '3');
  let f = frames();
  assert.equal(f[0].op, 'proc_exit');
  assert.equal(f[0].a[0], 3n);
  mem().set(new TextEncoder().encode('bad'), 2000);
  assert.throws(() => web9.exits(2000, 3), (e) => e instanceof ExitError && e.status === 'bad' && e.code === 1);
  f = frames();
  assert.equal(f[0].op, 'exits');
  assert.equal(Buffer.from(f[0].data).toString(), 'bad');
  assert.throws(() => wasi.proc_exit(0), (e) => e.code === 0 && e.status === '');
});

test('every WASI preview1 import exists', () => {
  const names = ['args_get', 'args_sizes_get', 'environ_get', 'environ_sizes_get', 'clock_res_get',
    'clock_time_get', 'fd_advise', 'fd_allocate', 'fd_close', 'fd_datasync', 'fd_fdstat_get',
    'fd_fdstat_set_flags', 'fd_fdstat_set_rights', 'fd_filestat_get', 'fd_filestat_set_size',
    'fd_filestat_set_times', 'fd_pread', 'fd_prestat_get', 'fd_prestat_dir_name', 'fd_pwrite', 'fd_read',
    'fd_readdir', 'fd_renumber', 'fd_seek', 'fd_sync', 'fd_tell', 'fd_write', 'path_create_directory',
    'path_filestat_get', 'path_filestat_set_times', 'path_link', 'path_open', 'path_readlink',
    'path_remove_directory', 'path_rename', 'path_symlink', 'path_unlink_file', 'poll_oneoff', 'proc_exit',
    'proc_raise', 'sched_yield', 'random_get', 'sock_accept', 'sock_recv', 'sock_send', 'sock_shutdown'];
  for (const n of names) assert.equal(typeof wasi[n], 'function', n);
  const web9Names = ['spawn', 'wait', 'pipe', 'dup', 'bind', 'mount', 'unmount', 'chdir', 'getcwd', 'note',
    'notify', 'noted', 'getpid', 'fd2path', 'errstr', 'exits'];
  for (const n of web9Names) assert.equal(typeof web9[n], 'function', n);
});
