// Tests for fs/srvfs.cpp (/srv): posting an open channel by name, opening it from another
// process, unposting, and the errors for bad posts. Through a booted kernel, because opening a
// posted name is the kernel's part (Kernel::open asks SrvFs::posted).
#include "fs/srvfs.h"

#include <catch2/catch.hpp>

#include "tests/kernel/booted.h"

namespace web9 {
namespace {

using test::Booted;
using test::now;
using test::outcome;

// Posts fd of pid as /srv/name the way srv(3) says: create the file, write the fd's number.
Result<void> post(Booted& b, int pid, std::string_view name, int fd, int mode = OWRITE) {
  int s = TRY(b.try_create(pid, std::string("/srv/") + std::string(name), mode, 0600));
  auto n = b.try_write(pid, s, std::to_string(fd));
  REQUIRE(b.k.close(pid, s).ok());
  if (!n) return std::move(n).error();
  return success();
}

TEST_CASE("a posted pipe end is opened by another process", "[srv]") {
  Booted b;
  Kernel& k = b.k;
  auto p = b.pipe(1);
  REQUIRE(post(b, 1, "svc", p[1]).ok());
  REQUIRE(k.close(1, p[1]).ok());  // the posting keeps the channel alive
  CHECK(b.ls(1, "/srv") == std::vector<std::string>{"svc"});
  CHECK(k.srv().names() == std::vector<std::string>{"svc"});
  Dir d = REQUIRE_OK(b.stat(1, "/srv/svc"));
  CHECK(d.name == "svc");
  CHECK(d.mode == 0600);
  CHECK(d.uid == "glenda");

  int c = b.spawn();
  int fd = b.open(c, "/srv/svc", ORDWR);
  b.write(c, fd, "request");
  CHECK(b.read(1, p[0]) == "request");
  // The opener holds the posted channel itself.
  CHECK(REQUIRE_OK(k.fd2path(c, fd)) == "#|/data1");

  // Removing the name unposts it; the channel lives on while someone holds it.
  REQUIRE(b.remove(1, "/srv/svc").ok());
  CHECK(b.ls(1, "/srv").empty());
  CHECK(outcome(b.try_open(c, "/srv/svc", ORDWR)) == outcome(Errc::noent));
  b.write(c, fd, "still");
  CHECK(b.read(1, p[0]) == "still");
}

TEST_CASE("a name created with ORCLOSE goes when its creator closes it", "[srv]") {
  Booted b;
  auto p = b.pipe(1);
  int s = b.create(1, "/srv/tmp", OWRITE | ORCLOSE, 0600);
  b.write(1, s, std::to_string(p[0]) + "\n");
  CHECK(b.ls(1, "/srv") == std::vector<std::string>{"tmp"});
  // Opening the name must not take the unposting with it.
  int o = b.open(1, "/srv/tmp", ORDWR);
  REQUIRE(b.k.close(1, o).ok());
  CHECK(b.ls(1, "/srv") == std::vector<std::string>{"tmp"});
  REQUIRE(b.k.close(1, s).ok());
  CHECK(b.ls(1, "/srv").empty());
}

TEST_CASE("bad posts are refused", "[srv][errors]") {
  Booted b;
  Kernel& k = b.k;
  auto p = b.pipe(1);
  int s = b.create(1, "/srv/x", OWRITE, 0600);

  SECTION("nothing posted yet") {
    auto r = b.try_open(1, "/srv/x", ORDWR);
    CHECK(outcome(r) == outcome(Errc::connrefused));
  }
  SECTION("not a number") {
    CHECK(outcome(b.try_write(1, s, "three")) == outcome(Errc::inval));
    CHECK(outcome(b.try_write(1, s, "")) == outcome(Errc::inval));
    CHECK(outcome(b.try_write(1, s, "-1")) == outcome(Errc::inval));
  }
  SECTION("a closed fd") { CHECK(outcome(b.try_write(1, s, "40")) == outcome(Errc::badf)); }
  SECTION("twice") {
    b.write(1, s, std::to_string(p[0]));
    CHECK(outcome(b.try_write(1, s, std::to_string(p[1]))) == outcome(Errc::busy));
  }
  SECTION("a name that exists") {
    CHECK(outcome(b.try_create(1, "/srv/x", OWRITE | int{OEXCL}, 0600)) == outcome(Errc::exist));
  }
  SECTION("a directory") {
    CHECK(outcome(b.try_create(1, "/srv/d", OREAD, DMDIR | 0700)) == outcome(Errc::perm));
  }
  SECTION("walking past a name") {
    b.write(1, s, std::to_string(p[0]));
    CHECK(outcome(b.try_open(1, "/srv/x/y", OREAD)) == outcome(Errc::notdir));
  }
  SECTION("opening with another mode than the posted channel's") {
    int r = b.open(1, "/dev/null", OREAD);
    b.write(1, s, std::to_string(r));
    CHECK(outcome(b.try_open(1, "/srv/x", OWRITE)) == outcome(Errc::perm));
    CHECK(b.try_open(1, "/srv/x", OREAD).ok());
  }
  SECTION("removing the directory") { CHECK(outcome(b.remove(1, "/srv")) == outcome(Errc::perm)); }
  (void)k;
}

TEST_CASE("srv names can be renamed and listed", "[srv]") {
  Booted b;
  auto p = b.pipe(1);
  REQUIRE(post(b, 1, "a", p[0]).ok());
  REQUIRE(post(b, 1, "b", p[1]).ok());
  CHECK(b.ls(1, "/srv") == std::vector<std::string>{"a", "b"});
  Dir d = Dir::nochange();
  d.name = "c";
  REQUIRE(now<void>([&](auto r) { b.k.wstat(1, "/srv/a", d, r); }).ok());
  CHECK(b.ls(1, "/srv") == std::vector<std::string>{"c", "b"});
  d.name = "b";
  CHECK(outcome(now<void>([&](auto r) { b.k.wstat(1, "/srv/c", d, r); })) == outcome(Errc::exist));
}

}  // namespace
}  // namespace web9
