// cat: copy files (or standard input) to standard output, byte for byte.
#include <cerrno>
#include <unistd.h>

#include "flags.h"
#include "input.h"
#include "output.h"
#include "prog.h"

using namespace web9;

static void copy(int fd, const std::string& name) {
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      complain(name, sys_reason(errno));  // in the file server's words ("web: read: connection reset")
      return;
    }
    if (n == 0)
      return;
    // Each read goes straight out, as Plan 9's cat does: at the console a line must show when it
    // is typed, not when 8 KiB have gathered.
    out().write(buf, static_cast<size_t>(n));
    if (!out().flush()) {
      complain("write error", errno);
      return;
    }
  }
}

int main(int argc, char** argv) {
  Flags flags(argc, argv, {"", "[file ...]", "Concatenate files and print them on standard output."});
  auto& files = flags.args();
  if (files.empty())
    files.push_back("-");
  for (auto& f : files) {
    int fd = open_input(f);
    if (fd < 0)
      continue;
    copy(fd, f == "-" ? "<stdin>" : f);
    close_input(fd);
  }
  if (!out().flush())
    complain("write error", errno);
  return exit_status();
}
