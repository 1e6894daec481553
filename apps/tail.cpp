// tail: print the end of a file: the last N lines (-n N or -N), everything from line N
// on (-n +N or +N), or bytes with -c; -f then keeps following the file as it grows.
#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <sys/stat.h>
#include <unistd.h>

#include "flags.h"
#include "input.h"
#include "output.h"
#include "prog.h"

using namespace web9;

namespace {

struct Amount {
  long long n = 10;
  bool from_start = false;  // +N: start at line (or byte) N
  bool bytes = false;
};

bool parse_amount(const char* s, Amount& a) {
  if (*s == '+') {
    a.from_start = true;
    s++;
  } else if (*s == '-') {
    s++;
  }
  char* end;
  a.n = std::strtoll(s, &end, 10);
  return end != s && *end == '\0' && a.n >= 0;
}

// The offset in data where the output starts.
size_t start_of(const std::string& data, const Amount& a) {
  if (a.bytes) {
    if (a.from_start)
      return std::min(data.size(), static_cast<size_t>(a.n > 0 ? a.n - 1 : 0));
    return data.size() - std::min(data.size(), static_cast<size_t>(a.n));
  }
  if (a.from_start) {
    size_t pos = 0;
    for (long long line = 1; line < a.n && pos < data.size(); line++) {
      size_t nl = data.find('\n', pos);
      pos = nl == std::string::npos ? data.size() : nl + 1;
    }
    return pos;
  }
  // Walk back over n line ends; a final line without a newline still counts as a line.
  size_t pos = data.size();
  if (pos > 0 && data[pos - 1] == '\n')
    pos--;
  for (long long k = 0; k < a.n; k++) {
    size_t nl = pos == 0 ? std::string::npos : data.rfind('\n', pos - 1);
    if (nl == std::string::npos)
      return 0;
    pos = nl;
  }
  return pos + 1;
}

// Copies whatever the file grows by, forever (until killed).
[[noreturn]] void follow(int fd, const std::string& name) {
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      out().write(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno != EINTR && errno != EAGAIN)
      fatal(name, errno);
    out().flush();
    struct stat st;
    off_t here = ::lseek(fd, 0, SEEK_CUR);
    // A file truncated under us is read again from its start.
    if (here > 0 && ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size < here)
      ::lseek(fd, 0, SEEK_SET);
    timespec ts{0, 250 * 1000 * 1000};
    nanosleep(&ts, nullptr);
  }
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags(argc, argv, {"n:c:f", "[-f] [-n lines | -c bytes | +N | -N] [file]",
                           "Print the last lines of a file, and follow it with -f.", 'n'});
  Amount amount;
  auto& args = flags.args();
  if (const char* n = flags.value('n')) {
    if (!parse_amount(n, amount))
      flags.usage();
  }
  if (const char* c = flags.value('c')) {
    amount.bytes = true;
    if (!parse_amount(c, amount))
      flags.usage();
  }
  // The historical form: tail +5 file.
  if (!args.empty() && args[0].size() > 1 && args[0][0] == '+') {
    if (!parse_amount(args[0].c_str(), amount))
      flags.usage();
    args.erase(args.begin());
  }
  if (args.size() > 1)
    flags.usage();
  std::string name = args.empty() ? "-" : args[0];
  int fd = open_input(name);
  if (fd < 0)
    return 1;
  std::string data;
  if (!read_all(fd, data))
    fatal(name, errno);
  out().put(std::string_view(data).substr(start_of(data, amount)));
  if (flags.has('f'))
    follow(fd, name);
  if (!out().flush())
    complain("write error", errno);
  return exit_status();
}
