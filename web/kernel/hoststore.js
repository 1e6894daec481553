// The user's persistent home in a directory of the host, for tools/web9 under Node: the same API
// as OpfsStore (web/kernel/opfs.js), so the kernel's StoreFs (through JsStore) cannot tell them
// apart, but the tree is a real one: every file and directory of the home is a file or directory
// of the host at the same path, so the user can read and edit it from the host too.
//
// What the host cannot keep (Plan 9 mode bits, stable qid paths, versions) lives in
// <dir>/.web9meta.json: [id, parent, name, mode, version] per entry, written whole through a
// temporary file and a rename (atomic). The host tree is the truth: on open, entries the host has
// and the metadata lacks (made on the host, or by a run killed before the metadata was saved)
// get new qid paths and default modes, and metadata entries the host lacks are dropped. Lengths
// and mtimes are always the host's. <dir>/.web9lock holds the pid of the process that owns the
// home; a second store on the same directory (in this process or another live one) is read-only,
// as a second tab is with OpfsStore.
//
// Every call but open, openFile, setLength, check, settled and close is synchronous (node:fs's
// sync calls), and so is openFileSync: a file's descriptor opens at once. Errors are OpfsError
// {errno, message}, thrown or rejected.

import fs from 'node:fs';
import path from 'node:path';
import { OpfsError, DMDIR, ROOT, fail, checkName, splitPath, resolveNode } from './opfs.js';

export { OpfsError, DMDIR };

const META = '.web9meta.json';
const LOCK = '.web9lock';
const RESERVED = new Set([META, `${META}.tmp`, LOCK]); // hidden names in the home's top directory
const KNOWN = new Set(['ENOENT', 'EEXIST', 'ENOTEMPTY', 'ENOTDIR', 'EISDIR', 'EINVAL', 'EROFS', 'ENOSPC', 'EBUSY', 'EBADF', 'EIO', 'EPERM', 'ENAMETOOLONG']);
const held = new Set(); // home directories this process owns: a second store on one is read-only
const owning = new Set(); // stores that save their metadata if the process exits without close
let exitHook = false;


// Turns a node:fs error into an OpfsError, once, here.
export function toHostError(err, what) {
  if (err instanceof OpfsError) return err;
  const code = err?.code ?? '';
  if (code === 'ENOSPC' || code === 'EDQUOT')
    return new OpfsError('ENOSPC', `the host's disk (or this user's quota there) is full (${what}); nothing of this write was kept, earlier data is intact`);
  if (code === 'EACCES') return new OpfsError('EPERM', `${what}: the host refuses: ${err.message}`);
  return new OpfsError(KNOWN.has(code) ? code : 'EIO', `${what}: ${err?.message ?? err}`);
}

function host(what, fn) {
  try {
    return fn();
  } catch (err) {
    throw toHostError(err, what);
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM'; // it exists, it is someone else's
  }
}

export class HostStore {
  // Opens (creating if need be) the home in the host directory dir. Options: autoSyncMs (save
  // the metadata this long after a change; 0 saves it at once), durable (fsync the metadata and
  // written files on every change), clock (milliseconds, for tests).
  static async open(dir, options = {}) {
    const store = new HostStore(dir, options);
    store.#open();
    return store;
  }

  readOnly = false;
  owner = null; // why the store is read-only, or null
  lockName;

  #opts;
  #dir;
  #nodes = new Map(); // id -> {id, parent, name, mode, version, children?: Map name -> id}
  #next = ROOT + 1;
  #files = new Set(); // open HostFiles
  #metaDirty = false;
  #syncTimer = null;
  #closed = false;

  constructor(dir, options) {
    this.#dir = path.resolve(dir);
    this.#opts = { autoSyncMs: 1000, durable: false, ...options };
    this.lockName = path.join(this.#dir, LOCK);
  }

  #open() {
    host(`cannot open the home directory "${this.#dir}"`, () => fs.mkdirSync(this.#dir, { recursive: true }));
    this.#lock();
    try {
      this.#load();
    } catch (err) {
      this.#unlock();
      throw toHostError(err, `cannot open the home directory "${this.#dir}"`);
    }
    if (!this.readOnly) {
      this.#saveMeta();
      owning.add(this);
      if (!exitHook) {
        exitHook = true;
        process.on('exit', () => {
          for (const s of owning) s._saveAtExit();
        });
      }
    }
  }

  #lock() {
    const lock = this.lockName;
    if (held.has(this.#dir)) return this.#readOnly('another store in this process');
    for (let tries = 0; tries < 2; tries++) {
      try {
        fs.writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
        held.add(this.#dir);
        return;
      } catch (err) {
        if (err.code !== 'EEXIST') {
          if (err.code === 'EROFS' || err.code === 'EACCES') return this.#readOnly(`the host does not let this process write (${err.code})`);
          throw toHostError(err, `cannot lock the home directory "${this.#dir}"`);
        }
      }
      const pid = Number(fs.readFileSync(lock, 'utf8').trim());
      if (pid > 0 && pid !== process.pid && alive(pid)) return this.#readOnly(`process ${pid}`);
      fs.rmSync(lock, { force: true }); // left by a process that died: take it over
    }
    this.#readOnly('another process that keeps taking the lock');
  }

  #readOnly(who) {
    this.readOnly = true;
    this.owner = `${who} owns the home directory ${this.#dir}; this one sees it read-only (stop the other and start again to write)`;
  }

  #unlock() {
    if (this.readOnly || !held.has(this.#dir)) return;
    held.delete(this.#dir);
    fs.rmSync(this.lockName, { force: true });
  }

  // ---- loading ----

  #load() {
    let meta = null;
    try {
      meta = JSON.parse(fs.readFileSync(path.join(this.#dir, META), 'utf8'));
    } catch {
      // No metadata (a new home, or one made on the host): everything gets fresh ids.
    }
    const old = new Map(); // id -> [id, parent, name, mode, version]
    const kids = new Map(); // parent id -> Map name -> entry
    if (meta && Array.isArray(meta.nodes)) {
      this.#next = Math.max(this.#next, Number(meta.next) || 0);
      for (const e of meta.nodes) {
        old.set(e[0], e);
        if (!kids.has(e[1])) kids.set(e[1], new Map());
        kids.get(e[1]).set(e[2], e);
      }
    }
    const rootMeta = old.get(ROOT);
    this.#nodes.set(ROOT, { id: ROOT, parent: ROOT, name: '/', mode: (rootMeta?.[3] ?? (DMDIR | 0o777)) >>> 0, version: rootMeta?.[4] ?? 0, children: new Map() });
    for (const e of old.values()) if (e[0] >= this.#next) this.#next = e[0] + 1;
    const walk = (dirNode, real) => {
      const known = kids.get(dirNode.id) ?? new Map();
      const onDisk = fs.readdirSync(real, { withFileTypes: true });
      const byName = new Map(onDisk.map((d) => [d.name, d]));
      // Known entries first, in their recorded order; then what the host has that we did not know.
      const names = [...known.keys()].filter((n) => byName.has(n));
      for (const d of onDisk) if (!known.has(d.name)) names.push(d.name);
      for (const name of names) {
        if (dirNode.id === ROOT && RESERVED.has(name)) continue;
        const d = byName.get(name);
        const isDir = d.isDirectory();
        if (!isDir && !d.isFile()) continue; // sockets, links, devices: not part of the home
        const e = known.get(name);
        let node;
        if (e && !!(e[3] & DMDIR) === isDir) node = { id: e[0], parent: dirNode.id, name, mode: e[3] >>> 0, version: e[4] ?? 0 };
        else node = { id: this.#next++, parent: dirNode.id, name, mode: (isDir ? DMDIR | 0o775 : 0o664) >>> 0, version: 0 };
        if (isDir) node.children = new Map();
        this.#nodes.set(node.id, node);
        dirNode.children.set(name, node.id);
        if (isDir) walk(node, path.join(real, name));
      }
    };
    walk(this.#nodes.get(ROOT), this.#dir);
    this.#metaDirty = true;
  }

  // Writes the metadata whole, through a temporary file and a rename.
  #saveMeta() {
    if (this.readOnly || !this.#metaDirty) return;
    const nodes = [];
    const walk = (id) => {
      const n = this.#nodes.get(id);
      nodes.push([n.id, n.parent, n.name, n.mode, n.version]);
      if (n.children) for (const c of n.children.values()) walk(c);
    };
    walk(ROOT);
    const file = path.join(this.#dir, META);
    host('saving the home directory\'s metadata', () => {
      const fd = fs.openSync(`${file}.tmp`, 'w');
      try {
        fs.writeFileSync(fd, JSON.stringify({ next: this.#next, nodes }));
        if (this.#opts.durable) fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(`${file}.tmp`, file);
    });
    this.#metaDirty = false;
  }

  #changed() {
    this.#metaDirty = true;
    if (this.#opts.autoSyncMs <= 0 || this.#opts.durable) return this.#saveMeta();
    if (!this.#syncTimer && !this.#closed) {
      this.#syncTimer = setTimeout(() => {
        this.#syncTimer = null;
        try {
          this.#saveMeta();
        } catch {
          // The next sync reports it.
        }
      }, this.#opts.autoSyncMs);
      this.#syncTimer.unref?.();
    }
  }

  #writable() {
    if (this.readOnly) fail('EROFS', this.owner);
    if (this.#closed) fail('EBADF', 'the store is closed');
  }

  // ---- metadata ----

  #now() {
    return Math.floor((this.#opts.clock?.() ?? Date.now()) / 1000);
  }

  #resolve(p) {
    return resolveNode(this.#nodes, p);
  }

  // The host path of a node.
  #real(n) {
    const names = [];
    for (; n.id !== ROOT; n = this.#nodes.get(n.parent)) names.push(n.name);
    return path.join(this.#dir, ...names.reverse());
  }

  #parentOf(p) {
    if (typeof p !== 'string') fail('EINVAL', 'create needs a path');
    const names = splitPath(p);
    if (names.length === 0) fail('EEXIST', 'the root exists');
    const name = names.pop();
    checkName(name);
    const dir = this.#resolve(names.join('/'));
    if (!dir.children) fail('ENOTDIR', `${names.join('/')}: not a directory`);
    if (dir.id === ROOT && RESERVED.has(name)) fail('EINVAL', `"${name}" is the store's own file`);
    return { dir, name };
  }

  #stat(n, st = null) {
    st ??= host(`stat ${n.name}`, () => fs.statSync(this.#real(n)));
    return {
      qidPath: n.id,
      version: n.version,
      isDir: !!n.children,
      length: n.children ? 0 : st.size,
      mode: n.mode,
      mtime: Math.floor(st.mtimeMs / 1000),
      name: n.name,
    };
  }

  stat(p) {
    return this.#stat(this.#resolve(p));
  }

  // The entries of a directory, in the order they were made (renamed ones last).
  list(p) {
    const dir = this.#resolve(p);
    if (!dir.children) fail('ENOTDIR', `${p}: not a directory`);
    return [...dir.children.values()].map((id) => this.#stat(this.#nodes.get(id)));
  }

  create(p, isDir = false, mode = isDir ? 0o775 : 0o664) {
    this.#writable();
    const { dir, name } = this.#parentOf(p);
    if (dir.children.has(name)) fail('EEXIST', `${p}: file already exists`);
    const real = path.join(this.#real(dir), name);
    host(`create ${p}`, () => {
      if (isDir) fs.mkdirSync(real);
      else fs.closeSync(fs.openSync(real, 'wx'));
    });
    const n = { id: this.#next++, parent: dir.id, name, mode: ((mode & ~DMDIR) | (isDir ? DMDIR : 0)) >>> 0, version: 0 };
    if (isDir) n.children = new Map();
    this.#nodes.set(n.id, n);
    dir.children.set(name, n.id);
    dir.version++;
    this.#changed();
    return this.#stat(n);
  }

  rename(p, newName) {
    this.#writable();
    const n = this.#resolve(p);
    if (n.id === ROOT) fail('EPERM', 'cannot rename the root');
    checkName(newName);
    if (newName === n.name) return this.#stat(n);
    const dir = this.#nodes.get(n.parent);
    if (dir.children.has(newName)) fail('EEXIST', `${newName}: file already exists`);
    if (dir.id === ROOT && RESERVED.has(newName)) fail('EINVAL', `"${newName}" is the store's own file`);
    const from = this.#real(n);
    const to = path.join(path.dirname(from), newName);
    // renameSync would replace a host file that appeared behind our back; refuse instead.
    if (fs.existsSync(to)) fail('EEXIST', `${newName}: file already exists on the host`);
    host(`rename ${n.name} to ${newName}`, () => fs.renameSync(from, to));
    dir.children.delete(n.name);
    dir.children.set(newName, n.id);
    dir.version++;
    n.name = newName;
    n.version++;
    this.#changed();
    return this.#stat(n);
  }

  setMode(p, mode) {
    this.#writable();
    const n = this.#resolve(p);
    if (((mode >>> 0) ^ n.mode) & DMDIR) fail('EINVAL', 'cannot change the directory bit');
    n.mode = mode >>> 0;
    n.version++;
    this.#changed();
    return this.#stat(n);
  }

  setMtime(p, mtime) {
    this.#writable();
    const n = this.#resolve(p);
    host(`set the mtime of ${n.name}`, () => fs.utimesSync(this.#real(n), mtime >>> 0, mtime >>> 0));
    return this.#stat(n);
  }

  // Removes a file or an empty directory. Descriptors already open keep the contents (POSIX
  // unlink), so removed files stay readable and writable through open handles, as on Plan 9.
  remove(p) {
    this.#writable();
    const n = this.#resolve(p);
    if (n.id === ROOT) fail('EPERM', 'cannot remove the root');
    if (n.children && n.children.size > 0) fail('ENOTEMPTY', `${p}: directory not empty`);
    const real = this.#real(n);
    host(`remove ${n.name}`, () => (n.children ? fs.rmdirSync(real) : fs.unlinkSync(real)));
    const dir = this.#nodes.get(n.parent);
    dir.children.delete(n.name);
    dir.version++;
    this.#nodes.delete(n.id);
    this.#changed();
    return Promise.resolve();
  }

  async settled() {}

  // Saves the metadata and makes written files durable.
  sync() {
    if (this.readOnly) return;
    for (const f of this.#files) f._fsync();
    this.#saveMeta();
  }

  // ---- file contents ----

  openFileSync(p) {
    const n = this.#resolve(p);
    if (n.children) fail('EISDIR', `${p}: is a directory`);
    const fd = host(`open ${n.name}`, () => fs.openSync(this.#real(n), this.readOnly ? 'r' : 'r+'));
    const f = new HostFile(this, n, fd, this.#opts.durable);
    this.#files.add(f);
    return f;
  }

  async openFile(p) {
    return this.openFileSync(p);
  }

  async setLength(p, length) {
    const f = this.openFileSync(p);
    try {
      f.truncate(length);
      f.flush();
    } finally {
      f.close();
    }
    return this.stat(p);
  }

  _saveAtExit() {
    try {
      this.#saveMeta();
    } catch {
      // Nothing to tell at exit; the next open rebuilds what is missing from the host tree.
    }
  }

  _beforeWrite() {
    this.#writable();
  }

  _afterWrite(node) {
    node.version++;
    this.#changed();
  }

  _closed(f) {
    this.#files.delete(f);
  }

  // ---- checking and closing ----

  // The tree in memory against the host's: answers a list of problems (empty when all is well).
  async check() {
    const problems = [];
    const walk = (n, real) => {
      let st;
      try {
        st = fs.statSync(real);
      } catch {
        return problems.push(`${real}: entry ${n.id} is missing on the host`);
      }
      if (st.isDirectory() !== !!n.children) problems.push(`${real}: the host's type differs from entry ${n.id}'s`);
      if (!n.children || !st.isDirectory()) return;
      for (const [name, c] of n.children) {
        const child = this.#nodes.get(c);
        if (!child) problems.push(`${real}/${name}: entry ${c} is missing`);
        else if (child.parent !== n.id || child.name !== name) problems.push(`${real}/${name}: parent link is wrong`);
        else walk(child, path.join(real, name));
      }
      for (const name of fs.readdirSync(real)) {
        if (n.id === ROOT && RESERVED.has(name)) continue;
        if (!n.children.has(name)) problems.push(`${path.join(real, name)}: on the host but not in the tree`);
      }
    };
    walk(this.#nodes.get(ROOT), this.#dir);
    for (const id of this.#nodes.keys()) if (id >= this.#next) problems.push(`entry ${id} is past the next qid path ${this.#next}`);
    return problems;
  }

  async close() {
    if (this.#closed) return;
    clearTimeout(this.#syncTimer);
    let err = null;
    try {
      this.sync();
    } catch (e) {
      err = e;
    }
    this.#closed = true;
    for (const f of [...this.#files]) f.close();
    owning.delete(this);
    this.#unlock();
    if (err) throw err;
  }
}

// An open file: a host file descriptor.
export class HostFile {
  #store;
  #node;
  #fd;
  #open = true;
  #dirty = false;
  #durable;

  constructor(store, node, fd, durable) {
    this.#store = store;
    this.#node = node;
    this.#fd = fd;
    this.#durable = durable;
  }

  get qidPath() {
    return this.#node.id;
  }

  #check() {
    if (!this.#open) fail('EBADF', 'file handle is closed');
    return this.#fd;
  }

  readInto(offset, dest) {
    const fd = this.#check();
    return host('read', () => fs.readSync(fd, dest, 0, dest.length, offset));
  }

  read(offset, len) {
    const buf = new Uint8Array(Math.max(0, Math.min(len, this.size() - offset)));
    return buf.subarray(0, buf.length ? this.readInto(offset, buf) : 0);
  }

  // Writes all of bytes at offset or nothing (ENOSPC when the disk is full); answers the count.
  write(offset, bytes) {
    const fd = this.#check();
    this.#store._beforeWrite();
    const before = this.size();
    let done = 0;
    try {
      while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done, offset + done);
    } catch (err) {
      // Give back what a part of the write took, so the file keeps its old length.
      try {
        if (this.size() > before) fs.ftruncateSync(fd, before);
      } catch {}
      throw toHostError(err, `write of ${bytes.length} bytes at ${offset}`);
    }
    this.#wrote();
    return done;
  }

  truncate(length) {
    const fd = this.#check();
    this.#store._beforeWrite();
    host(`truncate to ${length}`, () => fs.ftruncateSync(fd, length));
    this.#wrote();
  }

  #wrote() {
    this.#dirty = true;
    this.#store._afterWrite(this.#node);
    if (this.#durable) this._fsync();
  }

  _fsync() {
    if (!this.#open || !this.#dirty) return;
    host('flush', () => fs.fsyncSync(this.#fd));
    this.#dirty = false;
  }

  flush() {
    this.#check();
    this._fsync();
  }

  size() {
    const fd = this.#check();
    return host('size', () => fs.fstatSync(fd).size);
  }

  close() {
    if (!this.#open) return;
    this.#open = false;
    this.#store._closed(this);
    try {
      fs.closeSync(this.#fd);
    } catch {}
  }
}
