// Tests for the process layer through the Kernel API (kernel/kernel.cpp, sysproc.cpp,
// sysfile.cpp, process.cpp, fdtable.cpp, env.cpp): boot, spawn with shared or copied resources,
// fd tables, cwd and relative paths, exits and wait, notes, and the errors bad input gets.
#include "kernel/kernel.h"

#include <catch2/catch.hpp>

#include "fs/srvfs.h"
#include "tests/kernel/booted.h"

namespace web9 {
namespace {

using test::Booted;
using test::contains;
using test::Later;
using test::now;
using test::outcome;
using test::span_of;

// --- boot ----------------------------------------------------------------------------------

TEST_CASE("boot makes init with the standard name space", "[kernel][boot]") {
  Booted b;
  Kernel& k = b.k;
  REQUIRE(k.pids() == std::vector<int>{1});
  Process* init = k.process(1);
  REQUIRE(init);
  CHECK(init->ppid == 0);
  CHECK(init->pgrp == 1);
  CHECK(k.foreground() == 1);
  CHECK(init->user == "glenda");
  CHECK(init->name() == "init");
  CHECK(REQUIRE_OK(k.getcwd(1)) == "/");
  CHECK(init->env->get_string("user") == "glenda");

  auto root = b.ls(1, "/");
  for (const char* d : {"bin", "dev", "proc", "env", "srv", "tmp"}) {
    INFO(d);
    CHECK(contains(root, d));
  }
  auto dev = b.ls(1, "/dev");
  for (const char* f : {"cons", "consctl", "null", "zero", "random", "time", "user", "winsize"}) {
    INFO(f);
    CHECK(contains(dev, f));
  }
  CHECK(b.ls(1, "/proc") == std::vector<std::string>{"1"});
  CHECK(b.ls(1, "/env") == std::vector<std::string>{"user"});
  CHECK(b.ls(1, "/srv").empty());
  CHECK(b.ls(1, "/tmp").empty());
  CHECK(b.cat(1, "/dev/user") == "glenda");

  // /tmp takes new files (MCREATE) and they land in the tmp server, not the root.
  b.put(1, "/tmp/x", "hi", true);
  CHECK(b.cat(1, "/tmp/x") == "hi");
  CHECK(outcome(b.root->put_file("/tmp/y", test::bytes("y"), 0644)) == "ok");
  CHECK(b.ls(1, "/tmp") == std::vector<std::string>{"x"});
}

TEST_CASE("boot keeps what the root has in /dev after the console's files", "[kernel][boot]") {
  auto root = std::make_shared<RamFs>("glenda");
  REQUIRE(root->put_file("/dev/extra", test::bytes("e"), 0644).ok());
  Kernel k;
  BootOptions o;
  o.root = root;
  REQUIRE(now<int>([&](auto r) { k.boot(o, r); }).ok());
  auto fd = now<int>([&](auto r) { k.open(1, "/dev/extra", OREAD, r); });
  CHECK(fd.ok());
  fd = now<int>([&](auto r) { k.open(1, "/dev/null", OREAD, r); });
  CHECK(fd.ok());
}

TEST_CASE("boot refuses bad requests", "[kernel][boot][errors]") {
  SECTION("no root") {
    Kernel k;
    BootOptions none;
    auto pid = now<int>([&](auto r) { k.boot(none, r); });
    CHECK(outcome(pid) == outcome(Errc::inval));
    CHECK(k.pids().empty());
  }
  SECTION("twice") {
    Booted b;
    BootOptions o;
    o.root = std::make_shared<RamFs>();
    auto pid = now<int>([&](auto r) { b.k.boot(o, r); });
    CHECK(outcome(pid) == outcome(Errc::busy));
    CHECK(b.k.pids() == std::vector<int>{1});
  }
  SECTION("a mount point that is a file") {
    auto root = std::make_shared<RamFs>("glenda");
    REQUIRE(root->put_file("/proc", test::bytes("not a dir"), 0644).ok());
    Kernel k;
    BootOptions o;
    o.root = root;
    auto pid = now<int>([&](auto r) { k.boot(o, r); });
    CHECK(outcome(pid) == outcome(Errc::notdir));
    CHECK(k.pids().empty());
  }
  SECTION("a bad environment variable name") {
    auto root = std::make_shared<RamFs>("glenda");
    Kernel k;
    BootOptions o;
    o.root = root;
    o.env = {{"a/b", "x"}};
    auto pid = now<int>([&](auto r) { k.boot(o, r); });
    CHECK(outcome(pid) == outcome(Errc::inval));
    CHECK(k.pids().empty());
  }
}

TEST_CASE("make_init gives a bare name space", "[kernel][boot]") {
  Kernel k;
  auto ram = std::make_shared<RamFs>("glenda");
  auto fid = REQUIRE_OK(now<std::unique_ptr<Fid>>([&](auto r) { ram->attach("glenda", "", r); }));
  auto root = std::make_shared<Chan>(ram, std::move(fid), "/");
  CHECK(outcome(k.make_init(nullptr, {}, "glenda")) == outcome(Errc::inval));
  CHECK(REQUIRE_OK(k.make_init(root, {}, "glenda")) == 1);
  CHECK(k.process(1)->name() == "init");
  CHECK(outcome(k.make_init(root, {}, "glenda")) == outcome(Errc::busy));
  // Devices are reachable by '#' names and can be bound in.
  REQUIRE(now<void>([&](auto r) { k.bind(1, "#c", "/", MAFTER, r); }).ok());
  CHECK(now<int>([&](auto r) { k.open(1, "/null", OREAD, r); }).ok());
  // A spawned child gets the next pid.
  CHECK(REQUIRE_OK(k.spawn(1, SpawnOptions{{"a"}})) == 2);
}

// --- spawn -----------------------------------------------------------------------------------

TEST_CASE("spawn makes a child with the parent's resources", "[kernel][spawn]") {
  Booted b;
  Kernel& k = b.k;
  int fd = b.create(1, "/tmp/f", ORDWR);
  REQUIRE(b.chdir(1, "/tmp").ok());

  SpawnOptions o;
  o.argv = {"/bin/echo", "a b", "c"};
  o.fds = {{0, fd}, {5, fd}};
  int pid = REQUIRE_OK(k.spawn(1, o));
  CHECK(pid == 2);
  Process* c = k.process(pid);
  REQUIRE(c);
  CHECK(c->ppid == 1);
  CHECK(c->pgrp == 1);
  CHECK(c->user == "glenda");
  CHECK(c->name() == "echo");
  CHECK(c->argv == std::vector<std::string>{"/bin/echo", "a b", "c"});
  CHECK(k.process(1)->children == std::vector<int>{pid});
  CHECK(REQUIRE_OK(k.getcwd(pid)) == "/tmp");
  CHECK(c->fds->fds() == std::vector<int>{0, 5});  // map_only: exactly the map
  CHECK(c->ns == k.process(1)->ns);
  CHECK(c->env == k.process(1)->env);

  // The child's fds share the parent's channel, offset included.
  b.write(pid, 0, "hello");
  b.write(1, fd, " world");
  CHECK(REQUIRE_OK(k.fd2path(pid, 5)) == "/tmp/f");
  CHECK(b.cat(1, "/tmp/f") == "hello world");

  // Pids keep counting up.
  CHECK(b.spawn() == 3);
}

TEST_CASE("spawn copy_all gives the parent's table with the map on top", "[kernel][spawn]") {
  Booted b;
  int a = b.open(1, "/dev/null", ORDWR);
  int z = b.open(1, "/dev/zero", OREAD);
  SpawnOptions o;
  o.argv = {"x"};
  o.fd_inherit = FdInherit::copy_all;
  o.fds = {{a, z}};
  int pid = REQUIRE_OK(b.k.spawn(1, o));
  CHECK(b.k.process(pid)->fds->fds() == std::vector<int>{a, z});
  CHECK(REQUIRE_OK(b.k.fd2path(pid, a)) == "/dev/zero");
  // The tables are separate: closing in the child leaves the parent's.
  REQUIRE(b.k.close(pid, z).ok());
  CHECK(b.k.process(1)->fds->is_open(z));
}

TEST_CASE("spawn shares or copies the name space", "[kernel][spawn][ns]") {
  Booted b;
  SpawnOptions shared{{"s"}};
  SpawnOptions copied{{"c"}};
  copied.ns = Sharing::copy;
  int s = REQUIRE_OK(b.k.spawn(1, shared));
  int c = REQUIRE_OK(b.k.spawn(1, copied));
  REQUIRE(b.bind(c, "/dev", "/tmp", MREPL).ok());
  CHECK(contains(b.ls(c, "/tmp"), "null"));
  CHECK(b.ls(1, "/tmp").empty());
  REQUIRE(b.bind(s, "/dev", "/tmp", MREPL).ok());
  CHECK(contains(b.ls(1, "/tmp"), "null"));
}

TEST_CASE("spawn shares or copies the environment", "[kernel][spawn][env]") {
  Booted b;
  Kernel& k = b.k;
  SpawnOptions copied{{"c"}};
  copied.env = Sharing::copy;
  copied.env_set = {{"x", "1"}, {"user", "other"}};
  int c = REQUIRE_OK(k.spawn(1, copied));
  CHECK(k.process(c)->env->get_string("x") == "1");
  CHECK(k.process(c)->env->get_string("user") == "other");
  CHECK_FALSE(k.process(1)->env->get("x"));
  CHECK(k.process(1)->env->get_string("user") == "glenda");

  int s = b.spawn();
  REQUIRE(k.process(s)->env->set("y", "2").ok());
  CHECK(k.process(1)->env->get_string("y") == "2");
}

TEST_CASE("spawn note groups", "[kernel][spawn][notes]") {
  Booted b;
  int same = b.spawn();
  SpawnOptions o{{"leader"}};
  o.note_group = NoteGroup::new_group;
  int leader = REQUIRE_OK(b.k.spawn(1, o));
  CHECK(b.k.process(same)->pgrp == 1);
  CHECK(b.k.process(leader)->pgrp == leader);
  int follower = b.spawn(leader);
  CHECK(b.k.process(follower)->pgrp == leader);
}

TEST_CASE("spawn refuses bad requests and changes nothing", "[kernel][spawn][errors]") {
  Booted b;
  Kernel& k = b.k;
  CHECK(outcome(k.spawn(42, SpawnOptions{{"x"}})) == outcome(Errc::srch));
  CHECK(outcome(k.spawn(1, SpawnOptions{})) == outcome(Errc::inval));
  SpawnOptions shared_env{{"x"}};
  shared_env.env_set = {{"a", "b"}};
  CHECK(outcome(k.spawn(1, shared_env)) == outcome(Errc::inval));
  SpawnOptions bad_fd{{"x"}};
  bad_fd.fds = {{0, 17}};
  auto r = k.spawn(1, bad_fd);
  CHECK(outcome(r) == outcome(Errc::badf));
  CHECK_THAT(r.error().text(), Catch::Contains("17"));
  SpawnOptions bad_child_fd{{"x"}};
  int fd = b.open(1, "/dev/null", OREAD);
  bad_child_fd.fds = {{-1, fd}};
  CHECK(outcome(k.spawn(1, bad_child_fd)) == outcome(Errc::badf));
  SpawnOptions bad_name{{"x"}};
  bad_name.env = Sharing::copy;
  bad_name.env_set = {{"", "v"}};
  CHECK(outcome(k.spawn(1, bad_name)) == outcome(Errc::inval));
  CHECK(k.pids() == std::vector<int>{1});
  CHECK(k.process(1)->children.empty());
  // A zombie cannot spawn.
  int c = b.spawn();
  REQUIRE(k.exits(c, "").ok());
  CHECK(outcome(k.spawn(c, SpawnOptions{{"x"}})) == outcome(Errc::srch));
}

// --- rfork -------------------------------------------------------------------------------------

TEST_CASE("rfork changes resources in place", "[kernel][rfork]") {
  Booted b;
  Kernel& k = b.k;
  int c = b.spawn();
  auto ns = k.process(c)->ns;
  auto env = k.process(c)->env;

  REQUIRE(k.rfork(c, RFNAMEG | RFENVG | RFNOTEG).ok());
  CHECK(k.process(c)->ns != ns);
  CHECK(k.process(c)->env != env);
  CHECK(k.process(c)->env->get_string("user") == "glenda");
  CHECK(k.process(c)->pgrp == c);
  REQUIRE(b.bind(c, "/dev", "/tmp", MREPL).ok());
  CHECK(b.ls(1, "/tmp").empty());

  int fd = b.open(c, "/dev/null", OREAD);
  auto fds = k.process(c)->fds;
  REQUIRE(k.rfork(c, RFFDG).ok());
  CHECK(k.process(c)->fds != fds);
  CHECK(k.process(c)->fds->is_open(fd));
  REQUIRE(k.rfork(c, RFCFDG | RFCENVG).ok());
  CHECK(k.process(c)->fds->fds().empty());
  CHECK(k.process(c)->env->vars().empty());

  REQUIRE(k.rfork(c, RFCNAMEG).ok());
  // A clean name space is the root alone: /dev is the root's empty directory.
  CHECK(b.ls(c, "/dev").empty());
  CHECK(contains(b.ls(1, "/dev"), "cons"));

  CHECK(outcome(k.rfork(c, 1 << 20)) == outcome(Errc::inval));
  CHECK(outcome(k.rfork(c, RFFDG | RFCFDG)) == outcome(Errc::inval));
  CHECK(outcome(k.rfork(99, RFFDG)) == outcome(Errc::srch));
}

// --- fd tables --------------------------------------------------------------------------------

TEST_CASE("FdTable allocation, dup, close and copy", "[kernel][fd]") {
  Booted b;
  auto chan = b.k.process(1)->cwd;
  FdTable t(4);
  CHECK(REQUIRE_OK(t.add(Fd{chan})) == 0);
  CHECK(REQUIRE_OK(t.add(Fd{chan}, 2)) == 2);
  CHECK(REQUIRE_OK(t.add(Fd{chan})) == 1);
  CHECK(REQUIRE_OK(t.add(Fd{chan})) == 3);
  CHECK(outcome(t.add(Fd{chan})) == outcome(Errc::mfile));
  CHECK(outcome(t.add(Fd{nullptr})) == outcome(Errc::inval));
  CHECK(outcome(t.add(Fd{chan}, -1)) == outcome(Errc::badf));
  CHECK(outcome(t.install(4, Fd{chan})) == outcome(Errc::badf));
  CHECK(outcome(t.install(-1, Fd{chan})) == outcome(Errc::badf));
  REQUIRE(t.close(1).ok());
  CHECK(outcome(t.close(1)) == outcome(Errc::badf));
  CHECK(outcome(t.get(1)) == outcome(Errc::badf));
  CHECK(REQUIRE_OK(t.dup(0, -1)) == 1);
  CHECK(REQUIRE_OK(t.dup(0, 0)) == 0);
  CHECK(outcome(t.dup(9, -1)) == outcome(Errc::badf));
  CHECK(outcome(t.dup(0, 9)) == outcome(Errc::badf));
  auto copy = t.copy();
  REQUIRE(copy->close(3).ok());
  CHECK(t.is_open(3));
  CHECK(copy->fds() == std::vector<int>{0, 1, 2});
  CHECK(copy->limit() == 4);
  REQUIRE(t.set_append(2, true).ok());
  CHECK(REQUIRE_OK(t.get(2)).append);
  CHECK(outcome(t.set_append(7, true)) == outcome(Errc::badf));
  t.close_all();
  CHECK(t.fds().empty());
}

TEST_CASE("open, dup and close through the kernel", "[kernel][fd]") {
  Booted b;
  Kernel& k = b.k;
  int a = b.open(1, "/dev/null", OREAD);
  int z = b.open(1, "/dev/zero", OREAD);
  CHECK(a == 0);
  CHECK(z == 1);
  REQUIRE(k.close(1, a).ok());
  CHECK(b.open(1, "/dev/time", OREAD) == 0);  // the lowest free descriptor
  CHECK(REQUIRE_OK(k.dup(1, z, -1)) == 2);
  CHECK(REQUIRE_OK(k.fd2path(1, 2)) == "/dev/zero");
  CHECK(REQUIRE_OK(k.dup(1, z, 0)) == 0);  // replaces what was at 0
  CHECK(REQUIRE_OK(k.fd2path(1, 0)) == "/dev/zero");
  CHECK(REQUIRE_OK(k.dup(1, z, 10)) == 10);
  CHECK(outcome(k.dup(1, 3, -1)) == outcome(Errc::badf));
  CHECK(outcome(k.dup(1, z, -2)) == outcome(Errc::badf));
  CHECK(outcome(k.close(1, 3)) == outcome(Errc::badf));
  CHECK(outcome(k.close(1, -1)) == outcome(Errc::badf));
  CHECK(outcome(k.close(42, 0)) == outcome(Errc::srch));
  CHECK(outcome(k.fd2path(1, 7)) == outcome(Errc::badf));

  // Reading a write-only fd and writing a read-only one are bad descriptors.
  int w = b.open(1, "/dev/null", OWRITE);
  CHECK(outcome(b.try_read(1, w)) == outcome(Errc::badf));
  CHECK(outcome(b.try_write(1, z, "x")) == outcome(Errc::badf));
  CHECK(outcome(b.try_read(1, 99)) == outcome(Errc::badf));
  CHECK(outcome(b.try_open(1, "/dev/null", 0x80)) == outcome(Errc::inval));
}

TEST_CASE("dup'd descriptors share one offset", "[kernel][fd]") {
  Booted b;
  b.put(1, "/tmp/f", "abcdef", true);
  int fd = b.open(1, "/tmp/f", OREAD);
  int d = REQUIRE_OK(b.k.dup(1, fd, -1));
  CHECK(b.read(1, fd, 2) == "ab");
  CHECK(b.read(1, d, 2) == "cd");
  CHECK(REQUIRE_OK(now<uint64_t>([&](auto r) { b.k.seek(1, d, 1, 0, r); })) == 1);
  CHECK(b.read(1, fd, 1) == "b");
  CHECK(REQUIRE_OK(now<uint64_t>([&](auto r) { b.k.seek(1, fd, -2, 2, r); })) == 4);
  CHECK(b.read(1, fd) == "ef");
  CHECK(outcome(now<uint64_t>([&](auto r) { b.k.seek(1, fd, -1, 0, r); })) == outcome(Errc::inval));
  CHECK(REQUIRE_OK(now<Bytes>([&](auto r) { b.k.pread(1, fd, 3, 1, r); })) == test::bytes("bcd"));
}

// --- files through paths -----------------------------------------------------------------------

TEST_CASE("cwd and relative paths", "[kernel][cwd]") {
  Booted b;
  Kernel& k = b.k;
  REQUIRE(b.chdir(1, "tmp").ok());
  CHECK(REQUIRE_OK(k.getcwd(1)) == "/tmp");
  int fd = b.create(1, "a", ORDWR);
  CHECK(REQUIRE_OK(k.fd2path(1, fd)) == "/tmp/a");
  REQUIRE(b.try_create(1, "d", OREAD, DMDIR | 0775).ok());
  REQUIRE(b.chdir(1, "d/../d/./").ok());
  CHECK(REQUIRE_OK(k.getcwd(1)) == "/tmp/d");
  CHECK(REQUIRE_OK(k.absolute(1, "../a")) == "/tmp/a");
  CHECK(REQUIRE_OK(k.absolute(1, "/x/../y")) == "/y");
  CHECK(REQUIRE_OK(k.absolute(1, "#c/cons")) == "#c/cons");
  REQUIRE(b.try_put(1, "../a", "via ..").ok());
  CHECK(b.cat(1, "/tmp/a") == "via ..");
  CHECK(REQUIRE_OK(b.stat(1, "../a")).length == 6);
  REQUIRE(b.chdir(1, "..").ok());
  REQUIRE(b.chdir(1, "../..").ok());
  CHECK(REQUIRE_OK(k.getcwd(1)) == "/");
  // A child starts where its parent is; its chdir is its own.
  REQUIRE(b.chdir(1, "/tmp").ok());
  int c = b.spawn();
  CHECK(REQUIRE_OK(k.getcwd(c)) == "/tmp");
  REQUIRE(b.chdir(c, "/dev").ok());
  CHECK(REQUIRE_OK(k.getcwd(1)) == "/tmp");
  CHECK(b.cat(c, "user") == "glenda");

  CHECK(outcome(b.chdir(1, "a")) == outcome(Errc::notdir));
  CHECK(outcome(b.chdir(1, "nope")) == outcome(Errc::noent));
  CHECK(outcome(b.chdir(1, "")) == outcome(Errc::noent));
  CHECK(REQUIRE_OK(k.getcwd(1)) == "/tmp");
  CHECK(outcome(k.absolute(1, std::string_view("a\0b", 3))) == outcome(Errc::inval));
  CHECK(outcome(k.getcwd(77)) == outcome(Errc::srch));
}

TEST_CASE("create truncates an existing file unless asked not to", "[kernel][create]") {
  Booted b;
  b.put(1, "/tmp/f", "old contents", true);
  int fd = b.create(1, "/tmp/f", OWRITE);
  b.write(1, fd, "new");
  CHECK(b.cat(1, "/tmp/f") == "new");
  CHECK(outcome(b.try_create(1, "/tmp/f", int{OWRITE} | OEXCL)) == outcome(Errc::exist));
  REQUIRE(b.try_create(1, "/tmp/d", OREAD, DMDIR | 0775).ok());
  CHECK(outcome(b.try_create(1, "/tmp/d", OREAD, DMDIR | 0775)) == outcome(Errc::exist));
  CHECK(outcome(b.try_create(1, "/tmp/f", 0x4000)) == outcome(Errc::inval));
  CHECK(outcome(b.try_create(1, "/tmp/missing/f", OWRITE)) == outcome(Errc::noent));
}

TEST_CASE("bad paths fail with clear errors", "[kernel][errors]") {
  Booted b;
  b.put(1, "/tmp/file", "x", true);
  SECTION("walking past a file") {
    auto r = b.try_open(1, "/tmp/file/x", OREAD);
    CHECK(outcome(r) == outcome(Errc::notdir));
    CHECK(outcome(b.stat(1, "/tmp/file/x")) == outcome(Errc::notdir));
    CHECK(outcome(b.try_create(1, "/tmp/file/x", OWRITE)) == outcome(Errc::notdir));
  }
  SECTION("a missing file names its path") {
    auto r = b.try_open(1, "/tmp/nope", OREAD);
    CHECK(outcome(r) == outcome(Errc::noent));
    CHECK_THAT(r.error().text(), Catch::Contains("/tmp/nope"));
  }
  SECTION("removing a non-empty directory") {
    REQUIRE(b.try_create(1, "/tmp/d", OREAD, DMDIR | 0775).ok());
    b.put(1, "/tmp/d/f", "x", true);
    CHECK(outcome(b.remove(1, "/tmp/d")) == outcome(Errc::notempty));
    REQUIRE(b.remove(1, "/tmp/d/f").ok());
    REQUIRE(b.remove(1, "/tmp/d").ok());
    CHECK(outcome(b.stat(1, "/tmp/d")) == outcome(Errc::noent));
    CHECK(outcome(b.remove(1, "/tmp/d")) == outcome(Errc::noent));
  }
  SECTION("binding onto or from a missing path") {
    CHECK(outcome(b.bind(1, "/dev", "/nowhere", MREPL)) == outcome(Errc::noent));
    CHECK(outcome(b.bind(1, "/nowhere", "/tmp", MREPL)) == outcome(Errc::noent));
    CHECK(outcome(b.bind(1, "#Z", "/tmp", MREPL)) != "ok");
    CHECK(outcome(b.bind(1, "/dev", "/tmp", 0x100)) == outcome(Errc::inval));
    CHECK(outcome(b.bind(1, "/dev", "/tmp/file", MREPL)) == outcome(Errc::notdir));
    CHECK(b.ls(1, "/tmp") == std::vector<std::string>{"file"});
  }
  SECTION("opening a directory for writing") {
    CHECK(outcome(b.try_open(1, "/tmp", OWRITE)) == outcome(Errc::isdir));
  }
  SECTION("calls by a missing process") {
    CHECK(outcome(b.try_open(9, "/tmp/file", OREAD)) == outcome(Errc::srch));
    CHECK(outcome(b.stat(9, "/")) == outcome(Errc::srch));
    CHECK(outcome(b.chdir(9, "/")) == outcome(Errc::srch));
    CHECK(outcome(b.remove(9, "/tmp/file")) == outcome(Errc::srch));
    CHECK(outcome(b.bind(9, "/dev", "/tmp", MREPL)) == outcome(Errc::srch));
  }
  SECTION("mount without a driver") {
    b.k.set_mount_driver(nullptr);
    auto p = b.pipe(1);
    auto r = now<void>([&](auto rep) { b.k.mount(1, p[0], -1, "/tmp", MREPL, "", rep); });
    CHECK(outcome(r) == outcome(Errc::nosys));
  }
}

TEST_CASE("unmount undoes a bind", "[kernel][ns]") {
  Booted b;
  REQUIRE(b.bind(1, "/bin", "/tmp", MBEFORE).ok());
  CHECK(b.ls(1, "/tmp") == std::vector<std::string>{"echo"});
  REQUIRE(now<void>([&](auto r) { b.k.unmount(1, "/bin", "/tmp", r); }).ok());
  CHECK(b.ls(1, "/tmp").empty());
  CHECK(outcome(now<void>([&](auto r) { b.k.unmount(1, "/bin", "/tmp", r); })) == outcome(Errc::noent));
  // With no source, everything mounted there goes: /tmp is the root's own directory again.
  b.put(1, "/tmp/x", "x", true);
  REQUIRE(now<void>([&](auto r) { b.k.unmount(1, "", "/tmp", r); }).ok());
  CHECK(b.ls(1, "/tmp").empty());
  CHECK(outcome(b.try_open(1, "/tmp/x", OREAD)) == outcome(Errc::noent));
}

TEST_CASE("append descriptors write at the end", "[kernel][fd]") {
  Booted b;
  b.put(1, "/tmp/log", "one\n", true);
  int fd = b.open(1, "/tmp/log", OWRITE);
  REQUIRE(b.k.set_append(1, fd, true).ok());
  b.write(1, fd, "two\n");
  CHECK(b.cat(1, "/tmp/log") == "one\ntwo\n");
  CHECK(outcome(b.k.set_append(1, 40, true)) == outcome(Errc::badf));
}

// --- pipes -----------------------------------------------------------------------------------

TEST_CASE("a pipe carries bytes between processes", "[kernel][pipe]") {
  Booted b;
  auto p = b.pipe(1);
  SpawnOptions o{{"writer"}};
  o.fds = {{1, p[1]}};
  int w = REQUIRE_OK(b.k.spawn(1, o));
  REQUIRE(b.k.close(1, p[1]).ok());
  CHECK(REQUIRE_OK(b.k.fd2path(1, p[0])) == "#|/data");
  b.write(w, 1, "through the pipe");
  CHECK(b.read(1, p[0]) == "through the pipe");

  // A read waits; the writer's exit (its fds closing) ends the file.
  Later<Bytes> read;
  b.k.read(1, p[0], 100, read.reply());
  CHECK_FALSE(read.done());
  REQUIRE(b.k.exits(w, "").ok());
  REQUIRE(read.done());
  REQUIRE(read.result().ok());
  CHECK(read.result()->empty());
}

TEST_CASE("writing a closed pipe fails and posts a note", "[kernel][pipe][notes][errors]") {
  Booted b;
  auto p = b.pipe(1);
  SpawnOptions o{{"writer"}};
  o.fd_inherit = FdInherit::copy_all;
  int c = REQUIRE_OK(b.k.spawn(1, o));
  std::vector<std::string> hooked;
  REQUIRE(b.k.set_note_hook(c, [&](const std::string& n) { hooked.push_back(n); }).ok());
  REQUIRE(b.k.close(1, p[0]).ok());
  CHECK(REQUIRE_OK(b.try_write(c, p[1], "the child still reads")) == 21);
  REQUIRE(b.k.close(c, p[0]).ok());
  auto r = b.try_write(c, p[1], "nobody listens");
  CHECK(outcome(r) == outcome(Errc::pipe));
  CHECK(b.notes(c) == std::vector<std::string>{"sys: write on closed pipe"});
  CHECK(hooked == std::vector<std::string>{"sys: write on closed pipe"});
  CHECK(b.notes(1).empty());  // the note goes to the writer only
  auto pw = now<uint32_t>([&](auto rep) { b.k.pwrite(1, p[1], span_of("x"), 0, rep); });
  CHECK(outcome(pw) == outcome(Errc::pipe));
  CHECK(b.notes(1) == std::vector<std::string>{"sys: write on closed pipe"});
  CHECK(outcome(now<uint64_t>([&](auto rep) { b.k.seek(1, p[1], 0, 0, rep); })) == outcome(Errc::spipe));
}

// --- exits and wait ----------------------------------------------------------------------------

TEST_CASE("exits leaves a zombie until its parent waits", "[kernel][wait]") {
  Booted b;
  Kernel& k = b.k;
  int c = b.spawn(1, "/bin/echo");
  b.clock_ms += 250;
  REQUIRE(k.exits(c, "oops").ok());
  Process* z = k.process(c);
  REQUIRE(z);
  CHECK_FALSE(z->alive());
  CHECK(z->state == ProcState::zombie);
  CHECK(outcome(k.exits(c, "")) == outcome(Errc::srch));
  CHECK(outcome(b.try_open(c, "/dev/null", OREAD)) == outcome(Errc::srch));
  CHECK(outcome(k.postnote(c, "hi")) == outcome(Errc::srch));

  WaitMsg w = REQUIRE_OK(b.wait_now(1));
  CHECK(w.pid == c);
  CHECK(w.name == "echo");
  CHECK(w.status == "oops");
  CHECK(w.time[2] == 250);
  CHECK(w.msg() == "echo " + std::to_string(c) + ": oops");
  CHECK(k.process(c) == nullptr);
  CHECK(k.process(1)->children.empty());
  CHECK(k.pids() == std::vector<int>{1});
}

TEST_CASE("wait answers children in the order they exit", "[kernel][wait]") {
  Booted b;
  int a = b.spawn(1, "a"), c = b.spawn(1, "c");
  REQUIRE(b.k.exits(c, "").ok());
  REQUIRE(b.k.exits(a, "fail").ok());
  WaitMsg first = REQUIRE_OK(b.wait_now(1));
  WaitMsg second = REQUIRE_OK(b.wait_now(1));
  CHECK(first.pid == c);
  CHECK(first.msg() == "");
  CHECK(second.pid == a);
  CHECK(outcome(b.wait_now(1)) == outcome(Errc::child));
}

TEST_CASE("wait with no children fails at once", "[kernel][wait][errors]") {
  Booted b;
  auto r = b.wait_now(1);
  CHECK(outcome(r) == outcome(Errc::child));
  CHECK(outcome(b.wait_now(5)) == outcome(Errc::srch));
}

TEST_CASE("a pending wait answers when a child exits", "[kernel][wait]") {
  Booted b;
  int c = b.spawn();
  Later<WaitMsg> w;
  b.k.wait(1, w.reply());
  CHECK_FALSE(w.done());
  REQUIRE(b.k.exits(c, "done").ok());
  REQUIRE(w.done());
  CHECK(REQUIRE_OK(std::move(w.result())).pid == c);
  CHECK(b.k.process(c) == nullptr);
}

TEST_CASE("a note interrupts a wait", "[kernel][wait][notes]") {
  Booted b;
  int c = b.spawn();
  Later<WaitMsg> w;
  b.k.wait(1, w.reply());
  REQUIRE(b.k.postnote(1, "alarm").ok());
  REQUIRE(w.done());
  CHECK(outcome(w.result()) == outcome(Errc::intr));
  // The child is still there to wait for.
  REQUIRE(b.k.exits(c, "").ok());
  CHECK(REQUIRE_OK(b.wait_now(1)).pid == c);
}

TEST_CASE("children of an exiting process go to init", "[kernel][wait]") {
  Booted b;
  Kernel& k = b.k;
  int parent = b.spawn(1, "parent");
  int live_child = b.spawn(parent, "live");
  int dead_child = b.spawn(parent, "dead");
  REQUIRE(k.exits(dead_child, "zombie").ok());
  Later<WaitMsg> init_wait;
  REQUIRE(k.exits(parent, "").ok());
  CHECK(k.process(live_child)->ppid == 1);
  CHECK(k.process(dead_child)->ppid == 1);
  auto kids = k.process(1)->children;
  CHECK(std::count(kids.begin(), kids.end(), live_child) == 1);
  CHECK(std::count(kids.begin(), kids.end(), dead_child) == 1);

  // init collects all three: parent and dead_child at once, live_child when it exits.
  std::vector<int> got;
  got.push_back(REQUIRE_OK(b.wait_now(1)).pid);
  got.push_back(REQUIRE_OK(b.wait_now(1)).pid);
  std::sort(got.begin(), got.end());
  CHECK(got == std::vector<int>{parent, dead_child});
  k.wait(1, init_wait.reply());
  CHECK_FALSE(init_wait.done());
  REQUIRE(k.exits(live_child, "late").ok());
  REQUIRE(init_wait.done());
  WaitMsg w = REQUIRE_OK(std::move(init_wait.result()));
  CHECK(w.pid == live_child);
  CHECK(w.status == "late");
  CHECK(k.pids() == std::vector<int>{1});
}

TEST_CASE("when init is gone, orphans are reaped at once", "[kernel][wait]") {
  Booted b;
  Kernel& k = b.k;
  int c = b.spawn();
  int g = b.spawn(c);
  REQUIRE(k.exits(1, "").ok());
  CHECK(k.process(1) == nullptr);  // no parent to wait for init
  CHECK(k.process(c)->ppid == 0);
  REQUIRE(k.exits(c, "").ok());
  CHECK(k.process(c) == nullptr);
  CHECK(k.process(g)->ppid == 0);
  REQUIRE(k.exits(g, "").ok());
  CHECK(k.pids().empty());
}

TEST_CASE("exits closes the process's fds", "[kernel][wait][fd]") {
  Booted b;
  auto p = b.pipe(1);
  SpawnOptions o{{"reader"}};
  o.fds = {{0, p[0]}};
  int r = REQUIRE_OK(b.k.spawn(1, o));
  REQUIRE(b.k.close(1, p[0]).ok());
  REQUIRE(b.k.exits(r, "").ok());
  CHECK(outcome(b.try_write(1, p[1], "x")) == outcome(Errc::pipe));
}

// --- notes --------------------------------------------------------------------------------------

TEST_CASE("notes to a pid", "[kernel][notes]") {
  Booted b;
  Kernel& k = b.k;
  int c = b.spawn();
  std::vector<std::string> hooked;
  REQUIRE(k.set_note_hook(c, [&](const std::string& n) { hooked.push_back(n); }).ok());
  REQUIRE(k.postnote(c, "one").ok());
  REQUIRE(k.postnote(c, "two").ok());
  CHECK(hooked == std::vector<std::string>{"one", "two"});
  CHECK(b.notes(c) == std::vector<std::string>{"one", "two"});
  CHECK_FALSE(k.take_note(c));
  CHECK(b.notes(1).empty());
}

TEST_CASE("bad notes are refused", "[kernel][notes][errors]") {
  Booted b;
  Kernel& k = b.k;
  auto missing = k.postnote(42, "hello");
  CHECK(outcome(missing) == outcome(Errc::srch));
  CHECK_THAT(missing.error().text(), Catch::Contains("no such process"));
  CHECK(outcome(k.postnote(1, "")) == outcome(Errc::inval));
  CHECK(outcome(k.postnote(1, std::string(200, 'x'))) == outcome(Errc::inval));
  CHECK(outcome(k.postnote_group(77, "x")) == outcome(Errc::srch));
  CHECK(outcome(k.set_note_hook(42, nullptr)) == outcome(Errc::srch));
  CHECK_FALSE(k.take_note(42));
  for (size_t i = 0; i < Process::max_notes; i++) REQUIRE(k.postnote(1, "n" + std::to_string(i)).ok());
  CHECK(outcome(k.postnote(1, "one too many")) == outcome(Errc::again));
  // kill is never dropped.
  REQUIRE(k.postnote(1, "kill").ok());
  CHECK(b.notes(1).back() == "kill");
}

TEST_CASE("kill marks the process exiting until the runtime ends it", "[kernel][notes]") {
  Booted b;
  Kernel& k = b.k;
  int c = b.spawn();
  std::string seen;
  REQUIRE(k.set_note_hook(c, [&](const std::string& n) { seen = n; }).ok());
  REQUIRE(k.postnote(c, "kill").ok());
  CHECK(seen == "kill");
  CHECK(k.process(c)->state == ProcState::exiting);
  REQUIRE(k.kill_now(c).ok());
  WaitMsg w = REQUIRE_OK(b.wait_now(1));
  CHECK(w.pid == c);
  CHECK(w.status == "killed");
  CHECK(outcome(k.kill_now(c)) == outcome(Errc::srch));
}

TEST_CASE("a note interrupts a pending read", "[kernel][notes]") {
  Booted b;
  auto p = b.pipe(1);
  Later<Bytes> read;
  b.k.read(1, p[0], 10, read.reply());
  CHECK_FALSE(read.done());
  CHECK(b.k.process(1)->pending_io.size() == 1);
  REQUIRE(b.k.postnote(1, "interrupt").ok());
  REQUIRE(read.done());
  CHECK(outcome(read.result()) == outcome(Errc::intr));
  CHECK(b.k.process(1)->pending_io.empty());
  // The pipe still works afterwards.
  b.write(1, p[1], "later");
  CHECK(b.read(1, p[0]) == "later");
}

TEST_CASE("notes to a note group and the console's ^C", "[kernel][notes][cons]") {
  Booted b;
  Kernel& k = b.k;
  int fg = b.spawn(1, "fg");
  SpawnOptions o{{"bg"}};
  o.note_group = NoteGroup::new_group;
  int bg = REQUIRE_OK(k.spawn(1, o));
  int bg_child = b.spawn(bg, "bgchild");

  REQUIRE(k.postnote_group(bg, "hangup").ok());
  CHECK(b.notes(bg) == std::vector<std::string>{"hangup"});
  CHECK(b.notes(bg_child) == std::vector<std::string>{"hangup"});
  CHECK(b.notes(fg).empty());

  // ^C goes to the foreground group, 1 at boot.
  k.cons().input("partial\x03");
  CHECK(b.notes(1) == std::vector<std::string>{"interrupt"});
  CHECK(b.notes(fg) == std::vector<std::string>{"interrupt"});
  CHECK(b.notes(bg).empty());
  CHECK_THAT(b.screen, Catch::EndsWith("^C\r\n"));

  k.set_foreground(bg);
  CHECK(k.foreground() == bg);
  k.cons().input("\x03");
  CHECK(b.notes(bg) == std::vector<std::string>{"interrupt"});
  CHECK(b.notes(bg_child) == std::vector<std::string>{"interrupt"});
  CHECK(b.notes(1).empty());

  // A ^C with nobody in the foreground group is dropped quietly.
  REQUIRE(k.exits(bg_child, "").ok());
  REQUIRE(k.exits(bg, "").ok());
  k.cons().input("\x03");
  CHECK(b.notes(1).empty());
}

TEST_CASE("^C interrupts a console read", "[kernel][notes][cons]") {
  Booted b;
  int fd = b.open(1, "/dev/cons", OREAD);
  Later<Bytes> read;
  b.k.read(1, fd, 100, read.reply());
  CHECK_FALSE(read.done());
  b.k.cons().input("\x03");
  REQUIRE(read.done());
  CHECK(outcome(read.result()) == outcome(Errc::intr));
  CHECK(b.notes(1) == std::vector<std::string>{"interrupt"});
  b.k.cons().input("typed\n");
  CHECK(b.read(1, fd) == "typed\n");
}

TEST_CASE("a kernel can go away with processes and servers still holding channels", "[kernel]") {
  auto b = std::make_unique<Booted>();
  auto p = b->pipe(1);
  Later<Bytes> read;
  b->k.read(1, p[0], 10, read.reply());
  int c = b->spawn();
  (void)c;
  auto cons = b->k.devices()->find('c');
  b.reset();
  // The console outlives the kernel: ^C must not reach back into it.
  static_cast<ConsDevice&>(*cons).input("\x03");
  SUCCEED();
}

// --- process records -----------------------------------------------------------------------------

TEST_CASE("process names and wait messages", "[kernel][process]") {
  Process p;
  p.pid = 7;
  CHECK(p.name() == "");
  p.argv = {"/bin/ls", "-l"};
  CHECK(p.name() == "ls");
  p.argv = {"rc"};
  CHECK(p.name() == "rc");
  p.start_ms = 100;
  p.end_ms = 350;
  p.exit_status = "bad";
  WaitMsg w = p.wait_msg();
  CHECK(w.pid == 7);
  CHECK(w.name == "rc");
  CHECK(w.time[2] == 250);
  CHECK(w.msg() == "rc 7: bad");
  p.exit_status = "";
  CHECK(p.wait_msg().msg() == "");
}

}  // namespace
}  // namespace web9
