// The system-call server driven as the runtime drives it: hand-built frames in, replies out,
// with a fake RuntimeHost that records what the kernel asks of it.
#include "kernel/syscall.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <map>
#include <memory>

#include "fs/cons.h"
#include "fs/memstore.h"
#include "fs/pipe.h"
#include "fs/ramfs.h"
#include "fs/storefs.h"
#include "tests/support/sync.h"

namespace web9 {
namespace {

// WASI errno values (wasi_snapshot_preview1).
constexpr int kEAGAIN = 6, kEBADF = 8, kECHILD = 12, kEEXIST = 20, kEFAULT = 21, kEINTR = 27, kEINVAL = 28,
              kEISDIR = 31, kENOENT = 44, kENOSYS = 52, kENOTDIR = 54, kENOTEMPTY = 55, kENOTSUP = 58,
              kERANGE = 68, kEXDEV = 75;
constexpr int64_t kRead = 1 << 1, kWrite = 1 << 6, kReaddir = 1 << 14;
constexpr int64_t kCreat = 1, kDirectory = 2, kExcl = 4, kTrunc = 8;

struct FakeHost : RuntimeHost {
  std::vector<int> replies;
  std::vector<ProcessImage> started;
  std::vector<std::pair<int, int>> stops;
  void reply(int pid) override { replies.push_back(pid); }
  void start(ProcessImage image) override { started.push_back(std::move(image)); }
  void stop(int pid, int grace_ms) override { stops.emplace_back(pid, grace_ms); }
  void cancel_stop(int) override {}
  // Write-behind rings, when have_rings: a slot's bytes are what the test pushed into it.
  bool have_rings = false;
  std::map<int, Bytes> rings;
  std::vector<int> closed_rings;
  int next_slot = 0;
  std::optional<RingRef> file_ring_open(bool) override {
    if (!have_rings) return std::nullopt;
    rings[next_slot];
    return RingRef{next_slot++, 1};
  }
  size_t file_ring_take(int slot, std::span<uint8_t> dest) override {
    Bytes& b = rings[slot];
    size_t n = std::min(b.size(), dest.size());
    std::copy(b.begin(), b.begin() + static_cast<ptrdiff_t>(n), dest.begin());
    b.erase(b.begin(), b.begin() + static_cast<ptrdiff_t>(n));
    return n;
  }
  void file_ring_close(int slot) override {
    closed_rings.push_back(slot);
    rings.erase(slot);
  }
  // Read-ahead: what the kernel put into a slot, read from its front by the test.
  static constexpr size_t kRingData = 512 * 1024;
  std::vector<int> eofs, recalled;
  size_t file_ring_room(int slot) override { return kRingData - rings[slot].size(); }
  void file_ring_put(int slot, std::span<const uint8_t> data) override {
    rings[slot].insert(rings[slot].end(), data.begin(), data.end());
  }
  void file_ring_eof(int slot) override { eofs.push_back(slot); }
  // A ring handed over whole (kRingHandedOver): how far its process has read the file itself.
  std::map<int, int64_t> read_itself;
  int64_t file_ring_recall(int slot) override {
    recalled.push_back(slot);
    auto left = int64_t(rings[slot].size());
    rings.erase(slot);
    if (auto it = read_itself.find(slot); it != read_itself.end()) {
      left = -it->second;
      read_itself.erase(it);
    }
    return left;
  }
};

Bytes wasm_bytes(std::string_view tail) {
  std::string s("\0asm\1\0\0\0", 8);
  s += tail;
  return Bytes(s.begin(), s.end());
}
Bytes text(std::string_view s) { return Bytes(s.begin(), s.end()); }

struct Out {
  int err = -1;
  int64_t r[4] = {};
  std::string data;
};

struct Rig {
  Kernel k;
  FakeHost host;
  Syscalls sys{k, host};
  std::shared_ptr<RamFs> root = std::make_shared<RamFs>("glenda");

  Rig() {
    REQUIRE(root->put_file("/bin/hello", wasm_bytes("hello"), 0775));
    REQUIRE(root->put_file("/bin/script", text("#!/bin/hello -x\necho hi\n"), 0775));
    REQUIRE(root->put_file("/bin/junk", text("not a program"), 0775));
    BootOptions o;
    o.root = root;
    REQUIRE(test::now<int>([&](auto r) { k.boot(o, r); }).value() == 1);
  }

  // Mounts a StoreFs over store on /n/home.
  void mount_home(std::shared_ptr<Store> store) {
    REQUIRE(root->put_file("/n/home", {}, DMDIR | 0775));
    auto ns = k.process(1)->ns;
    auto onto = test::now<ChanRef>([&](auto r) { ns->walk("/n/home", r); });
    REQUIRE(onto);
    auto fs = std::make_shared<StoreFs>(store, "glenda");
    REQUIRE(test::now<void>([&](auto r) { ns->mount(fs, "", onto.value(), MREPL | MCREATE, r); }));
  }

  // Posts a request; answers whether a reply came before submit returned.
  bool post(int pid, Op op, std::vector<int64_t> a, std::string_view data = {}) {
    SyscallFrame* f = sys.frame(pid);
    f->op = static_cast<int32_t>(op);
    f->pid = pid;
    f->in_len = static_cast<uint32_t>(data.size());
    if (!data.empty()) std::memcpy(f->data, data.data(), data.size());
    for (int i = 0; i < 8; i++) f->a[i] = i < int(a.size()) ? a[i] : 0;
    f->state = 1;
    size_t before = host.replies.size();
    sys.submit(pid);
    return host.replies.size() > before;
  }
  Out result(int pid) {
    SyscallFrame* f = sys.frame(pid);
    Out o;
    o.err = f->err;
    for (int i = 0; i < 4; i++) o.r[i] = f->r[i];
    o.data.assign(reinterpret_cast<const char*>(f->data), f->out_len);
    return o;
  }
  Out call(int pid, Op op, std::vector<int64_t> a, std::string_view data = {}) {
    REQUIRE(post(pid, op, std::move(a), data));
    return result(pid);
  }
  int open(int pid, std::string_view path, int64_t oflags, int64_t rights = kRead | kWrite) {
    Out o = call(pid, Op::path_open, {3, oflags, rights, 0}, path);
    REQUIRE(o.err == 0);
    return int(o.r[0]);
  }
  int spawn(int parent, std::string_view path, std::string_view argv, std::vector<std::pair<int32_t, int32_t>> fds,
            uint32_t flags = 0) {
    std::string data(path);
    data += argv;
    for (auto [c, p] : fds) {
      data.append(reinterpret_cast<const char*>(&c), 4);
      data.append(reinterpret_cast<const char*>(&p), 4);
    }
    Out o = call(parent, Op::spawn, {int64_t(path.size()), int64_t(argv.size()), 0, int64_t(fds.size()), flags}, data);
    REQUIRE(o.err == 0);
    return int(o.r[0]);
  }
};

uint64_t u64(const std::string& s, size_t off) {
  uint64_t v;
  std::memcpy(&v, s.data() + off, 8);
  return v;
}
uint32_t u32(const std::string& s, size_t off) {
  uint32_t v;
  std::memcpy(&v, s.data() + off, 4);
  return v;
}

TEST_CASE("open, write, seek, read and stat a ram file", "[syscall]") {
  Rig t;
  int fd = t.open(1, "tmp/f", kCreat);
  CHECK(fd != 3);  // fd 3 stays the preopened "/"
  Out w = t.call(1, Op::fd_write, {fd}, "hello, world");
  REQUIRE(w.err == 0);
  CHECK(w.r[0] == 12);
  CHECK(t.call(1, Op::fd_tell, {fd}).r[0] == 12);
  Out s = t.call(1, Op::fd_seek, {fd, -5, 2});
  REQUIRE(s.err == 0);
  CHECK(s.r[0] == 7);
  Out r = t.call(1, Op::fd_read, {fd, 100});
  REQUIRE(r.err == 0);
  CHECK(r.data == "world");
  CHECK(r.r[0] == 5);
  CHECK(t.call(1, Op::fd_pwrite, {fd, 0}, "HELLO").err == 0);
  CHECK(t.call(1, Op::fd_pread, {fd, 5, 0}).data == "HELLO");

  Out st = t.call(1, Op::fd_filestat_get, {fd});
  REQUIRE(st.err == 0);
  REQUIRE(st.data.size() == 64);
  CHECK(st.data[16] == 4);  // regular file
  CHECK(u64(st.data, 32) == 12);
  CHECK(t.call(1, Op::fd_filestat_set_size, {fd, 3}).err == 0);
  Out ps = t.call(1, Op::path_filestat_get, {3, 0}, "tmp/f");
  REQUIRE(ps.err == 0);
  CHECK(u64(ps.data, 32) == 3);

  // O_CREAT without O_TRUNC leaves an existing file alone; O_TRUNC empties it.
  int again = t.open(1, "/tmp/f", kCreat);
  CHECK(t.call(1, Op::fd_read, {again, 100}).data == "HEL");
  int trunc = t.open(1, "/tmp/f", kTrunc);
  CHECK(t.call(1, Op::fd_read, {trunc, 100}).data.empty());
  CHECK(t.call(1, Op::fd_close, {fd}).err == 0);
  CHECK(t.call(1, Op::fd_close, {fd}).err == kEBADF);
  CHECK(t.call(1, Op::fd_read, {fd, 1}).err == kEBADF);
}

// The slot a write reply's r1 names for writing (kernel/syscall.cpp, ring_info), or -1.
int write_slot(int64_t info) { return info ? int((info >> 8) & 0xff) - 1 : -1; }

TEST_CASE("write-behind: a large write to a plain file earns a ring whose bytes land before any later call", "[syscall]") {
  Rig t;
  t.host.have_rings = true;
  int fd = t.open(1, "/f", kCreat);
  Out small = t.call(1, Op::fd_write, {fd}, std::string(100, 's'));
  REQUIRE(small.err == 0);
  CHECK(small.r[1] == 0);  // a small write earns nothing
  Out big = t.call(1, Op::fd_write, {fd}, std::string(20000, 'b'));
  REQUIRE(big.err == 0);
  REQUIRE(write_slot(big.r[1]) == 0);
  CHECK(((big.r[1] >> 32) & 0xffff) == 1);  // the generation
  CHECK(t.call(1, Op::fd_write, {fd}, std::string(20000, 'b')).r[1] == 0);  // it has one
  // What the process pushed is written at the fd's offset before the next call runs.
  t.host.rings[0] = text("pushed");
  CHECK(t.call(1, Op::fd_tell, {fd}).r[0] == 40106);
  CHECK(t.call(1, Op::fd_pread, {fd, 6, 40100}).data == "pushed");
  // Pipes and the console are not plain files.
  Out pipe = t.call(1, Op::pipe, {});
  REQUIRE(pipe.err == 0);
  CHECK(t.call(1, Op::fd_write, {pipe.r[1]}, std::string(20000, 'p')).r[1] == 0);
  CHECK(t.call(1, Op::fd_write, {1}, std::string(20000, 'c')).r[1] == 0);
  // Closing the fd drains its ring, then gives it back.
  t.host.rings[0] = text("last");
  REQUIRE(t.call(1, Op::fd_close, {fd}).err == 0);
  CHECK(t.call(1, Op::path_filestat_get, {3, 0}, "f").data.size() == 64);
  CHECK(u64(t.call(1, Op::path_filestat_get, {3, 0}, "f").data, 32) == 40110);
  CHECK(t.host.closed_rings == std::vector<int>{0});
}

TEST_CASE("write-behind: a drained write that fails answers the next write, sync or close", "[syscall]") {
  Rig t;
  t.host.have_rings = true;
  t.root->set_max_file_size(30000);
  int fd = t.open(1, "/f", kCreat);
  REQUIRE(write_slot(t.call(1, Op::fd_write, {fd}, std::string(20000, 'a')).r[1]) == 0);
  t.host.rings[0] = Bytes(20000, 'x');  // past the limit: the drain fails
  Out sync = t.call(1, Op::fd_sync, {fd});
  CHECK(sync.err == int(wasi_errno(Errc::fbig)));
  CHECK(t.host.closed_rings == std::vector<int>{0});  // the ring is over; writes come to the kernel
  CHECK(t.call(1, Op::fd_sync, {fd}).err == 0);        // said once
  CHECK(t.call(1, Op::fd_tell, {fd}).r[0] == 20000);  // nothing of the failed write went in
  // Once more, answered by the close (which still closes).
  REQUIRE(t.call(1, Op::fd_seek, {fd, 0, 0}).err == 0);
  REQUIRE(write_slot(t.call(1, Op::fd_write, {fd}, std::string(20000, 'a')).r[1]) == 1);
  t.host.rings[1] = Bytes(20000, 'y');
  CHECK(t.call(1, Op::fd_close, {fd}).err == int(wasi_errno(Errc::fbig)));
  CHECK(t.call(1, Op::fd_close, {fd}).err == kEBADF);
}

TEST_CASE("read-ahead: a second large sequential read earns a ring the kernel fills; calls on the fd take it back", "[syscall]") {
  Rig t;
  t.host.have_rings = true;
  Bytes content(1 << 20);
  for (size_t i = 0; i < content.size(); i++) content[i] = uint8_t(i * 7 + i / 251);
  REQUIRE(t.root->put_file("/big", content, 0664));
  int fd = t.open(1, "/big", 0, kRead);
  CHECK(t.call(1, Op::fd_read, {fd, 65536}).r[1] == 0);  // the first large read earns nothing
  Out second = t.call(1, Op::fd_read, {fd, 65536});
  REQUIRE(second.err == 0);
  int slot = int(second.r[1] & 0xff) - 1;
  REQUIRE(slot >= 0);
  CHECK((second.r[1] >> 8 & 0xff) == 0);  // no write side
  // The kernel put two records in it before the reply, and fills the rest after (the scan
  // that follows each batch of calls), with what follows in the file's order.
  CHECK(t.host.rings[slot].size() == 2 * (128 * 1024 - 4));
  t.sys.check_rings();
  const Bytes& ahead = t.host.rings[slot];
  REQUIRE(ahead.size() > 256 * 1024);
  CHECK(std::equal(ahead.begin(), ahead.end(), content.begin() + 131072));
  // The process reads 1000 bytes of it; a seek then takes the rest back and the fd stands
  // after what was read.
  t.host.rings[slot].erase(t.host.rings[slot].begin(), t.host.rings[slot].begin() + 1000);
  CHECK(t.call(1, Op::fd_tell, {fd}).r[0] == 131072 + 1000);
  CHECK(t.host.recalled == std::vector<int>{slot});
  Out next = t.call(1, Op::fd_read, {fd, 10});
  CHECK(next.data == std::string(content.begin() + 132072, content.begin() + 132082));

  // Read ahead again to the end of the file, then a write through another fd takes it back.
  CHECK(t.call(1, Op::fd_seek, {fd, 0, 0}).err == 0);
  t.call(1, Op::fd_read, {fd, 400000});
  Out again = t.call(1, Op::fd_read, {fd, 400000});
  int slot2 = int(again.r[1] & 0xff) - 1;
  REQUIRE(slot2 >= 0);
  t.sys.check_rings();
  CHECK(t.host.rings[slot2].size() == content.size() - 800000);
  CHECK(t.host.eofs == std::vector<int>{slot2});
  int w = t.open(1, "/big", 0, kWrite);
  CHECK(t.call(1, Op::fd_pwrite, {w, 0}, "x").err == 0);
  CHECK(t.host.recalled == std::vector<int>{slot, slot2});
  CHECK(t.call(1, Op::fd_tell, {fd}).r[0] == 800000);
}

// A store whose runtime hands read-ahead files over whole (a browser process worker reading
// the OPFS data file itself).
struct HandOverStore : MemStore {
  std::vector<uint64_t> handed_at;  // the offsets it was handed over at
  void read_to_ring(StoreFile, uint64_t offset, int, uint32_t, Reply<uint32_t> r) override {
    handed_at.push_back(offset);
    r(kRingHandedOver);
  }
};

TEST_CASE("read-ahead handed over: the kernel fills nothing and a recall moves the fd on by what the process read", "[syscall]") {
  Rig t;
  t.host.have_rings = true;
  auto store = std::make_shared<HandOverStore>();
  t.mount_home(store);
  int w = t.open(1, "n/home/f", kCreat);
  std::string content(1 << 20, 'x');
  for (size_t i = 0; i < content.size(); i++) content[i] = char('a' + i % 23);
  for (size_t at = 0; at < content.size(); at += 65536)
    REQUIRE(t.call(1, Op::fd_write, {w}, std::string_view(content).substr(at, 65536)).err == 0);
  REQUIRE(t.call(1, Op::fd_close, {w}).err == 0);

  int fd = t.open(1, "n/home/f", 0, kRead);
  CHECK(t.call(1, Op::fd_read, {fd, 65536}).r[1] == 0);
  Out second = t.call(1, Op::fd_read, {fd, 65536});
  REQUIRE(second.err == 0);
  int slot = int(second.r[1] & 0xff) - 1;
  REQUIRE(slot >= 0);
  CHECK(store->handed_at == std::vector<uint64_t>{131072});  // handed over once, where the fd stands
  t.sys.check_rings();
  CHECK(store->handed_at.size() == 1);  // and never filled
  CHECK(t.host.rings[slot].empty());
  CHECK(t.host.eofs.empty());

  // The process read 300000 bytes itself; a seek takes the ring back and the fd stands after them.
  t.host.read_itself[slot] = 300000;
  CHECK(t.call(1, Op::fd_tell, {fd}).r[0] == 131072 + 300000);
  CHECK(t.host.recalled == std::vector<int>{slot});
  Out next = t.call(1, Op::fd_read, {fd, 10});
  CHECK(next.data == content.substr(431072, 10));

  // A write through another fd takes a handed-over ring back too, before it lands.
  CHECK(t.call(1, Op::fd_seek, {fd, 0, 0}).err == 0);
  t.call(1, Op::fd_read, {fd, 65536});
  int slot2 = int(t.call(1, Op::fd_read, {fd, 65536}).r[1] & 0xff) - 1;
  REQUIRE(slot2 >= 0);
  t.host.read_itself[slot2] = 1000;
  int w2 = t.open(1, "n/home/f", 0, kWrite);
  CHECK(t.call(1, Op::fd_pwrite, {w2, 0}, "X").err == 0);
  CHECK(t.host.recalled == std::vector<int>{slot, slot2});
  CHECK(t.call(1, Op::fd_tell, {fd}).r[0] == 131072 + 1000);
}

TEST_CASE("fd_sync and fd_datasync flush a store-backed file and the store", "[syscall]") {
  Rig t;
  auto store = std::make_shared<MemStore>();
  t.mount_home(store);

  int fd = t.open(1, "n/home/f", kCreat);
  REQUIRE(t.call(1, Op::fd_write, {fd}, "kept").err == 0);
  int syncs = store->syncs(), flushes = store->flushes();
  CHECK(t.call(1, Op::fd_sync, {fd}).err == 0);
  CHECK(store->syncs() == syncs + 1);
  CHECK(store->flushes() > flushes);
  CHECK(t.call(1, Op::fd_datasync, {fd}).err == 0);
  CHECK(store->syncs() == syncs + 2);

  // Any other server writes through: success, and the store is not asked.
  int ram = t.open(1, "tmp/x", kCreat);
  CHECK(t.call(1, Op::fd_sync, {ram}).err == 0);
  CHECK(store->syncs() == syncs + 2);
  CHECK(t.call(1, Op::fd_sync, {99}).err == kEBADF);

  // A store that answers later answers the sync later.
  store->set_deferred(true);
  CHECK_FALSE(t.post(1, Op::fd_sync, {fd}));
  while (store->run_one()) {
  }
  CHECK(t.result(1).err == 0);
  CHECK(store->syncs() == syncs + 3);
}

TEST_CASE("fdstat tells directories, terminals and files apart", "[syscall]") {
  Rig t;
  Out pre = t.call(1, Op::fd_fdstat_get, {3});
  REQUIRE(pre.err == 0);
  CHECK(pre.r[0] == 3);  // directory
  CHECK(t.call(1, Op::fd_prestat_get, {3}).r[0] == 1);
  CHECK(t.call(1, Op::fd_prestat_dir_name, {3, 1}).data == "/");
  CHECK(t.call(1, Op::fd_prestat_get, {4}).err == kEBADF);

  int cons = t.open(1, "dev/cons", 0);
  Out c = t.call(1, Op::fd_fdstat_get, {cons});
  CHECK(c.r[0] == 2);               // character device
  CHECK((c.r[2] & (1 << 2)) == 0);  // no FD_SEEK: a terminal
  int null = t.open(1, "dev/null", 0);
  CHECK((t.call(1, Op::fd_fdstat_get, {null}).r[2] & (1 << 2)) != 0);
  int f = t.open(1, "tmp/x", kCreat);
  CHECK(t.call(1, Op::fd_fdstat_set_flags, {f, 1}).err == 0);
  Out fs = t.call(1, Op::fd_fdstat_get, {f});
  CHECK(fs.r[0] == 4);
  CHECK(fs.r[1] == 1);  // append
}

TEST_CASE("fd_readdir gives dirents with resumable cookies", "[syscall]") {
  Rig t;
  CHECK(t.call(1, Op::path_create_directory, {3}, "tmp/d").err == 0);
  for (const char* n : {"tmp/d/alpha", "tmp/d/beta", "tmp/d/gamma"}) t.open(1, n, kCreat);
  CHECK(t.call(1, Op::path_create_directory, {3}, "tmp/d/sub").err == 0);
  int d = t.open(1, "tmp/d", kDirectory, kRead | kReaddir);

  auto parse = [](const std::string& buf) {
    std::vector<std::tuple<uint64_t, std::string, int>> out;
    size_t i = 0;
    while (i + 24 <= buf.size()) {
      uint32_t len = u32(buf, i + 16);
      if (i + 24 + len > buf.size()) break;
      out.emplace_back(u64(buf, i), buf.substr(i + 24, len), int(uint8_t(buf[i + 20])));
      i += 24 + len;
    }
    return out;
  };
  Out all = t.call(1, Op::fd_readdir, {d, 4096, 0});
  REQUIRE(all.err == 0);
  CHECK(all.r[0] == int64_t(all.data.size()));
  auto entries = parse(all.data);
  REQUIRE(entries.size() == 4);
  std::vector<std::string> names;
  for (size_t i = 0; i < entries.size(); i++) {
    CHECK(std::get<0>(entries[i]) == i + 1);
    names.push_back(std::get<1>(entries[i]));
    CHECK(std::get<2>(entries[i]) == (std::get<1>(entries[i]) == "sub" ? 3 : 4));
  }
  // Resuming at a cookie continues after that entry.
  auto rest = parse(t.call(1, Op::fd_readdir, {d, 4096, 2}).data);
  REQUIRE(rest.size() == 2);
  CHECK(std::get<1>(rest[0]) == names[2]);
  // A small buffer is filled exactly, the last record cut short.
  Out small = t.call(1, Op::fd_readdir, {d, 30, 0});
  CHECK(small.data.size() == 30);
  CHECK(t.call(1, Op::fd_readdir, {d, 4096, 4}).data.empty());
  int file = t.open(1, "tmp/d/alpha", 0);
  CHECK(t.call(1, Op::fd_readdir, {file, 4096, 0}).err == kENOTDIR);
}

TEST_CASE("path calls report POSIX errors", "[syscall]") {
  Rig t;
  CHECK(t.call(1, Op::path_open, {3, 0, kRead, 0}, "tmp/missing").err == kENOENT);
  t.open(1, "tmp/file", kCreat);
  CHECK(t.call(1, Op::path_open, {3, 0, kRead, 0}, "tmp/file/x").err == kENOTDIR);
  CHECK(t.call(1, Op::path_open, {3, kDirectory, kRead, 0}, "tmp/file").err == kENOTDIR);
  CHECK(t.call(1, Op::path_open, {3, kCreat | kExcl, kRead, 0}, "tmp/file").err == kEEXIST);
  CHECK(t.call(1, Op::path_create_directory, {3}, "tmp/dir").err == 0);
  CHECK(t.call(1, Op::path_create_directory, {3}, "tmp/dir").err == kEEXIST);
  t.open(1, "tmp/dir/inner", kCreat);
  CHECK(t.call(1, Op::path_remove_directory, {3}, "tmp/dir").err == kENOTEMPTY);
  CHECK(t.call(1, Op::path_remove_directory, {3}, "tmp/file").err == kENOTDIR);
  CHECK(t.call(1, Op::path_unlink_file, {3}, "tmp/dir").err == kEISDIR);
  CHECK(t.call(1, Op::path_unlink_file, {3}, "tmp/dir/inner").err == 0);
  CHECK(t.call(1, Op::path_remove_directory, {3}, "tmp/dir").err == 0);
  CHECK(t.call(1, Op::path_filestat_get, {3, 0}, "tmp/dir").err == kENOENT);
  CHECK(t.call(1, Op::path_symlink, {}, "a").err == kENOTSUP);
  CHECK(t.call(1, Op::path_readlink, {3}, "tmp/file").err == kEINVAL);

  // rename: within a directory (replacing the target), not across.
  t.open(1, "tmp/other", kCreat);
  std::string two = std::string("tmp/file") + "tmp/other";
  CHECK(t.call(1, Op::path_rename, {3, 3, 8}, two).err == 0);
  CHECK(t.call(1, Op::path_filestat_get, {3, 0}, "tmp/file").err == kENOENT);
  CHECK(t.call(1, Op::path_filestat_get, {3, 0}, "tmp/other").err == 0);
  CHECK(t.call(1, Op::path_create_directory, {3}, "tmp/d2").err == 0);
  std::string across = std::string("tmp/other") + "tmp/d2/other";
  CHECK(t.call(1, Op::path_rename, {3, 3, 9}, across).err == kEXDEV);

  // A path relative to a directory fd.
  int d2 = t.open(1, "tmp/d2", kDirectory, kRead);
  CHECK(t.call(1, Op::path_open, {d2, kCreat, kRead | kWrite, 0}, "inside").err == 0);
  CHECK(t.call(1, Op::path_filestat_get, {3, 0}, "tmp/d2/inside").err == 0);
}

TEST_CASE("errstr keeps the last error's text; getcwd and fd2path check the buffer", "[syscall]") {
  Rig t;
  CHECK(t.call(1, Op::path_open, {3, 0, kRead, 0}, "nowhere").err == kENOENT);
  Out e = t.call(1, Op::errstr, {128});
  CHECK(e.err == 0);
  CHECK(e.data.find("file does not exist") != std::string::npos);
  CHECK(e.data.find("/nowhere") != std::string::npos);
  CHECK(t.call(1, Op::errstr, {4}).data == e.data.substr(0, 4));  // truncated; asking does not change it
  CHECK(t.call(1, Op::errstr, {128}).data == e.data);
  CHECK(t.call(1, Op::getcwd, {0}).err == kERANGE);
  Out cwd = t.call(1, Op::getcwd, {100});
  CHECK(cwd.data == "/");
  CHECK(cwd.r[0] == 1);
  CHECK(t.call(1, Op::chdir, {}, "/tmp").err == 0);
  CHECK(t.call(1, Op::getcwd, {100}).data == "/tmp");
  int f = t.open(1, "/tmp/named", kCreat);
  CHECK(t.call(1, Op::fd2path, {f, 100}).data == "/tmp/named");
  CHECK(t.call(1, Op::fd2path, {f, 3}).err == kERANGE);
  CHECK(t.call(1, Op::getpid, {}).r[0] == 1);
}

TEST_CASE("pipe, spawn and wait", "[syscall]") {
  Rig t;
  Out p = t.call(1, Op::pipe, {});
  REQUIRE(p.err == 0);
  int rd = int(p.r[0]), wr = int(p.r[1]);
  std::string argv("hello\0world\0", 12);
  int child = t.spawn(1, "/bin/hello", argv, {{1, int32_t(wr)}}, 2);
  REQUIRE(t.host.started.size() == 1);
  const ProcessImage& img = t.host.started[0];
  CHECK(img.pid == child);
  CHECK(img.argv == std::vector<std::string>{"hello", "world"});
  REQUIRE(img.wasm);
  CHECK(*img.wasm == wasm_bytes("hello"));
  CHECK(img.key.rfind("/bin/hello@", 0) == 0);
  CHECK(t.call(1, Op::fd_close, {wr}).err == 0);

  // The child writes into the pipe on its fd 1 and exits 3.
  CHECK(t.call(child, Op::fd_write, {1}, "from child").r[0] == 10);
  CHECK(t.call(1, Op::fd_read, {rd, 100}).data == "from child");
  CHECK(t.call(child, Op::proc_exit, {3}).err == 0);
  t.sys.exited(child, "");
  Out w = t.call(1, Op::wait, {64});
  REQUIRE(w.err == 0);
  CHECK(w.r[0] == child);
  CHECK(w.data == "3");
  CHECK(t.call(1, Op::wait, {64}).err == kECHILD);

  // A "#!" script runs its interpreter with the script's path.
  int s = t.spawn(1, "/bin/script", std::string("script\0arg\0", 11), {});
  REQUIRE(t.host.started.size() == 2);
  CHECK(t.host.started[1].pid == s);
  CHECK(t.host.started[1].argv == std::vector<std::string>{"/bin/hello", "-x", "/bin/script", "arg"});
  // A worker that ends on its own reports its status.
  t.sys.exited(s, "sys: trap: unreachable");
  Out w2 = t.call(1, Op::wait, {64});
  CHECK(w2.r[0] == s);
  CHECK(w2.data == "sys: trap: unreachable");
  CHECK(w2.r[1] == 22);
  CHECK(t.call(1, Op::wait, {4}).err == kECHILD);

  // Not a program, or not there.
  std::string junk = "/bin/junk";
  CHECK(t.call(1, Op::spawn, {int64_t(junk.size()), 0, 0, 0, 0}, junk).err != 0);
  CHECK(t.call(1, Op::spawn, {5, 0, 0, 0, 0}, "/nope").err == kENOENT);
  CHECK(t.host.started.size() == 2);
}

TEST_CASE("notes: stop without a handler, EINTR and noted with one", "[syscall]") {
  Rig t;
  int a = t.spawn(1, "/bin/hello", std::string("a\0", 2), {}, 4);
  int b = t.spawn(1, "/bin/hello", std::string("b\0", 2), {}, 4);
  // a has no handler: a note ends it after a grace period.
  CHECK(t.call(1, Op::note, {a}, "interrupt").err == 0);
  REQUIRE(t.host.stops.size() == 1);
  CHECK(t.host.stops[0] == std::pair<int, int>{a, 100});
  t.sys.exited(a, "killed");
  Out w = t.call(1, Op::wait, {64});
  CHECK(w.r[0] == a);
  CHECK(w.data == "interrupt");

  // b handles notes: its blocked wait... b has no children, so block it on a pipe read instead.
  CHECK(t.call(b, Op::notify, {1}).err == 0);
  Out p = t.call(b, Op::pipe, {});
  REQUIRE(!t.post(b, Op::fd_read, {p.r[0], 10}));  // blocks: nobody has written
  CHECK(t.call(1, Op::note, {-b}, "alarm").err == 0);  // to b's note group
  CHECK(t.host.stops.size() == 1);
  CHECK(t.result(b).err == kEINTR);
  Out n = t.call(b, Op::noted, {64});
  CHECK(n.err == 0);
  CHECK(n.data == "alarm");
  CHECK(t.call(b, Op::noted, {64}).err == kEAGAIN);
  CHECK(t.call(1, Op::note, {b}, "kill").err == 0);
  CHECK(t.host.stops.back() == std::pair<int, int>{b, 0});
  t.sys.exited(b, "killed");
  Out wb = t.call(1, Op::wait, {64});
  CHECK(wb.r[0] == b);
  CHECK(wb.data == "killed");
  CHECK(t.call(1, Op::note, {b}, "x").err != 0);

  // init has no worker here (nobody started a program for it): its notes just wait.
  size_t stops = t.host.stops.size();
  CHECK(t.call(1, Op::note, {1}, "interrupt").err == 0);
  CHECK(t.host.stops.size() == stops);
  CHECK(t.call(1, Op::noted, {64}).data == "interrupt");
}

TEST_CASE("a note ends a process without a handler at once: its blocked and later calls answer kErrKilled", "[syscall]") {
  Rig t;
  int a = t.spawn(1, "/bin/hello", std::string("a\0", 2), {}, 4);
  Out p = t.call(a, Op::pipe, {});
  REQUIRE(!t.post(a, Op::fd_read, {p.r[0], 10}));  // blocks: nobody has written
  CHECK(t.call(1, Op::note, {a}, "interrupt").err == 0);
  CHECK(t.result(a).err == kErrKilled);  // the read it was blocked in
  CHECK(t.call(a, Op::getpid, {}).err == kErrKilled);  // and anything it tries after
  // The stop is still asked for, for a program that makes no more calls.
  REQUIRE(!t.host.stops.empty());
  CHECK(t.host.stops.back() == std::pair<int, int>{a, 100});
  t.sys.exited(a, "killed");
  Out w = t.call(1, Op::wait, {64});
  CHECK(w.r[0] == a);
  CHECK(w.data == "interrupt");
  CHECK(t.call(1, Op::note, {a}, "x").err != 0);  // it is gone
}

TEST_CASE("malformed frames are refused without harm", "[syscall]") {
  Rig t;
  SyscallFrame* f = t.sys.frame(1);
  f->op = static_cast<int32_t>(Op::fd_write);
  f->a[0] = 1;
  f->in_len = uint32_t(kChannelData + 1);
  t.sys.submit(1);
  CHECK(t.result(1).err == kEFAULT);
  f->in_len = 0xffffffffu;
  t.sys.submit(1);
  CHECK(t.result(1).err == kEFAULT);
  CHECK(t.call(1, Op::path_rename, {3, 3, 100}, "short").err == kEINVAL);
  CHECK(t.call(1, Op::path_rename, {3, 3, -1}, "short").err == kEINVAL);
  CHECK(t.call(1, Op::bind, {1000, 5, 0}, "x").err == kEINVAL);
  CHECK(t.call(1, Op::spawn, {-1, 0, 0, 0, 0}, "x").err == kEINVAL);
  CHECK(t.call(1, Op::spawn, {1, 0, 0, 1 << 30, 0}, "x").err == kEINVAL);
  CHECK(t.call(1, static_cast<Op>(999), {}).err == kENOSYS);
  CHECK(t.call(1, Op::fd_read, {-5, 10}).err == kEBADF);
  CHECK(t.call(1, Op::dup, {0, -7}).err == kEBADF);
  CHECK(t.call(1, Op::poll_oneoff, {2}, "short").err == kEINVAL);
  // After all that the process still works.
  CHECK(t.call(1, Op::getcwd, {100}).data == "/");
}

// A poll_oneoff request: one {userdata, fd, type} record per {fd, type} (1 read, 2 write).
std::string poll_request(std::vector<std::pair<int, uint32_t>> subs) {
  std::string req(subs.size() * 16, '\0');
  for (size_t i = 0; i < subs.size(); i++) {
    uint64_t userdata = 100 + i;
    uint32_t fd = uint32_t(subs[i].first);
    std::memcpy(&req[i * 16], &userdata, 8);
    std::memcpy(&req[i * 16 + 8], &fd, 4);
    std::memcpy(&req[i * 16 + 12], &subs[i].second, 4);
  }
  return req;
}

// poll_oneoff's reply records, {index u32, errno u16, flags u16, nbytes u64} each.
struct PollEv {
  uint32_t index;
  uint16_t err, flags;
  uint64_t nbytes;
};
std::vector<PollEv> poll_events(const Out& o) {
  std::vector<PollEv> out;
  REQUIRE(o.data.size() == size_t(o.r[0]) * 16);
  for (size_t at = 0; at < o.data.size(); at += 16) {
    PollEv e;
    e.index = u32(o.data, at);
    std::memcpy(&e.err, o.data.data() + at + 4, 2);
    std::memcpy(&e.flags, o.data.data() + at + 6, 2);
    e.nbytes = u64(o.data, at + 8);
    out.push_back(e);
  }
  return out;
}

constexpr uint32_t kPollRead = 1, kPollWrite = 2;
constexpr uint16_t kHangup = 1;

TEST_CASE("poll_oneoff answers when a pipe is ready, and only what is ready", "[syscall]") {
  Rig t;
  Out p = t.call(1, Op::pipe, {});
  REQUIRE(p.err == 0);
  int rd = int(p.r[0]), wr = int(p.r[1]);
  int file = t.open(1, "tmp/p", kCreat);

  // A file is always ready; a bad descriptor is reported at once; the empty pipe is not ready.
  Out o = t.call(1, Op::poll_oneoff, {3}, poll_request({{rd, kPollRead}, {file, kPollRead}, {77, kPollRead}}));
  REQUIRE(o.err == 0);
  auto ev = poll_events(o);
  REQUIRE(ev.size() == 2);
  CHECK(ev[0].index == 1);
  CHECK(ev[0].err == 0);
  CHECK(ev[1].index == 2);
  CHECK(ev[1].err == kEBADF);

  // Asked to answer at once (a zero timeout), an empty pipe gives no events.
  o = t.call(1, Op::poll_oneoff, {1, 1}, poll_request({{rd, kPollRead}}));
  REQUIRE(o.err == 0);
  CHECK(o.r[0] == 0);

  // Otherwise the poll waits until a write makes the pipe readable.
  REQUIRE(!t.post(1, Op::poll_oneoff, {1}, poll_request({{rd, kPollRead}})));
  size_t replies = t.host.replies.size();
  CHECK(test::now<uint32_t>([&](auto r) { t.k.write(1, wr, text("hello"), r); }));
  REQUIRE(t.host.replies.size() == replies + 1);
  o = t.result(1);
  REQUIRE(o.err == 0);
  ev = poll_events(o);
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].index == 0);
  CHECK(ev[0].err == 0);
  CHECK(ev[0].nbytes == 5);
  CHECK(ev[0].flags == 0);

  // Bytes queued: ready at once, together with the writable end.
  o = t.call(1, Op::poll_oneoff, {2}, poll_request({{rd, kPollRead}, {wr, kPollWrite}}));
  ev = poll_events(o);
  REQUIRE(ev.size() == 2);
  CHECK(ev[0].nbytes == 5);
  CHECK(ev[1].index == 1);
  CHECK(ev[1].nbytes == PipeDevice::kLimit - 5);
  CHECK(t.call(1, Op::fd_read, {rd, 100}).data == "hello");

  // A pipe whose writer is gone is readable: end of file, with the hang-up flag.
  REQUIRE(!t.post(1, Op::poll_oneoff, {1}, poll_request({{rd, kPollRead}})));
  CHECK(t.k.close(1, wr));
  o = t.result(1);
  REQUIRE(o.err == 0);
  ev = poll_events(o);
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].flags == kHangup);
  CHECK(ev[0].nbytes == 0);
  CHECK(t.call(1, Op::fd_read, {rd, 100}).data.empty());
  // wr is closed now: polling it is a bad descriptor.
  ev = poll_events(t.call(1, Op::poll_oneoff, {1}, poll_request({{wr, kPollWrite}})));
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].err == kEBADF);
}

TEST_CASE("poll_oneoff: a full pipe is not writable until read; a gone reader hangs up", "[syscall]") {
  Rig t;
  Out p = t.call(1, Op::pipe, {});
  int rd = int(p.r[0]), wr = int(p.r[1]);
  std::string big(PipeDevice::kLimit, 'x');
  CHECK(t.call(1, Op::fd_write, {wr}, big).r[0] == int64_t(big.size()));
  CHECK(t.call(1, Op::poll_oneoff, {1, 1}, poll_request({{wr, kPollWrite}})).r[0] == 0);
  REQUIRE(!t.post(1, Op::poll_oneoff, {1}, poll_request({{wr, kPollWrite}})));
  auto got = test::now<Bytes>([&](auto r) { t.k.read(1, rd, 1000, r); });
  REQUIRE(got);
  auto ev = poll_events(t.result(1));
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].nbytes == 1000);
  CHECK(ev[0].flags == 0);

  // Fill it again; closing the reading end makes the writer ready with a hang-up.
  CHECK(t.call(1, Op::fd_write, {wr}, std::string(1000, 'y')).err == 0);
  REQUIRE(!t.post(1, Op::poll_oneoff, {1}, poll_request({{wr, kPollWrite}})));
  CHECK(t.k.close(1, rd));
  ev = poll_events(t.result(1));
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].flags == kHangup);
}

TEST_CASE("poll_oneoff on the console: ready when a read would not wait", "[syscall]") {
  Rig t;
  int cons = t.open(1, "dev/cons", 0, kRead);
  int ctl = t.open(1, "dev/consctl", 0, kWrite);
  CHECK(t.call(1, Op::poll_oneoff, {1, 1}, poll_request({{cons, kPollRead}})).r[0] == 0);
  REQUIRE(!t.post(1, Op::poll_oneoff, {1}, poll_request({{cons, kPollRead}})));
  size_t replies = t.host.replies.size();
  t.k.cons().input("ab");  // a partial line: a cooked read would still wait
  CHECK(t.host.replies.size() == replies);
  t.k.cons().input("\r");
  auto ev = poll_events(t.result(1));
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].nbytes == 3);
  CHECK(t.call(1, Op::fd_read, {cons, 100}).data == "ab\n");

  // In raw mode what is typed is readable at once, and a half-typed line when raw starts.
  t.k.cons().input("cd");
  REQUIRE(!t.post(1, Op::poll_oneoff, {1}, poll_request({{cons, kPollRead}})));
  CHECK(test::now<uint32_t>([&](auto r) { t.k.write(1, ctl, text("rawon"), r); }));
  ev = poll_events(t.result(1));
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].nbytes == 2);
  CHECK(t.call(1, Op::fd_read, {cons, 100}).data == "cd");
  REQUIRE(!t.post(1, Op::poll_oneoff, {1}, poll_request({{cons, kPollRead}})));
  t.k.cons().input("e");
  CHECK(poll_events(t.result(1)).size() == 1);
  // Writing the console never waits.
  CHECK(poll_events(t.call(1, Op::poll_oneoff, {1}, poll_request({{ctl, kPollWrite}}))).size() == 1);
}

TEST_CASE("poll_oneoff: cancel and notes end a waiting poll; other readers are left alone", "[syscall]") {
  Rig t;
  Out p = t.call(1, Op::pipe, {});
  int rd = int(p.r[0]), wr = int(p.r[1]);
  // A child reads the same channel as its fd 0 and waits.
  int child = t.spawn(1, "/bin/hello", std::string("c\0", 2), {{0, int32_t(rd)}});
  REQUIRE(!t.post(child, Op::fd_read, {0, 100}));

  // The parent's poll times out: cancel answers it with no events, and only it.
  REQUIRE(!t.post(1, Op::poll_oneoff, {1}, poll_request({{rd, kPollRead}})));
  size_t replies = t.host.replies.size();
  t.sys.cancel(child);  // the child waits in a read: nothing to cancel
  CHECK(t.host.replies.size() == replies);
  t.sys.cancel(1);
  REQUIRE(t.host.replies.size() == replies + 1);
  CHECK(t.host.replies.back() == 1);
  Out o = t.result(1);
  CHECK(o.err == 0);
  CHECK(o.r[0] == 0);
  t.sys.cancel(1);  // nothing is waiting now
  CHECK(t.host.replies.size() == replies + 1);

  // Polls that timed out again and again share one query: the channel is not flushed, and
  // a write still reaches the child's read.
  for (int i = 0; i < 5; i++) {
    REQUIRE(!t.post(1, Op::poll_oneoff, {1}, poll_request({{rd, kPollRead}})));
    t.sys.cancel(1);
  }
  REQUIRE(t.host.replies.size() == replies + 6);
  CHECK(test::now<uint32_t>([&](auto r) { t.k.write(1, wr, text("hi"), r); }));
  REQUIRE(t.host.replies.back() == child);
  CHECK(t.result(child).data == "hi");

  // A note to the child flushes the shared channel under the parent's waiting poll: the
  // child's read is interrupted, the poll asks again and waits on.
  CHECK(t.call(child, Op::notify, {1}).err == 0);
  REQUIRE(!t.post(child, Op::fd_read, {0, 100}));
  REQUIRE(!t.post(1, Op::poll_oneoff, {1}, poll_request({{rd, kPollRead}})));
  CHECK(t.k.postnote(child, "alarm"));
  CHECK(t.host.replies.back() == child);
  CHECK(t.result(child).err == kEINTR);
  CHECK(test::now<uint32_t>([&](auto r) { t.k.write(1, wr, text("z"), r); }));
  CHECK(t.host.replies.back() == 1);
  auto ev = poll_events(t.result(1));
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].nbytes == 1);
  CHECK(t.call(1, Op::fd_read, {rd, 100}).data == "z");

  // A note interrupts a waiting poll.
  REQUIRE(!t.post(1, Op::poll_oneoff, {1}, poll_request({{rd, kPollRead}})));
  CHECK(t.k.postnote(1, "alarm"));
  CHECK(t.result(1).err == kEINTR);
  // A poll ready at once is not touched by a cancel that comes after it.
  CHECK(test::now<uint32_t>([&](auto r) { t.k.write(1, wr, text("x"), r); }));
  o = t.call(1, Op::poll_oneoff, {1}, poll_request({{rd, kPollRead}}));
  t.sys.cancel(1);
  CHECK(o.r[0] == 1);
  CHECK(t.result(1).r[0] == 1);
}

TEST_CASE("init's program starts as pid 1 through spawn(0, ...)", "[syscall]") {
  Rig t;
  auto pid = test::now<int>([&](auto r) {
    SpawnOptions o;
    o.argv = {"hello", "-i"};
    t.sys.spawn(0, "/bin/hello", o, r);
  });
  REQUIRE(pid);
  CHECK(pid.value() == 1);
  REQUIRE(t.host.started.size() == 1);
  CHECK(t.host.started[0].pid == 1);
  CHECK(t.host.started[0].argv == std::vector<std::string>{"hello", "-i"});
  auto twice = test::now<int>([&](auto r) { t.sys.spawn(0, "/bin/hello", {}, r); });
  CHECK(!twice);
}

}  // namespace
}  // namespace web9
