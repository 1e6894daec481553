// Tests for fs/ramfs.cpp: the conformance suite, then what only the ram server promises
// (permissions, perm masking, creation order, put_file, its clock and limits).
#include "fs/ramfs.h"

#include <catch2/catch.hpp>

#include "tests/fs/conformance.h"
#include "tests/support/sync.h"

using namespace web9;
using namespace web9::test;

namespace {

FsFactory ram_factory() {
  return FsFactory{.name = "ram", .make = [] { return std::make_shared<RamFs>(); }};
}

// A ram server the test keeps a handle on, with a clock it sets.
struct Ram {
  uint32_t clock = 1000;
  std::shared_ptr<RamFs> fs = std::make_shared<RamFs>("glenda", [this] { return clock; });
  FsClient c{FsFactory{.name = "ram", .make = [fs = fs] { return fs; }}};
  FidPtr root;

  Ram() { root = REQUIRE_OK(c.attach()); }

  // A client acting as another user on the same tree.
  FsClient as(std::string uname) {
    return FsClient(FsFactory{.name = "ram", .make = [fs = fs] { return fs; }, .uname = std::move(uname)});
  }
};

Dir with_mode(uint32_t mode) {
  Dir d = Dir::nochange();
  d.mode = mode;
  return d;
}

std::vector<std::string> names(const std::vector<Dir>& entries) {
  std::vector<std::string> out;
  for (const auto& d : entries) out.push_back(d.name);
  return out;
}

}  // namespace

TEST_CASE("the ram file server passes the file-server conformance suite", "[ramfs][conformance]") {
  run_fs_conformance(ram_factory());
}

TEST_CASE("a ram server is of kind ram and answers every request at once", "[ramfs]") {
  RamFs fs;
  CHECK(fs.kind() == "ram");
  auto root = now<std::unique_ptr<Fid>>([&](auto r) { fs.attach("glenda", "", r); });
  REQUIRE(root.ok());
  auto d = now<Dir>([&](auto r) { fs.stat(**root, r); });
  REQUIRE(d.ok());
  CHECK(d->name == "/");
  CHECK(d->uid == "glenda");
  CHECK(d->mode == (DMDIR | 0777u));
  CHECK(d->qid.type == QTDIR);
}

TEST_CASE("ram directories list their entries in creation order", "[ramfs]") {
  Ram t;
  for (auto n : {"zeta", "alpha", "mid", "beta"}) REQUIRE_OK(t.c.put(*t.root, n, n));
  CHECK(names(REQUIRE_OK(t.c.list(*t.root, ""))) == std::vector<std::string>{"zeta", "alpha", "mid", "beta"});
  REQUIRE_OK(t.c.remove_path(*t.root, "alpha"));
  REQUIRE_OK(t.c.put(*t.root, "alpha", "again"));
  CHECK(names(REQUIRE_OK(t.c.list(*t.root, "", 100))) == std::vector<std::string>{"zeta", "mid", "beta", "alpha"});
}

TEST_CASE("a ram directory read keeps its snapshot until it is read from offset 0 again", "[ramfs]") {
  Ram t;
  REQUIRE_OK(t.c.put(*t.root, "a", "1"));
  REQUIRE_OK(t.c.put(*t.root, "b", "2"));
  FidPtr d = REQUIRE_OK(t.c.open_path(*t.root, "", OREAD));
  Bytes first = REQUIRE_OK(t.c.read(*d, 0, 100));  // one entry fits, not two
  REQUIRE(REQUIRE_OK(unpack_dirs(first)).size() == 1);
  REQUIRE_OK(t.c.remove_path(*t.root, "b"));
  Bytes second = REQUIRE_OK(t.c.read(*d, first.size(), 100));
  CHECK(REQUIRE_OK(unpack_dirs(second)).at(0).name == "b");
  CHECK(REQUIRE_OK(t.c.read(*d, first.size() + second.size(), 100)).empty());
  CHECK(names(REQUIRE_OK(unpack_dirs(REQUIRE_OK(t.c.read(*d, 0, 8192))))) == std::vector<std::string>{"a"});
}

TEST_CASE("a ram directory read at a wrong offset or too small for an entry is refused", "[ramfs]") {
  Ram t;
  REQUIRE_OK(t.c.put(*t.root, "a", "1"));
  FidPtr d = REQUIRE_OK(t.c.open_path(*t.root, "", OREAD));
  CHECK(outcome(t.c.read(*d, 7, 8192)) == outcome(Errc::inval));
  CHECK(outcome(t.c.read(*d, 0, 10)) == outcome(Errc::inval));
  // The refused read lost nothing: a big enough read still gets the entry.
  CHECK(names(REQUIRE_OK(unpack_dirs(REQUIRE_OK(t.c.read(*d, 0, 8192))))) == std::vector<std::string>{"a"});
}

TEST_CASE("ram open checks the owner's permission bits", "[ramfs]") {
  Ram t;
  REQUIRE_OK(t.c.put(*t.root, "ro", "x", 0444));
  REQUIRE_OK(t.c.put(*t.root, "wo", "x", 0222));
  REQUIRE_OK(t.c.put(*t.root, "rw", "x", 0666));
  REQUIRE_OK(t.c.put(*t.root, "rx", "x", 0555));
  CHECK(outcome(t.c.open_path(*t.root, "ro", OWRITE)) == outcome(Errc::access));
  CHECK(outcome(t.c.open_path(*t.root, "ro", ORDWR)) == outcome(Errc::access));
  CHECK(outcome(t.c.open_path(*t.root, "ro", OREAD | OTRUNC)) == outcome(Errc::access));
  CHECK(REQUIRE_OK(t.c.get(*t.root, "ro")) == "x");
  CHECK(outcome(t.c.open_path(*t.root, "wo", OREAD)) == outcome(Errc::access));
  CHECK(outcome(t.c.open_path(*t.root, "wo", OWRITE)) == outcome(Errc::ok));
  CHECK(outcome(t.c.open_path(*t.root, "rw", OEXEC)) == outcome(Errc::access));
  CHECK(outcome(t.c.open_path(*t.root, "rx", OEXEC)) == outcome(Errc::ok));
}

TEST_CASE("ram directories need write permission to create or remove in, and exec to walk", "[ramfs]") {
  Ram t;
  REQUIRE_OK(t.c.mkdir(*t.root, "d", 0755));
  REQUIRE_OK(t.c.put(*t.root, "d/f", "x"));
  FidPtr d = REQUIRE_OK(t.c.walk(*t.root, "d"));
  REQUIRE_OK(t.c.wstat(*d, with_mode(DMDIR | 0555)));
  CHECK(outcome(t.c.create_in(*d, "g", 0644, OWRITE)) == outcome(Errc::access));
  CHECK(outcome(t.c.remove_path(*t.root, "d/f")) == outcome(Errc::access));
  CHECK(outcome(t.c.open_path(*t.root, "d/f", OREAD | ORCLOSE)) == outcome(Errc::access));
  Dir rename = Dir::nochange();
  rename.name = "h";
  FidPtr f = REQUIRE_OK(t.c.walk(*t.root, "d/f"));
  CHECK(outcome(t.c.wstat(*f, rename)) == outcome(Errc::access));
  CHECK(names(REQUIRE_OK(t.c.list(*t.root, "d"))) == std::vector<std::string>{"f"});
  REQUIRE_OK(t.c.wstat(*d, with_mode(DMDIR | 0644)));
  CHECK(outcome(t.c.walk(*t.root, "d/f")) == outcome(Errc::access));
}

TEST_CASE("another user of a ram tree gets the other bits, and only the owner changes modes", "[ramfs]") {
  Ram t;
  REQUIRE_OK(t.c.put(*t.root, "private", "secret", 0600));
  REQUIRE_OK(t.c.put(*t.root, "public", "hello", 0644));
  FsClient alice = t.as("alice");
  FidPtr root = REQUIRE_OK(alice.attach());
  CHECK(outcome(alice.open_path(*root, "private", OREAD)) == outcome(Errc::access));
  CHECK(REQUIRE_OK(alice.get(*root, "public")) == "hello");
  CHECK(outcome(alice.open_path(*root, "public", OWRITE)) == outcome(Errc::access));
  FidPtr f = REQUIRE_OK(alice.walk(*root, "public"));
  CHECK(outcome(alice.wstat(*f, with_mode(0666))) == outcome(Errc::perm));
  Dir chgrp = Dir::nochange();
  chgrp.gid = "alice";
  CHECK(outcome(alice.wstat(*f, chgrp)) == outcome(Errc::perm));
  CHECK(REQUIRE_OK(alice.stat(*f)).mode == 0644u);
  // What alice creates is hers.
  REQUIRE_OK(alice.put(*root, "mine", "m"));
  Dir mine = REQUIRE_OK(alice.stat_path(*root, "mine"));
  CHECK(mine.uid == "alice");
  CHECK(mine.muid == "alice");
  CHECK(mine.gid == "glenda");  // the directory's group, as on Plan 9
}

TEST_CASE("ram create masks the new file's permissions by its directory's, as Plan 9 does", "[ramfs]") {
  Ram t;
  REQUIRE_OK(t.c.mkdir(*t.root, "d", 0750));
  FidPtr d = REQUIRE_OK(t.c.walk(*t.root, "d"));
  REQUIRE_OK(t.c.create_in(*d, "f", 0666, OWRITE));
  REQUIRE_OK(t.c.create_in(*d, "x", 0777, OWRITE));
  REQUIRE_OK(t.c.create_in(*d, "sub", DMDIR | 0777, OREAD));
  REQUIRE_OK(t.c.create_in(*d, "log", DMAPPEND | 0644, OWRITE));
  CHECK(REQUIRE_OK(t.c.stat_path(*t.root, "d/f")).mode == 0640u);
  CHECK(REQUIRE_OK(t.c.stat_path(*t.root, "d/x")).mode == 0751u);  // exec bits are not masked for files
  CHECK(REQUIRE_OK(t.c.stat_path(*t.root, "d/sub")).mode == (DMDIR | 0750u));
  CHECK(REQUIRE_OK(t.c.stat_path(*t.root, "d/log")).mode == (DMAPPEND | 0640u));
  CHECK(REQUIRE_OK(t.c.stat_path(*t.root, "d/log")).qid.type == QTAPPEND);
}

TEST_CASE("ram create may open a new file for writing whatever its permissions say", "[ramfs]") {
  Ram t;
  FidPtr f = REQUIRE_OK(t.c.create_in(*t.root, "ro", 0444, OWRITE));
  CHECK(REQUIRE_OK(t.c.write(*f, 0, "made")) == 4);
  t.c.clunk(std::move(f));
  CHECK(REQUIRE_OK(t.c.get(*t.root, "ro")) == "made");
  CHECK(outcome(t.c.open_path(*t.root, "ro", OWRITE)) == outcome(Errc::access));
}

TEST_CASE("ram refuses bad names with inval and makes nothing", "[ramfs]") {
  Ram t;
  for (std::string_view bad : std::initializer_list<std::string_view>{"", ".", "..", "a/b", "/", {"a\0b", 3}}) {
    INFO("name '" << bad << "'");
    CHECK(outcome(t.c.create_in(*t.root, bad, 0644, OWRITE)) == outcome(Errc::inval));
  }
  CHECK(outcome(t.c.create_in(*t.root, std::string(256, 'n'), 0644, OWRITE)) == outcome(Errc::nametoolong));
  REQUIRE_OK(t.c.create_in(*t.root, std::string(255, 'n'), 0644, OWRITE));
  auto bad = t.c.create_in(*t.root, "a/b", 0644, OWRITE);
  CHECK(bad.error().text() == "bad character in file name");
  REQUIRE_OK(t.c.put(*t.root, "a", "x"));
  FidPtr f = REQUIRE_OK(t.c.walk(*t.root, "a"));
  Dir d = Dir::nochange();
  d.name = "..";
  CHECK(outcome(t.c.wstat(*f, d)) == outcome(Errc::inval));
  CHECK(names(REQUIRE_OK(t.c.list(*t.root, ""))) == std::vector<std::string>{std::string(255, 'n'), "a"});
}

TEST_CASE("ram refuses unknown open modes and permission bits", "[ramfs]") {
  Ram t;
  CHECK(outcome(t.c.create_in(*t.root, "a", DMMOUNT | 0644, OWRITE)) == outcome(Errc::inval));
  CHECK(outcome(t.c.create_in(*t.root, "a", 0644, 0x80)) == outcome(Errc::inval));
  REQUIRE_OK(t.c.put(*t.root, "b", "x"));
  CHECK(outcome(t.c.open_path(*t.root, "b", 0x80)) == outcome(Errc::inval));
  FidPtr f = REQUIRE_OK(t.c.walk(*t.root, "b"));
  CHECK(outcome(t.c.wstat(*f, with_mode(DMAUTH | 0644))) == outcome(Errc::inval));
  CHECK(names(REQUIRE_OK(t.c.list(*t.root, ""))) == std::vector<std::string>{"b"});
}

TEST_CASE("a ram fid cannot be opened twice nor walked once open", "[ramfs]") {
  Ram t;
  REQUIRE_OK(t.c.mkdir(*t.root, "d"));
  FidPtr d = REQUIRE_OK(t.c.open_path(*t.root, "d", OREAD));
  CHECK(outcome(t.c.open(*d, OREAD)) == outcome(Errc::badf));
  CHECK(outcome(t.c.walk1(*d, "x")) == outcome(Errc::badf));
  CHECK(outcome(t.c.create(*d, "x", 0644, OWRITE)) == outcome(Errc::badf));
  FidPtr f = REQUIRE_OK(t.c.walk(*t.root, ""));
  CHECK(outcome(t.c.read(*f, 0, 10)) == outcome(Errc::badf));
}

TEST_CASE("ram wstat refuses what a file server must not change", "[ramfs]") {
  Ram t;
  REQUIRE_OK(t.c.mkdir(*t.root, "d"));
  REQUIRE_OK(t.c.put(*t.root, "a", "x"));
  FidPtr a = REQUIRE_OK(t.c.walk(*t.root, "a"));
  Dir d = Dir::nochange();
  d.uid = "alice";
  CHECK(outcome(t.c.wstat(*a, d)) == outcome(Errc::perm));
  d = Dir::nochange();
  d.qid.path = 999;
  CHECK(outcome(t.c.wstat(*a, d)) == outcome(Errc::perm));
  FidPtr dir = REQUIRE_OK(t.c.walk(*t.root, "d"));
  Dir len = Dir::nochange();
  len.length = 10;
  CHECK(outcome(t.c.wstat(*dir, len)) == outcome(Errc::isdir));
  Dir rename = Dir::nochange();
  rename.name = "top";
  CHECK(outcome(t.c.wstat(*t.root, rename)) == outcome(Errc::perm));
  CHECK(REQUIRE_OK(t.c.stat(*t.root)).name == "/");
  // A whole stat written back unchanged is fine (how dirfwstat after dirfstat behaves).
  Dir whole = REQUIRE_OK(t.c.stat(*a));
  REQUIRE_OK(t.c.wstat(*a, whole));
  Dir gid = Dir::nochange();
  gid.gid = "sys";
  REQUIRE_OK(t.c.wstat(*a, gid));
  CHECK(REQUIRE_OK(t.c.stat(*a)).gid == "sys");
}

TEST_CASE("ram removes: the root never, a removed file not twice", "[ramfs]") {
  Ram t;
  CHECK(outcome(t.c.remove(t.root->clone())) == outcome(Errc::perm));
  REQUIRE_OK(t.c.put(*t.root, "a", "x"));
  FidPtr f1 = REQUIRE_OK(t.c.walk(*t.root, "a"));
  FidPtr f2 = REQUIRE_OK(t.c.walk(*t.root, "a"));
  REQUIRE_OK(t.c.remove(std::move(f1)));
  CHECK(outcome(t.c.remove(std::move(f2))) == outcome(Errc::noent));
  CHECK(outcome(t.c.open_path(*t.root, "", OREAD | ORCLOSE)) == outcome(Errc::perm));
}

TEST_CASE("a removed ram file can still be written and statted through its open fid", "[ramfs]") {
  Ram t;
  REQUIRE_OK(t.c.mkdir(*t.root, "d"));
  FidPtr f = REQUIRE_OK(t.c.create_in(*t.root, "a", 0644, ORDWR));
  FidPtr d = REQUIRE_OK(t.c.walk(*t.root, "d"));
  REQUIRE_OK(t.c.remove_path(*t.root, "a"));
  REQUIRE_OK(t.c.remove_path(*t.root, "d"));
  REQUIRE_OK(t.c.write_all(*f, 0, bytes("ghost")));
  CHECK(text(REQUIRE_OK(t.c.read_all(*f))) == "ghost");
  CHECK(REQUIRE_OK(t.c.stat(*f)).length == 5);
  CHECK(outcome(t.c.create_in(*d, "x", 0644, OWRITE)) == outcome(Errc::noent));
  FidPtr up = d->clone();
  CHECK(outcome(t.c.walk1(*up, "..")) == outcome(Errc::noent));
  CHECK(REQUIRE_OK(t.c.list(*t.root, "")).empty());
}

TEST_CASE("ram walks .. to the parent, and the root's parent is the root", "[ramfs]") {
  Ram t;
  REQUIRE_OK(t.c.mkdir(*t.root, "d"));
  REQUIRE_OK(t.c.mkdir(*t.root, "d/e"));
  FidPtr f = REQUIRE_OK(t.c.walk(*t.root, "d/e"));
  uint64_t d_path = REQUIRE_OK(t.c.stat_path(*t.root, "d")).qid.path;
  CHECK(REQUIRE_OK(t.c.walk1(*f, "..")).path == d_path);
  CHECK(REQUIRE_OK(t.c.walk1(*f, "..")).path == t.root->qid.path);
  CHECK(REQUIRE_OK(t.c.walk1(*f, "..")).path == t.root->qid.path);
}

TEST_CASE("ram times come from its clock: creation, writes, reads", "[ramfs]") {
  Ram t;
  t.clock = 5000;
  FidPtr f = REQUIRE_OK(t.c.create_in(*t.root, "a", 0644, ORDWR));
  Dir d = REQUIRE_OK(t.c.stat(*f));
  CHECK(d.mtime == 5000u);
  CHECK(d.atime == 5000u);
  CHECK(REQUIRE_OK(t.c.stat(*t.root)).mtime == 5000u);  // the directory changed too
  t.clock = 6000;
  REQUIRE_OK(t.c.write_all(*f, 0, bytes("x")));
  d = REQUIRE_OK(t.c.stat(*f));
  CHECK(d.mtime == 6000u);
  CHECK(d.atime == 5000u);
  t.clock = 7000;
  REQUIRE_OK(t.c.read(*f, 0, 1));
  d = REQUIRE_OK(t.c.stat(*f));
  CHECK(d.mtime == 6000u);
  CHECK(d.atime == 7000u);
}

TEST_CASE("an exclusive-use ram file admits one open at a time", "[ramfs]") {
  Ram t;
  FidPtr f = REQUIRE_OK(t.c.create_in(*t.root, "lock", DMEXCL | 0644, ORDWR));
  CHECK(f->qid.type == QTEXCL);
  CHECK(outcome(t.c.open_path(*t.root, "lock", OREAD)) == outcome(Errc::busy));
  t.c.clunk(std::move(f));
  FidPtr g = REQUIRE_OK(t.c.open_path(*t.root, "lock", OREAD));
  CHECK(outcome(t.c.open_path(*t.root, "lock", OREAD)) == outcome(Errc::busy));
  g.reset();  // destroying an open fid without a clunk still lets go of it
  REQUIRE_OK(t.c.open_path(*t.root, "lock", OREAD));
}

TEST_CASE("ram files stop growing at the size limit and lose nothing", "[ramfs]") {
  Ram t;
  t.fs->set_max_file_size(16);
  FidPtr f = REQUIRE_OK(t.c.create_in(*t.root, "a", 0644, ORDWR));
  REQUIRE_OK(t.c.write_all(*f, 0, bytes("0123456789")));
  CHECK(outcome(t.c.write(*f, 10, "abcdefg")) == outcome(Errc::fbig));
  CHECK(outcome(t.c.write(*f, ~uint64_t{0} - 2, "abcdefg")) == outcome(Errc::fbig));
  CHECK(outcome(t.c.wstat(*f, [] { Dir d = Dir::nochange(); d.length = 17; return d; }())) == outcome(Errc::fbig));
  CHECK(text(REQUIRE_OK(t.c.read_all(*f))) == "0123456789");
  CHECK(REQUIRE_OK(t.c.write(*f, 10, "abcdef")) == 6);
}

TEST_CASE("an empty write changes nothing, even past the end", "[ramfs]") {
  Ram t;
  FidPtr f = REQUIRE_OK(t.c.create_in(*t.root, "a", 0644, ORDWR));
  uint32_t vers = f->qid.vers;
  CHECK(REQUIRE_OK(t.c.write(*f, 100, std::span<const uint8_t>())) == 0);
  Dir d = REQUIRE_OK(t.c.stat(*f));
  CHECK(d.length == 0);
  CHECK(d.qid.vers == vers);
}

TEST_CASE("put_file makes parent directories and keeps the mode it is given", "[ramfs]") {
  Ram t;
  REQUIRE_OK(t.fs->put_file("/bin/rc", bytes(std::string_view("\0asm", 4)), 0755));
  REQUIRE_OK(t.fs->put_file("lib/rcmain", bytes("# rc"), 0444));
  REQUIRE_OK(t.fs->put_file("/sys/lib/x/", Bytes{}, DMDIR | 0700));
  CHECK(REQUIRE_OK(t.c.get(*t.root, "bin/rc")) == std::string("\0asm", 4));
  Dir bin = REQUIRE_OK(t.c.stat_path(*t.root, "bin"));
  CHECK(bin.mode == (DMDIR | 0775u));
  CHECK(bin.uid == "glenda");
  CHECK(REQUIRE_OK(t.c.stat_path(*t.root, "bin/rc")).mode == 0755u);
  CHECK(REQUIRE_OK(t.c.stat_path(*t.root, "lib/rcmain")).mode == 0444u);
  CHECK(REQUIRE_OK(t.c.stat_path(*t.root, "sys/lib/x")).mode == (DMDIR | 0700u));
  CHECK(names(REQUIRE_OK(t.c.list(*t.root, ""))) == std::vector<std::string>{"bin", "lib", "sys"});
  REQUIRE_OK(t.fs->put_file("/bin/ls", bytes("ls"), 0755));
  CHECK(names(REQUIRE_OK(t.c.list(*t.root, "bin"))) == std::vector<std::string>{"rc", "ls"});
}

TEST_CASE("put_file replaces an existing file and bumps its version", "[ramfs]") {
  Ram t;
  REQUIRE_OK(t.fs->put_file("/a", bytes("old"), 0644));
  Dir before = REQUIRE_OK(t.c.stat_path(*t.root, "a"));
  REQUIRE_OK(t.fs->put_file("/a", bytes("newer"), 0600));
  Dir after = REQUIRE_OK(t.c.stat_path(*t.root, "a"));
  CHECK(REQUIRE_OK(t.c.get(*t.root, "a")) == "newer");
  CHECK(after.qid.path == before.qid.path);
  CHECK(after.qid.vers != before.qid.vers);
  CHECK(after.mode == 0600u);
}

TEST_CASE("put_file refuses bad paths and leaves the tree as it was", "[ramfs]") {
  Ram t;
  REQUIRE_OK(t.fs->put_file("/a", bytes("file"), 0644));
  REQUIRE_OK(t.fs->put_file("/d/e", bytes("x"), 0644));
  CHECK(outcome(t.fs->put_file("/a/b/c", bytes("x"), 0644)) == outcome(Errc::notdir));
  CHECK(outcome(t.fs->put_file("/new/../x", bytes("x"), 0644)) == outcome(Errc::inval));
  CHECK(outcome(t.fs->put_file("/", bytes("x"), 0644)) == outcome(Errc::inval));
  CHECK(outcome(t.fs->put_file("", bytes("x"), 0644)) == outcome(Errc::inval));
  CHECK(outcome(t.fs->put_file("/d", bytes("x"), 0644)) == outcome(Errc::isdir));
  CHECK(outcome(t.fs->put_file("/a", Bytes{}, DMDIR | 0755)) == outcome(Errc::exist));
  CHECK(outcome(t.fs->put_file("/n/d", bytes("x"), DMDIR | 0755)) == outcome(Errc::inval));
  CHECK(outcome(t.fs->put_file("/n/m", bytes("x"), DMAUTH | 0755)) == outcome(Errc::inval));
  t.fs->set_max_file_size(3);
  CHECK(outcome(t.fs->put_file("/n/big", bytes("toolong"), 0644)) == outcome(Errc::fbig));
  CHECK(names(REQUIRE_OK(t.c.list(*t.root, ""))) == std::vector<std::string>{"a", "d"});
  CHECK(REQUIRE_OK(t.c.get(*t.root, "a")) == "file");
  CHECK(REQUIRE_OK(t.c.get(*t.root, "d/e")) == "x");
}

TEST_CASE("attaching with no user name acts as the ram tree's owner", "[ramfs]") {
  auto fs = std::make_shared<RamFs>("ada");
  FsClient c(FsFactory{.name = "ram", .make = [fs] { return fs; }, .uname = ""});
  FidPtr root = REQUIRE_OK(c.attach());
  REQUIRE_OK(c.put(*root, "f", "x"));
  CHECK(REQUIRE_OK(c.stat_path(*root, "f")).uid == "ada");
}
