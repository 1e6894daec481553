// sort: sort lines. Byte order by default; -n numeric, -r reversed, -u one line per
// key, -f folds case, -b ignores leading blanks, -k N[,M] sorts on fields N..M,
// -t c separates fields by c instead of runs of blanks. Equal keys fall back on the
// whole line, as POSIX says.
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>
#include <strings.h>
#include <vector>

#include "flags.h"
#include "input.h"
#include "output.h"
#include "prog.h"

using namespace web9;

namespace {

bool nflag, rflag, uflag, fflag, bflag;
int sep = -1;        // -t: the field separator, or -1 for blank runs
size_t kfirst = 0;   // -k: first field (1-based), 0 for the whole line
size_t klast = 0;    // last field, 0 for "to the end of the line"

bool blank(char c) { return c == ' ' || c == '\t'; }

// Where field f (1-based) begins and the line's remainder; without -t a field takes
// the blanks that precede it.
size_t field_start(std::string_view s, size_t f) {
  size_t i = 0;
  for (size_t k = 1; k < f && i < s.size(); k++) {
    if (sep >= 0) {
      size_t j = s.find(static_cast<char>(sep), i);
      i = j == std::string_view::npos ? s.size() : j + 1;
    } else {
      while (i < s.size() && blank(s[i]))
        i++;
      while (i < s.size() && !blank(s[i]))
        i++;
    }
  }
  return i;
}

size_t field_end(std::string_view s, size_t f) {
  size_t i = field_start(s, f);
  if (sep >= 0) {
    size_t j = s.find(static_cast<char>(sep), i);
    return j == std::string_view::npos ? s.size() : j;
  }
  while (i < s.size() && blank(s[i]))
    i++;
  while (i < s.size() && !blank(s[i]))
    i++;
  return i;
}

std::string_view key(std::string_view line) {
  if (kfirst > 0) {
    size_t b = field_start(line, kfirst);
    size_t e = klast ? field_end(line, klast) : line.size();
    line = line.substr(b, e > b ? e - b : 0);
  }
  if (bflag || nflag)
    while (!line.empty() && blank(line.front()))
      line.remove_prefix(1);
  return line;
}

int compare_keys(std::string_view a, std::string_view b) {
  if (nflag) {
    double x = std::strtod(std::string(a).c_str(), nullptr);
    double y = std::strtod(std::string(b).c_str(), nullptr);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  size_t n = std::min(a.size(), b.size());
  int c = fflag ? strncasecmp(a.data(), b.data(), n) : std::memcmp(a.data(), b.data(), n);
  if (c == 0 && fflag) {
    // strncasecmp stops at a NUL byte; compare the rest by bytes.
    for (size_t i = 0; i < n && c == 0; i++)
      c = std::tolower(static_cast<unsigned char>(a[i])) - std::tolower(static_cast<unsigned char>(b[i]));
  }
  if (c != 0)
    return c < 0 ? -1 : 1;
  return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
}

int compare(const std::string& a, const std::string& b, bool whole_line_too) {
  int c = compare_keys(key(a), key(b));
  if (c == 0 && whole_line_too)
    c = a.compare(b) < 0 ? -1 : a.compare(b) > 0 ? 1 : 0;
  return rflag ? -c : c;
}

bool parse_key(const char* s) {
  char* end;
  long f = std::strtol(s, &end, 10);
  if (end == s || f < 1)
    return false;
  kfirst = static_cast<size_t>(f);
  while (*end && std::strchr("bfnr", *end)) {
    if (*end == 'n')
      nflag = true;
    if (*end == 'r')
      rflag = true;
    if (*end == 'f')
      fflag = true;
    if (*end == 'b')
      bflag = true;
    end++;
  }
  if (*end == ',') {
    const char* l = end + 1;
    long g = std::strtol(l, &end, 10);
    if (end == l || g < f)
      return false;
    klast = static_cast<size_t>(g);
    while (*end && std::strchr("bfnr", *end))
      end++;
  }
  return *end == '\0';
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags(argc, argv, {"nrufbk:t:o:", "[-bfnru] [-k field[,field]] [-t c] [-o file] [file ...]", "Sort lines."});
  nflag = flags.has('n'), rflag = flags.has('r'), uflag = flags.has('u'), fflag = flags.has('f'), bflag = flags.has('b');
  if (const char* k = flags.value('k'); k && !parse_key(k))
    flags.usage();
  if (const char* t = flags.value('t')) {
    if (std::strlen(t) != 1)
      flags.usage();
    sep = static_cast<unsigned char>(t[0]);
  }
  auto& files = flags.args();
  if (files.empty())
    files.push_back("-");
  std::vector<std::string> lines;
  for (auto& f : files) {
    int fd = open_input(f);
    if (fd < 0)
      continue;
    LineReader in(fd);
    std::string line;
    while (in.next(line)) {
      if (line.back() == '\n')
        line.pop_back();
      lines.push_back(line);
    }
    if (in.error())
      complain(f, in.error());
    close_input(fd);
  }
  std::stable_sort(lines.begin(), lines.end(),
                   [](const std::string& a, const std::string& b) { return compare(a, b, !uflag) < 0; });
  int fd = 1;
  if (const char* name = flags.value('o')) {
    // -o may name one of the inputs: everything is read by now, so opening it is safe.
    fd = ::open(name, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0)
      fatal(name, errno);
  }
  Output o(fd);
  for (size_t i = 0; i < lines.size(); i++) {
    if (uflag && i > 0 && compare(lines[i - 1], lines[i], false) == 0)
      continue;
    o.put(lines[i]);
    o.put('\n');
  }
  if (!o.flush())
    complain("write error", errno);
  return exit_status();
}
