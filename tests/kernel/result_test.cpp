// Tests for kernel/result.h: errors as values, TRY, and the errno and string mappings.
#include <catch2/catch.hpp>

#include "kernel/result.h"

using namespace web9;

namespace {
Result<int> half(int x) {
  if (x % 2) return Error(Errc::inval, "odd number");
  return x / 2;
}
Result<int> quarter(int x) {
  int h = TRY(half(x));
  return TRY(half(h));
}
}  // namespace

TEST_CASE("TRY passes a value through and an error up", "[result]") {
  REQUIRE(quarter(8).value() == 2);
  auto r = quarter(6);
  REQUIRE_FALSE(r.ok());
  REQUIRE(r.error().code == Errc::inval);
  REQUIRE(r.error().text() == "odd number");
}

TEST_CASE("an error without detail reads as its Plan 9 string", "[result]") {
  REQUIRE(Error(Errc::noent).text() == "file does not exist");
  REQUIRE(errc_from_string("file does not exist") == Errc::noent);
  REQUIRE(errc_from_string("'/x' file does not exist") == Errc::noent);
  REQUIRE(errc_from_string("something odd") == Errc::io);
}

TEST_CASE("error codes map to WASI errno values", "[result]") {
  REQUIRE(wasi_errno(Errc::ok) == 0);
  REQUIRE(wasi_errno(Errc::badf) == 8);
  REQUIRE(wasi_errno(Errc::noent) == 44);
  REQUIRE(wasi_errno(Errc::notempty) == 55);
  REQUIRE(wasi_errno(Errc::pipe) == 64);
}

TEST_CASE("Result<void> is ok by default and carries an error otherwise", "[result]") {
  Result<void> ok;
  REQUIRE(ok.ok());
  Result<void> bad = Errc::perm;
  REQUIRE_FALSE(bad.ok());
  REQUIRE(bad.error().code == Errc::perm);
}
