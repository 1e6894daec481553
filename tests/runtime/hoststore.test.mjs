// HostStore (web/kernel/hoststore.js): OpfsStore's API over a host directory, for tools/web9.
// The same checks the OPFS tests make (qids, renames, removes, contents, persistence, a second
// owner read-only, errno names), plus what only a host tree has: it is a real tree on the host.

import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { HostStore, OpfsError, DMDIR } from '../../web/kernel/hoststore.js';

let dir;
const open = [];

async function openStore(opts = {}) {
  const s = await HostStore.open(dir, { autoSyncMs: 0, ...opts });
  open.push(s);
  return s;
}

function errno(fn) {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof OpfsError, `not an OpfsError: ${err}`);
    return err.errno;
  }
  assert.fail('did not throw');
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'web9-home-'));
});

afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('create, stat and list: modes, qid paths, lengths, and a real tree on the host', async () => {
  const s = await openStore();
  const root = s.stat('/');
  assert.equal(root.isDir, true);
  assert.equal(root.qidPath, 0);
  const d = s.create('/lib', true, 0o750);
  assert.equal(d.isDir, true);
  assert.equal(d.mode >>> 0, (DMDIR | 0o750) >>> 0);
  const f = s.create('/lib/profile', false, 0o640);
  assert.equal(f.isDir, false);
  assert.equal(f.mode, 0o640);
  assert.equal(f.length, 0);
  assert.notEqual(f.qidPath, d.qidPath);
  assert.deepEqual(s.stat(f.qidPath), s.stat('/lib/profile'));
  assert.deepEqual(s.list('/lib').map((e) => e.name), ['profile']);
  assert.deepEqual(s.list('/').map((e) => e.name), ['lib']); // the store's own files are hidden
  assert.ok(fs.statSync(path.join(dir, 'lib')).isDirectory());
  assert.ok(fs.statSync(path.join(dir, 'lib/profile')).isFile());
  assert.equal(errno(() => s.create('/lib/profile')), 'EEXIST');
  assert.equal(errno(() => s.create('/nope/x')), 'ENOENT');
  assert.equal(errno(() => s.create('/lib/profile/x')), 'ENOTDIR');
  assert.equal(errno(() => s.create('/a/..')), 'EINVAL');
  assert.equal(errno(() => s.create(`/${'x'.repeat(256)}`)), 'ENAMETOOLONG');
  assert.equal(errno(() => s.create('/.web9meta.json')), 'EINVAL');
  assert.equal(errno(() => s.stat(12345)), 'ENOENT');
  assert.deepEqual(await s.check(), []);
});

test('files: writes at offsets, reads, truncates; versions and lengths follow', async () => {
  const s = await openStore();
  const { qidPath } = s.create('/a');
  const f = await s.openFile(qidPath);
  assert.equal(f.qidPath, qidPath);
  const v0 = s.stat(qidPath).version;
  assert.equal(f.write(0, new TextEncoder().encode('hello world')), 11);
  assert.notEqual(s.stat(qidPath).version, v0);
  f.write(6, new TextEncoder().encode('WORLD'));
  f.write(14, new Uint8Array([33]));
  assert.equal(f.size(), 15);
  assert.deepEqual([...f.read(0, 100)], [...new TextEncoder().encode('hello WORLD'), 0, 0, 0, 33]);
  const buf = new Uint8Array(5);
  assert.equal(f.readInto(6, buf), 5);
  assert.equal(new TextDecoder().decode(buf), 'WORLD');
  assert.equal(f.readInto(100, buf), 0);
  f.truncate(5);
  f.flush();
  assert.equal(s.stat('/a').length, 5);
  assert.equal(fs.readFileSync(path.join(dir, 'a'), 'utf8'), 'hello');
  f.close();
  assert.equal(errno(() => f.size()), 'EBADF');
  const st = await s.setLength('/a', 2);
  assert.equal(st.length, 2);
  assert.equal(errno(() => s.openFileSync('/')), 'EISDIR');
  assert.ok(s.openFileSync('/a'), 'a host file opens at once');
});

test('rename keeps a file\'s qid and contents; remove refuses non-empty directories', async () => {
  const s = await openStore();
  const d = s.create('/d', true);
  const f = s.create('/d/f');
  const h = s.openFileSync(f.qidPath);
  h.write(0, new TextEncoder().encode('inside'));
  const renamed = s.rename(d.qidPath, 'e');
  assert.equal(renamed.qidPath, d.qidPath);
  assert.equal(s.stat('/e/f').qidPath, f.qidPath);
  assert.equal(errno(() => s.stat('/d')), 'ENOENT');
  // The handle opened before the rename still reads and writes the same file.
  h.write(6, new TextEncoder().encode('!'));
  assert.equal(fs.readFileSync(path.join(dir, 'e/f'), 'utf8'), 'inside!');
  s.create('/g');
  assert.equal(errno(() => s.rename('/g', 'e')), 'EEXIST');
  assert.equal(errno(() => s.rename('/', 'x')), 'EPERM');
  assert.equal(errno(() => s.rename('/g', 'a/b')), 'EINVAL');
  assert.equal(errno(() => s.remove('/e')), 'ENOTEMPTY');
  assert.equal(errno(() => s.remove('/')), 'EPERM');
  await s.remove('/e/f');
  // Removed, still readable through the open handle, as on Plan 9.
  assert.equal(new TextDecoder().decode(h.read(0, 100)), 'inside!');
  h.close();
  await s.remove('/e');
  await s.settled();
  assert.deepEqual(s.list('/').map((e) => e.name), ['g']);
  assert.deepEqual(fs.readdirSync(dir).filter((n) => !n.startsWith('.web9')), ['g']);
  assert.deepEqual(await s.check(), []);
});

test('modes and mtimes: set, kept, and the directory bit never changes', async () => {
  const s = await openStore();
  s.create('/a');
  s.create('/d', true);
  assert.equal(s.setMode('/a', 0o600).mode, 0o600);
  assert.equal(errno(() => s.setMode('/a', DMDIR | 0o600)), 'EINVAL');
  assert.equal(errno(() => s.setMode('/d', 0o700)), 'EINVAL');
  assert.equal(s.setMode('/d', DMDIR | 0o700).mode >>> 0, (DMDIR | 0o700) >>> 0);
  assert.equal(s.setMtime('/a', 1234567890).mtime, 1234567890);
  assert.equal(Math.floor(fs.statSync(path.join(dir, 'a')).mtimeMs / 1000), 1234567890);
});

test('a home survives a reopen: names, contents, modes, mtimes and qid paths', async () => {
  const s = await openStore({ autoSyncMs: 60_000 }); // saved by close, not by the timer
  s.create('/lib', true, 0o750);
  const p = s.create('/lib/profile', false, 0o640);
  const f = s.openFileSync('/lib/profile');
  f.write(0, new Uint8Array(100000).fill(7));
  f.close();
  s.setMtime('/lib/profile', 1234567890);
  s.create('/lib/old', false, 0o600);
  s.rename('/lib/old', 'new');
  s.setMode('/lib/new', 0o644);
  const before = [s.stat('/lib'), s.stat('/lib/profile'), s.stat('/lib/new')];
  await s.close();
  open.length = 0;

  const t = await openStore();
  const after = [t.stat('/lib'), t.stat('/lib/profile'), t.stat('/lib/new')];
  for (let i = 0; i < 3; i++) {
    for (const k of ['qidPath', 'isDir', 'length', 'mode', 'name']) assert.equal(after[i][k], before[i][k], `${before[i].name}.${k}`);
  }
  assert.equal(after[1].mtime, 1234567890);
  assert.equal(after[1].qidPath, p.qidPath);
  // New qid paths are never old ones.
  const n = t.create('/x');
  assert.ok(n.qidPath > before[2].qidPath);
  assert.deepEqual(await t.check(), []);
});

test('files made on the host appear with fresh qid paths; ones removed there disappear', async () => {
  const s = await openStore();
  s.create('/kept');
  const gone = s.create('/gone');
  await s.close();
  open.length = 0;
  fs.rmSync(path.join(dir, 'gone'));
  fs.mkdirSync(path.join(dir, 'src'));
  fs.writeFileSync(path.join(dir, 'src/main.c'), 'int main;');
  const t = await openStore();
  assert.deepEqual(t.list('/').map((e) => e.name).sort(), ['kept', 'src']);
  const m = t.stat('/src/main.c');
  assert.equal(m.length, 9);
  assert.equal(m.mode, 0o664);
  assert.equal(t.stat('/src').mode >>> 0, (DMDIR | 0o775) >>> 0);
  assert.ok(m.qidPath > gone.qidPath, 'a qid path is never reused');
  assert.deepEqual(await t.check(), []);
});

test('a second store on the same home is read-only and says why; EROFS for every change', async () => {
  const s = await openStore();
  s.create('/a');
  const t = await openStore();
  assert.equal(s.readOnly, false);
  assert.equal(t.readOnly, true);
  assert.match(t.owner, /owns the home directory/);
  assert.equal(t.stat('/a').name, 'a');
  assert.equal(errno(() => t.create('/b')), 'EROFS');
  assert.equal(errno(() => t.rename('/a', 'b')), 'EROFS');
  assert.equal(errno(() => t.remove('/a')), 'EROFS');
  assert.equal(errno(() => t.setMode('/a', 0o600)), 'EROFS');
  const f = t.openFileSync('/a');
  assert.equal(errno(() => f.write(0, new Uint8Array(1))), 'EROFS');
  f.close();
  await t.close(); // does not give away the owner's lock
  const u = await openStore();
  assert.equal(u.readOnly, true);
});

test('a live process holding the lock makes the store read-only; a dead one\'s lock is taken over', async () => {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
  try {
    fs.writeFileSync(path.join(dir, '.web9lock'), `${child.pid}\n`);
    const s = await openStore();
    assert.equal(s.readOnly, true);
    assert.match(s.owner, new RegExp(`process ${child.pid}`));
    await s.close();
    open.length = 0;
  } finally {
    child.kill();
  }
  await new Promise((r) => child.on('exit', r));
  const t = await openStore();
  assert.equal(t.readOnly, false);
  assert.equal(fs.readFileSync(path.join(dir, '.web9lock'), 'utf8').trim(), String(process.pid));
  await t.close();
  open.length = 0;
  assert.equal(fs.existsSync(path.join(dir, '.web9lock')), false, 'close lets the lock go');
});
