// JsStore: the Store (fs/store.h) over a JS store object, OpfsStore (web/kernel/opfs.js) in the
// browser or HostStore (web/kernel/hoststore.js) under Node, that the kernel worker registered
// as Module.web9Stores[id]. Emscripten only: linked into the kernel target beside bindings.cpp.
//
// Every call but read and write (below) goes through one JS shim, Module.web9StoreShim(id, op,
// a, b, c, d), installed by web9_store_install below. The shim catches every exception (the
// kernel is built without C++ exceptions, and a JS exception unwinding wasm frames would skip
// destructors and leave the kernel in pieces) and answers a plain object whose fields always
// have the types C++ reads:
//   {v: value}           the answer
//   {e: errno, m: text}  an error: errno is OpfsError.errno ("ENOENT", "ENOSPC", ...)
//   {p: 1}               the answer comes later: the shim calls Module.web9StoreDone(req, {v}|{e,m})
// Only openFile can answer later (OpfsStore opens a file's first sync access handle
// asynchronously); everything else answers at once.
//
// Reads and writes, the calls a large file makes thousands of, take a shorter way:
// web9_store_io below calls Module.web9StoreIo with plain numbers and answers the count, or
// (catching every exception too) -1 with the error left in Module.web9StoreFault as {e, m}.
// Through the shim each cost about twenty Embind crossings (a handle per argument, the op's
// name as a string, the answer object and its fields): several microseconds a call, next to
// the 10-15 us a 64 KiB read from the page cache takes (docs/opfs.md, "Against bare OPFS").
//
// The JS stores name files by path string or qid path, but create takes a path string only. The
// shim keeps, per store, each qid path's parent (learnt from lookup, list and create; a file
// never changes directory, as renames stay within one), so it can make the path of any
// directory a fid holds from the current names of its ancestors, whatever was renamed since.
#include <emscripten.h>
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "fs/jsstore.h"
#include "fs/store.h"
#include "fs/storefs.h"

// clang-format off
EM_JS(void, web9_store_install, (), {
  if (Module.web9StoreShim) return;
  var DMDIR = 0x80000000;
  var files = new Map();
  var nextFile = 1;
  var states = new WeakMap();
  function err(e) {
    var errno = (e && typeof e.errno === "string") ? e.errno : "EIO";
    var message = (e && e.message !== undefined) ? String(e.message) : String(e);
    return {e: errno, m: message};
  }
  function entry(s) {
    return {p: Number(s.qidPath), v: Number(s.version) >>> 0, d: s.isDir ? 1 : 0, l: Number(s.length),
            m: Number(s.mode) >>> 0, t: Number(s.mtime) >>> 0, n: String(s.name)};
  }
  function state(store) {
    var st = states.get(store);
    if (!st) {
      st = {parents: new Map(), root: Number(store.stat("/").qidPath)};
      states.set(store, st);
    }
    return st;
  }
  function pathOf(store, st, id) {
    var names = [];
    for (var n = 0; id !== st.root; n++) {
      var parent = st.parents.get(id);
      if (parent === undefined || n > 4096) {
        var e = new Error("no path known for qid path " + id);
        e.errno = "ENOENT";
        throw e;
      }
      names.push(String(store.stat(id).name));
      id = parent;
    }
    return "/" + names.reverse().join("/");
  }
  function join(dirPath, name) {
    return dirPath === "/" ? "/" + name : dirPath + "/" + name;
  }
  function file(h) {
    var f = files.get(h);
    if (!f) {
      var e = new Error("file handle is closed");
      e.errno = "EBADF";
      throw e;
    }
    return f;
  }
  function done(req, result) {
    try {
      Module.web9StoreDone(req, result);
    } catch (e) {
      console.error("web9: a store answer could not be delivered", e);
    }
  }
  function call(store, op, a, b, c, d) {
    var st = state(store);
    switch (op) {
      case "info":
        return {ro: store.readOnly ? 1 : 0, why: String(store.owner || ""), root: st.root};
      case "stat":
        return entry(store.stat(a));
      case "lookup": {
        if (b === "..") {
          var up = a === st.root ? st.root : st.parents.get(a);
          if (up === undefined) return entry(store.stat(st.root));
          return entry(store.stat(up));
        }
        var dir = store.stat(a);
        if (!dir.isDir) {
          var nd = new Error("not a directory");
          nd.errno = "ENOTDIR";
          throw nd;
        }
        var found = store.stat(join(pathOf(store, st, a), b));
        st.parents.set(Number(found.qidPath), a);
        return entry(found);
      }
      case "list":
        return store.list(a).map(function (s) {
          st.parents.set(Number(s.qidPath), a);
          return entry(s);
        });
      case "create": {
        var made = store.create(join(pathOf(store, st, a), b), (c & DMDIR) !== 0, c >>> 0);
        st.parents.set(Number(made.qidPath), a);
        return entry(made);
      }
      case "rename":
        return entry(store.rename(a, b));
      case "remove": {
        var gone = store.remove(a);
        if (gone && typeof gone.catch === "function") gone.catch(function () {});
        st.parents.delete(a);
        return 0;
      }
      case "setMode":
        return entry(store.setMode(a, b >>> 0));
      case "setMtime":
        return entry(store.setMtime(a, b >>> 0));
      case "sync":
        store.sync();
        return 0;
      case "openFile": {
        var register = function (f) {
          if (!f) {
            var none = new Error("the store opened no file");
            none.errno = "EIO";
            throw none;
          }
          var h = nextFile++;
          files.set(h, f);
          return h;
        };
        var now = typeof store.openFileSync === "function" ? store.openFileSync(a) : null;
        if (now) return register(now);
        store.openFile(a).then(function (f) {
          var h;
          try {
            h = register(f);
          } catch (e) {
            return done(b, err(e));
          }
          done(b, {v: h});
        }, function (e) { done(b, err(e)); });
        return undefined;
      }
      case "truncate":
        file(a).truncate(b);
        return 0;
      case "ready": {
        // A file opened lazily (OpfsStore.openFileSync of an empty file) opens its data.
        var rf = file(a);
        var opening = typeof rf.ready === "function" ? rf.ready() : null;
        if (!opening) return 0;
        opening.then(function () { done(b, {v: 0}); }, function (e) { done(b, err(e)); });
        return undefined;
      }
      case "flush":
        file(a).flush();
        return 0;
      case "size":
        return file(a).size();
      case "close": {
        var f = files.get(a);
        files.delete(a);
        if (f) f.close();
        return 0;
      }
    }
    var bad = new Error("unknown store call " + op);
    bad.errno = "EINVAL";
    throw bad;
  }
  Module.web9StoreFile = file;
  Module.web9StoreError = err;
  // Reads into or writes from the kernel's memory [ptr, ptr+count) through file handle h.
  Module.web9StoreIo = function (write, h, offset, ptr, count) {
    try {
      var bytes = HEAPU8.subarray(ptr >>> 0, (ptr >>> 0) + (count >>> 0));
      var n = write ? file(h).write(offset, bytes) : file(h).readInto(offset, bytes);
      return typeof n === "number" && n > 0 ? n : 0;
    } catch (e) {
      if (e && e.errno === "ELAZY") return -3;
      Module.web9StoreFault = err(e);
      return -1;
    }
  };
  Module.web9StoreShim = function (id, op, a, b, c, d) {
    try {
      var store = Module.web9Stores && Module.web9Stores[id];
      if (!store) return {e: "EIO", m: "no store " + id + " is registered (Module.web9Stores)"};
      var v = call(store, op, a, b, c, d);
      return v === undefined ? {p: 1} : {v: v};
    } catch (e) {
      return err(e);
    }
  };
});

// Read-ahead: up to count bytes at offset through an open file, straight into the ring in slot as
// one record (Module.web9RingRead, set by the kernel worker): the count, -1 with the error in
// Module.web9StoreFault, -2 when there is no such path, or -4 when the worker handed the process
// the file itself to read (kRingHandedOver).
EM_JS(double, web9_store_ring, (uint32_t file, double offset, int slot, uint32_t count), {
  if (typeof Module.web9RingRead !== "function") return -2;
  try {
    return Module.web9RingRead(Module.web9StoreFile(file), offset, slot, count);
  } catch (e) {
    Module.web9StoreFault = Module.web9StoreError(e);
    return -1;
  }
});
// A read (write 0) or write (1) of count bytes at offset through an open file, into or from data:
// the count done, -1 with the error in Module.web9StoreFault, or -3 when the file was opened
// lazily and its data must be opened first (JsStore::when_ready).
EM_JS(double, web9_store_io, (int write, uint32_t file, double offset, const uint8_t* data, uint32_t count), {
  return Module.web9StoreIo(write, file, offset, data, count);
});
// clang-format on

namespace web9 {
namespace {

using emscripten::val;

// Requests the shim answers later (openFile), by request id.
std::map<int, std::function<void(val)>>& pending_requests() {
  static std::map<int, std::function<void(val)>> pending;
  return pending;
}
int next_request = 1;

// Delivers a later answer: called by the shim through Module.web9StoreDone.
void store_done(int req, val result) {
  auto& pending = pending_requests();
  auto it = pending.find(req);
  if (it == pending.end()) return;
  auto answer = std::move(it->second);
  pending.erase(it);
  answer(std::move(result));
}

Result<val> unwrap(const val& res) {
  if (res.hasOwnProperty("e")) return store_error(res["e"].as<std::string>(), res["m"].as<std::string>());
  return res["v"];
}

// A JS number as an unsigned integer; NaN (a field the shim left out) is 0.
uint64_t number(const val& v) {
  double d = v.as<double>();
  return std::isfinite(d) && d > 0 ? static_cast<uint64_t>(d) : 0;
}

StoreEntry entry_of(const val& v) {
  StoreEntry e;
  e.path = number(v["p"]);
  e.version = static_cast<uint32_t>(number(v["v"]));
  e.is_dir = number(v["d"]) != 0;
  e.length = number(v["l"]);
  e.mode = static_cast<uint32_t>(number(v["m"]));
  e.mtime = static_cast<uint32_t>(number(v["t"]));
  e.name = v["n"].as<std::string>();
  return e;
}

Result<StoreEntry> entry_result(const val& res) {
  auto v = unwrap(res);
  if (!v) return std::move(v).error();
  return entry_of(*v);
}

// The error web9_store_io left behind.
Error io_fault() {
  val e = val::module_property("web9StoreFault");
  if (e.isUndefined() || e.isNull()) return Error(Errc::io, "the store failed without saying why");
  return store_error(e["e"].as<std::string>(), e["m"].as<std::string>());
}

Result<void> void_result(const val& res) {
  auto v = unwrap(res);
  if (!v) return std::move(v).error();
  return success();
}

class JsStore final : public Store {
 public:
  explicit JsStore(int id) : id_(id) {
    web9_store_install();
    shim_ = val::module_property("web9StoreShim");
    auto info = unwrap(call("info"));
    if (info) root_ = number((*info)["root"]);
  }

  uint64_t root() const override { return root_; }
  bool read_only() const override {
    auto info = unwrap(call("info"));
    return info && number((*info)["ro"]) != 0;
  }
  std::string read_only_reason() const override {
    auto info = unwrap(call("info"));
    return info ? (*info)["why"].as<std::string>() : std::string("the store cannot be reached");
  }

  void stat(uint64_t path, Reply<StoreEntry> r) override { r(entry_result(call("stat", num(path)))); }
  void lookup(uint64_t dir, std::string_view name, Reply<StoreEntry> r) override {
    r(entry_result(call("lookup", num(dir), str(name))));
  }
  void list(uint64_t dir, Reply<std::vector<StoreEntry>> r) override {
    auto v = unwrap(call("list", num(dir)));
    if (!v) return r(std::move(v).error());
    std::vector<StoreEntry> out;
    size_t n = number((*v)["length"]);
    out.reserve(n);
    for (size_t i = 0; i < n; i++) out.push_back(entry_of((*v)[i]));
    r(std::move(out));
  }
  void create(uint64_t dir, std::string_view name, uint32_t mode, Reply<StoreEntry> r) override {
    r(entry_result(call("create", num(dir), str(name), num(mode))));
  }
  void rename(uint64_t path, std::string_view name, Reply<StoreEntry> r) override {
    r(entry_result(call("rename", num(path), str(name))));
  }
  void remove(uint64_t path, Reply<void> r) override { r(void_result(call("remove", num(path)))); }
  void set_mode(uint64_t path, uint32_t mode, Reply<StoreEntry> r) override {
    r(entry_result(call("setMode", num(path), num(mode))));
  }
  void set_mtime(uint64_t path, uint32_t mtime, Reply<StoreEntry> r) override {
    r(entry_result(call("setMtime", num(path), num(mtime))));
  }
  void sync(Reply<void> r) override { r(void_result(call("sync"))); }

  void open_file(uint64_t path, Reply<StoreFile> r) override {
    call_later("openFile", num(path), [r](val res) {
      auto v = unwrap(res);
      if (!v) return r(std::move(v).error());
      r(static_cast<StoreFile>(number(*v)));
    });
  }
  void read(StoreFile f, uint64_t offset, uint32_t count, Reply<Bytes> r) override {
    if (count == 0) return r(Bytes{});
    Bytes buf(count);
    double n = web9_store_io(0, f, static_cast<double>(offset), buf.data(), count);
    if (n == -3) return when_ready(f, r, [this, f, offset, count, r] { read(f, offset, count, r); });
    if (n < 0) return r(io_fault());
    buf.resize(std::min<uint64_t>(static_cast<uint64_t>(n), count));
    r(std::move(buf));
  }
  void read_into(StoreFile f, uint64_t offset, std::span<uint8_t> dest, Reply<uint32_t> r) override {
    if (dest.empty()) return r(0u);
    auto count = static_cast<uint32_t>(dest.size());
    double n = web9_store_io(0, f, static_cast<double>(offset), dest.data(), count);
    if (n == -3) return when_ready(f, r, [this, f, offset, dest, r] { read_into(f, offset, dest, r); });
    if (n < 0) return r(io_fault());
    r(static_cast<uint32_t>(std::min<uint64_t>(static_cast<uint64_t>(n), count)));
  }
  void read_to_ring(StoreFile f, uint64_t offset, int slot, uint32_t count, Reply<uint32_t> r) override {
    double n = web9_store_ring(f, static_cast<double>(offset), slot, count);
    if (n == -2) return r(Errc::notsup);
    if (n == -4) return r(kRingHandedOver);
    if (n < 0) return r(io_fault());
    r(static_cast<uint32_t>(n));
  }
  void write(StoreFile f, uint64_t offset, std::span<const uint8_t> data, Reply<uint32_t> r) override {
    auto count = static_cast<uint32_t>(data.size());
    double n = web9_store_io(1, f, static_cast<double>(offset), data.data(), count);
    if (n == -3) {
      auto copy = std::make_shared<Bytes>(data.begin(), data.end());  // data is good only now
      return when_ready(f, r, [this, f, offset, copy, r] { write(f, offset, *copy, r); });
    }
    if (n < 0) return r(io_fault());
    r(static_cast<uint32_t>(std::min<uint64_t>(static_cast<uint64_t>(n), count)));
  }
  void truncate(StoreFile f, uint64_t length, Reply<void> r) override {
    val res = call("truncate", num(f), num(length));
    if (lazy(res)) return when_ready(f, r, [this, f, length, r] { truncate(f, length, r); });
    r(void_result(res));
  }
  void flush(StoreFile f, Reply<void> r) override { r(void_result(call("flush", num(f)))); }
  void size(StoreFile f, Reply<uint64_t> r) override {
    auto v = unwrap(call("size", num(f)));
    if (!v) return r(std::move(v).error());
    r(number(*v));
  }
  void close(StoreFile f) override { (void)call("close", num(f)); }

 private:
  static val num(uint64_t n) { return val(static_cast<double>(n)); }
  static val str(std::string_view s) { return val(std::string(s)); }

  // A file OpfsStore opened lazily (an empty one) opens its data when an operation first needs
  // it: that operation answered ELAZY; it is done again once the data is open (later), or r
  // gets the error opening it met.
  static bool lazy(const val& res) { return res.hasOwnProperty("e") && res["e"].as<std::string>() == "ELAZY"; }
  template <class T>
  void when_ready(StoreFile f, Reply<T> r, std::function<void()> again) {
    call_later("ready", num(f), [r, again](val res) {
      auto v = unwrap(res);
      if (!v) return r(std::move(v).error());
      again();
    });
  }
  // A shim call that may answer later (openFile, ready: the shim says {p: 1} now and answers
  // through Module.web9StoreDone): answer gets the result, now or then.
  void call_later(const char* op, val a, std::function<void(val)> answer) {
    int req = next_request++;
    val res = call(op, std::move(a), val(req));
    if (res.hasOwnProperty("p")) {
      pending_requests()[req] = std::move(answer);
      return;
    }
    answer(res);
  }

  val call(const char* op, val a = val::undefined(), val b = val::undefined(), val c = val::undefined(),
           val d = val::undefined()) const {
    return shim_(id_, std::string(op), a, b, c, d);
  }

  int id_;
  uint64_t root_ = 0;
  val shim_ = val::undefined();
};

}  // namespace

std::shared_ptr<FileServer> make_js_store_fs(int store_id, std::string owner) {
  return std::make_shared<StoreFs>(std::make_shared<JsStore>(store_id), std::move(owner));
}

}  // namespace web9

EMSCRIPTEN_BINDINGS(web9_store) { emscripten::function("web9StoreDone", &web9::store_done); }
