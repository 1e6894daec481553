// The transfer store: a small in-memory store with OpfsStore's API (docs/opfs.md) that the
// kernel worker registers as Module.web9Stores[1]; the kernel mounts it on /mnt/xfer. Through it
// the upload and download commands (apps/upload.cpp, apps/download.cpp) reach the page, or, under
// tools/web9, the host's files. docs/opfs.md, "Files in and out".
//
//   out/NAME  a file written here is handed over when its last handle closes, then removed:
//             the page saves it (a Blob and <a download>), tools/web9 writes ./NAME on the host
//   ask       what upload asks for: host paths, one a line (tools/web9 only; a page lets the
//             user choose)
//   pick      opening it waits for the answer; it then reads the chosen names, one a line, and
//             each name's bytes are in in/NAME (upload copies them and removes them)

const DMDIR = 0x80000000;

class XferError extends Error {
  constructor(errno, message) {
    super(message);
    this.errno = errno;
  }
}
const fail = (errno, message) => {
  throw new XferError(errno, message);
};

export class XferStore {
  // deliver(name, bytes): hands a finished out/ file over (may be async; errors are logged).
  // pick(askText): a promise of [{name, data: Uint8Array}], the files to upload.
  constructor({ deliver, pick }) {
    this.readOnly = false;
    this.owner = '';
    this.deliver = deliver;
    this.pick = pick;
    this.nodes = new Map();
    this.next = 1;
    this.root = this.#node(null, '/', true, 0o777);
    for (const d of ['out', 'in']) this.#node(this.root, d, true, 0o777);
    this.#node(this.root, 'ask', false, 0o666);
    this.#node(this.root, 'pick', false, 0o444);
  }

  #node(parent, name, isDir, mode) {
    const n = {
      id: this.next++, parent, name, mode: (mode & 0o777) | (isDir ? DMDIR : 0), version: 0,
      mtime: Math.floor(Date.now() / 1000), children: isDir ? new Map() : null,
      data: new Uint8Array(0), length: 0, opens: 0, written: false, gone: false,
    };
    this.nodes.set(n.id, n);
    if (parent) parent.children.set(name, n);
    return n;
  }

  #resolve(p) {
    if (typeof p === 'number') return this.nodes.get(p) ?? fail('ENOENT', `no file ${p}`);
    let n = this.root;
    for (const part of String(p).split('/').filter(Boolean)) {
      if (!n.children) fail('ENOTDIR', `${p}: not a directory`);
      n = n.children.get(part) ?? fail('ENOENT', `${p}: no such file`);
    }
    return n;
  }

  #stat(n) {
    return { qidPath: n.id, version: n.version, isDir: !!n.children, length: n.children ? 0 : n.length, mode: n.mode, mtime: n.mtime, name: n.name };
  }

  stat(p) {
    return this.#stat(this.#resolve(p));
  }
  list(p) {
    const d = this.#resolve(p);
    if (!d.children) fail('ENOTDIR', 'not a directory');
    return [...d.children.values()].map((n) => this.#stat(n));
  }
  create(p, isDir = false, mode = isDir ? 0o775 : 0o664) {
    const parts = String(p).split('/').filter(Boolean);
    const name = parts.pop();
    const dir = this.#resolve('/' + parts.join('/'));
    if (!dir.children) fail('ENOTDIR', 'not a directory');
    if (dir.children.has(name)) fail('EEXIST', `${p}: file exists`);
    return this.#stat(this.#node(dir, name, isDir, mode));
  }
  rename(p, newName) {
    const n = this.#resolve(p);
    if (n.parent.children.has(newName)) fail('EEXIST', `${newName}: file exists`);
    n.parent.children.delete(n.name);
    n.name = newName;
    n.parent.children.set(newName, n);
    n.version++;
    return this.#stat(n);
  }
  remove(p) {
    const n = this.#resolve(p);
    if (n === this.root) fail('EPERM', 'the root cannot be removed');
    if (n.children?.size) fail('ENOTEMPTY', `${n.name}: directory not empty`);
    n.parent.children.delete(n.name);
    n.gone = true;
    if (!n.opens) this.nodes.delete(n.id);
  }
  setMode(p, mode) {
    const n = this.#resolve(p);
    n.mode = (n.mode & DMDIR) | (mode & ~DMDIR);
    n.version++;
    return this.#stat(n);
  }
  setMtime(p, mtime) {
    const n = this.#resolve(p);
    n.mtime = mtime;
    return this.#stat(n);
  }
  sync() {}
  async settled() {}
  async close() {}

  openFileSync(p) {
    const n = this.#resolve(p);
    if (n.children) fail('EISDIR', `${n.name}: is a directory`);
    if (n.parent === this.root && n.name === 'pick') return null; // answered once files are chosen
    return new XferFile(this, n);
  }

  async openFile(p) {
    const now = this.openFileSync(p);
    if (now) return now;
    const n = this.#resolve(p);
    const ask = new TextDecoder().decode(this.root.children.get('ask').data.subarray(0, this.root.children.get('ask').length));
    const files = await this.pick(ask);
    const inDir = this.root.children.get('in');
    const names = [];
    for (const f of files) {
      let name = String(f.name).replace(/[/\0]/g, '_') || 'file';
      for (let i = 1; inDir.children.has(name); i++) name = `${f.name}.${i}`;
      const m = this.#node(inDir, name, false, 0o664);
      m.data = f.data;
      m.length = f.data.length;
      names.push(name + '\n');
    }
    n.data = new TextEncoder().encode(names.join(''));
    n.length = n.data.length;
    n.version++;
    return new XferFile(this, n);
  }

  _closed(n) {
    if (--n.opens > 0) return;
    if (n.written && !n.gone && n.parent?.name === 'out' && n.parent.parent === this.root) {
      n.written = false;
      const bytes = n.data.slice(0, n.length);
      this.remove(n.id);
      Promise.resolve()
        .then(() => this.deliver(n.name, bytes))
        .catch((err) => console.error(`web9: ${n.name} could not be handed over:`, err));
    }
    if (n.gone) this.nodes.delete(n.id);
  }
}

class XferFile {
  constructor(store, node) {
    this.store = store;
    this.node = node;
    this.open = true;
    node.opens++;
  }
  get qidPath() {
    return this.node.id;
  }
  #check() {
    if (!this.open) fail('EBADF', 'file handle is closed');
    return this.node;
  }
  readInto(offset, dest) {
    const n = this.#check();
    const end = Math.min(n.length, offset + dest.length);
    if (end <= offset) return 0;
    dest.set(n.data.subarray(offset, end));
    return end - offset;
  }
  read(offset, len) {
    const n = this.#check();
    return n.data.slice(offset, Math.min(n.length, offset + len));
  }
  // Grows by doubling, so a tar streamed in small writes costs linear time.
  #room(n, want) {
    if (want <= n.data.length) return;
    const grown = new Uint8Array(Math.max(want, n.data.length * 2, 4096));
    grown.set(n.data.subarray(0, n.length));
    n.data = grown;
  }
  write(offset, bytes) {
    const n = this.#check();
    this.#room(n, offset + bytes.length);
    n.data.set(bytes, offset);
    n.length = Math.max(n.length, offset + bytes.length);
    n.version++;
    n.written = true;
    return bytes.length;
  }
  truncate(length) {
    const n = this.#check();
    this.#room(n, length);
    if (length > n.length) n.data.fill(0, n.length, length);
    n.length = length;
    n.version++;
    n.written = true;
  }
  flush() {
    this.#check();
  }
  size() {
    return this.#check().length;
  }
  close() {
    if (!this.open) return;
    this.open = false;
    this.store._closed(this.node);
  }
}
