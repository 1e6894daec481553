// touch: set files' modification times to now (or -t seconds), creating them unless -c.
#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flags.h"
#include "prog.h"

using namespace web9;

int main(int argc, char** argv) {
  Flags flags(argc, argv, {"ct:", "[-c] [-t time] file ...", "Update the modification times of files, creating them."});
  if (flags.args().empty())
    flags.usage();
  // Null times mean "now"; some hosts (Node's WASI) reject UTIME_NOW itself.
  timespec given[2];
  timespec* times = nullptr;
  if (const char* t = flags.value('t')) {
    char* end;
    long long secs = std::strtoll(t, &end, 10);
    if (*end || end == t)
      flags.usage();
    given[0] = given[1] = timespec{static_cast<time_t>(secs), 0};
    times = given;
  }
  for (auto& f : flags.args()) {
    if (::utimensat(AT_FDCWD, f.c_str(), times, 0) == 0)
      continue;
    if (errno != ENOENT || flags.has('c')) {
      if (errno != ENOENT)
        complain(f, errno);
      continue;
    }
    int fd = ::open(f.c_str(), O_WRONLY | O_CREAT, 0666);
    if (fd < 0) {
      complain(f, errno);
      continue;
    }
    if (::futimens(fd, times) != 0)
      complain(f, errno);
    ::close(fd);
  }
  return exit_status();
}
