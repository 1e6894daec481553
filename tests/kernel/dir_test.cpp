// Tests for kernel/dir.cpp: stat entries pack and unpack as stat(5) says, strictly.
#include <catch2/catch.hpp>

#include "kernel/dir.h"

using namespace web9;

TEST_CASE("a packed stat entry unpacks to the same entry", "[dir]") {
  Dir d;
  d.type = 1;
  d.dev = 2;
  d.qid = Qid{QTDIR, 7, 0x1122334455667788ULL};
  d.mode = DMDIR | 0755;
  d.atime = 100;
  d.mtime = 200;
  d.length = 0;
  d.name = "bin";
  d.uid = "glenda";
  d.gid = "sys";
  d.muid = "glenda";
  Bytes b;
  pack_dir(d, b);
  REQUIRE(b.size() == packed_dir_size(d));
  REQUIRE(b[0] + (b[1] << 8) == static_cast<int>(b.size() - 2));
  size_t used = 0;
  auto back = unpack_dir(b, &used);
  REQUIRE(back.ok());
  REQUIRE(*back == d);
  REQUIRE(used == b.size());
}

TEST_CASE("a truncated stat entry is a protocol error at every length", "[dir]") {
  Dir d;
  d.name = "x";
  Bytes b;
  pack_dir(d, b);
  for (size_t n = 0; n < b.size(); n++) {
    auto r = unpack_dir(std::span<const uint8_t>(b.data(), n));
    REQUIRE_FALSE(r.ok());
    REQUIRE(r.error().code == Errc::proto);
  }
}

TEST_CASE("a stat entry whose strings overrun its size is rejected", "[dir]") {
  Dir d;
  d.name = "name";
  Bytes b;
  pack_dir(d, b);
  b[0] -= 2;  // claims to end before its last string does
  REQUIRE_FALSE(unpack_dir(b).ok());
}

TEST_CASE("a buffer of several entries unpacks to all of them", "[dir]") {
  Bytes b;
  for (const char* n : {"a", "bb", "ccc"}) {
    Dir d;
    d.name = n;
    pack_dir(d, b);
  }
  auto all = unpack_dirs(b);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 3);
  REQUIRE((*all)[2].name == "ccc");
}
