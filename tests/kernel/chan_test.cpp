// Tests for kernel/chan.cpp: cloning, file identity for the mount table, and clunking.
#include "kernel/chan.h"

#include <catch2/catch.hpp>

namespace web9 {
namespace {

// A server of one directory with one file; it counts clunks per fid.
class TwoFiles final : public FileServer {
 public:
  struct TwoFid final : Fid {
    explicit TwoFid(TwoFiles* s) : srv(s) {}
    std::unique_ptr<Fid> clone() const override {
      auto f = std::make_unique<TwoFid>(srv);
      f->qid = qid;
      return f;
    }
    TwoFiles* srv;
  };
  std::string_view kind() const override { return "two"; }
  void attach(std::string_view, std::string_view, Reply<std::unique_ptr<Fid>> r) override {
    auto f = std::make_unique<TwoFid>(this);
    f->qid = {QTDIR, 0, 1};
    r(std::unique_ptr<Fid>(std::move(f)));
  }
  void clunk(Fid&) override { clunks++; }
  int clunks = 0;
};

ChanRef attach(const std::shared_ptr<TwoFiles>& s) {
  ChanRef c;
  s->attach("", "", [&](Result<std::unique_ptr<Fid>> f) { c = std::make_shared<Chan>(s, std::move(f).value(), "/"); });
  return c;
}

}  // namespace

TEST_CASE("a clone names the same file, unopened, with the same name and dev", "[namespace][chan]") {
  auto s = std::make_shared<TwoFiles>();
  ChanRef c = attach(s);
  c->dev = 7;
  c->fid().open = true;
  c->offset = 42;
  ChanRef d = c->clone();
  CHECK(d != c);
  CHECK(&d->fid() != &c->fid());
  CHECK(d->path == "/");
  CHECK(d->dev == 7);
  CHECK(d->offset == 0);
  CHECK(!d->is_open());
  CHECK(d->same_file(*c));
  CHECK(&d->server() == s.get());
}

TEST_CASE("same_file tells files, servers and attaches apart", "[namespace][chan]") {
  auto s = std::make_shared<TwoFiles>();
  auto t = std::make_shared<TwoFiles>();
  ChanRef a = attach(s);
  ChanRef b = attach(s);
  CHECK(a->same_file(*b));
  CHECK(!a->same_file(*attach(t)));  // another server
  b->dev = 1;
  CHECK(!a->same_file(*b));  // another attach of the server
  ChanRef f = a->clone();
  f->fid().qid = {QTFILE, 0, 2};
  CHECK(!a->same_file(*f));
}

TEST_CASE("the last reference to a channel clunks its fid once", "[namespace][chan]") {
  auto s = std::make_shared<TwoFiles>();
  {
    ChanRef c = attach(s);
    ChanRef shared = c;
    c.reset();
    CHECK(s->clunks == 0);
  }
  CHECK(s->clunks == 1);
  {
    ChanRef removed = attach(s);
    removed->mark_clunked();  // as after a remove, which clunks the fid itself
  }
  CHECK(s->clunks == 1);
}

}  // namespace web9
