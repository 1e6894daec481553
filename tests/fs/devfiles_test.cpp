// Tests for the small files of the console device (fs/cons.cpp) as processes see them in /dev:
// null, zero, random and time.
#include <catch2/catch.hpp>
#include <set>
#include <sstream>

#include "fs/cons.h"
#include "tests/kernel/booted.h"

namespace web9 {
namespace {

using test::Booted;
using test::now;
using test::outcome;

std::vector<long long> numbers(const std::string& s) {
  std::istringstream in(s);
  std::vector<long long> out;
  for (long long n; in >> n;) out.push_back(n);
  return out;
}

TEST_CASE("/dev/null swallows writes and reads as empty", "[dev]") {
  Booted b;
  int fd = b.open(1, "/dev/null", ORDWR);
  CHECK(REQUIRE_OK(b.try_write(1, fd, "anything at all")) == 15);
  CHECK(b.read(1, fd).empty());
  CHECK(REQUIRE_OK(b.stat(1, "/dev/null")).mode == 0666);
  CHECK(REQUIRE_OK(b.stat(1, "/dev/null")).length == 0);
}

TEST_CASE("/dev/zero reads as zeros", "[dev]") {
  Booted b;
  int fd = b.open(1, "/dev/zero", OREAD);
  CHECK(b.read(1, fd, 5) == std::string(5, '\0'));
  CHECK(b.read(1, fd, 4096) == std::string(4096, '\0'));
  CHECK(b.read(1, fd, 0).empty());
  CHECK(outcome(b.try_open(1, "/dev/zero", OWRITE)) == outcome(Errc::access));
}

TEST_CASE("/dev/random reads as fresh random bytes", "[dev]") {
  Booted b;
  int fd = b.open(1, "/dev/random", OREAD);
  std::string a = b.read(1, fd, 64), c = b.read(1, fd, 64);
  CHECK(a.size() == 64);
  CHECK(c.size() == 64);
  CHECK(a != c);
  std::set<char> distinct(a.begin(), a.end());
  CHECK(distinct.size() > 16);  // 64 random bytes repeat few values
  // Two consoles (two boots) do not share a stream.
  Booted other;
  CHECK(other.read(1, other.open(1, "/dev/random", OREAD), 64) != a);
  CHECK(outcome(b.try_open(1, "/dev/random", OWRITE)) == outcome(Errc::access));
}

TEST_CASE("/dev/time reads seconds, nanoseconds, ticks and tick rate", "[dev]") {
  Booted b;
  int64_t wall = 1'700'000'000'123'456'789;
  b.k.cons().clock = [&] { return wall; };
  std::string t = b.cat(1, "/dev/time");
  CHECK(t.size() == 12 + 22 * 3);
  auto n = numbers(t);
  REQUIRE(n.size() == 4);
  CHECK(n[0] == 1'700'000'000);
  CHECK(n[1] == wall);
  CHECK(n[2] >= 0);
  CHECK(n[3] == 1'000'000'000);

  // Writing seconds sets the clock; it runs on from there.
  b.put(1, "/dev/time", "2000000000\n");
  CHECK(numbers(b.cat(1, "/dev/time"))[0] == 2'000'000'000);
  wall += 3'000'000'000;
  CHECK(numbers(b.cat(1, "/dev/time"))[0] == 2'000'000'003);
  CHECK(outcome(b.try_put(1, "/dev/time", "soon")) == outcome(Errc::inval));
  CHECK(outcome(b.try_put(1, "/dev/time", "-5")) == outcome(Errc::inval));
  CHECK(outcome(b.try_put(1, "/dev/time", "12 34")) == outcome(Errc::inval));
  CHECK(numbers(b.cat(1, "/dev/time"))[0] == 2'000'000'003);

  // Small reads see the line piece by piece at their offsets.
  int fd = b.open(1, "/dev/time", OREAD);
  std::string head = b.read(1, fd, 6);
  CHECK(head.size() == 6);
  CHECK(REQUIRE_OK(b.stat(1, "/dev/time")).mtime == 2'000'000'003u);
}

TEST_CASE("/dev files refuse bad requests", "[dev][errors]") {
  Booted b;
  CHECK(outcome(b.try_open(1, "/dev/null/x", OREAD)) == outcome(Errc::notdir));
  CHECK(outcome(b.try_open(1, "/dev/nonesuch", OREAD)) == outcome(Errc::noent));
  CHECK(outcome(b.try_open(1, "/dev/null", OEXEC)) == outcome(Errc::access));
  CHECK(outcome(b.remove(1, "/dev/null")) == outcome(Errc::perm));
  CHECK(outcome(b.try_create(1, "#c/new", OWRITE)) == outcome(Errc::perm));
}

}  // namespace
}  // namespace web9
