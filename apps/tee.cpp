// tee: copy standard input to standard output and to each named file.
#include <cerrno>
#include <fcntl.h>
#include <memory>
#include <vector>
#include <unistd.h>

#include "flags.h"
#include "output.h"
#include "prog.h"

using namespace web9;

int main(int argc, char** argv) {
  Flags flags(argc, argv, {"ai", "[-ai] [file ...]", "Copy standard input to standard output and files."});
  int mode = O_WRONLY | O_CREAT | (flags.has('a') ? O_APPEND : O_TRUNC);
  struct Sink {
    std::string name;
    int fd;
    bool ok = true;
  };
  std::vector<Sink> sinks;
  for (auto& f : flags.args()) {
    int fd = ::open(f.c_str(), mode, 0666);
    if (fd < 0) {
      complain(f, errno);
      continue;
    }
    sinks.push_back({f, fd});
  }
  char buf[65536];
  bool out_ok = true;
  for (;;) {
    ssize_t n = ::read(0, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      complain("<stdin>", errno);
      break;
    }
    if (n == 0)
      break;
    // Unbuffered, so tee passes data on as soon as it arrives (pipes, terminals).
    if (out_ok && ::write(1, buf, static_cast<size_t>(n)) != n) {
      complain("<stdout>", errno);
      out_ok = false;
    }
    for (auto& s : sinks) {
      if (s.ok && ::write(s.fd, buf, static_cast<size_t>(n)) != n) {
        complain(s.name, errno);
        s.ok = false;
      }
    }
  }
  for (auto& s : sinks)
    ::close(s.fd);
  return exit_status();
}
