// Drives a FileServer from a test as if it answered at once: each call starts a request, then runs
// the server's pending work (the factory's drive hook) until the reply comes. So one test serves a
// synchronous server (ram) and ones that answer later (opfs, a 9P mount) alike.
#pragma once

#include <catch2/catch.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kernel/dir.h"
#include "kernel/fileserver.h"

namespace web9::test {

using FidPtr = std::unique_ptr<Fid>;

// How to make a fresh server for a test, and how to run it.
struct FsFactory {
  std::string name;                                   // shown in failures: "ram", "opfs", "mnt"
  std::function<std::shared_ptr<FileServer>()> make;  // a fresh server with an empty tree
  // Runs one round of the server's pending work (an event-loop turn, a 9P peer's step) and says
  // whether there was any. Left empty for a server that always answers at once.
  std::function<bool()> drive;
  std::string uname = "glenda";
  std::string aname;
};

// "ok" or the error's Plan 9 string: compares and prints well in CHECK(outcome(x) == outcome(Errc::y)).
template <class T>
std::string outcome(const Result<T>& r) {
  return r.ok() ? "ok" : std::string(error_string(r.error().code));
}
inline std::string outcome(Errc code) { return code == Errc::ok ? "ok" : std::string(error_string(code)); }

inline Bytes bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }
inline std::string text(const Bytes& b) { return std::string(b.begin(), b.end()); }

// The value of a result known to be good, by value (so nothing refers into the result).
template <class T>
T take_value(Result<T>&& r) {
  return std::move(r).value();
}
inline void take_value(Result<void>&&) {}

// REQUIRE_OK(expr): expr must succeed; yields its value.
#define REQUIRE_OK(expr)                                                            \
  ({                                                                                \
    auto _ok_result = (expr);                                                       \
    if (!_ok_result.ok()) FAIL(#expr " failed: " << _ok_result.error().text());     \
    ::web9::test::take_value(std::move(_ok_result));                                \
  })

class FsClient {
 public:
  explicit FsClient(FsFactory factory) : factory_(std::move(factory)), server_(factory_.make()) {
    REQUIRE(server_);
  }

  FileServer& server() { return *server_; }
  const FsFactory& factory() const { return factory_; }

  // Starts a request with start(reply) and waits for its one reply.
  template <class T, class Start>
  Result<T> call(Start&& start) {
    auto slot = std::make_shared<std::optional<Result<T>>>();
    auto extra = extra_replies_;
    start([slot, extra](Result<T> r) {
      if (slot->has_value()) {
        ++*extra;
        return;
      }
      slot->emplace(std::move(r));
    });
    for (int turns = 0; !slot->has_value(); turns++) {
      if (!factory_.drive || turns > kMaxTurns || !factory_.drive())
        FAIL(factory_.name << ": a request was never answered");
    }
    CHECK(*extra_replies_ == 0);  // every request answers exactly once
    return std::move(**slot);
  }

  // Runs pending work until there is none (after a clunk, whose effects may come later).
  void settle() {
    for (int turns = 0; factory_.drive && turns < kMaxTurns && factory_.drive(); turns++) {
    }
    CHECK(*extra_replies_ == 0);
  }

  Result<FidPtr> attach() {
    return call<FidPtr>([&](auto r) { server_->attach(factory_.uname, factory_.aname, r); });
  }
  Result<Qid> walk1(Fid& fid, std::string_view name) {
    return call<Qid>([&](auto r) { server_->walk1(fid, name, r); });
  }
  // A new fid for from's file walked along path ("a/b"; "" clones). from is not moved.
  Result<FidPtr> walk(Fid& from, std::string_view path) {
    FidPtr f = from.clone();
    for (size_t i = 0; i < path.size();) {
      size_t slash = std::min(path.find('/', i), path.size());
      if (slash > i) {
        auto q = walk1(*f, path.substr(i, slash - i));
        if (!q.ok()) {
          clunk(std::move(f));
          return std::move(q).error();
        }
      }
      i = slash + 1;
    }
    return f;
  }
  Result<void> open(Fid& fid, uint8_t mode) {
    return call<void>([&](auto r) { server_->open(fid, mode, r); });
  }
  Result<void> create(Fid& fid, std::string_view name, uint32_t perm, uint8_t mode) {
    return call<void>([&](auto r) { server_->create(fid, name, perm, mode, r); });
  }
  // Every other read of a file is made with read_into (what a process's fd_read uses), so
  // every test that reads also checks it; read_into must write nothing past what it answers.
  Result<Bytes> read(Fid& fid, uint64_t offset, uint32_t count) {
    if (fid.qid.is_dir() || count > (1u << 20) || (reads_++ & 1) == 0)
      return call<Bytes>([&](auto r) { server_->read(fid, offset, count, r); });
    Bytes into(count + 1, 0x5A);
    uint32_t n = TRY(call<uint32_t>([&](auto r) { server_->read_into(fid, offset, std::span(into).first(count), r); }));
    if (n > count || into[count] != 0x5A) return Error(Errc::proto, "read_into wrote past its buffer or answered more than count");
    into.resize(n);
    return into;
  }
  // The data is handed over in a buffer that is scribbled on as soon as the call returns: a
  // server that answers later must have copied it.
  Result<uint32_t> write(Fid& fid, uint64_t offset, std::span<const uint8_t> data) {
    Bytes buf(data.begin(), data.end());
    return call<uint32_t>([&](auto r) {
      server_->write(fid, offset, buf, r);
      std::fill(buf.begin(), buf.end(), 0xA5);
    });
  }
  Result<uint32_t> write(Fid& fid, uint64_t offset, std::string_view s) { return write(fid, offset, bytes(s)); }
  Result<Dir> stat(Fid& fid) {
    return call<Dir>([&](auto r) { server_->stat(fid, r); });
  }
  Result<void> wstat(Fid& fid, const Dir& d) {
    return call<void>([&](auto r) { server_->wstat(fid, d, r); });
  }
  // Removes and then drops the fid as a channel does (Chan's destructor clunks it, so a server
  // must take a clunk after a remove).
  Result<void> remove(FidPtr fid) {
    auto res = call<void>([&](auto r) { server_->remove(*fid, r); });
    clunk(std::move(fid));
    return res;
  }
  void clunk(FidPtr fid) {
    server_->clunk(*fid);
    fid.reset();
    settle();
  }

  // A new fid on path, opened with mode.
  Result<FidPtr> open_path(Fid& root, std::string_view path, uint8_t mode) {
    FidPtr f = TRY(walk(root, path));
    if (auto ok = open(*f, mode); !ok) {
      clunk(std::move(f));
      return std::move(ok).error();
    }
    return f;
  }
  // A new fid on dir/name, created with perm and opened with mode.
  Result<FidPtr> create_in(Fid& dir, std::string_view name, uint32_t perm, uint8_t mode) {
    FidPtr f = dir.clone();
    if (auto ok = create(*f, name, perm, mode); !ok) {
      clunk(std::move(f));
      return std::move(ok).error();
    }
    return f;
  }
  // Writes all of data at offset, going on after short writes.
  Result<void> write_all(Fid& fid, uint64_t offset, std::span<const uint8_t> data) {
    while (!data.empty()) {
      uint32_t n = TRY(write(fid, offset, data));
      if (n == 0 || n > data.size()) return Error(Errc::io, "write made no progress");
      offset += n;
      data = data.subspan(n);
    }
    return success();
  }
  // Reads from offset 0 to the end in chunk-sized reads.
  Result<Bytes> read_all(Fid& fid, uint32_t chunk = 8192) {
    Bytes out;
    for (;;) {
      Bytes b = TRY(read(fid, out.size(), chunk));
      if (b.empty()) return out;
      if (b.size() > chunk) return Error(Errc::io, "read answered more than count");
      out.insert(out.end(), b.begin(), b.end());
    }
  }
  // The entries of directory path, read count bytes at a time; every answer must hold whole entries.
  Result<std::vector<Dir>> list(Fid& root, std::string_view path, uint32_t count = 8192) {
    FidPtr d = TRY(open_path(root, path, OREAD));
    std::vector<Dir> out;
    uint64_t offset = 0;
    for (;;) {
      auto b = read(*d, offset, count);
      if (!b.ok() || b->empty()) {
        clunk(std::move(d));
        if (!b.ok()) return std::move(b).error();
        return out;
      }
      CHECK(b->size() <= count);
      auto entries = unpack_dirs(*b);
      if (!entries.ok()) {
        clunk(std::move(d));
        return Error(Errc::proto, "a directory read split an entry");
      }
      out.insert(out.end(), entries->begin(), entries->end());
      offset += b->size();
    }
  }
  // Makes file path (in an existing directory) holding content; perm defaults to 0644.
  Result<void> put(Fid& root, std::string_view path, std::string_view content, uint32_t perm = 0644) {
    size_t slash = path.rfind('/');
    std::string_view dir = slash == std::string_view::npos ? "" : path.substr(0, slash);
    std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
    FidPtr d = TRY(walk(root, dir));
    auto f = create_in(*d, name, perm, OWRITE);
    clunk(std::move(d));
    if (!f.ok()) return std::move(f).error();
    auto w = write_all(**f, 0, bytes(content));
    clunk(std::move(*f));
    return w;
  }
  // The whole content of file path.
  Result<std::string> get(Fid& root, std::string_view path) {
    FidPtr f = TRY(open_path(root, path, OREAD));
    auto b = read_all(*f);
    clunk(std::move(f));
    if (!b.ok()) return std::move(b).error();
    return text(*b);
  }
  Result<Dir> stat_path(Fid& root, std::string_view path) {
    FidPtr f = TRY(walk(root, path));
    auto d = stat(*f);
    clunk(std::move(f));
    return d;
  }
  // A directory made with create (and the fid that made it clunked).
  Result<void> mkdir(Fid& root, std::string_view path, uint32_t perm = 0755) {
    size_t slash = path.rfind('/');
    std::string_view dir = slash == std::string_view::npos ? "" : path.substr(0, slash);
    std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
    FidPtr d = TRY(walk(root, dir));
    auto f = create_in(*d, name, DMDIR | perm, OREAD);
    clunk(std::move(d));
    if (!f.ok()) return std::move(f).error();
    clunk(std::move(*f));
    return success();
  }
  Result<void> remove_path(Fid& root, std::string_view path) {
    FidPtr f = TRY(walk(root, path));
    return remove(std::move(f));
  }

 private:
  static constexpr int kMaxTurns = 1'000'000;

  FsFactory factory_;
  std::shared_ptr<FileServer> server_;
  uint64_t reads_ = 0;  // read(): which of read and read_into the next one uses
  std::shared_ptr<int> extra_replies_ = std::make_shared<int>(0);
};

}  // namespace web9::test
