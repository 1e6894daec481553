// The file-server conformance suite, written once against the FileServer interface and run against
// every server (ram, opfs, a 9P mount), as Go's fstest and Fuchsia's contract tests are. A server's
// test makes one TEST_CASE that calls run_fs_conformance with its factory; each SECTION below runs
// on a fresh server (Catch2 reruns the case from the top for every section).
#pragma once

#include <algorithm>
#include <set>

#include "tests/fs/fs_client.h"

namespace web9::test {

namespace conformance_detail {

inline std::vector<std::string> names(const std::vector<Dir>& entries) {
  std::vector<std::string> out;
  for (const auto& d : entries) out.push_back(d.name);
  return out;
}

inline std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

inline Dir with_name(std::string name) {
  Dir d = Dir::nochange();
  d.name = std::move(name);
  return d;
}

inline Dir with_length(uint64_t length) {
  Dir d = Dir::nochange();
  d.length = length;
  return d;
}

inline Dir with_mode(uint32_t mode) {
  Dir d = Dir::nochange();
  d.mode = mode;
  return d;
}

// Bytes that do not repeat with any power-of-two period, so a misplaced chunk shows.
inline Bytes pattern(size_t n) {
  Bytes b(n);
  uint32_t x = 2463534242u;
  for (auto& c : b) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c = static_cast<uint8_t>(x);
  }
  return b;
}

}  // namespace conformance_detail

inline void run_fs_conformance(const FsFactory& factory) {
  using namespace conformance_detail;
  INFO("server: " << factory.name);
  FsClient c(factory);
  FidPtr root = REQUIRE_OK(c.attach());

  SECTION("attach gives an empty directory") {
    REQUIRE(root->qid.is_dir());
    Dir d = REQUIRE_OK(c.stat(*root));
    CHECK(d.qid.is_dir());
    CHECK((d.mode & DMDIR) != 0);
    CHECK(d.qid.path == root->qid.path);
    CHECK(REQUIRE_OK(c.list(*root, "")).empty());
  }

  SECTION("a created file is open, has a file qid, and reads back what was written") {
    FidPtr f = REQUIRE_OK(c.create_in(*root, "a", 0644, ORDWR));
    CHECK(f->open);
    CHECK_FALSE(f->qid.is_dir());
    CHECK(f->qid.path != root->qid.path);
    CHECK(REQUIRE_OK(c.write(*f, 0, "hello")) == 5);
    CHECK(text(REQUIRE_OK(c.read(*f, 0, 100))) == "hello");
    Dir d = REQUIRE_OK(c.stat(*f));
    CHECK(d.name == "a");
    CHECK(d.length == 5);
    CHECK((d.mode & 0777) == 0644);
    CHECK((d.mode & DMDIR) == 0);
    CHECK(d.qid.path == f->qid.path);
    CHECK_FALSE(d.uid.empty());
    c.clunk(std::move(f));

    FidPtr g = REQUIRE_OK(c.walk(*root, "a"));
    CHECK(g->qid.path == d.qid.path);
    REQUIRE_OK(c.open(*g, OREAD));
    CHECK(g->open);
    CHECK(text(REQUIRE_OK(c.read_all(*g))) == "hello");
  }

  SECTION("a created directory has a directory qid and holds files") {
    FidPtr d = REQUIRE_OK(c.create_in(*root, "d", DMDIR | 0755, OREAD));
    CHECK(d->qid.is_dir());
    Dir st = REQUIRE_OK(c.stat(*d));
    CHECK((st.mode & DMDIR) != 0);
    CHECK(st.qid.is_dir());
    c.clunk(std::move(d));
    REQUIRE_OK(c.put(*root, "d/f", "inside"));
    CHECK(REQUIRE_OK(c.get(*root, "d/f")) == "inside");
    CHECK(names(REQUIRE_OK(c.list(*root, "d"))) == std::vector<std::string>{"f"});
  }

  SECTION("writes at offsets overwrite, extend, and zero-fill a gap") {
    FidPtr f = REQUIRE_OK(c.create_in(*root, "a", 0644, ORDWR));
    REQUIRE_OK(c.write_all(*f, 0, bytes("abcdef")));
    REQUIRE_OK(c.write_all(*f, 2, bytes("XY")));
    CHECK(text(REQUIRE_OK(c.read_all(*f))) == "abXYef");
    REQUIRE_OK(c.write_all(*f, 10, bytes("Z")));
    CHECK(REQUIRE_OK(c.stat(*f)).length == 11);
    CHECK(REQUIRE_OK(c.read_all(*f)) == Bytes{'a', 'b', 'X', 'Y', 'e', 'f', 0, 0, 0, 0, 'Z'});
  }

  SECTION("a read answers at most count bytes and nothing at or past the end") {
    REQUIRE_OK(c.put(*root, "a", "0123456789"));
    FidPtr f = REQUIRE_OK(c.open_path(*root, "a", OREAD));
    CHECK(text(REQUIRE_OK(c.read(*f, 3, 4))) == "3456");
    CHECK(text(REQUIRE_OK(c.read(*f, 8, 100))) == "89");
    CHECK(REQUIRE_OK(c.read(*f, 10, 100)).empty());
    CHECK(REQUIRE_OK(c.read(*f, 1000, 100)).empty());
    CHECK(REQUIRE_OK(c.read(*f, 0, 0)).empty());
  }

  SECTION("creating a name that exists fails and keeps what was there") {
    REQUIRE_OK(c.put(*root, "a", "keep me"));
    REQUIRE_OK(c.mkdir(*root, "d"));
    CHECK(outcome(c.create_in(*root, "a", 0644, OWRITE | OTRUNC)) == outcome(Errc::exist));
    CHECK(outcome(c.create_in(*root, "a", DMDIR | 0755, OREAD)) == outcome(Errc::exist));
    CHECK(outcome(c.create_in(*root, "d", 0644, OWRITE)) == outcome(Errc::exist));
    CHECK(REQUIRE_OK(c.get(*root, "a")) == "keep me");
    CHECK(sorted(names(REQUIRE_OK(c.list(*root, "")))) == std::vector<std::string>{"a", "d"});
  }

  SECTION("walking a missing name fails with noent and leaves the fid where it was") {
    FidPtr f = root->clone();
    CHECK(outcome(c.walk1(*f, "missing")) == outcome(Errc::noent));
    CHECK(f->qid.path == root->qid.path);
    CHECK(REQUIRE_OK(c.stat(*f)).qid.path == root->qid.path);
    REQUIRE_OK(c.mkdir(*root, "d"));
    CHECK(REQUIRE_OK(c.walk1(*f, "d")).is_dir());
  }

  SECTION("walking past a file fails with notdir") {
    REQUIRE_OK(c.put(*root, "a", "x"));
    FidPtr f = REQUIRE_OK(c.walk(*root, "a"));
    CHECK(outcome(c.walk1(*f, "b")) == outcome(Errc::notdir));
    CHECK(outcome(c.walk(*root, "a/b")) == outcome(Errc::notdir));
  }

  SECTION("names that cannot be file names are refused and nothing is made") {
    for (std::string_view bad : {"", ".", "..", "a/b"}) {
      INFO("name: '" << bad << "'");
      CHECK_FALSE(c.create_in(*root, bad, 0644, OWRITE).ok());
      CHECK_FALSE(c.create_in(*root, bad, DMDIR | 0755, OREAD).ok());
    }
    CHECK(REQUIRE_OK(c.list(*root, "")).empty());
  }

  SECTION("a directory lists what was created and not what was removed, whole across small reads") {
    REQUIRE_OK(c.mkdir(*root, "d"));
    std::vector<std::string> made;
    for (int i = 0; i < 24; i++) {
      std::string name = "file" + std::string(static_cast<size_t>(i % 7) + 1, 'x') + std::to_string(i);
      REQUIRE_OK(c.put(*root, "d/" + name, name));
      made.push_back(name);
    }
    REQUIRE_OK(c.mkdir(*root, "d/sub"));
    made.push_back("sub");

    auto all = REQUIRE_OK(c.list(*root, "d"));
    CHECK(sorted(names(all)) == sorted(made));
    size_t largest = 0;
    for (const auto& d : all) {
      largest = std::max(largest, packed_dir_size(d));
      CHECK(((d.mode & DMDIR) != 0) == (d.name == "sub"));
      if (d.name != "sub") CHECK(d.length == d.name.size());
    }
    // Counts that fit one entry, or one and most of another, force many reads and tempt splits.
    for (uint32_t count : {static_cast<uint32_t>(largest), static_cast<uint32_t>(2 * largest - 1), 8192u}) {
      INFO("read count " << count);
      CHECK(sorted(names(REQUIRE_OK(c.list(*root, "d", count)))) == sorted(made));
    }

    for (const std::string& gone : {made[0], made[5], made[23]}) REQUIRE_OK(c.remove_path(*root, "d/" + gone));
    std::vector<std::string> left;
    for (size_t i = 0; i < made.size(); i++)
      if (i != 0 && i != 5 && i != 23) left.push_back(made[i]);
    CHECK(sorted(names(REQUIRE_OK(c.list(*root, "d", static_cast<uint32_t>(largest))))) == sorted(left));
    CHECK(sorted(names(REQUIRE_OK(c.list(*root, "")))) == std::vector<std::string>{"d"});
  }

  SECTION("removing a non-empty directory fails and loses nothing") {
    REQUIRE_OK(c.mkdir(*root, "d"));
    REQUIRE_OK(c.put(*root, "d/f", "precious"));
    CHECK(outcome(c.remove_path(*root, "d")) == outcome(Errc::notempty));
    CHECK(REQUIRE_OK(c.get(*root, "d/f")) == "precious");
    CHECK(names(REQUIRE_OK(c.list(*root, "d"))) == std::vector<std::string>{"f"});
    REQUIRE_OK(c.remove_path(*root, "d/f"));
    REQUIRE_OK(c.remove_path(*root, "d"));
    CHECK(outcome(c.walk(*root, "d")) == outcome(Errc::noent));
    CHECK(REQUIRE_OK(c.list(*root, "")).empty());
  }

  SECTION("a removed name is free again and walks fail on it") {
    REQUIRE_OK(c.put(*root, "a", "old"));
    uint64_t old_path = REQUIRE_OK(c.stat_path(*root, "a")).qid.path;
    REQUIRE_OK(c.remove_path(*root, "a"));
    CHECK(outcome(c.walk(*root, "a")) == outcome(Errc::noent));
    REQUIRE_OK(c.put(*root, "a", "new"));
    CHECK(REQUIRE_OK(c.get(*root, "a")) == "new");
    CHECK(REQUIRE_OK(c.stat_path(*root, "a")).qid.path != old_path);
  }

  SECTION("the root cannot be removed") {
    REQUIRE_OK(c.put(*root, "a", "x"));
    CHECK_FALSE(c.remove(root->clone()).ok());
    CHECK(REQUIRE_OK(c.get(*root, "a")) == "x");
  }

  SECTION("qid paths are distinct and stable") {
    REQUIRE_OK(c.put(*root, "a", "1"));
    REQUIRE_OK(c.put(*root, "b", "2"));
    REQUIRE_OK(c.mkdir(*root, "d"));
    REQUIRE_OK(c.put(*root, "d/a", "3"));
    std::set<uint64_t> paths{root->qid.path};
    for (auto p : {"a", "b", "d", "d/a"}) {
      uint64_t path = REQUIRE_OK(c.stat_path(*root, p)).qid.path;
      CHECK(paths.insert(path).second);
      CHECK(REQUIRE_OK(c.walk(*root, p))->qid.path == path);
    }
  }

  SECTION("wstat renames within the directory and the old name is gone") {
    REQUIRE_OK(c.put(*root, "a", "content"));
    FidPtr f = REQUIRE_OK(c.walk(*root, "a"));
    uint64_t path = f->qid.path;
    REQUIRE_OK(c.wstat(*f, with_name("b")));
    CHECK(REQUIRE_OK(c.stat(*f)).name == "b");
    CHECK(outcome(c.walk(*root, "a")) == outcome(Errc::noent));
    CHECK(REQUIRE_OK(c.get(*root, "b")) == "content");
    CHECK(REQUIRE_OK(c.stat_path(*root, "b")).qid.path == path);
    CHECK(names(REQUIRE_OK(c.list(*root, ""))) == std::vector<std::string>{"b"});
  }

  SECTION("renaming a directory keeps what is in it") {
    REQUIRE_OK(c.mkdir(*root, "d"));
    REQUIRE_OK(c.put(*root, "d/f", "inside"));
    FidPtr d = REQUIRE_OK(c.walk(*root, "d"));
    REQUIRE_OK(c.wstat(*d, with_name("e")));
    CHECK(REQUIRE_OK(c.get(*root, "e/f")) == "inside");
    CHECK(outcome(c.walk(*root, "d")) == outcome(Errc::noent));
  }

  SECTION("renaming onto an existing name fails and loses nothing") {
    REQUIRE_OK(c.put(*root, "a", "A"));
    REQUIRE_OK(c.put(*root, "b", "B"));
    FidPtr f = REQUIRE_OK(c.walk(*root, "a"));
    CHECK(outcome(c.wstat(*f, with_name("b"))) == outcome(Errc::exist));
    CHECK(REQUIRE_OK(c.get(*root, "a")) == "A");
    CHECK(REQUIRE_OK(c.get(*root, "b")) == "B");
    CHECK_FALSE(c.wstat(*f, with_name("x/y")).ok());
    CHECK(sorted(names(REQUIRE_OK(c.list(*root, "")))) == std::vector<std::string>{"a", "b"});
  }

  SECTION("wstat of the length truncates and extends with zeros") {
    REQUIRE_OK(c.put(*root, "a", "hello world"));
    FidPtr f = REQUIRE_OK(c.walk(*root, "a"));
    REQUIRE_OK(c.wstat(*f, with_length(5)));
    CHECK(REQUIRE_OK(c.get(*root, "a")) == "hello");
    REQUIRE_OK(c.wstat(*f, with_length(8)));
    CHECK(REQUIRE_OK(c.get(*root, "a")) == std::string("hello\0\0\0", 8));
    CHECK(REQUIRE_OK(c.stat(*f)).length == 8);
    REQUIRE_OK(c.wstat(*f, with_length(0)));
    CHECK(REQUIRE_OK(c.get(*root, "a")).empty());
  }

  SECTION("opening with OTRUNC empties the file") {
    REQUIRE_OK(c.put(*root, "a", "hello world"));
    FidPtr f = REQUIRE_OK(c.open_path(*root, "a", OWRITE | OTRUNC));
    CHECK(REQUIRE_OK(c.stat(*f)).length == 0);
    REQUIRE_OK(c.write_all(*f, 0, bytes("new")));
    c.clunk(std::move(f));
    CHECK(REQUIRE_OK(c.get(*root, "a")) == "new");
  }

  SECTION("wstat changes the mode but never the directory bit") {
    REQUIRE_OK(c.put(*root, "a", "x"));
    REQUIRE_OK(c.mkdir(*root, "d"));
    FidPtr f = REQUIRE_OK(c.walk(*root, "a"));
    REQUIRE_OK(c.wstat(*f, with_mode(0600)));
    CHECK(REQUIRE_OK(c.stat(*f)).mode == 0600u);
    CHECK_FALSE(c.wstat(*f, with_mode(DMDIR | 0600)).ok());
    CHECK(REQUIRE_OK(c.stat(*f)).mode == 0600u);
    FidPtr d = REQUIRE_OK(c.walk(*root, "d"));
    REQUIRE_OK(c.wstat(*d, with_mode(DMDIR | 0700)));
    CHECK(REQUIRE_OK(c.stat(*d)).mode == (DMDIR | 0700u));
    CHECK_FALSE(c.wstat(*d, with_mode(0700)).ok());
    CHECK(REQUIRE_OK(c.stat(*d)).mode == (DMDIR | 0700u));
    CHECK(REQUIRE_OK(c.stat(*d)).qid.is_dir());
  }

  SECTION("wstat sets the modification time") {
    REQUIRE_OK(c.put(*root, "a", "x"));
    FidPtr f = REQUIRE_OK(c.walk(*root, "a"));
    Dir d = Dir::nochange();
    d.mtime = 1'000'000'000;
    REQUIRE_OK(c.wstat(*f, d));
    CHECK(REQUIRE_OK(c.stat(*f)).mtime == 1'000'000'000u);
  }

  SECTION("a wstat with one bad field changes nothing") {
    REQUIRE_OK(c.put(*root, "a", "hello"));
    FidPtr f = REQUIRE_OK(c.walk(*root, "a"));
    Dir before = REQUIRE_OK(c.stat(*f));
    Dir d = Dir::nochange();
    d.name = "b";
    d.length = 2;
    d.mode = DMDIR | 0700;  // a file cannot become a directory
    CHECK_FALSE(c.wstat(*f, d).ok());
    Dir after = REQUIRE_OK(c.stat(*f));
    CHECK(after.name == "a");
    CHECK(after.length == 5);
    CHECK(after.mode == before.mode);
    CHECK(outcome(c.walk(*root, "b")) == outcome(Errc::noent));
  }

  SECTION("a wstat that changes nothing succeeds") {
    REQUIRE_OK(c.put(*root, "a", "hello"));
    FidPtr f = REQUIRE_OK(c.walk(*root, "a"));
    Dir before = REQUIRE_OK(c.stat(*f));
    REQUIRE_OK(c.wstat(*f, Dir::nochange()));
    Dir after = REQUIRE_OK(c.stat(*f));
    CHECK(after.name == before.name);
    CHECK(after.length == before.length);
    CHECK(after.mode == before.mode);
  }

  SECTION("writes and truncates change the qid version") {
    FidPtr f = REQUIRE_OK(c.create_in(*root, "a", 0644, ORDWR));
    uint32_t v0 = REQUIRE_OK(c.stat(*f)).qid.vers;
    REQUIRE_OK(c.write_all(*f, 0, bytes("one")));
    uint32_t v1 = REQUIRE_OK(c.stat(*f)).qid.vers;
    CHECK(v1 != v0);
    REQUIRE_OK(c.write_all(*f, 0, bytes("two")));
    uint32_t v2 = REQUIRE_OK(c.stat(*f)).qid.vers;
    CHECK(v2 != v1);
    FidPtr g = REQUIRE_OK(c.walk(*root, "a"));
    REQUIRE_OK(c.wstat(*g, with_length(1)));
    CHECK(REQUIRE_OK(c.stat(*f)).qid.vers != v2);
  }

  SECTION("a directory cannot be opened for writing") {
    REQUIRE_OK(c.mkdir(*root, "d"));
    FidPtr d = REQUIRE_OK(c.walk(*root, "d"));
    CHECK(outcome(c.open(*d, OWRITE)) == outcome(Errc::isdir));
    CHECK(outcome(c.open(*d, ORDWR)) == outcome(Errc::isdir));
    CHECK_FALSE(c.open(*d, OREAD | OTRUNC).ok());
    CHECK_FALSE(d->open);
    REQUIRE_OK(c.open(*d, OREAD));
    CHECK(d->open);
    FidPtr r = root->clone();
    CHECK(outcome(c.open(*r, OWRITE)) == outcome(Errc::isdir));
    CHECK(outcome(c.create_in(*root, "e", DMDIR | 0755, OWRITE)) == outcome(Errc::isdir));
    CHECK(outcome(c.walk(*root, "e")) == outcome(Errc::noent));
  }

  SECTION("a file opened for reading cannot be written, nor one opened for writing read") {
    REQUIRE_OK(c.put(*root, "a", "hello"));
    FidPtr r = REQUIRE_OK(c.open_path(*root, "a", OREAD));
    CHECK_FALSE(c.write(*r, 0, "XX").ok());
    FidPtr w = REQUIRE_OK(c.open_path(*root, "a", OWRITE));
    CHECK_FALSE(c.read(*w, 0, 10).ok());
    CHECK(REQUIRE_OK(c.get(*root, "a")) == "hello");
  }

  SECTION("an append-only file takes every write at its end") {
    FidPtr f = REQUIRE_OK(c.create_in(*root, "log", DMAPPEND | 0644, ORDWR));
    REQUIRE_OK(c.write_all(*f, 0, bytes("one ")));
    REQUIRE_OK(c.write_all(*f, 0, bytes("two")));
    CHECK(text(REQUIRE_OK(c.read_all(*f))) == "one two");
    CHECK((REQUIRE_OK(c.stat(*f)).mode & DMAPPEND) != 0);
  }

  SECTION("a 1 MiB file written in chunks reads back identical") {
    Bytes big = pattern(1 << 20);
    FidPtr f = REQUIRE_OK(c.create_in(*root, "big", 0644, OWRITE));
    const size_t chunk = 8000;  // not a power of two: chunks straddle any block size
    for (size_t off = 0; off < big.size(); off += chunk) {
      size_t n = std::min(chunk, big.size() - off);
      REQUIRE_OK(c.write_all(*f, off, std::span<const uint8_t>(big).subspan(off, n)));
    }
    c.clunk(std::move(f));
    CHECK(REQUIRE_OK(c.stat_path(*root, "big")).length == big.size());
    FidPtr g = REQUIRE_OK(c.open_path(*root, "big", OREAD));
    Bytes back = REQUIRE_OK(c.read_all(*g, 8192));
    CHECK(back.size() == big.size());
    CHECK((back == big));
    CHECK(REQUIRE_OK(c.read(*g, 500'000, 3)) == Bytes(big.begin() + 500'000, big.begin() + 500'003));
  }

  SECTION("a file opened ORCLOSE is removed when its fid is clunked") {
    FidPtr f = REQUIRE_OK(c.create_in(*root, "t", 0644, ORDWR | ORCLOSE));
    REQUIRE_OK(c.write_all(*f, 0, bytes("temporary")));
    CHECK(REQUIRE_OK(c.get(*root, "t")) == "temporary");
    c.clunk(std::move(f));
    CHECK(outcome(c.walk(*root, "t")) == outcome(Errc::noent));

    REQUIRE_OK(c.put(*root, "u", "x"));
    FidPtr g = REQUIRE_OK(c.open_path(*root, "u", OREAD | ORCLOSE));
    c.clunk(std::move(g));
    CHECK(outcome(c.walk(*root, "u")) == outcome(Errc::noent));
  }

  SECTION("a removed file stays readable through a fid that has it open") {
    REQUIRE_OK(c.put(*root, "a", "still here"));
    FidPtr f = REQUIRE_OK(c.open_path(*root, "a", OREAD));
    REQUIRE_OK(c.remove_path(*root, "a"));
    CHECK(outcome(c.walk(*root, "a")) == outcome(Errc::noent));
    CHECK(text(REQUIRE_OK(c.read_all(*f))) == "still here");
    CHECK(REQUIRE_OK(c.list(*root, "")).empty());
  }

  SECTION("a clone names the same file and walks independently") {
    REQUIRE_OK(c.mkdir(*root, "d"));
    FidPtr d = REQUIRE_OK(c.walk(*root, "d"));
    FidPtr e = d->clone();
    CHECK_FALSE(e->open);
    CHECK(e->qid.path == d->qid.path);
    REQUIRE_OK(c.put(*root, "d/f", "x"));
    REQUIRE_OK(c.walk1(*e, "f"));
    CHECK(REQUIRE_OK(c.stat(*d)).name == "d");
    CHECK(REQUIRE_OK(c.stat(*e)).name == "f");
  }
}

}  // namespace web9::test
