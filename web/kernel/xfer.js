// The transfer store: a small in-memory store with OpfsStore's API (docs/opfs.md) that the
// kernel worker registers as Module.web9Stores[1]; the kernel mounts it on /mnt/xfer. Through it
// the upload and download commands (apps/upload.cpp, apps/download.cpp) reach the page, or, under
// tools/web9, the host's files. docs/opfs.md, "Files in and out".
//
//   out/NAME  a file written here streams out as it is written (in pieces of SEND bytes, to a
//             sink the store asks for at the first write) and is finished when its last handle
//             closes, then removed: the page saves it (a Blob and <a download>), tools/web9 writes
//             ./NAME on the host. It must be written in order: bytes already handed over cannot
//             be written or read again.
//   ask       what upload asks for: host paths, one a line (tools/web9 only; a page lets the
//             user choose)
//   pick      opening it waits for the answer; it then reads the chosen names, one a line, and
//             each name's bytes are in in/NAME (upload copies them and removes them). The bytes
//             are not held here: each read asks the file's source (a File's slice, a host file).
//
// So neither way holds a whole file in the kernel worker: at most SEND bytes of a download.

const DMDIR = 0x80000000;
export const SEND = 1 << 20; // a download is handed over in pieces of this many bytes

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
  // sink(name): where out/NAME goes, asked at its first write: {write(bytes), end(), abort()}
  // (write may keep bytes only until it returns; errors thrown are the write's).
  // pick(askText): a promise of the files to upload, [{name, size, read(offset, dest) -> count,
  // close()}] (a source reads into dest, a Uint8Array, what it holds at offset), or [{name, data}].
  constructor({ sink, pick }) {
    this.readOnly = false;
    this.owner = '';
    this.sink = sink;
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
      // An in/ file's source of bytes; an out/ file's sink and how many bytes went to it.
      source: null, out: null, sent: 0,
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
    if (!n.opens) this.#drop(n);
  }
  // Forgets a removed node: its source is closed, a download not finished is abandoned.
  #drop(n) {
    this.nodes.delete(n.id);
    n.source?.close?.();
    n.source = null;
    n.out?.abort?.();
    n.out = null;
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
      m.source = f.read ? f : memorySource(f.data);
      m.length = m.source.size;
      names.push(name + '\n');
    }
    n.data = new TextEncoder().encode(names.join(''));
    n.length = n.data.length;
    n.version++;
    return new XferFile(this, n);
  }

  // Is n a file of out/, which streams to a sink?
  _isOut(n) {
    return n.parent?.name === 'out' && n.parent.parent === this.root && !n.children;
  }

  // Hands out/ file n's buffered bytes to its sink (asked for now if it has none).
  _send(n) {
    if (n.length <= n.sent) return;
    n.out ??= this.sink(n.name);
    n.out.write(n.data.subarray(0, n.length - n.sent));
    n.sent = n.length;
  }

  _closed(n) {
    if (--n.opens > 0) return;
    if (n.written && !n.gone && this._isOut(n)) {
      n.written = false;
      try {
        this._send(n);
        n.out ??= this.sink(n.name); // an empty file goes out too
        n.out.end();
      } catch (err) {
        console.error(`web9: ${n.name} could not be handed over:`, err);
        n.out?.abort?.();
      }
      n.out = null;
      this.remove(n.id);
    }
    if (n.gone) this.#drop(n);
  }
}

// A source over bytes in memory.
function memorySource(data) {
  return {
    size: data.length,
    read(offset, dest) {
      const part = data.subarray(Math.min(offset, data.length), Math.min(data.length, offset + dest.length));
      dest.set(part);
      return part.length;
    },
  };
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
  // An out/ file's bytes before offset have gone to the page or the host.
  #handedOver(n, offset) {
    if (offset < n.sent) fail('EINVAL', `${n.name}: the bytes before ${n.sent} have been handed over already`);
  }
  readInto(offset, dest) {
    const n = this.#check();
    const end = Math.min(n.length, offset + dest.length);
    if (end <= offset) return 0;
    if (n.source) return n.source.read(offset, dest.subarray(0, end - offset));
    this.#handedOver(n, offset);
    dest.set(n.data.subarray(offset - n.sent, end - n.sent));
    return end - offset;
  }
  read(offset, len) {
    const buf = new Uint8Array(Math.max(0, Math.min(len, this.#check().length - offset)));
    return buf.subarray(0, this.readInto(offset, buf));
  }
  // The buffer holds bytes sent..length; it grows by doubling, so a tar written in small writes
  // costs linear time.
  #room(n, want) {
    want -= n.sent;
    if (want <= n.data.length) return;
    const grown = new Uint8Array(Math.max(want, n.data.length * 2, 4096));
    grown.set(n.data.subarray(0, n.length - n.sent));
    n.data = grown;
  }
  #changed(n) {
    n.version++;
    n.written = true;
    if (n.source) {
      // A chosen file that is written to is held here from now on.
      const data = new Uint8Array(n.length);
      n.source.read(0, data);
      n.source.close?.();
      n.source = null;
      n.data = data;
    }
  }
  write(offset, bytes) {
    const n = this.#check();
    this.#handedOver(n, offset);
    this.#changed(n);
    this.#room(n, offset + bytes.length);
    if (offset > n.length) n.data.fill(0, n.length - n.sent, offset - n.sent);
    n.data.set(bytes, offset - n.sent);
    n.length = Math.max(n.length, offset + bytes.length);
    if (this.store._isOut(n) && n.length - n.sent >= SEND) this.store._send(n);
    return bytes.length;
  }
  truncate(length) {
    const n = this.#check();
    this.#handedOver(n, length);
    this.#changed(n);
    this.#room(n, length);
    if (length > n.length) n.data.fill(0, n.length - n.sent, length - n.sent);
    n.length = length;
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
