// tr: translate, delete (-d) or squeeze (-s) bytes; -c complements the first set.
// Sets take ranges (a-z) and escapes (\n, \t, \\, \ooo).
#include <cerrno>
#include <unistd.h>
#include <vector>

#include "flags.h"
#include "output.h"
#include "prog.h"

using namespace web9;

namespace {

bool expand(const std::string& s, std::vector<unsigned char>& set) {
  std::vector<unsigned char> raw;
  for (size_t i = 0; i < s.size(); i++) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\\' && i + 1 < s.size()) {
      char e = s[++i];
      if (e >= '0' && e <= '7') {
        int v = 0;
        for (int k = 0; k < 3 && i < s.size() && s[i] >= '0' && s[i] <= '7'; k++)
          v = v * 8 + (s[i++] - '0');
        i--;
        c = static_cast<unsigned char>(v);
      } else {
        c = static_cast<unsigned char>(e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e);
      }
    }
    raw.push_back(c);
  }
  for (size_t i = 0; i < raw.size(); i++) {
    if (i + 2 < raw.size() && raw[i + 1] == '-') {
      if (raw[i + 2] < raw[i])
        return false;
      for (int c = raw[i]; c <= raw[i + 2]; c++)
        set.push_back(static_cast<unsigned char>(c));
      i += 2;
      continue;
    }
    set.push_back(raw[i]);
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags(argc, argv, {"cds", "[-cds] [string1 [string2]]", "Translate or delete characters."});
  bool cflag = flags.has('c'), dflag = flags.has('d'), sflag = flags.has('s');
  auto& a = flags.args();
  if (a.size() > 2 || (dflag && a.empty()))
    flags.usage();
  std::vector<unsigned char> s1, s2;
  if ((!a.empty() && !expand(a[0], s1)) || (a.size() > 1 && !expand(a[1], s2))) {
    complain("bad range");
    return 1;
  }
  bool in1[256] = {};
  for (auto c : s1)
    in1[c] = true;
  if (cflag) {
    // The complement, in byte order, is the set that gets translated or deleted.
    s1.clear();
    for (int c = 0; c < 256; c++)
      if (!in1[c])
        s1.push_back(static_cast<unsigned char>(c));
    for (int c = 0; c < 256; c++)
      in1[c] = !in1[c];
  }
  int map[256];
  for (int c = 0; c < 256; c++)
    map[c] = c;
  bool translating = !dflag && !s2.empty();
  if (translating)
    for (size_t i = 0; i < s1.size(); i++)
      map[s1[i]] = s2[std::min(i, s2.size() - 1)];  // a short string2 repeats its last byte
  // Squeezing applies to the output set: string2 when translating, else string1.
  bool squeeze[256] = {};
  for (auto c : (translating || (dflag && !s2.empty()) ? s2 : s1))
    squeeze[c] = sflag;
  unsigned char buf[65536];
  int last = -1;
  for (;;) {
    ssize_t n = ::read(0, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      fatal("<stdin>", errno);
    if (n == 0)
      break;
    for (ssize_t i = 0; i < n; i++) {
      unsigned char c = buf[i];
      if (dflag && in1[c])
        continue;
      int o = map[c];
      if (squeeze[o] && o == last)
        continue;
      out().put(static_cast<char>(o));
      last = o;
    }
  }
  if (!out().flush())
    complain("write error", errno);
  return exit_status();
}
