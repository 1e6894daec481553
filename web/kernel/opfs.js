// The user's persistent home on the Origin Private File System, for the kernel worker: a tree of
// files and directories whose metadata (names, parents, modes, mtimes, qid paths) lives in a
// snapshot plus a write-ahead journal, and whose contents live in one OPFS file per file, named
// by its qid path. Renames and directory operations are journal records, so they are atomic
// and cheap (OPFS cannot move a directory). docs/opfs.md gives the layout and the argument for
// why a tab killed at any moment leaves a whole tree.
//
// Metadata calls (stat, list, create, rename, remove, setMode, setMtime) and reads and writes
// on an open handle are synchronous: everything they need is in memory or behind a sync access
// handle that is already open. Only opening (the store, a file's first handle) and waiting for
// background deletion are async.

export const DMDIR = 0x80000000;
export const ROOT = 0; // the root directory's qid path
const MAX_NAME = 255;
const JOURNAL_MAGIC = 0x314a3957; // "W9J1"
const SNAPSHOT_MAGIC = 0x31533957; // "W9S1"
const JOURNAL_HEADER = 8; // magic, generation
const SNAPSHOT_HEADER = 16; // magic, generation, payload length, crc32

// An error as the kernel wants it: a WASI errno name and a message for the user.
export class OpfsError extends Error {
  constructor(errno, message) {
    super(message);
    this.name = 'OpfsError';
    this.errno = errno;
  }
}

export function fail(errno, message) {
  throw new OpfsError(errno, message);
}

// Turns a DOMException from OPFS into an OpfsError, once, here.
export function toOpfsError(err, what) {
  if (err instanceof OpfsError) return err;
  const name = err?.name ?? '';
  const detail = `${what}: ${err?.message ?? err}`;
  switch (name) {
    case 'QuotaExceededError':
      return new OpfsError('ENOSPC', `the browser's storage quota for this site is used up (${what}); nothing of this write was kept, earlier data is intact`);
    case 'NotFoundError':
      return new OpfsError('ENOENT', detail);
    case 'NoModificationAllowedError':
      return new OpfsError('EBUSY', `${what}: the file is open in another tab or handle`);
    case 'TypeError':
      return new OpfsError('EINVAL', detail);
    default:
      return new OpfsError('EIO', detail);
  }
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes) {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function checkName(name) {
  if (typeof name !== 'string' || name === '' || name === '.' || name === '..') fail('EINVAL', `illegal file name "${name}"`);
  if (name.includes('/') || name.includes('\0')) fail('EINVAL', `bad character in file name "${name}"`);
  if (encoder.encode(name).length > MAX_NAME) fail('ENAMETOOLONG', `file name longer than ${MAX_NAME} bytes`);
}

export function splitPath(path) {
  return path.split('/').filter((s) => s !== '');
}

// A node of a store's tree (Map qid path → {children?: Map name → qid path}) from a path ("/a/b",
// "a/b", "" or "/" for the root) or a qid path (a number). Shared by OpfsStore and HostStore.
export function resolveNode(nodes, p) {
  if (typeof p === 'number') {
    const n = nodes.get(p);
    if (!n) fail('ENOENT', `no file with qid path ${p}`);
    return n;
  }
  let n = nodes.get(ROOT);
  for (const name of splitPath(p)) {
    if (!n.children) fail('ENOTDIR', `${p}: not a directory`);
    const id = n.children.get(name);
    if (id === undefined) fail('ENOENT', `${p}: file does not exist`);
    n = nodes.get(id);
  }
  return n;
}

// Reads a whole small file (a snapshot slot or the journal) through its sync access handle.
function readAll(sah) {
  const buf = new Uint8Array(sah.getSize());
  let at = 0;
  while (at < buf.length) {
    const n = sah.read(buf.subarray(at), { at });
    if (n <= 0) break;
    at += n;
  }
  return buf.subarray(0, at);
}

// Sync access handles in 'readwrite-unsafe' mode may be held by several contexts at once, which
// is what lets a read-only second tab read files the owning tab has open. Web Locks, not OPFS,
// keep there from being two writers. Browsers without the mode fall back to the exclusive one.
async function openSah(fileHandle) {
  try {
    return await fileHandle.createSyncAccessHandle({ mode: 'readwrite-unsafe' });
  } catch (err) {
    if (err?.name === 'TypeError') return fileHandle.createSyncAccessHandle();
    throw err;
  }
}

export class OpfsStore {
  // Opens (creating if need be) the store in the OPFS directory rootDirName. Takes the Web Lock
  // lockName if it is free; otherwise the store is read-only and `owner` says why.
  // Options: lockName ('web9-home'), maxHandles (64 idle sync access handles kept open),
  // autoSyncMs (flush written files and the journal this long after a change; 0 turns it off),
  // checkpointBytes (journal size that triggers a snapshot), durable (flush the journal after
  // every record, not only on file flushes, sync and the timer: see docs/opfs.md).
  static async open(rootDirName = 'home', options = {}) {
    const store = new OpfsStore(options);
    await store.#open(rootDirName);
    return store;
  }

  readOnly = false;
  owner = null; // why the store is read-only, or null
  lockName;

  #opts;
  #nodes = new Map(); // id -> node {id, parent, name, mode, mtime, version, length, children?}
  #next = 1; // the next qid path; never reused
  #gen = 0; // snapshot generation the journal belongs to
  #dir; // the store's OPFS directory
  #dataDir;
  #slots = []; // snapshot slot handles [meta.0, meta.1]
  #journal; // the journal's sync access handle
  #jend = 0; // where the next record goes
  #dirty = new Set(); // files written since their last flush (persisted through 'w' records)
  #cache = new Map(); // id -> {sah, refs, dirty}; Map order is least recently used first
  #opening = new Map(); // id -> promise of a cache entry being opened
  #doomed = new Set(); // removed files whose data waits for their last handle to close
  #pending = new Set(); // background deletions
  #toDelete = []; // data files waiting for #deleteQueued
  #deleting = null; // the running #deleteQueued
  #retries = new Map(); // id -> failed deletions of a data file held open elsewhere
  #releaseLock = () => {};
  #checkpointAt = 0; // journal size that triggers the next snapshot
  #journalDirty = false; // records written but not flushed
  #syncTimer = null;
  #closed = false;

  constructor(options) {
    this.#opts = {
      lockName: 'web9-home',
      maxHandles: 64,
      autoSyncMs: 1000,
      checkpointBytes: 1 << 20,
      durable: false,
      ...options,
    };
    this.lockName = this.#opts.lockName;
  }

  async #open(rootDirName) {
    // The lock and the handles are asked for together: each OPFS call is a round trip to the
    // browser's storage process, and a boot waits for this.
    const dir = navigator.storage.getDirectory().then((root) => root.getDirectoryHandle(rootDirName, { create: true }));
    dir.catch(() => {}); // reported below, once the lock is settled
    await this.#lock();
    try {
      this.#dir = await dir;
      const names = ['meta.0', 'meta.1', 'journal'];
      const opened = names.map((name) => this.#dir.getFileHandle(name, { create: true }).then(openSah));
      let data;
      try {
        [data, ...this.#slots] = await Promise.all([this.#dir.getDirectoryHandle('data', { create: true }), ...opened]);
      } catch (err) {
        // Whatever did open is closed by #closeHandles below.
        for (const p of opened) this.#slots.push(await p.catch(() => null));
        this.#slots = this.#slots.filter(Boolean);
        throw err;
      }
      this.#dataDir = data;
      this.#journal = this.#slots.pop();
      this.#load();
      if (!this.readOnly) {
        await this.#recover();
        // A fresh generation, so that replayed records need not be read again; a journal that
        // holds none (the store was closed cleanly) needs no snapshot written at every boot.
        if (this.#jend === JOURNAL_HEADER) this.#checkpointAt = this.#opts.checkpointBytes;
        else this.#checkpoint();
      }
    } catch (err) {
      this.#closeHandles();
      this.#releaseLock();
      throw toOpfsError(err, `cannot open the home directory "${rootDirName}"`);
    }
  }

  async #lock() {
    if (!globalThis.navigator?.locks) {
      this.owner = null; // no Web Locks: nothing can be shared, so nothing to guard against
      return;
    }
    let release;
    const held = new Promise((r) => (release = r));
    const got = await new Promise((resolve, reject) => {
      navigator.locks
        .request(this.#opts.lockName, { ifAvailable: true }, (lock) => {
          resolve(lock !== null);
          return lock ? held : undefined;
        })
        .catch(reject);
    });
    if (got) {
      this.#releaseLock = release;
    } else {
      this.readOnly = true;
      this.owner = `another tab of this site holds the lock "${this.#opts.lockName}" and owns the home directory; this tab sees it read-only (close the other tab and reload to write)`;
    }
  }

  // ---- loading and recovery ----

  #load() {
    let best = null;
    for (const sah of this.#slots) {
      const snap = this.#readSnapshot(sah);
      if (snap && (!best || snap.gen > best.gen)) best = snap;
    }
    this.#nodes.clear();
    this.#dirty.clear();
    if (best) {
      this.#gen = best.gen;
      this.#next = best.data.next;
      for (const [id, parent, name, mode, mtime, version, length] of best.data.nodes) {
        const node = { id, parent, name, mode: mode >>> 0, mtime, version, length };
        if (node.mode & DMDIR) node.children = new Map();
        this.#nodes.set(id, node);
        if (parent >= 0) this.#nodes.get(parent).children.set(name, id);
      }
      for (const id of best.data.dirty ?? []) this.#dirty.add(id);
    } else {
      this.#gen = 0;
      this.#next = ROOT + 1;
      this.#nodes.set(ROOT, { id: ROOT, parent: -1, name: '/', mode: (DMDIR | 0o777) >>> 0, mtime: this.#now(), version: 0, length: 0, children: new Map() });
    }
    this.#jend = this.#replay();
  }

  #readSnapshot(sah) {
    const buf = readAll(sah);
    if (buf.length < SNAPSHOT_HEADER) return null;
    const v = new DataView(buf.buffer, buf.byteOffset, buf.length);
    const [magic, gen, len, crc] = [0, 4, 8, 12].map((o) => v.getUint32(o, true));
    if (magic !== SNAPSHOT_MAGIC || SNAPSHOT_HEADER + len > buf.length) return null;
    const payload = buf.subarray(SNAPSHOT_HEADER, SNAPSHOT_HEADER + len);
    if (crc32(payload) !== crc) return null;
    return { gen, data: JSON.parse(decoder.decode(payload)) };
  }

  // Applies the journal's whole records after the snapshot and answers where they end. A torn
  // record (bad length or checksum) ends the journal: it is the write a crash cut short.
  #replay() {
    const buf = readAll(this.#journal);
    if (buf.length < JOURNAL_HEADER) return 0;
    const v = new DataView(buf.buffer, buf.byteOffset, buf.length);
    // A journal of another generation was already folded into the snapshot.
    if (v.getUint32(0, true) !== JOURNAL_MAGIC || v.getUint32(4, true) !== this.#gen) return 0;
    let at = JOURNAL_HEADER;
    while (at + 8 <= buf.length) {
      const len = v.getUint32(at, true);
      if (at + 8 + len > buf.length) break;
      const payload = buf.subarray(at + 8, at + 8 + len);
      if (crc32(payload) !== v.getUint32(at + 4, true)) break;
      this.#apply(JSON.parse(decoder.decode(payload)));
      at += 8 + len;
    }
    return at;
  }

  // After a crash: files written but not flushed take their length from OPFS, and data files
  // no entry names (a removal cut short, a file created by a write whose record never landed)
  // are deleted.
  async #recover() {
    for (const id of [...this.#dirty]) {
      const node = this.#nodes.get(id);
      if (!node) {
        this.#dirty.delete(id);
        continue;
      }
      const entry = await this.#entry(id);
      const length = entry.sah.getSize();
      entry.sah.flush();
      this.#log({ o: 't', i: id, t: this.#now(), v: node.version + 1, l: length });
      entry.dirty = false;
    }
    const orphans = [];
    for await (const name of this.#dataDir.keys()) {
      const id = Number(name);
      const node = this.#nodes.get(id);
      if (!node || node.mode & DMDIR || String(id) !== name) orphans.push(name);
    }
    for (const name of orphans) await this.#dataDir.removeEntry(name).catch(() => {});
  }

  // ---- the journal ----

  // The one place metadata changes: a record is applied the same way live and on replay.
  #apply(r) {
    const nodes = this.#nodes;
    const node = nodes.get(r.i);
    switch (r.o) {
      case 'c': {
        const n = { id: r.i, parent: r.p, name: r.n, mode: r.m >>> 0, mtime: r.t, version: 0, length: 0 };
        if (n.mode & DMDIR) n.children = new Map();
        nodes.set(n.id, n);
        this.#touchDir(nodes.get(r.p), r.t).children.set(r.n, n.id);
        if (n.id >= this.#next) this.#next = n.id + 1;
        break;
      }
      case 'r': {
        const dir = this.#touchDir(nodes.get(node.parent), r.t);
        dir.children.delete(node.name);
        nodes.delete(node.id);
        this.#dirty.delete(node.id);
        break;
      }
      case 'n': {
        const dir = this.#touchDir(nodes.get(node.parent), r.t);
        dir.children.delete(node.name);
        dir.children.set(r.n, node.id);
        node.name = r.n;
        node.version++;
        break;
      }
      case 'm':
        node.mode = r.m >>> 0;
        node.version++;
        break;
      case 't':
        node.mtime = r.t;
        if (r.v !== undefined) node.version = Math.max(node.version, r.v);
        if (r.l !== undefined) node.length = r.l;
        if (r.clean !== false) this.#dirty.delete(node.id);
        break;
      case 'w':
        this.#dirty.add(node.id);
        break;
      default:
        throw new OpfsError('EIO', `unknown journal record "${r.o}"`);
    }
  }

  #touchDir(dir, t) {
    dir.mtime = t;
    dir.version++;
    return dir;
  }

  // Appends a record (durably, unless the store was opened with durable: false) and applies it.
  // If the write fails the journal is cut back to where it was and nothing changes.
  #log(r) {
    if (this.readOnly) fail('EROFS', this.owner);
    const payload = encoder.encode(JSON.stringify(r));
    const rec = new Uint8Array(8 + payload.length);
    const v = new DataView(rec.buffer);
    v.setUint32(0, payload.length, true);
    v.setUint32(4, crc32(payload), true);
    rec.set(payload, 8);
    try {
      if (this.#jend < JOURNAL_HEADER) this.#writeJournalHeader();
      if (this.#journal.write(rec, { at: this.#jend }) !== rec.length) throw new OpfsError('EIO', 'short write to the journal');
      if (this.#opts.durable) this.#journal.flush();
    } catch (err) {
      try {
        this.#journal.truncate(this.#jend);
      } catch {
        // The torn tail fails its checksum on replay and is cut off then.
      }
      throw toOpfsError(err, 'journal write');
    }
    this.#jend += rec.length;
    this.#journalDirty = true;
    this.#apply(r);
    this.#scheduleSync();
    if (this.#jend > this.#checkpointAt) this.#checkpoint();
  }

  #writeJournalHeader() {
    const h = new Uint8Array(JOURNAL_HEADER);
    const v = new DataView(h.buffer);
    v.setUint32(0, JOURNAL_MAGIC, true);
    v.setUint32(4, this.#gen, true);
    this.#journal.truncate(0);
    this.#journal.write(h, { at: 0 });
    this.#journal.flush();
    this.#jend = JOURNAL_HEADER;
  }

  // Writes the whole tree into the other snapshot slot with the next generation, then starts an
  // empty journal of that generation. A crash before the slot is flushed leaves the old slot and
  // old journal; after it, the new slot wins and the old journal is ignored (its generation is
  // stale). A failure (quota) keeps the old state; the next record retries.
  #checkpoint() {
    const gen = this.#gen + 1;
    const nodes = [];
    const walk = (id) => {
      const n = this.#nodes.get(id);
      nodes.push([n.id, n.parent, n.name, n.mode, n.mtime, n.version, n.length]);
      if (n.children) for (const c of n.children.values()) walk(c);
    };
    walk(ROOT);
    const dirty = [...this.#dirty];
    const payload = encoder.encode(JSON.stringify({ next: this.#next, nodes, dirty }));
    const buf = new Uint8Array(SNAPSHOT_HEADER + payload.length);
    const v = new DataView(buf.buffer);
    [SNAPSHOT_MAGIC, gen, payload.length, crc32(payload)].forEach((x, i) => v.setUint32(i * 4, x, true));
    buf.set(payload, SNAPSHOT_HEADER);
    const slot = this.#slots[gen & 1];
    try {
      slot.truncate(0);
      slot.write(buf, { at: 0 });
      slot.flush();
    } catch {
      try {
        slot.truncate(0); // a half-written slot fails its checksum anyway; free its space
      } catch {}
      this.#checkpointAt = this.#jend * 2; // no snapshot per record while the disk is full
      return false;
    }
    this.#checkpointAt = Math.max(this.#opts.checkpointBytes, buf.length);
    this.#gen = gen;
    this.#jend = 0;
    try {
      this.#writeJournalHeader();
    } catch {
      this.#jend = 0; // retried by the next record; an empty journal is a valid one
    }
    return true;
  }

  // ---- metadata, all synchronous ----

  #now() {
    return Math.floor((this.#opts.clock?.() ?? Date.now()) / 1000);
  }

  #resolve(p) {
    return resolveNode(this.#nodes, p);
  }

  #parentOf(path) {
    if (typeof path !== 'string') fail('EINVAL', 'create needs a path');
    const names = splitPath(path);
    if (names.length === 0) fail('EEXIST', 'the root exists');
    const name = names.pop();
    checkName(name);
    const dir = this.#resolve(names.join('/'));
    if (!dir.children) fail('ENOTDIR', `${names.join('/')}: not a directory`);
    return { dir, name };
  }

  #stat(n) {
    return {
      qidPath: n.id,
      version: n.version,
      isDir: !!n.children,
      length: n.children ? 0 : n.length,
      mode: n.mode,
      mtime: n.mtime,
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

  // Makes a file or directory; a file's data file is made when it is first opened.
  create(path, isDir = false, mode = isDir ? 0o775 : 0o664) {
    const { dir, name } = this.#parentOf(path);
    if (dir.children.has(name)) fail('EEXIST', `${path}: file already exists`);
    const m = ((mode & ~DMDIR) | (isDir ? DMDIR : 0)) >>> 0;
    const id = this.#next;
    this.#log({ o: 'c', i: id, p: dir.id, n: name, m, t: this.#now() });
    return this.#stat(this.#nodes.get(id));
  }

  // Renames within the directory (Plan 9's wstat of the name).
  rename(p, newName) {
    const n = this.#resolve(p);
    if (n.id === ROOT) fail('EPERM', 'cannot rename the root');
    checkName(newName);
    if (newName === n.name) return this.#stat(n);
    if (this.#nodes.get(n.parent).children.has(newName)) fail('EEXIST', `${newName}: file already exists`);
    this.#log({ o: 'n', i: n.id, n: newName, t: this.#now() });
    return this.#stat(n);
  }

  setMode(p, mode) {
    const n = this.#resolve(p);
    if (((mode >>> 0) ^ n.mode) & DMDIR) fail('EINVAL', 'cannot change the directory bit');
    this.#log({ o: 'm', i: n.id, m: mode >>> 0 });
    return this.#stat(n);
  }

  setMtime(p, mtime) {
    const n = this.#resolve(p);
    this.#log({ o: 't', i: n.id, t: mtime >>> 0, clean: false });
    return this.#stat(n);
  }

  // Removes a file or an empty directory. The entry is gone at once; the data file is deleted
  // when the last open handle on it closes (removed files stay readable through open handles,
  // as on Plan 9). The promise settles when the data is deleted.
  remove(p) {
    const n = this.#resolve(p);
    if (n.id === ROOT) fail('EPERM', 'cannot remove the root');
    if (n.children && n.children.size > 0) fail('ENOTEMPTY', `${p}: directory not empty`);
    this.#log({ o: 'r', i: n.id, t: this.#now() });
    if (n.children) return Promise.resolve();
    this.#doomed.add(n.id);
    return this.#reap(n.id);
  }

  // Deletes a removed file's data once nothing holds it open. Failures only leave an orphan,
  // which the next open deletes.
  #reap(id) {
    const entry = this.#cache.get(id);
    if (!this.#doomed.has(id) || entry?.refs > 0) return Promise.resolve();
    this.#doomed.delete(id);
    if (entry) {
      entry.sah.close();
      this.#cache.delete(id);
    }
    this.#toDelete.push(id);
    return this.#startDeleting();
  }

  #startDeleting() {
    if (!this.#deleting) {
      this.#deleting = this.#deleteQueued();
      this.#pending.add(this.#deleting);
    }
    return this.#deleting;
  }

  // A data file still open elsewhere (a process worker that read it itself, ended by a kill
  // before the browser let its handle go) cannot be deleted yet: tried again a little later,
  // for up to two seconds; after that it is an orphan, which the next open deletes.
  #deleteLater(id, err) {
    if (err?.name !== 'NoModificationAllowedError' || this.#closed) return;
    const tries = (this.#retries.get(id) ?? 0) + 1;
    if (tries > 20) return this.#retries.delete(id);
    this.#retries.set(id, tries);
    setTimeout(() => {
      if (this.#closed) return;
      this.#toDelete.push(id);
      this.#startDeleting();
    }, 100);
  }

  // Deletes queued data files, after one journal flush for the whole batch: a removal's record
  // must be on disk before its data goes, even across a power cut.
  async #deleteQueued() {
    await null; // let a run of synchronous removes queue up behind one flush
    while (this.#toDelete.length) {
      this.#flushJournal();
      const ids = this.#toDelete.splice(0);
      for (const id of ids) {
        await this.#opening.get(id)?.catch(() => {});
        await this.#dataDir.removeEntry(String(id)).then(
          () => this.#retries.delete(id),
          (err) => this.#deleteLater(id, err),
        );
      }
    }
    this.#pending.delete(this.#deleting);
    this.#deleting = null;
  }

  // The directory of the files' data (a FileSystemDirectoryHandle: process workers get it).
  get dataDirectory() {
    return this.#dataDir ?? null;
  }

  // Waits for background deletions.
  async settled() {
    while (this.#pending.size) await Promise.all([...this.#pending]);
  }

  // ---- file contents ----

  async #entry(id) {
    let entry = this.#cache.get(id);
    if (entry) {
      this.#cache.delete(id); // most recently used goes last
      this.#cache.set(id, entry);
      return entry;
    }
    let opening = this.#opening.get(id);
    if (!opening) {
      opening = (async () => {
        const fh = await this.#dataDir.getFileHandle(String(id), { create: !this.readOnly });
        // size: the data file's length as this store last wrote or truncated it (only the owner
        // writes), so a write needs no getSize(); null until the first write asks OPFS.
        return { sah: await openSah(fh), refs: 0, dirty: this.#dirty.has(id), size: null };
      })();
      this.#opening.set(id, opening);
    }
    try {
      entry = await opening;
    } catch (err) {
      // A read-only store may see a file the owner has not yet given data: it is empty.
      if (err?.name === 'NotFoundError' && this.readOnly) entry = { sah: null, refs: 0, dirty: false, size: null };
      else throw toOpfsError(err, `cannot open the data of file ${id}`);
    } finally {
      this.#opening.delete(id);
    }
    if (!this.#cache.has(id)) this.#cache.set(id, entry);
    this.#evict(id);
    return this.#cache.get(id);
  }

  // Closes idle handles beyond maxHandles, least recently used first.
  #evict(keep) {
    let excess = this.#cache.size - this.#opts.maxHandles;
    for (const [id, entry] of this.#cache) {
      if (excess <= 0) break;
      if (entry.refs > 0 || id === keep) continue;
      if (entry.dirty) this.#flushEntry(id, entry);
      entry.sah?.close();
      this.#cache.delete(id);
      excess--;
    }
  }

  // A handle for reading and writing the file's contents synchronously. Close it when done.
  async openFile(p) {
    const n = this.#resolve(p);
    if (n.children) fail('EISDIR', `${p}: is a directory`);
    const entry = await this.#entry(n.id);
    if (!this.#nodes.has(n.id) && !this.#doomed.has(n.id)) {
      this.#doomed.add(n.id);
      this.#reap(n.id);
      fail('ENOENT', `${p}: removed while opening`);
    }
    return new OpfsFile(this, n, entry);
  }

  // The same, at once, when the file's sync access handle is already open, or when the file is
  // empty: its handle then opens the data only when something needs it (a write, a truncation
  // to another length, a read once another handle has written), through ready(); so creating
  // and closing an empty file, or opening one to read nothing, asks OPFS for nothing. null
  // otherwise (then call openFile).
  openFileSync(p) {
    const n = this.#resolve(p);
    if (n.children) fail('EISDIR', `${p}: is a directory`);
    const entry = this.#cache.get(n.id);
    if (entry) return new OpfsFile(this, n, entry);
    return n.length === 0 && !this.readOnly ? new OpfsFile(this, n, null) : null;
  }

  // The open entry of a file's data, if there is one now (for a lazily opened OpfsFile).
  _cached(id) {
    return this.#cache.get(id) ?? null;
  }

  // Opens a file's data for a lazily opened OpfsFile. A file removed since keeps its data until
  // its last handle closes, as one opened before the removal does.
  _materialize(node) {
    if (!this.#nodes.has(node.id)) this.#doomed.add(node.id);
    return this.#entry(node.id);
  }

  _acquire(entry) {
    entry.refs++;
  }

  _release(node, entry) {
    entry.refs--;
    if (entry.refs === 0) this.#reap(node.id);
  }

  // Called before a handle's first write since it was last flushed: a 'w' record tells recovery
  // to take this file's length from OPFS if the tab dies before the flush.
  _beforeWrite(node, entry) {
    if (this.readOnly) fail('EROFS', this.owner);
    if (entry.dirty || !this.#nodes.has(node.id)) return;
    this.#log({ o: 'w', i: node.id });
    entry.dirty = true;
  }

  _afterWrite(node, length) {
    node.length = length;
    node.version++;
    node.mtime = this.#now();
    this.#scheduleSync();
  }

  #flushJournal() {
    if (!this.#journalDirty) return;
    try {
      this.#journal.flush();
      this.#journalDirty = false;
    } catch {
      // Stays dirty: the next sync tries again.
    }
  }

  #scheduleSync() {
    if (this.#opts.autoSyncMs > 0 && !this.#syncTimer && !this.#closed)
      this.#syncTimer = setTimeout(() => {
        this.#syncTimer = null;
        try {
          this.sync();
        } catch {
          // The next explicit flush reports it.
        }
      }, this.#opts.autoSyncMs);
  }

  // Makes a file's written data durable, then records its length, mtime and version.
  _flush(node, entry) {
    if (this.readOnly) return;
    if (!entry.dirty) {
      entry.sah?.flush();
      return;
    }
    this.#flushEntry(node.id, entry);
  }

  #flushEntry(id, entry) {
    entry.sah.flush();
    const node = this.#nodes.get(id);
    if (node) this.#log({ o: 't', i: id, t: node.mtime, v: node.version, l: entry.sah.getSize() });
    entry.dirty = false;
    this.#flushJournal();
  }

  // Flushes every written file and the journal.
  sync() {
    if (this.readOnly) return;
    for (const [id, entry] of this.#cache) if (entry.dirty) this.#flushEntry(id, entry);
    this.#flushJournal();
  }

  // Truncates or extends a file by path.
  async setLength(p, length) {
    const f = await this.openFile(p);
    try {
      f.truncate(length);
      f.flush();
    } finally {
      f.close();
    }
    return this.stat(p);
  }

  // ---- checking and closing ----

  // A consistency check for tests and for `fsck`: the tree's invariants in memory, and the data
  // directory against it. Answers a list of problems (empty when all is well).
  async check() {
    const problems = [];
    const seen = new Set();
    const walk = (id, path) => {
      const n = this.#nodes.get(id);
      if (!n) return problems.push(`${path}: entry ${id} is missing`);
      if (seen.has(id)) return problems.push(`${path}: entry ${id} is reachable twice`);
      seen.add(id);
      if (!n.children) return;
      for (const [name, c] of n.children) {
        const child = this.#nodes.get(c);
        if (child && (child.parent !== id || child.name !== name)) problems.push(`${path}/${name}: parent link is wrong`);
        walk(c, `${path}/${name}`);
      }
    };
    walk(ROOT, '');
    for (const id of this.#nodes.keys()) if (!seen.has(id)) problems.push(`entry ${id} is not in the tree`);
    for (const id of this.#nodes.keys()) if (id >= this.#next) problems.push(`entry ${id} is past the next qid path ${this.#next}`);
    const files = new Set();
    for await (const [name, handle] of this.#dataDir.entries()) {
      const id = Number(name);
      const n = this.#nodes.get(id);
      if (!n && !this.#doomed.has(id)) problems.push(`data file ${name} belongs to no entry`);
      else if (n?.children) problems.push(`data file ${name} belongs to a directory`);
      else if (n) {
        files.add(id);
        const cached = this.#cache.get(id);
        const size = cached?.sah ? cached.sah.getSize() : (await handle.getFile()).size;
        if (size !== n.length && !this.#dirty.has(id)) problems.push(`file ${id} (${n.name}) is ${size} bytes but its entry says ${n.length}`);
      }
    }
    for (const n of this.#nodes.values()) if (!n.children && n.length > 0 && !files.has(n.id)) problems.push(`file ${n.id} (${n.name}) has lost its data`);
    return problems;
  }

  // Flushes, closes every handle and gives up the lock.
  async close() {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#syncTimer);
    let err = null;
    try {
      this.sync();
    } catch (e) {
      err = e;
    }
    await Promise.allSettled([...this.#opening.values()]);
    await this.settled();
    this.#closeHandles();
    this.#releaseLock();
    if (err) throw err;
  }

  #closeHandles() {
    for (const entry of this.#cache.values()) entry.sah?.close();
    this.#cache.clear();
    for (const sah of [...this.#slots, this.#journal]) sah?.close();
  }
}

// An open file: synchronous reads and writes on the store's cached sync access handle.
export class OpfsFile {
  #store;
  #node;
  #entry;
  #open = true;

  // entry null: opened lazily (OpfsStore.openFileSync); the data is opened by ready().
  constructor(store, node, entry) {
    this.#store = store;
    this.#node = node;
    this.#entry = entry;
    if (entry) store._acquire(entry);
  }

  #check() {
    if (!this.#open) fail('EBADF', 'file handle is closed');
  }

  // The data's entry: a lazily opened handle takes one another handle has opened since (not
  // once it is closed: it would hold the entry for good).
  #live() {
    if (!this.#entry && this.#open) {
      const entry = this.#store._cached(this.#node.id);
      if (entry) {
        this.#entry = entry;
        this.#store._acquire(entry);
      }
    }
    return this.#entry;
  }

  // A lazily opened handle asked for what needs the data: ELAZY, whose caller calls ready().
  #needData() {
    if (!this.#live()) fail('ELAZY', "the file's data is not open yet");
  }

  // Opens the data of a lazily opened handle (a promise), or null when it is open.
  ready() {
    if (!this.#open || this.#live()) return null;
    return this.#store._materialize(this.#node).then((entry) => {
      if (this.#entry) return;
      this.#entry = entry;
      this.#store._acquire(entry);
      if (!this.#open) this.#store._release(this.#node, entry);
    });
  }

  get qidPath() {
    return this.#node.id;
  }

  // The name of the file's data in the store's data directory (dataDirectory), for a reader
  // that opens its own handle on it (a process worker: docs/runtime.md, "Taking a read over");
  // null while the data is not open here.
  dataId() {
    if (!this.#open || !this.#live()?.sah) return null;
    return this.#node.id;
  }

  #sah() {
    this.#check();
    return this.#entry.sah;
  }

  // Reads up to dest.length bytes at offset into dest; answers the count (0 at end of file).
  readInto(offset, dest) {
    this.#check();
    if (!this.#live() && (this.#node.length === 0 || dest.length === 0)) return 0;
    this.#needData();
    const sah = this.#sah();
    if (!sah) return 0;
    try {
      return sah.read(dest, { at: offset });
    } catch (err) {
      throw toOpfsError(err, 'read');
    }
  }

  read(offset, len) {
    const buf = new Uint8Array(Math.max(0, Math.min(len, this.size() - offset)));
    return buf.subarray(0, buf.length ? this.readInto(offset, buf) : 0);
  }

  // Writes all of bytes at offset or nothing (ENOSPC when over quota); answers the count.
  write(offset, bytes) {
    this.#check();
    if (!this.#live() && bytes.length === 0) return 0;
    this.#needData();
    const sah = this.#sah();
    const entry = this.#entry;
    this.#store._beforeWrite(this.#node, entry);
    const before = entry.size ?? sah.getSize();
    let n;
    try {
      n = sah.write(bytes, { at: offset });
    } catch (err) {
      // Chromium refuses the whole write before writing when over quota; if anything grew the
      // file anyway, give the space back so the file keeps its old length.
      entry.size = null;
      try {
        if (sah.getSize() > before) sah.truncate(before);
      } catch {}
      throw toOpfsError(err, `write of ${bytes.length} bytes at ${offset}`);
    }
    entry.size = Math.max(before, offset + n);
    this.#store._afterWrite(this.#node, entry.size);
    return n;
  }

  truncate(length) {
    this.#check();
    if (!this.#live() && length === this.#node.length) return;
    this.#needData();
    const sah = this.#sah();
    const entry = this.#entry;
    this.#store._beforeWrite(this.#node, entry);
    try {
      sah.truncate(length);
    } catch (err) {
      entry.size = null;
      throw toOpfsError(err, `truncate to ${length}`);
    }
    entry.size = length;
    this.#store._afterWrite(this.#node, length);
  }

  flush() {
    this.#check();
    if (!this.#live()) return; // nothing was written through it
    this.#sah();
    try {
      this.#store._flush(this.#node, this.#entry);
    } catch (err) {
      throw toOpfsError(err, 'flush');
    }
  }

  size() {
    this.#check();
    if (!this.#live()) return this.#node.length;
    const sah = this.#sah();
    return sah ? sah.getSize() : 0;
  }

  close() {
    if (!this.#open) return;
    this.#open = false;
    if (this.#entry) this.#store._release(this.#node, this.#entry);
  }
}
