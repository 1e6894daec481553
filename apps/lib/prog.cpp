// Program name, error reports and exit status for guest programs.
#include "prog.h"

#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace web9 {

namespace {

std::string g_name = "prog";
bool g_failed = false;

// stderr is written unbuffered, line by line, so reports interleave sanely with output.
void write_stderr(std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::write(2, s.data(), s.size());
    if (n <= 0)
      return;
    s.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

const char* progname() { return g_name.c_str(); }

void set_progname(const char* argv0) {
  std::string_view s = argv0 ? argv0 : "prog";
  if (auto slash = s.rfind('/'); slash != std::string_view::npos)
    s.remove_prefix(slash + 1);
  if (s.size() > 5 && s.ends_with(".wasm"))
    s.remove_suffix(5);
  if (!s.empty())
    g_name = std::string(s);
}

std::string reason(int err) {
  std::string r = std::strerror(err);
  // Plan 9 reports read as phrases, not sentences; keep acronyms ("I/O") as they are.
  if (r.size() > 1 && r[0] >= 'A' && r[0] <= 'Z' && !(r[1] >= 'A' && r[1] <= 'Z') && r[1] != '/')
    r[0] = static_cast<char>(r[0] - 'A' + 'a');
  return r;
}

void complain(std::string_view what, std::string_view why) {
  std::string line = g_name;
  line += ": ";
  line += what;
  line += ": ";
  line += why;
  line += '\n';
  write_stderr(line);
  g_failed = true;
}

void complain(std::string_view what, int err) { complain(what, reason(err)); }

void complain(std::string_view message) {
  std::string line = g_name;
  line += ": ";
  line += message;
  line += '\n';
  write_stderr(line);
  g_failed = true;
}

void fatal(std::string_view what, int err) {
  complain(what, err);
  std::exit(1);
}

void fatal(std::string_view message) {
  complain(message);
  std::exit(1);
}

bool failed() { return g_failed; }
void set_failed() { g_failed = true; }
int exit_status() { return g_failed ? 1 : 0; }

}  // namespace web9
