// Tests for fs/pipe.cpp: data crossing between the two ends, waiting readers and writers,
// end of file, writes on closed pipes and flush.
#include "fs/pipe.h"

#include <catch2/catch.hpp>

#include "tests/support/sync.h"

namespace web9 {
namespace {

using test::Later;
using test::now;

std::string str(const Bytes& b) { return std::string(b.begin(), b.end()); }

std::span<const uint8_t> bytes(std::string_view s) {
  return std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

// One pipe, made the way pipe(2) makes it: attach, walk to data and data1, open both ORDWR.
struct Pipe {
  PipeDevice dev;
  std::unique_ptr<Fid> dir;
  std::unique_ptr<Fid> data, data1;

  Pipe() {
    dir = now<std::unique_ptr<Fid>>([&](auto r) { dev.attach("web9", "", r); }).value();
    data = end("data");
    data1 = end("data1");
  }

  std::unique_ptr<Fid> end(std::string_view name, uint8_t mode = ORDWR) {
    auto fid = dir->clone();
    REQUIRE(now<Qid>([&](auto r) { dev.walk1(*fid, name, r); }).ok());
    REQUIRE(now<void>([&](auto r) { dev.open(*fid, mode, r); }).ok());
    return fid;
  }

  void close(std::unique_ptr<Fid>& fid) {
    dev.clunk(*fid);
    fid.reset();
  }

  Later<Bytes> read(Fid& fid, uint32_t count = 8192) {
    Later<Bytes> later;
    dev.read(fid, 0, count, later.reply());
    return later;
  }

  // A read that must be answered at once.
  Bytes read_now_bytes(Fid& fid, uint32_t count = 8192) {
    auto r = now<Bytes>([&](auto reply) { dev.read(fid, 0, count, reply); });
    REQUIRE(r.ok());
    return *r;
  }
  std::string read_now(Fid& fid, uint32_t count = 8192) { return str(read_now_bytes(fid, count)); }

  Later<uint32_t> write(Fid& fid, std::span<const uint8_t> data) {
    Later<uint32_t> later;
    dev.write(fid, 0, data, later.reply());
    return later;
  }

  // A read_into a buffer of count bytes (a process's fd_read): the buffer and the answer.
  struct IntoRead {
    std::shared_ptr<Bytes> buf;
    Later<uint32_t> n;
    std::string text() { return n.done() && n.result().ok() ? std::string(buf->begin(), buf->begin() + *n.result()) : "?"; }
  };
  IntoRead read_into(Fid& fid, uint32_t count = 8192) {
    IntoRead r{std::make_shared<Bytes>(count, '.'), {}};
    dev.read_into(fid, 0, *r.buf, r.n.reply());
    return r;
  }

  Result<uint32_t> write_now(Fid& fid, std::string_view text) {
    return now<uint32_t>([&](auto reply) { dev.write(fid, 0, bytes(text), reply); });
  }
};

}  // namespace

TEST_CASE("bytes written on data are read from data1 and the other way round", "[pipe]") {
  Pipe p;
  auto w = p.write_now(*p.data, "to data1");
  REQUIRE(w.ok());
  CHECK(*w == 8);
  REQUIRE(p.write_now(*p.data1, "to data").ok());
  CHECK(p.read_now(*p.data1) == "to data1");
  CHECK(p.read_now(*p.data) == "to data");
}

TEST_CASE("a read returns at most count bytes and leaves the rest of the write for later", "[pipe]") {
  Pipe p;
  REQUIRE(p.write_now(*p.data, "0123456789").ok());
  CHECK(p.read_now(*p.data1, 4) == "0123");
  CHECK(p.read_now(*p.data1, 4) == "4567");
  CHECK(p.read_now(*p.data1, 4) == "89");
}

TEST_CASE("write boundaries are preserved: a read returns bytes of one write only", "[pipe]") {
  Pipe p;
  REQUIRE(p.write_now(*p.data, "first").ok());
  REQUIRE(p.write_now(*p.data, "second").ok());
  CHECK(p.read_now(*p.data1, 100) == "first");
  CHECK(p.read_now(*p.data1, 3) == "sec");
  CHECK(p.read_now(*p.data1, 100) == "ond");
}

TEST_CASE("a read waits until a write arrives", "[pipe]") {
  Pipe p;
  auto pending = p.read(*p.data1);
  CHECK_FALSE(pending.done());
  REQUIRE(p.write_now(*p.data, "hello").ok());
  REQUIRE(pending.done());
  CHECK(str(pending.result().value()) == "hello");
}

TEST_CASE("waiting readers are served in order, one write each", "[pipe]") {
  Pipe p;
  auto other = p.end("data1");
  auto first = p.read(*p.data1);
  auto second = p.read(*other);
  auto third = p.read_into(*p.data1);  // read_into waits in the same queue
  REQUIRE(p.write_now(*p.data, "a").ok());
  REQUIRE(first.done());
  CHECK_FALSE(second.done());
  REQUIRE(p.write_now(*p.data, "b").ok());
  REQUIRE(second.done());
  CHECK_FALSE(third.n.done());
  REQUIRE(p.write_now(*p.data, "c").ok());
  CHECK(str(first.result().value()) == "a");
  CHECK(str(second.result().value()) == "b");
  CHECK(third.text() == "c");
}

TEST_CASE("readers get end of file once the last writing fid is clunked and the queue drains", "[pipe]") {
  Pipe p;
  auto second_writer = p.end("data");
  REQUIRE(p.write_now(*p.data, "last words").ok());
  p.close(p.data);
  CHECK(p.read_now(*p.data1, 4) == "last");  // one writer is still open
  p.close(second_writer);
  CHECK(p.read_now(*p.data1) == " words");
  CHECK(p.read_now(*p.data1).empty());
  CHECK(p.read_now(*p.data1).empty());
}

TEST_CASE("a waiting read gets end of file when the last writer goes", "[pipe]") {
  Pipe p;
  auto pending = p.read(*p.data1);
  auto pending_into = p.read_into(*p.data1);
  p.close(p.data);
  REQUIRE(pending.done());
  REQUIRE(pending.result().ok());
  CHECK(pending.result().value().empty());
  REQUIRE(pending_into.n.done());
  CHECK(*pending_into.n.result() == 0);
}

TEST_CASE("a write fails with Errc::pipe once every fid of the reading end is clunked", "[pipe]") {
  Pipe p;
  p.close(p.data1);
  auto w = p.write_now(*p.data, "anyone?");
  REQUIRE_FALSE(w.ok());
  CHECK(w.error().code == Errc::pipe);
  CHECK(w.error().text() == "write on closed pipe");
}

TEST_CASE("a write waiting for room fails with Errc::pipe when the reader goes", "[pipe]") {
  Pipe p;
  Bytes big(PipeDevice::kLimit + 1, 'x');
  auto w = p.write(*p.data, big);
  CHECK_FALSE(w.done());
  p.close(p.data1);
  REQUIRE(w.done());
  REQUIRE_FALSE(w.result().ok());
  CHECK(w.result().error().code == Errc::pipe);
}

TEST_CASE("writes before the other end is first opened are kept for it", "[pipe]") {
  PipeDevice dev;
  auto dir = now<std::unique_ptr<Fid>>([&](auto r) { dev.attach("web9", "", r); }).value();
  auto data = dir->clone();
  REQUIRE(now<Qid>([&](auto r) { dev.walk1(*data, "data", r); }).ok());
  REQUIRE(now<void>([&](auto r) { dev.open(*data, OWRITE, r); }).ok());
  REQUIRE(now<uint32_t>([&](auto r) { dev.write(*data, 0, bytes("early"), r); }).ok());
  auto data1 = dir->clone();
  REQUIRE(now<Qid>([&](auto r) { dev.walk1(*data1, "data1", r); }).ok());
  REQUIRE(now<void>([&](auto r) { dev.open(*data1, OREAD, r); }).ok());
  CHECK(str(now<Bytes>([&](auto r) { dev.read(*data1, 0, 100, r); }).value()) == "early");
}

TEST_CASE("a 1 MiB write through a waiting reader arrives intact and in order", "[pipe]") {
  Pipe p;
  Bytes big(1 << 20);
  for (size_t i = 0; i < big.size(); i++) big[i] = static_cast<uint8_t>(i * 7 + (i >> 12));
  // The waiting reader is a read_into (a process's fd_read) with room for 1000 bytes: those go
  // straight to it, the rest is queued; later reads alternate between read and read_into.
  auto first = p.read_into(*p.data1, 1000);
  auto w = p.write(*p.data, big);
  big.push_back(0);  // the write copied what it needs: changing our buffer changes nothing
  big.pop_back();
  REQUIRE(first.n.done());
  Bytes got(first.buf->begin(), first.buf->begin() + *first.n.result());
  CHECK(got.size() == 1000);
  CHECK_FALSE(w.done());  // more than the pipe holds is waiting
  for (int i = 0; got.size() < big.size(); i++) {
    Bytes b;
    if (i % 2) {
      b = p.read_now_bytes(*p.data1, 65536);
    } else {
      auto r = p.read_into(*p.data1, 65536);
      REQUIRE(r.n.done());
      b.assign(r.buf->begin(), r.buf->begin() + *r.n.result());
    }
    REQUIRE(b.size() > 0);
    got.insert(got.end(), b.begin(), b.end());
    // The writer is answered exactly when what remains fits in the pipe.
    CHECK(w.done() == (big.size() - got.size() <= PipeDevice::kLimit));
  }
  CHECK(got == big);
  REQUIRE(w.done());
  CHECK(w.result().value() == big.size());
}

TEST_CASE("writers waiting for room are answered in order as the reader drains", "[pipe]") {
  Pipe p;
  Bytes chunk(PipeDevice::kLimit, 'a');
  auto w1 = p.write(*p.data, chunk);
  REQUIRE(w1.done());  // exactly full still fits
  auto w2 = p.write(*p.data, std::span(chunk).first(10));
  CHECK_FALSE(w2.done());
  CHECK(p.read_now(*p.data1, 5).size() == 5);
  CHECK_FALSE(w2.done());
  CHECK(p.read_now(*p.data1, 5).size() == 5);
  REQUIRE(w2.done());
  CHECK(w2.result().value() == 10);
}

TEST_CASE("flush answers a waiting read with intr", "[pipe]") {
  Pipe p;
  auto other = p.end("data1");
  auto flushed = p.read(*p.data1);
  auto flushed_into = p.read_into(*p.data1);
  auto kept = p.read(*other);
  p.dev.flush(*p.data1);
  REQUIRE(flushed.done());
  CHECK(flushed.result().error().code == Errc::intr);
  REQUIRE(flushed_into.n.done());
  CHECK(flushed_into.n.result().error().code == Errc::intr);
  CHECK_FALSE(kept.done());
  REQUIRE(p.write_now(*p.data, "x").ok());
  REQUIRE(kept.done());
  CHECK(str(kept.result().value()) == "x");
}

TEST_CASE("flush answers a write waiting for room with intr", "[pipe]") {
  Pipe p;
  Bytes big(PipeDevice::kLimit * 2, 'z');
  auto w = p.write(*p.data, big);
  CHECK_FALSE(w.done());
  p.dev.flush(*p.data);
  REQUIRE(w.done());
  CHECK(w.result().error().code == Errc::intr);
}

TEST_CASE("a reply that clunks the last fids of a pipe leaves nothing dangling", "[pipe]") {
  Pipe p;
  auto pending_a = Later<Bytes>();
  bool second_answered = false;
  auto other = p.end("data1");
  // The first reader's reply closes every fid of the pipe, as a dying process would.
  p.dev.read(*p.data1, 0, 100, [&](Result<Bytes> r) {
    pending_a.reply()(std::move(r));
    p.close(p.data1);
    p.close(other);
    p.close(p.data);
    p.dir.reset();
  });
  p.dev.read(*other, 0, 100, [&](Result<Bytes> r) {
    second_answered = true;
    CHECK(r.error().code == Errc::intr);
  });
  auto writer = p.end("data");
  REQUIRE(p.write_now(*writer, "bye").ok());
  REQUIRE(pending_a.done());
  CHECK(second_answered);
  p.close(writer);
}

TEST_CASE("every attach makes a new pipe", "[pipe]") {
  Pipe a;
  PipeDevice& dev = a.dev;
  auto dir2 = now<std::unique_ptr<Fid>>([&](auto r) { dev.attach("web9", "", r); }).value();
  CHECK(dir2->qid != a.dir->qid);
  REQUIRE(a.write_now(*a.data, "only a").ok());
  auto data1 = dir2->clone();
  REQUIRE(now<Qid>([&](auto r) { dev.walk1(*data1, "data1", r); }).ok());
  REQUIRE(now<void>([&](auto r) { dev.open(*data1, OREAD, r); }).ok());
  Later<Bytes> nothing;
  dev.read(*data1, 0, 100, nothing.reply());
  CHECK_FALSE(nothing.done());
  dev.clunk(*data1);
}

TEST_CASE("the pipe directory lists data and data1, whose length is what a read would find", "[pipe]") {
  Pipe p;
  auto dir = p.dir->clone();
  REQUIRE(now<void>([&](auto r) { p.dev.open(*dir, OREAD, r); }).ok());
  REQUIRE(p.write_now(*p.data, "12345").ok());
  auto entries = unpack_dirs(now<Bytes>([&](auto r) { p.dev.read(*dir, 0, 8192, r); }).value());
  REQUIRE(entries.ok());
  REQUIRE(entries->size() == 2);
  CHECK((*entries)[0].name == "data");
  CHECK((*entries)[0].length == 0);
  CHECK((*entries)[1].name == "data1");
  CHECK((*entries)[1].length == 5);
  auto st = now<Dir>([&](auto r) { p.dev.stat(*p.data1, r); });
  REQUIRE(st.ok());
  CHECK(st->qid == p.data1->qid);
  CHECK(st->length == 5);
  auto missing = p.dir->clone();
  CHECK(now<Qid>([&](auto r) { p.dev.walk1(*missing, "ctl", r); }).error().code == Errc::noent);
}

}  // namespace web9

namespace web9 {

TEST_CASE("read_into: a write finding a reader waiting goes straight into its buffer", "[pipe]") {
  Pipe p;
  auto r = p.read_into(*p.data1, 8);
  CHECK_FALSE(r.n.done());
  auto w = p.write_now(*p.data, "hello");
  REQUIRE(w.ok());
  CHECK(*w == 5);
  CHECK(r.text() == "hello");
  CHECK((*r.buf)[5] == '.');  // nothing past what was written
}

TEST_CASE("read_into: what the waiting reader has no room for stays for the next read", "[pipe]") {
  Pipe p;
  auto r = p.read_into(*p.data1, 4);
  REQUIRE(p.write_now(*p.data, "0123456789").ok());
  CHECK(r.text() == "0123");
  Dir d = now<Dir>([&](auto reply) { p.dev.stat(*p.data1, reply); }).value();
  CHECK(d.length == 6);
  REQUIRE(p.write_now(*p.data, "next").ok());
  auto a = p.read_into(*p.data1, 100);
  CHECK(a.text() == "456789");  // the rest of the first write only
  CHECK(p.read_into(*p.data1, 100).text() == "next");
}

TEST_CASE("read_into: queued bytes are read in order, across read and read_into", "[pipe]") {
  Pipe p;
  REQUIRE(p.write_now(*p.data, "first").ok());
  REQUIRE(p.write_now(*p.data, "second").ok());
  auto r = p.read_into(*p.data1, 3);
  CHECK(r.text() == "fir");
  CHECK(p.read_now(*p.data1) == "st");
  CHECK(p.read_into(*p.data1).text() == "second");
}


}  // namespace web9
