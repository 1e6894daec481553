// Tests for kernel/namespace.cpp: walking, bind/mount/unmount, union directories, lexical "..",
// creation in unions, copies and sharing, describe(), and servers that answer later.
#include "kernel/namespace.h"

#include <catch2/catch.hpp>
#include <deque>
#include <map>
#include <set>

#include "fs/ramfs.h"
#include "tests/support/sync.h"

namespace web9 {
namespace {

// A small tree server for these tests. With defer set, every answer waits in a queue until the
// test drains it, as a slow server's would.
class TreeFs final : public FileServer {
 public:
  struct Node {
    std::string name;
    bool dir = false;
    uint64_t path = 0;
    std::string data;
    std::map<std::string, std::shared_ptr<Node>> kids;
    Node* parent = nullptr;
  };
  // Counts its clunks: the kernel must clunk every fid exactly once before it goes.
  struct TreeFid final : Fid {
    TreeFid(std::shared_ptr<Node> n, TreeFs* fs) : node(std::move(n)), fs(fs) {
      qid = {static_cast<uint8_t>(node->dir ? QTDIR : QTFILE), 0, node->path};
      fs->live_fids++;
    }
    ~TreeFid() override {
      fs->live_fids--;
      if (clunks != 1) fs->badly_clunked++;
    }
    std::unique_ptr<Fid> clone() const override { return std::make_unique<TreeFid>(node, fs); }
    std::shared_ptr<Node> node;
    TreeFs* fs;
    int clunks = 0;
    size_t dir_index = 0;
  };

  explicit TreeFs(std::string name) : name_(std::move(name)) { root_->dir = true; }

  std::string_view kind() const override { return "tree"; }

  // Makes path ("a/b/c") with the parents it needs; a trailing '/' makes a directory.
  TreeFs& put(std::string_view path, std::string data = {}) {
    Node* n = root_.get();
    size_t i = 0;
    while (i < path.size()) {
      size_t j = std::min(path.find('/', i), path.size());
      std::string e(path.substr(i, j - i));
      bool last = j >= path.size() - 1;
      auto& kid = n->kids[e];
      if (!kid) {
        kid = std::make_shared<Node>();
        kid->name = e;
        kid->path = next_path_++;
        kid->parent = n;
        kid->dir = !last || j < path.size();
        kid->data = last ? data : "";
      }
      n = kid.get();
      i = j + 1;
    }
    return *this;
  }

  void attach(std::string_view, std::string_view aname, Reply<std::unique_ptr<Fid>> r) override {
    last_aname = std::string(aname);
    answer<std::unique_ptr<Fid>>(r, std::unique_ptr<Fid>(std::make_unique<TreeFid>(root_, this)));
  }
  void walk1(Fid& fid, std::string_view name, Reply<Qid> r) override {
    auto& f = static_cast<TreeFid&>(fid);
    auto it = f.node->kids.find(std::string(name));
    if (it == f.node->kids.end()) return answer<Qid>(r, Errc::noent);
    f.node = it->second;
    f.qid = {static_cast<uint8_t>(f.node->dir ? QTDIR : QTFILE), 0, f.node->path};
    answer<Qid>(r, f.qid);
  }
  void create(Fid& fid, std::string_view name, uint32_t perm, uint8_t mode, Reply<void> r) override {
    auto& f = static_cast<TreeFid&>(fid);
    if (f.node->kids.count(std::string(name))) return answer<void>(r, Errc::exist);
    auto n = std::make_shared<Node>();
    n->name = std::string(name);
    n->dir = (perm & DMDIR) != 0;
    n->path = next_path_++;
    n->parent = f.node.get();
    f.node->kids[n->name] = n;
    f.node = n;
    f.qid = {static_cast<uint8_t>(n->dir ? QTDIR : QTFILE), 0, n->path};
    f.open = true;
    f.mode = mode;
    answer<void>(r, success());
  }
  void read(Fid& fid, uint64_t offset, uint32_t count, Reply<Bytes> r) override {
    auto& f = static_cast<TreeFid&>(fid);
    if (f.node->dir) {
      if (offset == 0) f.dir_index = 0;
      std::vector<Dir> entries;
      for (auto& [name, kid] : f.node->kids) entries.push_back(dir_of(*kid));
      return answer<Bytes>(r, pack_dir_entries(entries, &f.dir_index, count));
    }
    const std::string& d = f.node->data;
    size_t start = std::min<size_t>(offset, d.size()), n = std::min<size_t>(count, d.size() - start);
    answer<Bytes>(r, Bytes(d.begin() + start, d.begin() + start + n));
  }
  void write(Fid& fid, uint64_t offset, std::span<const uint8_t> data, Reply<uint32_t> r) override {
    auto& f = static_cast<TreeFid&>(fid);
    std::string& d = f.node->data;
    if (d.size() < offset + data.size()) d.resize(offset + data.size());
    std::copy(data.begin(), data.end(), d.begin() + offset);
    answer<uint32_t>(r, static_cast<uint32_t>(data.size()));
  }
  void stat(Fid& fid, Reply<Dir> r) override { answer<Dir>(r, dir_of(*static_cast<TreeFid&>(fid).node)); }
  void wstat(Fid& fid, const Dir& d, Reply<void> r) override {
    auto& f = static_cast<TreeFid&>(fid);
    if (!d.name.empty() && f.node->parent) {
      auto keep = f.node;
      f.node->parent->kids.erase(keep->name);
      keep->name = d.name;
      f.node->parent->kids[d.name] = keep;
    }
    answer<void>(r, success());
  }
  void remove(Fid& fid, Reply<void> r) override {
    auto& f = static_cast<TreeFid&>(fid);
    f.clunks++;  // remove clunks the fid
    if (!f.node->parent) return answer<void>(r, Errc::perm);
    if (!f.node->kids.empty()) return answer<void>(r, Errc::notempty);
    f.node->parent->kids.erase(f.node->name);
    answer<void>(r, success());
  }
  void clunk(Fid& fid) override { static_cast<TreeFid&>(fid).clunks++; }

  // Runs every deferred answer (answers may queue more).
  void drain() {
    while (!queue_.empty()) {
      auto f = std::move(queue_.front());
      queue_.pop_front();
      f();
    }
  }
  size_t queued() const { return queue_.size(); }

  bool defer = false;
  int live_fids = 0;
  int badly_clunked = 0;
  std::string last_aname;

 private:
  template <class T>
  void answer(const Reply<T>& r, Result<T> v) {
    if (!defer) return r(std::move(v));
    auto box = std::make_shared<Result<T>>(std::move(v));
    queue_.push_back([r, box] { r(std::move(*box)); });
  }
  Dir dir_of(const Node& n) const {
    Dir d;
    d.qid = {static_cast<uint8_t>(n.dir ? QTDIR : QTFILE), 0, n.path};
    d.mode = n.dir ? DMDIR | 0775 : 0664;
    d.length = n.dir ? 0 : n.data.size();
    d.name = n.parent ? n.name : name_;
    d.uid = d.gid = d.muid = "glenda";
    return d;
  }

  std::string name_;
  std::shared_ptr<Node> root_ = std::make_shared<Node>();
  uint64_t next_path_ = 1;
  std::deque<std::function<void()>> queue_;
};


// A namespace whose root is a TreeFs, with helpers that run requests to completion.
struct World {
  std::shared_ptr<TreeFs> fs = std::make_shared<TreeFs>("root");
  std::shared_ptr<DeviceTable> devices = std::make_shared<DeviceTable>();
  std::shared_ptr<Namespace> ns;

  World() {
    fs->put("a/x", "ax").put("a/y", "ay").put("b/x", "bx").put("b/z", "bz").put("c/").put("n/m/").put("file", "f");
    fs->put("lib/").put("bin/");
    ns = std::make_shared<Namespace>(root_chan(fs), devices);
  }

  static ChanRef root_chan(const std::shared_ptr<FileServer>& srv) {
    auto fid = test::now<std::unique_ptr<Fid>>([&](auto r) { srv->attach("", "", r); });
    REQUIRE(fid.ok());
    return std::make_shared<Chan>(srv, std::move(fid).value(), "/");
  }

  // Drains the server's queue until the reply has come.
  template <class T, class Start>
  Result<T> run(Start&& start) {
    test::Later<T> later;
    start(later.reply());
    fs->drain();
    REQUIRE(later.done());
    return std::move(later.result());
  }

  ChanRef walk(std::string_view p) {
    auto c = run<ChanRef>([&](auto r) { ns->walk(p, r); });
    if (!c) FAIL("walk " << p << ": " << c.error().text());
    return c.value();
  }
  Result<void> bind(std::string_view from, std::string_view onto, int flags) {
    return ns->bind(walk(from), walk(onto), flags);
  }
  // The names a directory listing shows, in order, read with count bytes at a time.
  std::vector<std::string> ls(std::string_view p, uint32_t count = 8192) {
    auto c = run<ChanRef>([&](auto r) { ns->open(p, OREAD, r); });
    if (!c) FAIL("open " << p << ": " << c.error().text());
    std::vector<std::string> names;
    for (;;) {
      auto b = run<Bytes>([&](auto r) { Namespace::read(*c, count, r); });
      REQUIRE(b.ok());
      if (b->empty()) break;
      auto dirs = unpack_dirs(*b);
      REQUIRE(dirs.ok());
      for (auto& d : *dirs) names.push_back(d.name);
    }
    return names;
  }
  std::string cat(std::string_view p) {
    auto c = run<ChanRef>([&](auto r) { ns->open(p, OREAD, r); });
    if (!c) return "error: " + c.error().text();
    auto b = run<Bytes>([&](auto r) { Namespace::read(*c, 8192, r); });
    REQUIRE(b.ok());
    return std::string(b->begin(), b->end());
  }
  Result<ChanRef> create(std::string_view p, uint32_t perm = 0664) {
    return run<ChanRef>([&](auto r) { ns->create(p, perm, ORDWR, r); });
  }
};

using Names = std::vector<std::string>;

}  // namespace

TEST_CASE("cleanname follows Plan 9's rules", "[namespace]") {
  CHECK(cleanname("") == ".");
  CHECK(cleanname("/") == "/");
  CHECK(cleanname("//a///b/") == "/a/b");
  CHECK(cleanname("/a/./b/.") == "/a/b");
  CHECK(cleanname("/a/b/../c") == "/a/c");
  CHECK(cleanname("/..") == "/");
  CHECK(cleanname("/../a/..") == "/");
  CHECK(cleanname("a/..") == ".");
  CHECK(cleanname("../a/../..") == "../..");
  CHECK(cleanname("./a/b/../../../c") == "../c");
  CHECK(cleanname("a//b/./c/") == "a/b/c");
}

TEST_CASE("walking a path gives a channel named by its cleaned path", "[namespace]") {
  World w;
  ChanRef c = w.walk("/a/./x");
  CHECK(c->path == "/a/x");
  CHECK(!c->qid().is_dir());
  CHECK(w.walk("/a/../b//z")->path == "/b/z");
  CHECK(w.walk("/")->path == "/");
  CHECK(w.walk("/")->same_file(*w.ns->root()));
  CHECK(w.walk("/")  != w.ns->root());  // a clone the caller may open
}

TEST_CASE("a missing path fails with noent naming the path up to the missing element", "[namespace]") {
  World w;
  auto c = w.run<ChanRef>([&](auto r) { w.ns->walk("/a/nope/deeper", r); });
  REQUIRE(!c.ok());
  CHECK(c.error().code == Errc::noent);
  CHECK(c.error().text() == "'/a/nope' file does not exist");
}

TEST_CASE("walk past a file fails with notdir", "[namespace]") {
  World w;
  auto c = w.run<ChanRef>([&](auto r) { w.ns->walk("/a/x/more", r); });
  REQUIRE(!c.ok());
  CHECK(c.error().code == Errc::notdir);
  CHECK(c.error().text() == "'/a/x' not a directory");
}

TEST_CASE("bind replace shows the new directory", "[namespace]") {
  World w;
  REQUIRE(w.bind("/a", "/c", MREPL).ok());
  CHECK(w.ls("/c") == Names{"x", "y"});
  CHECK(w.cat("/c/x") == "ax");
  CHECK(w.walk("/c/y")->path == "/c/y");
  CHECK(w.walk("/c")->mount_point->path == "/c");
}

TEST_CASE("before and after order the members of a union listing", "[namespace]") {
  World w;
  w.fs->put("c/own");
  REQUIRE(w.bind("/a", "/c", MAFTER).ok());
  CHECK(w.ls("/c") == Names{"own", "x", "y"});
  REQUIRE(w.bind("/b", "/c", MBEFORE).ok());
  CHECK(w.ls("/c") == Names{"x", "z", "own", "y"});
}

TEST_CASE("the first name wins in a union listing and in a walk", "[namespace]") {
  World w;
  REQUIRE(w.bind("/a", "/c", MREPL).ok());
  REQUIRE(w.bind("/b", "/c", MAFTER).ok());
  CHECK(w.ls("/c") == Names{"x", "y", "z"});
  CHECK(w.cat("/c/x") == "ax");  // a's x hides b's
  CHECK(w.cat("/c/z") == "bz");  // found in the second member
  REQUIRE(w.bind("/b", "/c", MBEFORE).ok());
  CHECK(w.cat("/c/x") == "bx");
}

TEST_CASE("a second bind onto a mount point joins that mount point", "[namespace]") {
  World w;
  REQUIRE(w.bind("/a", "/c", MREPL).ok());
  // Walking /c lands in /a, but the bind must join /c's mount, not mount on /a.
  REQUIRE(w.bind("/b", "/c", MAFTER).ok());
  CHECK(w.ls("/a") == Names{"x", "y"});
  CHECK(w.ls("/c") == Names{"x", "y", "z"});
}

TEST_CASE("binding a union elsewhere binds all its members", "[namespace]") {
  World w;
  REQUIRE(w.bind("/a", "/c", MREPL).ok());
  REQUIRE(w.bind("/b", "/c", MAFTER).ok());
  REQUIRE(w.bind("/c", "/lib", MREPL).ok());
  CHECK(w.ls("/lib") == Names{"x", "y", "z"});
  CHECK(w.cat("/lib/z") == "bz");
}

TEST_CASE("create goes to the MCREATE member", "[namespace]") {
  World w;
  REQUIRE(w.bind("/a", "/c", MAFTER).ok());
  REQUIRE(w.bind("/b", "/c", MAFTER | MCREATE).ok());
  auto f = w.create("/c/new");
  REQUIRE(f.ok());
  CHECK(f.value()->path == "/c/new");
  CHECK(f.value()->is_open());
  CHECK(w.ls("/b") == Names{"new", "x", "z"});
  CHECK(w.ls("/a") == Names{"x", "y"});
  CHECK(w.ls("/c") == Names{"x", "y", "new", "z"});
  // The channel create returned is open for writing.
  Bytes hi{'h', 'i'};
  auto n = w.run<uint32_t>([&](auto r) { Namespace::write(f.value(), hi, r); });
  CHECK(n.ok());
  CHECK(w.cat("/b/new") == "hi");
}

TEST_CASE("create in a union without MCREATE fails", "[namespace]") {
  World w;
  REQUIRE(w.bind("/a", "/c", MAFTER).ok());
  auto f = w.create("/c/new");
  REQUIRE(!f.ok());
  CHECK(f.error().code == Errc::perm);
  CHECK(f.error().text() == "'/c' mounted directory forbids creation");
  CHECK(w.ls("/c") == Names{"x", "y"});
  // A replacing bind forbids it too unless it says MCREATE, as in Plan 9.
  REQUIRE(w.bind("/b", "/lib", MREPL).ok());
  CHECK(w.create("/lib/new").error().code == Errc::perm);
  REQUIRE(w.bind("/b", "/bin", MREPL | MCREATE).ok());
  CHECK(w.create("/bin/new").ok());
  CHECK(w.ls("/b") == Names{"new", "x", "z"});
}

TEST_CASE("create of a name that exists in any member fails with exist", "[namespace]") {
  World w;
  REQUIRE(w.bind("/a", "/c", MAFTER | MCREATE).ok());
  REQUIRE(w.bind("/b", "/c", MAFTER).ok());
  auto f = w.create("/c/z");  // only in b, which is not the create member
  REQUIRE(!f.ok());
  CHECK(f.error().code == Errc::exist);
  CHECK(f.error().text() == "'/c/z' file already exists");
  CHECK(w.create("/").error().code == Errc::exist);
  CHECK(w.create("/nodir/f").error().code == Errc::noent);
  CHECK(w.create("/file/f").error().code == Errc::notdir);
}

TEST_CASE("unmount restores the original", "[namespace]") {
  World w;
  w.fs->put("c/own");
  REQUIRE(w.bind("/a", "/c", MBEFORE).ok());
  REQUIRE(w.bind("/b", "/c", MAFTER).ok());
  CHECK(w.ls("/c") == Names{"x", "y", "own", "z"});
  REQUIRE(w.ns->unmount(w.walk("/a"), w.walk("/c")).ok());
  CHECK(w.ls("/c") == Names{"own", "x", "z"});
  REQUIRE(w.ns->unmount(nullptr, w.walk("/c")).ok());
  CHECK(w.ls("/c") == Names{"own"});
  CHECK(w.walk("/c")->mount_point == nullptr);
  CHECK(w.ns->describe().empty());
}

TEST_CASE("unmount of something not mounted fails clearly", "[namespace]") {
  World w;
  auto r = w.ns->unmount(nullptr, w.walk("/c"));
  REQUIRE(!r.ok());
  CHECK(r.error().code == Errc::noent);
  CHECK(r.error().text() == "unmount: '/c' is not mounted on");
  REQUIRE(w.bind("/a", "/c", MREPL).ok());
  r = w.ns->unmount(w.walk("/b"), w.walk("/c"));
  REQUIRE(!r.ok());
  CHECK(r.error().code == Errc::noent);
  CHECK(r.error().text() == "unmount: '/b' is not mounted on '/c'");
  CHECK(w.ls("/c") == Names{"x", "y"});
}

TEST_CASE("lexical .. across a mount point lands beside the mount point", "[namespace]") {
  World w;
  // /n/m shows /a, whose real parent is /. ".." is the name's parent, /n, not /a's.
  REQUIRE(w.bind("/a", "/n/m", MREPL).ok());
  ChanRef up = w.walk("/n/m/..");
  CHECK(up->path == "/n");
  CHECK(w.ls("/n/m/..") == Names{"m"});
  CHECK(w.cat("/n/m/../m/x") == "ax");
  CHECK(w.walk("/n/m/x/../y")->path == "/n/m/y");
}

TEST_CASE("binding onto a missing path fails at the walk and changes nothing", "[namespace]") {
  World w;
  std::string before = w.ns->describe();
  auto onto = w.run<ChanRef>([&](auto r) { w.ns->walk("/missing", r); });
  REQUIRE(!onto.ok());
  CHECK(onto.error().code == Errc::noent);
  CHECK(onto.error().text() == "'/missing' file does not exist");
  CHECK(w.ns->describe() == before);
  CHECK(w.ls("/") == Names{"a", "b", "bin", "c", "file", "lib", "n"});
}

TEST_CASE("binding a directory onto a file or a file onto a directory fails, a file onto a file replaces",
          "[namespace]") {
  World w;
  auto r = w.bind("/a", "/file", MREPL);
  REQUIRE(!r.ok());
  CHECK(r.error().code == Errc::notdir);
  CHECK(r.error().text() == "bind: cannot bind directory '/a' onto file '/file'");
  r = w.bind("/a/x", "/c", MREPL);
  REQUIRE(!r.ok());
  CHECK(r.error().code == Errc::isdir);
  CHECK(r.error().text() == "bind: cannot bind file '/a/x' onto directory '/c'");
  r = w.bind("/a/x", "/file", MAFTER);
  CHECK(r.error().code == Errc::inval);
  CHECK(w.ns->describe().empty());
  REQUIRE(w.bind("/a/x", "/file", MREPL).ok());
  CHECK(w.cat("/file") == "ax");
  auto st = w.run<Dir>([&](auto r) { w.ns->stat("/file", r); });
  REQUIRE(st.ok());
  CHECK(st->name == "file");
}

TEST_CASE("a copied namespace is independent", "[namespace]") {
  World w;
  REQUIRE(w.bind("/a", "/c", MREPL).ok());
  auto parent = w.ns;
  auto child = parent->copy();
  w.ns = child;
  REQUIRE(w.bind("/b", "/lib", MREPL).ok());
  CHECK(w.ls("/c") == Names{"x", "y"});  // inherited
  CHECK(w.ls("/lib") == Names{"x", "z"});
  w.ns = parent;
  CHECK(w.ls("/lib").empty());
  REQUIRE(w.ns->unmount(nullptr, w.walk("/c")).ok());
  w.ns = child;
  CHECK(w.ls("/c") == Names{"x", "y"});
}

TEST_CASE("a shared namespace is shared", "[namespace]") {
  World w;
  std::shared_ptr<Namespace> other = w.ns;  // rfork without RFNAMEG
  REQUIRE(w.bind("/a", "/c", MREPL).ok());
  auto c = w.run<ChanRef>([&](auto r) { other->open("/c", OREAD, r); });
  REQUIRE(c.ok());
  CHECK(other->describe() == "bind /a /c\n");
}

TEST_CASE("asynchronous server replies are handled in walk, open, read, create and mount", "[namespace]") {
  World w;
  REQUIRE(w.bind("/a", "/c", MREPL).ok());
  REQUIRE(w.bind("/b", "/c", MAFTER | MCREATE).ok());
  w.fs->defer = true;

  test::Later<ChanRef> walked;
  w.ns->walk("/c/z", walked.reply());
  CHECK(!walked.done());
  w.fs->drain();
  REQUIRE(walked.done());
  REQUIRE(walked.result().ok());
  CHECK(walked.result().value()->path == "/c/z");

  test::Later<ChanRef> opened;
  w.ns->open("/c", OREAD, opened.reply());
  CHECK(!opened.done());
  w.fs->drain();
  REQUIRE(opened.result().ok());
  ChanRef dir = opened.result().value();
  CHECK(dir->union_members.size() == 2);

  test::Later<Bytes> got;
  Namespace::read(dir, 8192, got.reply());
  CHECK(!got.done());
  CHECK(w.fs->queued() == 1);
  w.fs->drain();
  REQUIRE(got.result().ok());
  auto dirs = unpack_dirs(got.result().value());
  REQUIRE(dirs.ok());
  CHECK(dirs->size() == 3);

  test::Later<ChanRef> made;
  w.ns->create("/c/late", 0664, OWRITE, made.reply());
  CHECK(!made.done());
  w.fs->drain();
  REQUIRE(made.result().ok());
  CHECK(w.ls("/b") == Names{"late", "x", "z"});

  // A walk in flight keeps the mount table it started with.
  test::Later<ChanRef> racing;
  w.ns->walk("/c/x", racing.reply());
  REQUIRE(w.ns->unmount(nullptr, w.walk("/c")).ok());
  w.fs->drain();
  REQUIRE(racing.result().ok());

  auto tmp = std::make_shared<TreeFs>("tmp");
  tmp->put("t");
  tmp->defer = true;
  test::Later<void> mounted;
  w.ns->mount(tmp, "#s/tmp", "spec", w.walk("/c"), MREPL, mounted.reply());
  CHECK(!mounted.done());
  tmp->drain();
  REQUIRE(mounted.result().ok());
  CHECK(tmp->last_aname == "spec");
  tmp->defer = false;
  CHECK(w.ls("/c") == Names{"t"});
}

TEST_CASE("a mount whose namespace is gone by the attach's answer fails with intr", "[namespace]") {
  World w;
  auto tmp = std::make_shared<TreeFs>("tmp");
  tmp->defer = true;
  test::Later<void> mounted;
  w.ns->mount(tmp, "", w.walk("/c"), MREPL, mounted.reply());
  w.ns.reset();
  tmp->drain();
  REQUIRE(mounted.done());
  CHECK(mounted.result().error().code == Errc::intr);
}

TEST_CASE("union directory read with small counts never splits entries", "[namespace]") {
  World w;
  for (int i = 0; i < 20; i++) w.fs->put("c/c" + std::to_string(i));
  REQUIRE(w.bind("/a", "/c", MAFTER).ok());
  REQUIRE(w.bind("/b", "/c", MAFTER).ok());
  Names all = w.ls("/c");
  CHECK(all.size() == 23);
  CHECK(std::set<std::string>(all.begin(), all.end()).size() == 23);
  Dir probe;
  probe.name = "c10";
  probe.uid = probe.gid = probe.muid = "glenda";
  uint32_t one = static_cast<uint32_t>(packed_dir_size(probe));
  for (uint32_t count : {one, one + 1, 2 * one - 1, 2 * one, 3 * one + 7}) {
    INFO("count " << count);
    CHECK(w.ls("/c", count) == all);  // ls unpacks strictly: a split entry would fail
  }
  // Too small for the next entry is an error, not an end of file.
  auto c = w.run<ChanRef>([&](auto r) { w.ns->open("/c", OREAD, r); });
  auto b = w.run<Bytes>([&](auto r) { Namespace::read(c.value(), 10, r); });
  CHECK(b.error().code == Errc::inval);
}

TEST_CASE("reading a union directory from offset 0 again starts over", "[namespace]") {
  World w;
  REQUIRE(w.bind("/a", "/c", MAFTER).ok());
  auto c = w.run<ChanRef>([&](auto r) { w.ns->open("/c", OREAD, r); });
  REQUIRE(c.ok());
  auto first = w.run<Bytes>([&](auto r) { Namespace::read(c.value(), 8192, r); });
  CHECK(c.value()->offset == first->size());
  c.value()->offset = 0;
  auto again = w.run<Bytes>([&](auto r) { Namespace::read(c.value(), 8192, r); });
  CHECK(again.value() == first.value());
}

TEST_CASE("reads and writes go at the channel's offset and advance it", "[namespace]") {
  World w;
  auto c = w.run<ChanRef>([&](auto r) { w.ns->open("/a/x", ORDWR, r); });
  REQUIRE(c.ok());
  auto b = w.run<Bytes>([&](auto r) { Namespace::read(c.value(), 1, r); });
  CHECK(std::string(b->begin(), b->end()) == "a");
  CHECK(c.value()->offset == 1);
  Bytes data{'Z', 'Q'};
  auto n = w.run<uint32_t>([&](auto r) { Namespace::write(c.value(), data, r); });
  CHECK(n.value() == 2);
  CHECK(c.value()->offset == 3);
  CHECK(w.cat("/a/x") == "aZQ");
}

TEST_CASE("remove, stat and wstat act on the file a path names", "[namespace]") {
  World w;
  REQUIRE(w.bind("/b", "/c", MREPL).ok());
  auto st = w.run<Dir>([&](auto r) { w.ns->stat("/c", r); });
  REQUIRE(st.ok());
  CHECK(st->name == "c");  // the mount point's name, not b's
  CHECK(st->qid.is_dir());
  Dir d = Dir::nochange();
  d.name = "zz";
  REQUIRE(w.run<void>([&](auto r) { w.ns->wstat("/c/z", d, r); }).ok());
  CHECK(w.ls("/b") == Names{"x", "zz"});
  REQUIRE(w.run<void>([&](auto r) { w.ns->remove("/c/zz", r); }).ok());
  CHECK(w.ls("/b") == Names{"x"});
  auto gone = w.run<void>([&](auto r) { w.ns->remove("/c/zz", r); });
  CHECK(gone.error().text() == "'/c/zz' file does not exist");
}

TEST_CASE("every fid the namespace makes is clunked once", "[namespace]") {
  std::shared_ptr<TreeFs> fs;
  {
    World w;
    fs = w.fs;
    REQUIRE(w.bind("/a", "/c", MAFTER | MCREATE).ok());
    CHECK(w.ls("/c").size() == 2);
    CHECK(w.cat("/c/x") == "ax");
    REQUIRE(w.create("/c/new").ok());
    REQUIRE(w.run<void>([&](auto r) { w.ns->remove("/c/new", r); }).ok());
    CHECK(!w.run<ChanRef>([&](auto r) { w.ns->walk("/c/none", r); }).ok());
    CHECK(!w.run<ChanRef>([&](auto r) { w.ns->walk("/a/x/y", r); }).ok());
    REQUIRE(w.ns->unmount(nullptr, w.walk("/c")).ok());
    CHECK(fs->live_fids > 0);
  }
  CHECK(fs->live_fids == 0);
  CHECK(fs->badly_clunked == 0);
}

TEST_CASE("'#x' paths attach device x with the rest of the first element as aname", "[namespace]") {
  World w;
  auto dev = std::make_shared<TreeFs>("cons");
  dev->put("cons", "keys").put("dir/");
  w.devices->add('c', dev);
  CHECK(w.devices->find('c') == dev);
  CHECK(w.devices->find('q') == nullptr);
  ChanRef c = w.walk("#c/cons");
  CHECK(c->path == "#c/cons");
  CHECK(w.walk("#c/dir/..")->path == "#c");
  CHECK(w.walk("#cspec")->path == "#cspec");
  CHECK(dev->last_aname == "spec");
  auto bad = w.run<ChanRef>([&](auto r) { w.ns->walk("#q/x", r); });
  CHECK(bad.error().code == Errc::noent);
  CHECK(bad.error().text() == "'#q' unknown device");
  REQUIRE(w.bind("#c", "/c", MAFTER).ok());
  CHECK(w.cat("/c/cons") == "keys");
  CHECK(w.ns->describe() == "bind -a '#c' /c\n");
}

TEST_CASE("describe writes one bind or mount line per member", "[namespace]") {
  World w;
  w.devices->add('e', std::make_shared<TreeFs>("env"));
  REQUIRE(w.bind("/a", "/c", MAFTER).ok());
  REQUIRE(w.bind("/b", "/c", MBEFORE | MCREATE).ok());
  REQUIRE(w.bind("/n", "/c", MBEFORE).ok());
  REQUIRE(w.bind("/a/x", "/file", MREPL).ok());
  REQUIRE(w.bind("#e", "/lib", MREPL | MCREATE).ok());
  REQUIRE(w.bind("/a", "/lib", MAFTER).ok());
  auto srv = std::make_shared<TreeFs>("srv");
  REQUIRE(w.run<void>([&](auto r) { w.ns->mount(srv, "#s/x y", "sub", w.walk("/bin"), MBEFORE, r); }).ok());
  CHECK(w.ns->describe() ==
        "bind -bc /b /c\n"
        "bind -b /n /c\n"
        "bind -a /a /c\n"
        "bind /a/x /file\n"
        "bind -c '#e' /lib\n"
        "bind -a /a /lib\n"
        "mount -b '#s/x y' /bin sub\n");

  // Running those lines in a fresh namespace rebuilds the same listing.
  World fresh;
  fresh.devices->add('e', w.devices->find('e'));
  REQUIRE(fresh.bind("/b", "/c", MBEFORE | MCREATE).ok());
  REQUIRE(fresh.bind("/n", "/c", MBEFORE).ok());
  REQUIRE(fresh.bind("/a", "/c", MAFTER).ok());
  CHECK(fresh.ls("/c") == w.ls("/c"));
  CHECK(w.ls("/c") == Names{"m", "x", "z", "y"});
}

TEST_CASE("describe quotes names as rc needs", "[namespace]") {
  World w;
  w.fs->put("it's/").put("plain-name_1.0/");
  REQUIRE(w.bind("/it's", "/c", MREPL).ok());
  REQUIRE(w.bind("/plain-name_1.0", "/lib", MREPL).ok());
  CHECK(w.ns->describe() == "bind '/it''s' /c\nbind /plain-name_1.0 /lib\n");
}

TEST_CASE("a ram file server mounted with the mount helper shows its files", "[namespace]") {
  World w;
  auto ram = std::make_shared<RamFs>();
  REQUIRE(ram->put_file("/hello", Bytes{'h', 'i'}, 0644).ok());
  REQUIRE(w.run<void>([&](auto r) { w.ns->mount(ram, "", w.walk("/n/m"), MREPL | MCREATE, r); }).ok());
  CHECK(w.cat("/n/m/hello") == "hi");
  REQUIRE(w.create("/n/m/made").ok());
  CHECK(w.ls("/n/m") == Names{"hello", "made"});
  CHECK(w.ns->describe() == "mount -c ram /n/m\n");
  REQUIRE(w.ns->unmount(nullptr, w.walk("/n/m")).ok());
  CHECK(w.ls("/n/m").empty());
}

}  // namespace web9
