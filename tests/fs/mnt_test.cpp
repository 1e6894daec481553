// Tests for fs/mnt.cpp, the 9P mount driver: a MountFs talking through a pipe to a NinepServer
// (fs/ninep_server.cpp) that serves a RamFs, first directly, then through the kernel's mount(2)
// and /srv. The server end answers only when the test runs it (Peer::drive), so requests in
// flight, flushes and hang-ups can be seen.
#include "fs/mnt.h"

#include <catch2/catch.hpp>
#include <deque>

#include "apps/lib/lib9p.h"
#include "fs/ninep_server.h"
#include "fs/pipe.h"
#include "fs/ramfs.h"
#include "fs/srvfs.h"
#include "tests/fs/conformance.h"
#include "tests/kernel/booted.h"

using namespace web9;
using namespace web9::test;

namespace {

// A RamFs whose file "slow" never answers reads until flushed, to have a request in flight.
class SlowFs final : public FileServer {
 public:
  std::shared_ptr<RamFs> ram = std::make_shared<RamFs>("glenda");
  std::vector<std::pair<const Fid*, Reply<Bytes>>> parked;
  int flushes = 0;

  std::string_view kind() const override { return "slow"; }
  void attach(std::string_view u, std::string_view a, Reply<std::unique_ptr<Fid>> r) override { ram->attach(u, a, r); }
  void walk1(Fid& f, std::string_view n, Reply<Qid> r) override { ram->walk1(f, n, r); }
  void open(Fid& f, uint8_t m, Reply<void> r) override { ram->open(f, m, r); }
  void create(Fid& f, std::string_view n, uint32_t p, uint8_t m, Reply<void> r) override { ram->create(f, n, p, m, r); }
  void read(Fid& f, uint64_t o, uint32_t c, Reply<Bytes> r) override {
    ram->stat(f, [&](Result<Dir> d) {
      if (d && d->name == "slow")
        parked.emplace_back(&f, r);
      else
        ram->read(f, o, c, r);
    });
  }
  void write(Fid& f, uint64_t o, std::span<const uint8_t> d, Reply<uint32_t> r) override { ram->write(f, o, d, r); }
  void stat(Fid& f, Reply<Dir> r) override { ram->stat(f, r); }
  void wstat(Fid& f, const Dir& d, Reply<void> r) override { ram->wstat(f, d, r); }
  void remove(Fid& f, Reply<void> r) override { ram->remove(f, r); }
  void clunk(Fid& f) override { ram->clunk(f); }
  void flush(Fid& f) override {
    flushes++;
    auto waiting = std::move(parked);
    parked.clear();
    for (auto& [fid, r] : waiting) {
      if (fid == &f)
        r(Errc::intr);
      else
        parked.emplace_back(fid, std::move(r));
    }
  }
};

// The server side of a pipe: whole T-messages read from its end go to a NinepServer, whose
// R-messages are written back. It reads only when driven, and only what is there (a pipe's stat
// gives the bytes waiting), so it never leaves a read pending.
struct Peer {
  std::function<uint64_t()> waiting;            // bytes ready to read
  std::function<Result<Bytes>(uint32_t)> read;  // must answer at once
  std::function<void(Bytes)> write;
  std::shared_ptr<NinepServer> srv;
  p9::Srv* guest = nullptr;  // or a guest's lib9p server, which answers each message at once
  Bytes buf;
  std::vector<Fcall> seen;  // every T-message, in order
  bool closed = false;

  void serve(std::shared_ptr<FileServer> fs, uint32_t max_msize = NinepServer::kDefaultMaxMsize) {
    srv = std::make_shared<NinepServer>(std::move(fs), [this](Bytes b) {
      if (!closed) write(std::move(b));
    }, max_msize);
  }

  // Serves every message that has arrived; says whether there was any.
  bool drive() {
    bool any = false;
    while (!closed && waiting() > 0) {
      auto b = read(64 * 1024);
      REQUIRE(b.ok());
      buf.insert(buf.end(), b->begin(), b->end());
      for (;;) {
        auto n = message_size(buf);
        REQUIRE(n.ok());
        if (n.value() == 0 || n.value() > buf.size()) break;
        Bytes msg(buf.begin(), buf.begin() + static_cast<ptrdiff_t>(n.value()));
        buf.erase(buf.begin(), buf.begin() + static_cast<ptrdiff_t>(n.value()));
        auto f = unpack(msg);
        REQUIRE(f.ok());
        seen.push_back(f.value());
        if (guest) {
          auto reply = guest->handle(msg);
          REQUIRE(reply.ok());
          write(std::move(reply.value()));
        } else {
          REQUIRE(srv->handle(msg).ok());
        }
        any = true;
      }
    }
    return any;
  }

  size_t count(FcallType type) const {
    return std::count_if(seen.begin(), seen.end(), [type](const Fcall& f) { return f.type == type; });
  }
};

// A pipe made straight from a PipeDevice, no kernel: the client's end and the server's.
struct Wire {
  std::shared_ptr<PipeDevice> pipes = std::make_shared<PipeDevice>();
  ChanRef client, server;
  Peer peer;

  Wire() {
    auto dir = now<std::unique_ptr<Fid>>([&](auto r) { pipes->attach("glenda", "", r); });
    REQUIRE(dir.ok());
    auto d = std::make_shared<Chan>(pipes, std::move(dir).value(), "#|");
    client = end(d, "data");
    server = end(d, "data1");
    peer.waiting = [this] { return REQUIRE_OK(now<Dir>([&](auto r) { server->server().stat(server->fid(), r); })).length; };
    peer.read = [this](uint32_t n) { return now<Bytes>([&](auto r) { server->server().read(server->fid(), 0, n, r); }); };
    peer.write = [this](Bytes b) {
      if (server) server->server().write(server->fid(), 0, b, [](Result<uint32_t>) {});
    };
  }

  static ChanRef end(const ChanRef& dir, std::string_view name) {
    ChanRef c = dir->clone();
    REQUIRE(now<Qid>([&](auto r) { c->server().walk1(c->fid(), name, r); }).ok());
    REQUIRE(now<void>([&](auto r) { c->server().open(c->fid(), ORDWR, r); }).ok());
    return c;
  }

  // The server goes away: its end is clunked.
  void hang_up() {
    peer.closed = true;
    server.reset();
  }
};

// A mount over a wire, as one object the conformance suite can own.
struct Mounted {
  Wire wire;
  std::shared_ptr<MountFs> mnt;
  explicit Mounted(std::shared_ptr<FileServer> fs, uint32_t msize = MountFs::kDefaultMsize,
                   uint32_t server_msize = NinepServer::kDefaultMaxMsize) {
    wire.peer.serve(std::move(fs), server_msize);
    mnt = MountFs::make(wire.client, msize);
  }
};

// Runs the peer until reply has come.
template <class T, class Start>
Result<T> run(Peer& peer, Start&& start) {
  Later<T> later;
  start(later.reply());
  for (int i = 0; !later.done() && i < 10000 && peer.drive(); i++) {
  }
  REQUIRE(later.done());
  return std::move(later.result());
}

std::weak_ptr<Mounted> current_mount;

FsFactory mnt_factory(uint32_t msize) {
  return FsFactory{
      .name = "mnt",
      .make =
          [msize]() -> std::shared_ptr<FileServer> {
            auto m = std::make_shared<Mounted>(std::make_shared<RamFs>("glenda"), msize);
            current_mount = m;
            return std::shared_ptr<FileServer>(m, m->mnt.get());
          },
      .drive = [] {
        auto m = current_mount.lock();
        return m && m->wire.peer.drive();
      },
  };
}

}  // namespace

TEST_CASE("the file-server conformance suite passes through a 9P mount", "[mnt]") {
  run_fs_conformance(mnt_factory(MountFs::kDefaultMsize));
}

TEST_CASE("the conformance suite passes through a mount with a tiny msize", "[mnt]") {
  run_fs_conformance(mnt_factory(256));
}

namespace {

// ramfs's server: a lib9p Tree (apps/lib/lib9p.h) behind a mount.
struct GuestMounted {
  Wire wire;
  p9::Srv srv;
  std::shared_ptr<MountFs> mnt;
  GuestMounted() {
    srv.tree = std::make_shared<p9::Tree>("glenda");
    p9::use_tree(srv);
    wire.peer.guest = &srv;
    mnt = MountFs::make(wire.client);
  }
};

std::weak_ptr<GuestMounted> current_guest;

}  // namespace

TEST_CASE("the conformance suite passes through a mount of a lib9p tree (ramfs)", "[mnt][lib9p]") {
  run_fs_conformance(FsFactory{
      .name = "lib9p",
      .make =
          []() -> std::shared_ptr<FileServer> {
            auto m = std::make_shared<GuestMounted>();
            current_guest = m;
            return std::shared_ptr<FileServer>(m, m->mnt.get());
          },
      .drive = [] {
        auto m = current_guest.lock();
        return m && m->wire.peer.drive();
      },
  });
}

TEST_CASE("a mount agrees msize, splits big reads and writes, and passes errors through", "[mnt]") {
  auto slow = std::make_shared<SlowFs>();
  Mounted m(slow, 8192, 1024);  // the server's limit is lower: it wins
  Peer& peer = m.wire.peer;
  auto root = run<std::unique_ptr<Fid>>(peer, [&](auto r) { m.mnt->attach("glenda", "", r); });
  REQUIRE(root.ok());
  CHECK(m.mnt->msize() == 1024);
  CHECK(peer.count(Tversion) == 1);
  CHECK(peer.seen.at(0).msize == 8192);

  SECTION("a write and a read bigger than msize go in iounit pieces") {
    auto f = root.value()->clone();
    REQUIRE(run<void>(peer, [&](auto r) { m.mnt->create(*f, "big", 0644, ORDWR, r); }).ok());
    Bytes data = conformance_detail::pattern(100000);
    auto n = run<uint32_t>(peer, [&](auto r) { m.mnt->write(*f, 0, data, r); });
    REQUIRE(n.ok());
    CHECK(n.value() == data.size());
    CHECK(peer.count(Twrite) == (data.size() + 999) / 1000);
    size_t biggest = 0;
    for (const Fcall& t : peer.seen) biggest = std::max(biggest, t.data.size());
    CHECK(biggest == 1024 - IOHDRSZ);
    auto back = run<Bytes>(peer, [&](auto r) { m.mnt->read(*f, 0, 200000, r); });
    REQUIRE(back.ok());
    CHECK(back.value() == data);
    CHECK(peer.count(Tread) == 101);  // 100 full ones and the short one that ends it
    auto mid = run<Bytes>(peer, [&](auto r) { m.mnt->read(*f, 99990, 100, r); });
    CHECK(mid.value().size() == 10);
  }

  SECTION("Rerror's text comes through") {
    auto f = root.value()->clone();
    auto direct = now<std::unique_ptr<Fid>>([&](auto r) { slow->ram->attach("glenda", "", r); });
    auto want = now<Qid>([&](auto r) { slow->ram->walk1(**direct, "nothere", r); });
    auto got = run<Qid>(peer, [&](auto r) { m.mnt->walk1(*f, "nothere", r); });
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().code == Errc::noent);
    CHECK(got.error().text() == want.error().text());
  }

  SECTION("a walk of more than 16 names goes in several Twalks") {
    std::vector<std::string> names;
    std::string path;
    for (int i = 0; i < 20; i++) {
      names.push_back("d" + std::to_string(i));
      path += "/" + names.back();
    }
    REQUIRE(slow->ram->put_file(path + "/leaf", bytes("deep"), 0644).ok());
    names.push_back("leaf");
    auto f = root.value()->clone();
    size_t before = peer.count(Twalk);
    auto qids = run<std::vector<Qid>>(peer, [&](auto r) { m.mnt->walk(*f, names, r); });
    REQUIRE(qids.ok());
    CHECK(qids->size() == 21);
    CHECK(peer.count(Twalk) - before == 2);
    CHECK_FALSE(f->qid.is_dir());
    REQUIRE(run<void>(peer, [&](auto r) { m.mnt->open(*f, OREAD, r); }).ok());
    CHECK(text(run<Bytes>(peer, [&](auto r) { m.mnt->read(*f, 0, 100, r); }).value()) == "deep");

    // A walk that stops part way answers the qids walked and leaves the fid where it was.
    auto g = root.value()->clone();
    names[18] = "missing";
    auto part = run<std::vector<Qid>>(peer, [&](auto r) { m.mnt->walk(*g, names, r); });
    REQUIRE(part.ok());
    CHECK(part->size() == 18);
    CHECK(g->qid.path == root.value()->qid.path);
  }

  SECTION("flush: an interrupted request answers at once and the server is told") {
    REQUIRE(slow->ram->put_file("/slow", bytes("never"), 0644).ok());
    auto f = root.value()->clone();
    REQUIRE(run<Qid>(peer, [&](auto r) { m.mnt->walk1(*f, "slow", r); }).ok());
    REQUIRE(run<void>(peer, [&](auto r) { m.mnt->open(*f, OREAD, r); }).ok());
    Later<Bytes> read;
    m.mnt->read(*f, 0, 10, read.reply());
    while (peer.drive()) {
    }
    CHECK_FALSE(read.done());
    CHECK(slow->parked.size() == 1);
    m.mnt->flush(*f);
    REQUIRE(read.done());
    CHECK(outcome(read.result()) == outcome(Errc::intr));
    CHECK(m.mnt->pending_count() == 2);  // the old tag stays reserved until the Rflush
    while (peer.drive()) {
    }
    CHECK(peer.count(Tflush) == 1);
    CHECK(slow->flushes == 1);
    CHECK(slow->parked.empty());
    CHECK(m.mnt->pending_count() == 0);
    // The conversation goes on.
    CHECK(run<Dir>(peer, [&](auto r) { m.mnt->stat(*f, r); })->name == "slow");
  }

  SECTION("a server that hangs up fails every pending and later request, and leaks nothing") {
    REQUIRE(slow->ram->put_file("/slow", bytes("never"), 0644).ok());
    auto f = root.value()->clone();
    REQUIRE(run<Qid>(peer, [&](auto r) { m.mnt->walk1(*f, "slow", r); }).ok());
    REQUIRE(run<void>(peer, [&](auto r) { m.mnt->open(*f, OREAD, r); }).ok());
    Later<Bytes> read;
    m.mnt->read(*f, 0, 10, read.reply());
    while (peer.drive()) {
    }
    CHECK(m.mnt->fid_count() == 2);
    m.wire.hang_up();
    REQUIRE(read.done());
    CHECK(read.result().error().text() == "mount: server hung up");
    CHECK(m.mnt->hung_up());
    CHECK(m.mnt->pending_count() == 0);
    CHECK(m.mnt->fid_count() == 0);
    auto g = root.value()->clone();
    auto later = now<Qid>([&](auto r) { m.mnt->walk1(*g, "x", r); });
    CHECK(later.error().text() == "mount: server hung up");
    auto again = now<std::unique_ptr<Fid>>([&](auto r) { m.mnt->attach("glenda", "", r); });
    CHECK(again.error().text() == "mount: server hung up");
  }

  SECTION("clunks reach the server: its fid table empties when the client's fids go") {
    auto f = root.value()->clone();
    REQUIRE(run<Qid>(peer, [&](auto r) { m.mnt->walk1(*f, "d", r); }).error().code == Errc::noent);
    REQUIRE(run<void>(peer, [&](auto r) { m.mnt->create(*f, "new", 0644, OWRITE, r); }).ok());
    CHECK(m.wire.peer.srv->fid_count() == 2);
    m.mnt->clunk(*f);
    f.reset();
    root.value().reset();
    while (peer.drive()) {
    }
    CHECK(m.wire.peer.srv->fid_count() == 0);
    CHECK(m.mnt->fid_count() == 0);
  }
}

TEST_CASE("a server that speaks another version cannot be mounted", "[mnt]") {
  Wire w;
  w.peer.waiting = [&] { return REQUIRE_OK(now<Dir>([&](auto r) { w.server->server().stat(w.server->fid(), r); })).length; };
  auto mnt = MountFs::make(w.client);
  // Answer the Tversion by hand.
  auto t = unpack(w.peer.read(65536).value());
  REQUIRE(t.ok());
  Fcall r;
  r.type = Rversion;
  r.tag = t->tag;
  r.msize = 8192;
  r.version = "unknown";
  auto attached = Later<std::unique_ptr<Fid>>();
  mnt->attach("glenda", "", attached.reply());
  CHECK_FALSE(attached.done());
  w.peer.write(pack(r).value());
  REQUIRE(attached.done());
  CHECK(attached.result().error().text() == "mount: server speaks 'unknown', not 9P2000");
}

// --- Through the kernel: mount(2), /srv, and what a client process sees ---

namespace {

// A kernel with a 9P server on one end of a pipe made by init; the other end is p[0].
struct KernelMount {
  Booted b;
  Booted::Ends p{};
  Peer peer;
  std::shared_ptr<RamFs> served = std::make_shared<RamFs>("glenda");

  KernelMount() {
    p = b.pipe(1);
    peer.waiting = [this] { return REQUIRE_OK(now<Dir>([&](auto r) { b.k.fstat(1, p[1], r); })).length; };
    peer.read = [this](uint32_t n) { return now<Bytes>([&](auto r) { b.k.read(1, p[1], n, r); }); };
    peer.write = [this](Bytes m) {
      // Once the client's end is gone, answers are lost (the server would see the error).
      b.k.write(1, p[1], m, [](Result<uint32_t>) {});
    };
    peer.serve(served);
  }

  template <class T, class Start>
  Result<T> run(Start&& start) {
    return ::run<T>(peer, std::forward<Start>(start));
  }
  Result<void> mount(int pid, int fd, std::string_view onto, int flags = MREPL | MCREATE) {
    return run<void>([&](auto r) { b.k.mount(pid, fd, -1, onto, flags, "", r); });
  }
  Result<int> open(int pid, std::string_view path, int mode) {
    return run<int>([&](auto r) { b.k.open(pid, path, mode, r); });
  }
  Result<int> create(int pid, std::string_view path, int mode, uint32_t perm = 0664) {
    return run<int>([&](auto r) { b.k.create(pid, path, mode, perm, r); });
  }
  Result<std::string> read(int pid, int fd, uint32_t n = 8192) {
    auto got = run<Bytes>([&](auto r) { b.k.read(pid, fd, n, r); });
    if (!got) return std::move(got).error();
    return text(got.value());
  }
  Result<uint32_t> write(int pid, int fd, std::string_view s) {
    return run<uint32_t>([&](auto r) { b.k.write(pid, fd, span_of(s), r); });
  }
  std::vector<std::string> ls(int pid, std::string_view path) {
    int fd = REQUIRE_OK(open(pid, path, OREAD));
    std::vector<std::string> out;
    for (;;) {
      auto got = run<Bytes>([&](auto r) { b.k.read(pid, fd, 8192, r); });
      REQUIRE(got.ok());
      if (got->empty()) break;
      for (const Dir& d : REQUIRE_OK(unpack_dirs(got.value()))) out.push_back(d.name);
    }
    REQUIRE(b.k.close(pid, fd).ok());
    return out;
  }
  // A file of the served tree, read straight from the RamFs ("" if it is not there).
  std::string served_file(std::string_view name) {
    FsClient c(FsFactory{.name = "ram", .make = [fs = served] { return fs; }});
    FidPtr root = REQUIRE_OK(c.attach());
    auto got = c.get(*root, name);
    return got ? got.value() : "";
  }
  void mkdir(std::string_view path) {
    int fd = REQUIRE_OK(create(1, path, OREAD, DMDIR | 0775));
    REQUIRE(b.k.close(1, fd).ok());
  }
};

}  // namespace

TEST_CASE("mount(2) attaches a 9P server on a pipe into the name space", "[mnt][kernel]") {
  KernelMount km;
  auto& b = km.b;
  km.mkdir("/tmp/n");
  REQUIRE(km.served->put_file("/hello", bytes("hello from 9P\n"), 0644).ok());
  REQUIRE(km.mount(1, km.p[0], "/tmp/n").ok());
  REQUIRE(b.k.close(1, km.p[0]).ok());  // the mount holds its own reference

  CHECK(km.ls(1, "/tmp/n") == std::vector<std::string>{"hello"});
  int fd = REQUIRE_OK(km.open(1, "/tmp/n/hello", OREAD));
  CHECK(REQUIRE_OK(km.read(1, fd)) == "hello from 9P\n");
  REQUIRE(b.k.close(1, fd).ok());

  fd = REQUIRE_OK(km.create(1, "/tmp/n/new", OWRITE));
  CHECK(REQUIRE_OK(km.write(1, fd, "written")) == 7);
  REQUIRE(b.k.close(1, fd).ok());
  CHECK(km.served_file("new") == "written");
  auto st = km.run<Dir>([&](auto r) { b.k.stat(1, "/tmp/n/new", r); });
  CHECK(st->length == 7);
  CHECK(st->uid == "glenda");
  REQUIRE(km.run<void>([&](auto r) { b.k.remove(1, "/tmp/n/new", r); }).ok());
  CHECK(km.served_file("new") == "");

  // A child sharing the name space sees it too; unmount takes it away.
  int child = b.spawn(1);
  CHECK(km.ls(child, "/tmp/n") == std::vector<std::string>{"hello"});
  REQUIRE(km.run<void>([&](auto r) { b.k.unmount(1, "", "/tmp/n", r); }).ok());
  CHECK(km.ls(1, "/tmp/n").empty());
  while (km.peer.drive()) {
  }
  CHECK(km.peer.srv->fid_count() == 0);
}

TEST_CASE("a server posted in /srv is mounted by opening its name, twice over one conversation", "[mnt][kernel]") {
  KernelMount km;
  auto& b = km.b;
  REQUIRE(km.served->put_file("/f", bytes("shared"), 0644).ok());
  int post = b.create(1, "/srv/test", OWRITE, 0600);
  b.write(1, post, std::to_string(km.p[0]));
  REQUIRE(b.k.close(1, post).ok());
  REQUIRE(b.k.close(1, km.p[0]).ok());

  int client = b.spawn(1);
  km.mkdir("/tmp/a");
  km.mkdir("/tmp/b");
  int fd = REQUIRE_OK(km.open(client, "/srv/test", ORDWR));
  REQUIRE(km.mount(client, fd, "/tmp/a").ok());
  REQUIRE(km.mount(client, fd, "/tmp/b").ok());
  REQUIRE(b.k.close(client, fd).ok());
  CHECK(km.peer.count(Tversion) == 1);
  CHECK(km.peer.count(Tattach) == 2);
  for (auto path : {"/tmp/a/f", "/tmp/b/f"}) {
    int f = REQUIRE_OK(km.open(client, path, OREAD));
    CHECK(REQUIRE_OK(km.read(client, f)) == "shared");
    REQUIRE(b.k.close(client, f).ok());
  }
}

TEST_CASE("a mounted server that exits: clients get an error, not a hang", "[mnt][kernel]") {
  KernelMount km;
  auto& b = km.b;
  km.mkdir("/tmp/n");
  REQUIRE(km.mount(1, km.p[0], "/tmp/n").ok());
  REQUIRE(b.k.close(1, km.p[0]).ok());
  int fd = REQUIRE_OK(km.create(1, "/tmp/n/x", ORDWR));
  // The server's end closes with a request in flight.
  Later<uint32_t> w;
  b.k.write(1, fd, span_of("lost"), w.reply());
  CHECK_FALSE(w.done());
  km.peer.closed = true;
  REQUIRE(b.k.close(1, km.p[1]).ok());
  REQUIRE(w.done());
  CHECK(w.result().error().text() == "mount: server hung up");
  auto later = now<int>([&](auto r) { b.k.open(1, "/tmp/n/x", OREAD, r); });
  CHECK_THAT(later.error().text(), Catch::Matchers::EndsWith("mount: server hung up"));
}

TEST_CASE("a note interrupts a read from a mounted file and flushes it at the server", "[mnt][kernel]") {
  Booted b;
  auto slow = std::make_shared<SlowFs>();
  REQUIRE(slow->ram->put_file("/slow", bytes("never"), 0644).ok());
  auto p = b.pipe(1);
  Peer peer;
  peer.waiting = [&] { return REQUIRE_OK(now<Dir>([&](auto r) { b.k.fstat(1, p[1], r); })).length; };
  peer.read = [&](uint32_t n) { return now<Bytes>([&](auto r) { b.k.read(1, p[1], n, r); }); };
  peer.write = [&](Bytes m) { b.k.write(1, p[1], m, [](Result<uint32_t>) {}); };
  peer.serve(slow);
  REQUIRE(run<void>(peer, [&](auto r) { b.k.mount(1, p[0], -1, "/tmp", MREPL, "", r); }).ok());
  int child = b.spawn(1);
  int fd = REQUIRE_OK(run<int>(peer, [&](auto r) { b.k.open(child, "/tmp/slow", OREAD, r); }));
  Later<Bytes> read;
  b.k.read(child, fd, 100, read.reply());
  while (peer.drive()) {
  }
  CHECK_FALSE(read.done());
  REQUIRE(b.k.postnote(child, "interrupt").ok());
  REQUIRE(read.done());
  CHECK(outcome(read.result()) == outcome(Errc::intr));
  while (peer.drive()) {
  }
  CHECK(peer.count(Tflush) == 1);
  CHECK(slow->parked.empty());
}

TEST_CASE("a note abandons a mount whose server never answers; a late answer mounts nothing", "[mnt][kernel]") {
  Booted b;
  int child = b.spawn(1);
  auto p = b.pipe(child);
  std::string before = b.k.process(child)->ns->describe();
  Later<void> mounted;
  b.k.mount(child, p[0], -1, "/tmp", MREPL, "", mounted.reply());
  CHECK_FALSE(mounted.done());  // the Tversion sits in the pipe: nobody serves it
  REQUIRE(b.k.postnote(child, "interrupt").ok());
  REQUIRE(mounted.done());
  CHECK(outcome(mounted.result()) == outcome(Errc::intr));
  CHECK(b.k.process(child)->abandon.empty());
  // The server comes after all: the conversation completes, and the mount stays abandoned.
  Peer peer;
  peer.waiting = [&] { return REQUIRE_OK(now<Dir>([&](auto r) { b.k.fstat(child, p[1], r); })).length; };
  peer.read = [&](uint32_t n) { return now<Bytes>([&](auto r) { b.k.read(child, p[1], n, r); }); };
  peer.write = [&](Bytes m) { b.k.write(child, p[1], m, [](Result<uint32_t>) {}); };
  peer.serve(std::make_shared<RamFs>("glenda"));
  while (peer.drive()) {
  }
  CHECK(peer.count(Tattach) == 1);
  CHECK(b.k.process(child)->ns->describe() == before);
}
