// wc: count lines, words, runes, bad UTF-8 sequences and bytes (Plan 9 wc's columns).
#include <cerrno>
#include <cstdint>
#include <unistd.h>

#include "flags.h"
#include "input.h"
#include "output.h"
#include "prog.h"

using namespace web9;

namespace {

struct Counts {
  uint64_t lines = 0, words = 0, runes = 0, bad = 0, bytes = 0;
  void add(const Counts& c) {
    lines += c.lines;
    words += c.words;
    runes += c.runes;
    bad += c.bad;
    bytes += c.bytes;
  }
};

// Counts one stream. Words are separated by blank, tab and newline only, as in Plan 9.
// A rune split across reads is carried over in `pending`.
class Counter {
 public:
  void feed(const unsigned char* p, size_t n) {
    c.bytes += n;
    for (size_t i = 0; i < n; i++)
      byte(p[i]);
  }
  Counts finish() {
    if (need_ > 0)
      c.bad++, c.runes++;
    need_ = 0;
    return c;
  }
  Counts c;

 private:
  void byte(unsigned char b) {
    if (need_ > 0) {
      if ((b & 0xC0) == 0x80) {
        if (--need_ == 0)
          c.runes++;
        return;
      }
      c.bad++, c.runes++;  // the sequence broke off: count what we had as one bad rune
      need_ = 0;
    }
    bool white = b == ' ' || b == '\t' || b == '\n';
    if (b == '\n')
      c.lines++;
    if (!white && !in_word_)
      c.words++;
    in_word_ = !white;
    if (b < 0x80) {
      c.runes++;
    } else if (b >= 0xC2 && b <= 0xDF) {
      need_ = 1;
    } else if (b >= 0xE0 && b <= 0xEF) {
      need_ = 2;
    } else if (b >= 0xF0 && b <= 0xF4) {
      need_ = 3;
    } else {
      c.bad++, c.runes++;
    }
  }
  int need_ = 0;
  bool in_word_ = false;
};

bool pl, pw, pr, pb, pc;

void report(const Counts& c, const std::string* name) {
  std::string line;
  char buf[32];
  auto col = [&](bool on, uint64_t v) {
    if (!on)
      return;
    snprintf(buf, sizeof buf, " %7llu", static_cast<unsigned long long>(v));
    line += buf;
  };
  col(pl, c.lines);
  col(pw, c.words);
  col(pr, c.runes);
  col(pb, c.bad);
  col(pc, c.bytes);
  if (name) {
    line += ' ';
    line += *name;
  }
  out().put(std::string_view(line).substr(line.empty() ? 0 : 1));
  out().put('\n');
}

bool count(int fd, const std::string& name, Counts& result) {
  Counter counter;
  unsigned char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      complain(name, errno);
      return false;
    }
    if (n == 0)
      break;
    counter.feed(buf, static_cast<size_t>(n));
  }
  result = counter.finish();
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags(argc, argv, {"lwrbc", "[-lwrbc] [file ...]", "Count lines, words, runes, bad runes and bytes."});
  pl = flags.has('l'), pw = flags.has('w'), pr = flags.has('r'), pb = flags.has('b'), pc = flags.has('c');
  if (!(pl || pw || pr || pb || pc))
    pl = pw = pc = true;
  auto& files = flags.args();
  if (files.empty()) {
    Counts c;
    if (count(0, "<stdin>", c))
      report(c, nullptr);
    return exit_status();
  }
  Counts total;
  for (auto& f : files) {
    int fd = open_input(f);
    if (fd < 0)
      continue;
    Counts c;
    if (count(fd, f, c)) {
      report(c, &f);
      total.add(c);
    }
    close_input(fd);
  }
  if (files.size() > 1) {
    std::string t = "total";
    report(total, &t);
  }
  return exit_status();
}
