// A booted kernel for tests of the process layer and of the servers that need one (/proc, /env,
// /srv, /dev): a RamFs root, init as pid 1 with the standard name space, a clock the test
// controls, and short helpers for system calls that must answer at once (every server here does,
// unless a test makes one wait: those use Later).
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fs/cons.h"
#include "fs/ramfs.h"
#include "kernel/kernel.h"
#include "tests/fs/fs_client.h"
#include "tests/support/sync.h"

namespace web9::test {

inline std::span<const uint8_t> span_of(std::string_view s) {
  return std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

struct Booted {
  std::shared_ptr<RamFs> root = std::make_shared<RamFs>("glenda");
  std::unique_ptr<Kernel> owned = std::make_unique<Kernel>();
  Kernel& k = *owned;
  uint64_t clock_ms = 1000;
  std::string screen;  // what was written to the console

  explicit Booted(std::vector<std::pair<std::string, std::string>> env = {{"user", "glenda"}}) {
    k.set_clock([this] { return clock_ms; });
    k.cons().output = [this](std::span<const uint8_t> b) { screen.append(b.begin(), b.end()); };
    REQUIRE(root->put_file("/bin/echo", bytes("wasm"), 0755).ok());
    BootOptions o;
    o.root = root;
    o.env = std::move(env);
    auto pid = now<int>([&](auto r) { k.boot(std::move(o), r); });
    REQUIRE(pid.ok());
    REQUIRE(pid.value() == 1);
  }

  // A child of parent running argv[0] = name, sharing everything, with parent's 0-2 if open.
  int spawn(int parent = 1, std::string name = "child", SpawnOptions o = {}) {
    if (o.argv.empty()) o.argv = {std::move(name)};
    return REQUIRE_OK(k.spawn(parent, std::move(o)));
  }

  Result<int> try_open(int pid, std::string_view path, int mode) {
    return now<int>([&](auto r) { k.open(pid, path, mode, r); });
  }
  int open(int pid, std::string_view path, int mode) { return REQUIRE_OK(try_open(pid, path, mode)); }
  Result<int> try_create(int pid, std::string_view path, int mode, uint32_t perm = 0664) {
    return now<int>([&](auto r) { k.create(pid, path, mode, perm, r); });
  }
  int create(int pid, std::string_view path, int mode, uint32_t perm = 0664) {
    return REQUIRE_OK(try_create(pid, path, mode, perm));
  }
  Result<uint32_t> try_write(int pid, int fd, std::string_view s) {
    return now<uint32_t>([&](auto r) { k.write(pid, fd, span_of(s), r); });
  }
  void write(int pid, int fd, std::string_view s) { CHECK(REQUIRE_OK(try_write(pid, fd, s)) == s.size()); }
  Result<std::string> try_read(int pid, int fd, uint32_t count = 8192) {
    auto b = now<Bytes>([&](auto r) { k.read(pid, fd, count, r); });
    if (!b) return std::move(b).error();
    return text(*b);
  }
  std::string read(int pid, int fd, uint32_t count = 8192) { return REQUIRE_OK(try_read(pid, fd, count)); }
  // Every byte of the file at path.
  Result<std::string> try_cat(int pid, std::string_view path) {
    int fd = TRY(try_open(pid, path, OREAD));
    std::string out;
    for (;;) {
      auto b = try_read(pid, fd);
      if (!b) {
        (void)k.close(pid, fd);
        return std::move(b).error();
      }
      if (b->empty()) break;
      out += *b;
    }
    REQUIRE(k.close(pid, fd).ok());
    return out;
  }
  std::string cat(int pid, std::string_view path) { return REQUIRE_OK(try_cat(pid, path)); }
  // Writes s to path in one write (opened OWRITE, or created when create is set).
  Result<void> try_put(int pid, std::string_view path, std::string_view s, bool create = false) {
    int fd = create ? TRY(try_create(pid, path, OWRITE)) : TRY(try_open(pid, path, OWRITE));
    auto n = try_write(pid, fd, s);
    REQUIRE(k.close(pid, fd).ok());
    if (!n) return std::move(n).error();
    return success();
  }
  void put(int pid, std::string_view path, std::string_view s, bool create = false) {
    REQUIRE_OK(try_put(pid, path, s, create));
  }
  // The names in directory path, in the order read.
  Result<std::vector<std::string>> try_ls(int pid, std::string_view path) {
    int fd = TRY(try_open(pid, path, OREAD));
    std::vector<std::string> out;
    for (;;) {
      auto b = now<Bytes>([&](auto r) { k.read(pid, fd, 8192, r); });
      if (!b || b->empty()) {
        REQUIRE(k.close(pid, fd).ok());
        if (!b) return std::move(b).error();
        return out;
      }
      auto dirs = TRY(unpack_dirs(*b));
      for (const Dir& d : dirs) out.push_back(d.name);
    }
  }
  std::vector<std::string> ls(int pid, std::string_view path) { return REQUIRE_OK(try_ls(pid, path)); }
  Result<Dir> stat(int pid, std::string_view path) {
    return now<Dir>([&](auto r) { k.stat(pid, path, r); });
  }
  Result<void> chdir(int pid, std::string_view path) {
    return now<void>([&](auto r) { k.chdir(pid, path, r); });
  }
  Result<void> bind(int pid, std::string_view from, std::string_view onto, int flags) {
    return now<void>([&](auto r) { k.bind(pid, from, onto, flags, r); });
  }
  Result<void> remove(int pid, std::string_view path) {
    return now<void>([&](auto r) { k.remove(pid, path, r); });
  }
  using Ends = std::array<int, 2>;
  Ends pipe(int pid) {
    return REQUIRE_OK(now<Ends>([&](auto r) { k.pipe(pid, r); }));
  }
  Result<WaitMsg> wait_now(int pid) {
    return now<WaitMsg>([&](auto r) { k.wait(pid, r); });
  }
  // The notes pending for pid, taken.
  std::vector<std::string> notes(int pid) {
    std::vector<std::string> out;
    while (auto n = k.take_note(pid)) out.push_back(*n);
    return out;
  }
};

inline bool contains(const std::vector<std::string>& v, std::string_view s) {
  for (const auto& x : v)
    if (x == s) return true;
  return false;
}

}  // namespace web9::test
