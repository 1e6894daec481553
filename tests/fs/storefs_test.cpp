// Tests for fs/storefs.cpp over fs/memstore.cpp: the conformance suite with a store that answers
// at once and with one that answers every call later (as OPFS opens do), then what only StoreFs
// promises: fids that survive renames above them, stable qids, the store's errors (nospc, rofs,
// notempty) with their messages, fsync, Tflush of requests the store has not answered yet.
#include "fs/storefs.h"

#include <catch2/catch.hpp>

#include "fs/memstore.h"
#include "tests/fs/conformance.h"

using namespace web9;
using namespace web9::test;

namespace {

FsFactory store_factory(bool deferred) {
  auto store = std::make_shared<std::shared_ptr<MemStore>>();
  FsFactory f;
  f.name = deferred ? "store (deferred)" : "store";
  f.make = [store, deferred] {
    *store = std::make_shared<MemStore>();
    (*store)->set_deferred(deferred);
    return std::make_shared<StoreFs>(*store);
  };
  if (deferred) f.drive = [store] { return *store && (*store)->run_one(); };
  return f;
}

// A store server the test keeps handles on.
struct Home {
  uint32_t clock = 5000;
  std::shared_ptr<MemStore> store = std::make_shared<MemStore>([this] { return clock; });
  std::shared_ptr<StoreFs> fs = std::make_shared<StoreFs>(store, "glenda");
  FsClient c{FsFactory{.name = "store", .make = [fs = fs] { return fs; }, .drive = [s = store] { return s->run_one(); }}};
  FidPtr root;

  explicit Home(bool deferred = false) {
    store->set_deferred(deferred);
    root = REQUIRE_OK(c.attach());
  }
};

Dir with_name(std::string name) {
  Dir d = Dir::nochange();
  d.name = std::move(name);
  return d;
}

Dir with_length(uint64_t length) {
  Dir d = Dir::nochange();
  d.length = length;
  return d;
}

Dir with_mode(uint32_t mode) {
  Dir d = Dir::nochange();
  d.mode = mode;
  return d;
}

}  // namespace

TEST_CASE("the store file server passes the file-server conformance suite", "[storefs][conformance]") {
  run_fs_conformance(store_factory(false));
}

TEST_CASE("the store file server passes the conformance suite when the store answers later", "[storefs][conformance]") {
  run_fs_conformance(store_factory(true));
}

TEST_CASE("a store server is of kind store and owns everything as its owner", "[storefs]") {
  Home h;
  CHECK(h.fs->kind() == "store");
  Dir d = REQUIRE_OK(h.c.stat(*h.root));
  CHECK(d.name == "/");
  CHECK(d.uid == "glenda");
  CHECK(d.gid == "glenda");
  CHECK(d.qid.path == h.store->root());
}

TEST_CASE("an open fid keeps working when a directory above it is renamed", "[storefs]") {
  for (bool deferred : {false, true}) {
    INFO("deferred " << deferred);
    Home h(deferred);
    REQUIRE_OK(h.c.mkdir(*h.root, "d"));
    REQUIRE_OK(h.c.mkdir(*h.root, "d/sub"));
    REQUIRE_OK(h.c.put(*h.root, "d/sub/f", "before"));
    FidPtr f = REQUIRE_OK(h.c.open_path(*h.root, "d/sub/f", ORDWR));
    FidPtr sub = REQUIRE_OK(h.c.walk(*h.root, "d/sub"));  // a fid not open, in the renamed tree

    FidPtr d = REQUIRE_OK(h.c.walk(*h.root, "d"));
    REQUIRE_OK(h.c.wstat(*d, with_name("e")));

    REQUIRE_OK(h.c.write_all(*f, 6, bytes(" after")));
    CHECK(text(REQUIRE_OK(h.c.read_all(*f))) == "before after");
    CHECK(REQUIRE_OK(h.c.stat(*f)).name == "f");
    CHECK(REQUIRE_OK(h.c.get(*h.root, "e/sub/f")) == "before after");
    // The unopened fid walks and creates where the directory now is.
    REQUIRE_OK(h.c.walk1(*sub, "f"));
    CHECK(sub->qid.path == f->qid.path);
    FidPtr sub2 = REQUIRE_OK(h.c.walk(*h.root, "e/sub"));
    FidPtr g = REQUIRE_OK(h.c.create_in(*sub2, "g", 0644, OWRITE));
    h.c.clunk(std::move(g));
    CHECK(REQUIRE_OK(h.c.get(*h.root, "e/sub/g")).empty());
    CHECK(outcome(h.c.walk(*h.root, "d")) == outcome(Errc::noent));
  }
}

TEST_CASE("store qids: paths stay across renames, versions move on writes and truncates", "[storefs]") {
  Home h;
  FidPtr f = REQUIRE_OK(h.c.create_in(*h.root, "a", 0644, ORDWR));
  Qid q0 = REQUIRE_OK(h.c.stat(*f)).qid;
  CHECK(q0.path == f->qid.path);
  REQUIRE_OK(h.c.write_all(*f, 0, bytes("x")));
  Qid q1 = REQUIRE_OK(h.c.stat(*f)).qid;
  CHECK(q1.path == q0.path);
  CHECK(q1.vers != q0.vers);
  REQUIRE_OK(h.c.wstat(*f, with_name("b")));
  Qid q2 = REQUIRE_OK(h.c.stat(*f)).qid;
  CHECK(q2.path == q0.path);
  CHECK(REQUIRE_OK(h.c.walk(*h.root, "b"))->qid.path == q0.path);
  REQUIRE_OK(h.c.wstat(*f, with_length(0)));
  CHECK(REQUIRE_OK(h.c.stat(*f)).qid.vers != q2.vers);
  // Walk answers the qid with the current version.
  FidPtr g = REQUIRE_OK(h.c.walk(*h.root, "b"));
  CHECK(g->qid == REQUIRE_OK(h.c.stat(*g)).qid);
}

TEST_CASE("a full store answers nospc with its message and keeps what it had", "[storefs]") {
  Home h;
  REQUIRE_OK(h.c.put(*h.root, "a", "0123456789"));
  h.store->set_quota(16);
  FidPtr f = REQUIRE_OK(h.c.open_path(*h.root, "a", ORDWR));
  auto w = h.c.write(*f, 10, "this is far too long");
  REQUIRE_FALSE(w.ok());
  CHECK(w.error().code == Errc::nospc);
  CHECK(w.error().text().find("quota") != std::string::npos);
  CHECK(text(REQUIRE_OK(h.c.read_all(*f))) == "0123456789");
  auto t = h.c.wstat(*f, with_length(100));
  REQUIRE_FALSE(t.ok());
  CHECK(t.error().code == Errc::nospc);
  CHECK(REQUIRE_OK(h.c.stat(*f)).length == 10);
  REQUIRE_OK(h.c.write_all(*f, 10, bytes("abcdef")));  // what fits still goes in
  CHECK(REQUIRE_OK(h.c.stat(*f)).length == 16);
}

TEST_CASE("a read-only store answers rofs with its reason to every change and still reads", "[storefs]") {
  Home h;
  REQUIRE_OK(h.c.mkdir(*h.root, "d"));
  REQUIRE_OK(h.c.put(*h.root, "a", "hello"));
  h.store->set_read_only("another tab owns the home directory");
  auto is_rofs = [](const auto& r) {
    return !r.ok() && r.error().code == Errc::rofs && r.error().text() == "another tab owns the home directory";
  };
  CHECK(is_rofs(h.c.create_in(*h.root, "b", 0644, OWRITE)));
  CHECK(is_rofs(h.c.create_in(*h.root, "e", DMDIR | 0755, OREAD)));
  CHECK(is_rofs(h.c.open_path(*h.root, "a", OWRITE)));
  CHECK(is_rofs(h.c.open_path(*h.root, "a", OREAD | OTRUNC)));
  CHECK(is_rofs(h.c.open_path(*h.root, "a", OREAD | ORCLOSE)));
  FidPtr a = REQUIRE_OK(h.c.walk(*h.root, "a"));
  CHECK(is_rofs(h.c.wstat(*a, with_name("b"))));
  CHECK(is_rofs(h.c.wstat(*a, with_mode(0600))));
  CHECK(is_rofs(h.c.remove_path(*h.root, "a")));
  REQUIRE_OK(h.c.wstat(*a, Dir::nochange()));  // a wstat that changes nothing is not a change
  CHECK(REQUIRE_OK(h.c.get(*h.root, "a")) == "hello");
  CHECK(REQUIRE_OK(h.c.list(*h.root, "")).size() == 2);
  CHECK(h.store->open_handles() == 0);
}

TEST_CASE("removing a directory that is not empty is notempty and loses nothing", "[storefs]") {
  Home h;
  REQUIRE_OK(h.c.mkdir(*h.root, "d"));
  REQUIRE_OK(h.c.put(*h.root, "d/f", "x"));
  auto r = h.c.remove_path(*h.root, "d");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == Errc::notempty);
  CHECK(REQUIRE_OK(h.c.get(*h.root, "d/f")) == "x");
}

TEST_CASE("store sync flushes the fid's file and then the whole store", "[storefs]") {
  Home h;
  FidPtr f = REQUIRE_OK(h.c.create_in(*h.root, "a", 0644, OWRITE));
  REQUIRE_OK(h.c.write_all(*f, 0, bytes("data")));
  REQUIRE_OK(h.c.call<void>([&](auto r) { h.fs->sync(*f, r); }));
  CHECK(h.store->flushes() == 1);
  CHECK(h.store->syncs() == 1);
  REQUIRE_OK(h.c.call<void>([&](auto r) { h.fs->sync(*h.root, r); }));  // not open: only the store
  CHECK(h.store->flushes() == 1);
  CHECK(h.store->syncs() == 2);
}

TEST_CASE("store handles are given back on clunk, remove, and failed opens", "[storefs]") {
  Home h;
  REQUIRE_OK(h.c.put(*h.root, "a", "x"));
  CHECK(h.store->open_handles() == 0);
  FidPtr f = REQUIRE_OK(h.c.open_path(*h.root, "a", OREAD));
  FidPtr g = REQUIRE_OK(h.c.open_path(*h.root, "a", OREAD));
  CHECK(h.store->open_handles() == 2);
  h.c.clunk(std::move(f));
  CHECK(h.store->open_handles() == 1);
  CHECK(h.c.remove(std::move(g)).ok());
  CHECK(h.store->open_handles() == 0);
  CHECK(outcome(h.c.walk(*h.root, "a")) == outcome(Errc::noent));
}

TEST_CASE("a removed store file can still be read, written and statted through its open fid", "[storefs]") {
  Home h;
  REQUIRE_OK(h.c.put(*h.root, "a", "hello"));
  FidPtr f = REQUIRE_OK(h.c.open_path(*h.root, "a", ORDWR));
  REQUIRE_OK(h.c.remove_path(*h.root, "a"));
  REQUIRE_OK(h.c.write_all(*f, 5, bytes(" world")));
  CHECK(text(REQUIRE_OK(h.c.read_all(*f))) == "hello world");
  Dir d = REQUIRE_OK(h.c.stat(*f));
  CHECK(d.name == "a");
  CHECK(d.length == 11);
}

TEST_CASE("a flushed store request answers intr now, and the store's late answer is dropped", "[storefs]") {
  Home h(true);
  REQUIRE_OK(h.c.put(*h.root, "a", "x"));
  FidPtr f = REQUIRE_OK(h.c.walk(*h.root, "a"));
  int replies = 0;
  Result<void> got = success();
  h.fs->open(*f, OREAD, [&](Result<void> r) {
    replies++;
    got = std::move(r);
  });
  CHECK(replies == 0);
  h.fs->flush(*f);
  CHECK(replies == 1);
  CHECK(outcome(got) == outcome(Errc::intr));
  h.c.settle();  // the store opens the file now; StoreFs closes it, as nobody wants it
  CHECK(replies == 1);
  CHECK_FALSE(f->open);
  CHECK(h.store->open_handles() == 0);
  h.c.clunk(std::move(f));
}

TEST_CASE("store walks .. to the parent, and the root's parent is the root", "[storefs]") {
  Home h;
  REQUIRE_OK(h.c.mkdir(*h.root, "d"));
  FidPtr d = REQUIRE_OK(h.c.walk(*h.root, "d"));
  CHECK(REQUIRE_OK(h.c.walk1(*d, "..")).path == h.root->qid.path);
  FidPtr r = h.root->clone();
  CHECK(REQUIRE_OK(h.c.walk1(*r, "..")).path == h.root->qid.path);
}

TEST_CASE("store permissions: owner bits for the owner, other bits for anyone else", "[storefs]") {
  Home h;
  REQUIRE_OK(h.c.put(*h.root, "a", "x", 0640));
  FsClient other(FsFactory{.name = "store", .make = [fs = h.fs] { return fs; }, .uname = "bob"});
  FidPtr root = REQUIRE_OK(other.attach());
  CHECK(outcome(other.open_path(*root, "a", OREAD)) == outcome(Errc::access));
  FidPtr a = REQUIRE_OK(other.walk(*root, "a"));
  CHECK(outcome(other.wstat(*a, with_mode(0666))) == outcome(Errc::perm));
  FidPtr mine = REQUIRE_OK(h.c.walk(*h.root, "a"));
  REQUIRE_OK(h.c.wstat(*mine, with_mode(0444)));
  CHECK(outcome(h.c.open_path(*h.root, "a", OWRITE)) == outcome(Errc::access));
  CHECK(REQUIRE_OK(other.get(*root, "a")) == "x");
}

TEST_CASE("an exclusive-use store file admits one open at a time", "[storefs]") {
  Home h;
  FidPtr f = REQUIRE_OK(h.c.create_in(*h.root, "lock", DMEXCL | 0644, ORDWR));
  CHECK(outcome(h.c.open_path(*h.root, "lock", OREAD)) == outcome(Errc::busy));
  h.c.clunk(std::move(f));
  FidPtr g = REQUIRE_OK(h.c.open_path(*h.root, "lock", OREAD));
  CHECK(g->qid.type & QTEXCL);
}

TEST_CASE("store errno names map to kernel errors, keeping the message", "[storefs]") {
  CHECK(store_error("ENOSPC", "quota used up").code == Errc::nospc);
  CHECK(store_error("ENOSPC", "quota used up").text() == "quota used up");
  CHECK(store_error("EROFS", "other tab").code == Errc::rofs);
  CHECK(store_error("ENOTEMPTY", "").code == Errc::notempty);
  CHECK(store_error("ENOENT", "").code == Errc::noent);
  CHECK(store_error("EEXIST", "").code == Errc::exist);
  CHECK(store_error("EBUSY", "").code == Errc::busy);
  CHECK(store_error("ENAMETOOLONG", "").code == Errc::nametoolong);
  CHECK(store_error("EWHATEVER", "odd").code == Errc::io);
  CHECK(store_error("EWHATEVER", "odd").text() == "odd");
}
