// User-level file servers end to end, headless: ramfs (apps/ramfs.cpp, over apps/lib/lib9p) serves
// 9P on a pipe from a worker of its own, and the kernel's mount driver (fs/mnt.cpp) mounts it.
// tools/web9 runs rc with the real kernel; see web9.test.mjs for the build dirs it takes.
//
//   node --test tests/runtime/mnt.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const web9 = path.join(root, 'tools/web9');
const buildRoot = path.resolve(root, process.env.WEB9_BUILD ?? 'build');
const kernelDir = path.resolve(process.env.WEB9_KERNEL_BUILD ?? path.join(buildRoot, 'emscripten'));
const binDir = path.resolve(process.env.WEB9_WASI_BUILD ?? path.join(buildRoot, 'wasi'));

const need = (...names) => {
  if (!fs.existsSync(path.join(kernelDir, 'kernel.mjs'))) return `no kernel build at ${kernelDir}`;
  const missing = names.filter((n) => !fs.existsSync(path.join(binDir, `${n}.wasm`)));
  return missing.length ? `not built in ${binDir}: ${missing.join(' ')}` : false;
};

function rc(script) {
  const r = spawnSync(web9, ['--kernel', kernelDir, '--bin', binDir, '--no-home', '-c', script], {
    encoding: 'utf8',
    timeout: 30000,
  });
  if (r.error) throw r.error;
  return r;
}

test('ramfs mounted from rc: create, write, read, list, remove, unmount', { skip: need('rc', 'ramfs', 'ls', 'cat', 'rm', 'mkdir', 'unmount', 'echo') }, () => {
  const r = rc(`mkdir /tmp/r
ramfs -m /tmp/r
echo hello >/tmp/r/a
cat /tmp/r/a
mkdir /tmp/r/d
echo deeper >/tmp/r/d/b
ls /tmp/r
cat /tmp/r/d/b
rm /tmp/r/d/b /tmp/r/a
ls /tmp/r
echo -- unmounted
unmount /tmp/r
ls /tmp/r
echo done`);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'hello\n/tmp/r/a\n/tmp/r/d\ndeeper\n/tmp/r/d\n-- unmounted\ndone\n');
  assert.equal(r.status, 0);
});

test('ramfs -s posts itself in /srv; mount mounts it, twice over one conversation', { skip: need('rc', 'ramfs', 'mount', 'cat', 'mkdir', 'echo', 'ls', 'ns', 'grep') }, () => {
  const r = rc(`ramfs -s mine
ls /srv/mine
mkdir /tmp/x /tmp/y
mount -c /srv/mine /tmp/x
mount -b /srv/mine /tmp/y
echo shared >/tmp/x/f
cat /tmp/y/f
ns | grep /tmp/
mount /srv/nothere /tmp/y
echo status $status`);
  // ns names a mount after the /srv file it was made from, as Plan 9's /proc/N/ns does.
  assert.equal(r.stdout, '/srv/mine\nshared\nmount -c /srv/mine /tmp/x\nmount -b /srv/mine /tmp/y\nstatus 1\n');
  assert.match(r.stderr, /^mount: \/srv\/nothere: .*file does not exist\n$/);
  assert.equal(r.status, 0);
});

test('a server that exits: its clients get an error, not a hang', { skip: need('rc', 'ramfs', 'kill', 'cat', 'mkdir', 'echo', 'sleep', 'ps', 'grep') }, () => {
  const r = rc(`mkdir /tmp/r
ramfs -s gone -m /tmp/r
echo before >/tmp/r/a
cat /tmp/r/a
kill ramfs
while(ps | grep -s ramfs) sleep 0.1
cat /tmp/r/a
echo status $status
echo again >/tmp/r/b`);
  assert.equal(r.stdout, 'before\nstatus 1\n');
  assert.match(r.stderr, /^cat: \/tmp\/r\/a: mount: server hung up\n/m);
  assert.match(r.stderr, /\/tmp\/r\/b.*mount: server hung up\n$/);
  assert.notEqual(r.status, 0); // rc gives up on the failed redirection
});

test('ramfs answers --help and refuses operands', { skip: need('rc', 'ramfs') }, () => {
  const h = rc('ramfs --help');
  assert.match(h.stdout, /^usage: ramfs \[-i\] \[-s srvname\] \[-m mountpoint\]/);
  const bad = rc('ramfs extra');
  assert.match(bad.stderr, /usage: ramfs/);
  assert.notEqual(bad.status, 0);
});
