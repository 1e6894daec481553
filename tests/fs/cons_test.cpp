// Tests for fs/cons.cpp: the line discipline, raw mode, output translation and the small files.
#include "fs/cons.h"

#include <catch2/catch.hpp>

#include "fs/chacha.h"
#include "tests/support/sync.h"

namespace web9 {
namespace {

using test::Later;
using test::now;

std::string str(const Bytes& b) { return std::string(b.begin(), b.end()); }

// What erasing n one-column characters echoes.
std::string erasures(int n) {
  std::string s;
  for (int i = 0; i < n; i++) s += "\b \b";
  return s;
}

// A console with a captured screen and interrupt notes.
struct Console {
  ConsDevice dev{"web9"};
  std::string screen;
  std::vector<std::string> notes;

  Console() {
    dev.output = [this](std::span<const uint8_t> b) { screen.append(b.begin(), b.end()); };
    dev.interrupt = [this](std::string_view note) { notes.emplace_back(note); };
  }

  std::unique_ptr<Fid> root() {
    return now<std::unique_ptr<Fid>>([&](auto r) { dev.attach("web9", "", r); }).value();
  }

  Result<std::unique_ptr<Fid>> try_open(std::string_view name, uint8_t mode) {
    auto fid = root();
    if (!name.empty()) {
      auto q = now<Qid>([&](auto r) { dev.walk1(*fid, name, r); });
      if (!q) return q.error();
    }
    auto opened = now<void>([&](auto r) { dev.open(*fid, mode, r); });
    if (!opened) return opened.error();
    return fid;
  }

  std::unique_ptr<Fid> open(std::string_view name, uint8_t mode) {
    auto fid = try_open(name, mode);
    REQUIRE(fid.ok());
    return std::move(fid).value();
  }

  // A read that must be answered at once.
  std::string read(Fid& fid, uint32_t count = 8192, uint64_t offset = 0) {
    auto r = now<Bytes>([&](auto reply) { dev.read(fid, offset, count, reply); });
    REQUIRE(r.ok());
    return str(*r);
  }

  Later<Bytes> start_read(Fid& fid, uint32_t count = 8192) {
    Later<Bytes> later;
    dev.read(fid, 0, count, later.reply());
    return later;
  }

  Result<uint32_t> write(Fid& fid, std::string_view text) {
    return now<uint32_t>([&](auto reply) {
      dev.write(fid, 0, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()), reply);
    });
  }
};

}  // namespace

TEST_CASE("typed characters are echoed and a waiting read gets the line when Enter is typed", "[cons]") {
  Console c;
  auto cons = c.open("cons", ORDWR);
  auto pending = c.start_read(*cons);
  c.dev.input("ls -l");
  CHECK_FALSE(pending.done());
  CHECK(c.screen == "ls -l");
  c.dev.input("\r");
  REQUIRE(pending.done());
  CHECK(str(pending.result().value()) == "ls -l\n");
  CHECK(c.screen == "ls -l\r\n");
}

TEST_CASE("a newline completes a line as a carriage return does", "[cons]") {
  Console c;
  auto cons = c.open("cons", OREAD);
  c.dev.input("one\ntwo\r");
  CHECK(c.read(*cons) == "one\n");
  CHECK(c.read(*cons) == "two\n");
}

TEST_CASE("backspace and delete erase one character and echo backspace, space, backspace", "[cons]") {
  Console c;
  auto cons = c.open("cons", OREAD);
  c.dev.input("cax\x7f\bt\r");
  CHECK(c.screen == "cax\b \b\b \bt\r\n");
  CHECK(c.read(*cons) == "ct\n");
}

TEST_CASE("backspace erases a whole UTF-8 sequence", "[cons]") {
  Console c;
  auto cons = c.open("cons", OREAD);
  c.dev.input("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");  // a é € 😀
  c.dev.input("\x7f\x7f\r");
  CHECK(c.read(*cons) == "a\xc3\xa9\n");
  CHECK(c.screen == "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\b \b\b \b\r\n");
}

TEST_CASE("backspace on an empty line does nothing", "[cons]") {
  Console c;
  auto cons = c.open("cons", OREAD);
  c.dev.input("\x7f\x7fok\r");
  CHECK(c.screen == "ok\r\n");
  CHECK(c.read(*cons) == "ok\n");
}

TEST_CASE("control-U erases the line and control-W the last word", "[cons]") {
  Console c;
  auto cons = c.open("cons", OREAD);
  c.dev.input("wrong line\x15");
  CHECK(c.screen == "wrong line" + erasures(10));
  c.dev.input("echo foo bar  \x17" "baz\r");
  CHECK(c.read(*cons) == "echo foo baz\n");
}

TEST_CASE("other control bytes are kept in the line and echoed in caret form", "[cons]") {
  Console c;
  auto cons = c.open("cons", OREAD);
  c.dev.input("a\x1b[A\tb");
  CHECK(c.screen == "a^[[A\tb");
  // b, tab, A and [ take one erasure each; the escape, shown as two columns, takes two.
  c.dev.input("\x7f\x7f\x7f\x7f\x7f\r");
  CHECK(c.read(*cons) == "a\n");
  CHECK(c.screen == "a^[[A\tb" + erasures(6) + "\r\n");
}

TEST_CASE("a read gets at most count bytes of a line and the rest on later reads", "[cons]") {
  Console c;
  auto cons = c.open("cons", OREAD);
  c.dev.input("abcdefghij\r");
  CHECK(c.read(*cons, 4) == "abcd");
  CHECK(c.read(*cons, 4) == "efgh");
  CHECK(c.read(*cons, 4) == "ij\n");
  auto pending = c.start_read(*cons);
  CHECK_FALSE(pending.done());
}

TEST_CASE("a read gets at most one line", "[cons]") {
  Console c;
  auto cons = c.open("cons", OREAD);
  c.dev.input("first\rsecond\r");
  CHECK(c.read(*cons) == "first\n");
  CHECK(c.read(*cons) == "second\n");
}

TEST_CASE("control-D on an empty line makes one read return end of file", "[cons]") {
  Console c;
  auto cons = c.open("cons", OREAD);
  auto pending = c.start_read(*cons);
  c.dev.input("\x04");
  REQUIRE(pending.done());
  CHECK(pending.result().value().empty());
  // Only once: the next read waits again.
  auto next = c.start_read(*cons);
  CHECK_FALSE(next.done());
  c.dev.input("more\r");
  REQUIRE(next.done());
  CHECK(str(next.result().value()) == "more\n");
}

TEST_CASE("control-D on a partial line delivers it without a newline", "[cons]") {
  Console c;
  auto cons = c.open("cons", OREAD);
  c.dev.input("part\x04");
  CHECK(c.screen == "part");
  CHECK(c.read(*cons) == "part");
}

TEST_CASE("control-C calls the interrupt hook, discards the line and echoes ^C", "[cons]") {
  Console c;
  auto cons = c.open("cons", OREAD);
  auto pending = c.start_read(*cons);
  c.dev.input("sleep 100\x03");
  CHECK(c.notes == std::vector<std::string>{"interrupt"});
  CHECK(c.screen == "sleep 100^C\r\n");
  CHECK_FALSE(pending.done());
  c.dev.input("date\r");
  REQUIRE(pending.done());
  CHECK(str(pending.result().value()) == "date\n");
}

TEST_CASE("the control-C echo reaches the screen before what the interrupt hook prints", "[cons]") {
  Console c;
  auto cons = c.open("cons", OWRITE);
  c.dev.interrupt = [&](std::string_view) { CHECK(c.write(*cons, "killed\n").ok()); };
  c.dev.input("x\x03");
  CHECK(c.screen == "x^C\r\nkilled\r\n");
}

TEST_CASE("several waiting readers are served in order", "[cons]") {
  Console c;
  auto a = c.open("cons", OREAD);
  auto b = c.open("cons", OREAD);
  auto first = c.start_read(*a);
  auto second = c.start_read(*b);
  c.dev.input("one\r");
  REQUIRE(first.done());
  CHECK_FALSE(second.done());
  CHECK(str(first.result().value()) == "one\n");
  c.dev.input("two\r");
  REQUIRE(second.done());
  CHECK(str(second.result().value()) == "two\n");
}

TEST_CASE("waiting readers share a line in order when each asks for less than all of it", "[cons]") {
  Console c;
  auto a = c.open("cons", OREAD);
  auto b = c.open("cons", OREAD);
  auto first = c.start_read(*a, 2);
  auto second = c.start_read(*b, 100);
  c.dev.input("abc\r");
  REQUIRE(first.done());
  REQUIRE(second.done());
  CHECK(str(first.result().value()) == "ab");
  CHECK(str(second.result().value()) == "c\n");
}

TEST_CASE("a reply that starts another read gets the next line", "[cons]") {
  Console c;
  auto cons = c.open("cons", OREAD);
  std::vector<std::string> got;
  std::function<void(Result<Bytes>)> reader = [&](Result<Bytes> r) {
    REQUIRE(r.ok());
    got.push_back(str(*r));
    if (got.size() < 3) c.dev.read(*cons, 0, 100, reader);
  };
  c.dev.read(*cons, 0, 100, reader);
  c.dev.input("one\rtwo\rthree\rfour\r");
  CHECK(got == std::vector<std::string>{"one\n", "two\n", "three\n"});
  CHECK(c.read(*cons) == "four\n");
}

TEST_CASE("flush answers a waiting read with intr and leaves others waiting", "[cons]") {
  Console c;
  auto a = c.open("cons", OREAD);
  auto b = c.open("cons", OREAD);
  auto ra = c.start_read(*a);
  auto rb = c.start_read(*b);
  c.dev.flush(*a);
  REQUIRE(ra.done());
  CHECK(ra.result().error().code == Errc::intr);
  CHECK_FALSE(rb.done());
  c.dev.input("hi\r");
  REQUIRE(rb.done());
  CHECK(str(rb.result().value()) == "hi\n");
}

TEST_CASE("clunking a fid answers its waiting read with intr", "[cons]") {
  Console c;
  auto a = c.open("cons", OREAD);
  auto ra = c.start_read(*a);
  c.dev.clunk(*a);
  a.reset();
  REQUIRE(ra.done());
  CHECK(ra.result().error().code == Errc::intr);
  c.dev.input("later\r");  // nothing is left pointing at the clunked fid
}

TEST_CASE("rawon on consctl delivers bytes unprocessed and unechoed; rawoff restores cooked mode", "[cons]") {
  Console c;
  auto cons = c.open("cons", OREAD);
  auto ctl = c.open("consctl", OWRITE);
  REQUIRE(c.write(*ctl, "rawon").ok());
  CHECK(c.dev.raw());
  auto pending = c.start_read(*cons);
  c.dev.input("a");
  REQUIRE(pending.done());
  CHECK(str(pending.result().value()) == "a");
  c.dev.input("\x03\x7f\x04\r");
  CHECK(c.read(*cons) == "\x03\x7f\x04\r");
  CHECK(c.screen.empty());
  CHECK(c.notes.empty());

  REQUIRE(c.write(*ctl, "rawoff\n").ok());
  CHECK_FALSE(c.dev.raw());
  c.dev.input("x\x7fy\r");
  CHECK(c.read(*cons) == "y\n");
  CHECK(c.screen == "x\b \by\r\n");
}

TEST_CASE("bytes typed ahead in raw mode and not read are cooked when raw mode ends", "[cons]") {
  Console c;
  auto cons = c.open("cons", OREAD);
  auto ctl = c.open("consctl", OWRITE);
  REQUIRE(c.write(*ctl, "rawon").ok());
  c.dev.input("ls\r");
  CHECK(c.read(*cons, 3) == "ls\r");  // a line editor took its line
  c.dev.input("t");                  // the next command's first key, before rawoff
  REQUIRE(c.write(*ctl, "rawoff").ok());
  CHECK(c.screen == "t");            // echoed now, as cooked input is
  c.dev.input("o tee\r");
  CHECK(c.read(*cons) == "to tee\n");
  CHECK(c.screen == "to tee\r\n");
}

TEST_CASE("raw mode ends when the consctl fid that turned it on is clunked", "[cons]") {
  Console c;
  auto cons = c.open("cons", OREAD);
  auto ctl = c.open("consctl", OWRITE);
  auto other = c.open("consctl", OWRITE);
  REQUIRE(c.write(*ctl, "rawon").ok());
  REQUIRE(c.write(*other, "rawoff").ok());  // another fid's rawoff does not undo this one's rawon
  CHECK(c.dev.raw());
  c.dev.clunk(*ctl);
  ctl.reset();
  CHECK_FALSE(c.dev.raw());
  c.dev.input("ab\r");
  CHECK(c.read(*cons) == "ab\n");
}

TEST_CASE("in raw mode a read returns whatever has arrived, up to count", "[cons]") {
  Console c;
  auto cons = c.open("cons", OREAD);
  auto ctl = c.open("consctl", OWRITE);
  REQUIRE(c.write(*ctl, "rawon").ok());
  c.dev.input("abc");
  c.dev.input("def");
  CHECK(c.read(*cons, 4) == "abcd");
  CHECK(c.read(*cons, 100) == "ef");
}

TEST_CASE("a half-typed line becomes readable when raw mode starts", "[cons]") {
  Console c;
  auto cons = c.open("cons", OREAD);
  auto pending = c.start_read(*cons);
  c.dev.input("hal");
  CHECK_FALSE(pending.done());
  auto ctl = c.open("consctl", OWRITE);
  REQUIRE(c.write(*ctl, "rawon").ok());
  REQUIRE(pending.done());
  CHECK(str(pending.result().value()) == "hal");
}

TEST_CASE("consctl rejects unknown messages and cannot be opened for reading", "[cons]") {
  Console c;
  auto ctl = c.open("consctl", OWRITE);
  auto w = c.write(*ctl, "rawmaybe");
  REQUIRE_FALSE(w.ok());
  CHECK(w.error().code == Errc::inval);
  auto r = c.try_open("consctl", OREAD);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == Errc::access);
}

TEST_CASE("writes to cons reach the output with newlines turned into carriage return, newline", "[cons]") {
  Console c;
  auto cons = c.open("cons", OWRITE);
  auto w = c.write(*cons, "a\nb\n\nc");
  REQUIRE(w.ok());
  CHECK(*w == 6);
  CHECK(c.screen == "a\r\nb\r\n\r\nc");
}

TEST_CASE("null reads end of file and swallows writes", "[cons]") {
  Console c;
  auto null = c.open("null", ORDWR);
  CHECK(c.read(*null).empty());
  auto w = c.write(*null, "discard me");
  REQUIRE(w.ok());
  CHECK(*w == 10);
}

TEST_CASE("zero reads zero bytes of the count asked", "[cons]") {
  Console c;
  auto zero = c.open("zero", OREAD);
  CHECK(c.read(*zero, 100) == std::string(100, '\0'));
}

TEST_CASE("random reads bytes that differ from read to read", "[cons]") {
  Console c;
  auto random = c.open("random", OREAD);
  std::string a = c.read(*random, 4096), b = c.read(*random, 4096);
  REQUIRE(a.size() == 4096);
  CHECK(a != b);
  // Every byte value should turn up in 8 KiB of uniform bytes (the chance one is missing is ~1e-12).
  bool seen[256] = {};
  for (unsigned char ch : a + b) seen[ch] = true;
  CHECK(std::all_of(std::begin(seen), std::end(seen), [](bool s) { return s; }));
  // Two consoles are seeded independently.
  Console other;
  auto r2 = other.open("random", OREAD);
  CHECK(other.read(*r2, 64) != c.read(*random, 64));
}

TEST_CASE("ChaCha20 produces RFC 8439's keystream block", "[cons]") {
  std::array<uint8_t, 32> key;
  for (int i = 0; i < 32; i++) key[i] = static_cast<uint8_t>(i);
  std::array<uint8_t, 12> nonce = {0, 0, 0, 9, 0, 0, 0, 0x4a, 0, 0, 0, 0};
  ChaCha20 chacha(key, nonce, 1);
  std::array<uint8_t, 70> out;
  chacha.fill(std::span(out).first(5));  // split across calls: the stream must continue
  chacha.fill(std::span(out).subspan(5));
  const uint8_t expect[64] = {
      0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15, 0x50, 0x0f, 0xdd, 0x1f, 0xa3, 0x20, 0x71, 0xc4,
      0xc7, 0xd1, 0xf4, 0xc7, 0x33, 0xc0, 0x68, 0x03, 0x04, 0x22, 0xaa, 0x9a, 0xc3, 0xd4, 0x6c, 0x4e,
      0xd2, 0x82, 0x64, 0x46, 0x07, 0x9f, 0xaa, 0x09, 0x14, 0xc2, 0xd7, 0x05, 0xd9, 0x8b, 0x02, 0xa2,
      0xb5, 0x12, 0x9c, 0xd1, 0xde, 0x16, 0x4e, 0xb9, 0xcb, 0xd0, 0x83, 0xe8, 0xa2, 0x50, 0x3c, 0x4e,
  };
  CHECK(std::equal(std::begin(expect), std::end(expect), out.begin()));
}

TEST_CASE("time reads Plan 9's four right-justified fields from the clock and can be set", "[cons]") {
  Console c;
  c.dev.clock = [] { return int64_t{1'700'000'000'123'456'789}; };
  auto time = c.open("time", ORDWR);
  std::string t = c.read(*time);
  REQUIRE(t.size() == 12 + 22 + 22 + 22);
  CHECK(t.substr(0, 12) == " 1700000000 ");
  CHECK(t.substr(12, 22) == "  1700000000123456789 ");
  CHECK(t.substr(56, 22) == std::string(11, ' ') + "1000000000 ");
  // Reads honour the offset, so cat sees the text once.
  CHECK(c.read(*time, 100, t.size()).empty());

  REQUIRE(c.write(*time, "1800000000\n").ok());
  CHECK(c.read(*time).substr(0, 12) == " 1800000000 ");
  CHECK(c.dev.clock() == 1'700'000'000'123'456'789);  // the clock itself is untouched
  auto bad = c.write(*time, "soon");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == Errc::inval);
}

TEST_CASE("user reads the name given to the console", "[cons]") {
  Console c;
  auto user = c.open("user", OREAD);
  CHECK(c.read(*user) == "web9");
  CHECK(c.read(*user, 100, 4).empty());
  c.dev.set_user("glenda");
  CHECK(c.read(*user) == "glenda");
  CHECK_FALSE(c.try_open("user", OWRITE).ok());
}

TEST_CASE("winsize reads the current size and takes a new one from the terminal", "[cons]") {
  Console c;
  auto ws = c.open("winsize", ORDWR);
  CHECK(c.read(*ws) == "80 24\n");
  REQUIRE(c.write(*ws, "132 43\n").ok());
  CHECK(c.read(*ws) == "132 43\n");
  c.dev.set_winsize(100, 30);
  CHECK(c.read(*ws) == "100 30\n");
  CHECK_FALSE(c.write(*ws, "wide").ok());
  CHECK_FALSE(c.write(*ws, "0 0").ok());
}

TEST_CASE("the console directory lists its files and each has a stable, sensible stat", "[cons]") {
  Console c;
  auto dir = c.open("", OREAD);
  auto entries = unpack_dirs(
      now<Bytes>([&](auto r) { c.dev.read(*dir, 0, 8192, r); }).value());
  REQUIRE(entries.ok());
  std::vector<std::string> names;
  for (const auto& d : *entries) names.push_back(d.name);
  CHECK(names == std::vector<std::string>{"cons", "consctl", "null", "random", "time", "user", "winsize", "zero"});

  auto cons = c.open("cons", OREAD);
  auto st = now<Dir>([&](auto r) { c.dev.stat(*cons, r); });
  REQUIRE(st.ok());
  CHECK(st->name == "cons");
  CHECK(st->mode == 0660);
  CHECK(st->length == 0);
  CHECK(st->uid == "web9");
  CHECK(st->qid == cons->qid);
  auto again = c.open("cons", OREAD);
  CHECK(again->qid == cons->qid);

  auto root = now<Dir>([&](auto r) { c.dev.stat(*dir, r); });
  REQUIRE(root.ok());
  CHECK((root->mode & DMDIR) != 0);
  CHECK(root->qid.is_dir());
  auto missing = c.try_open("nonesuch", OREAD);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == Errc::noent);
}

}  // namespace web9
