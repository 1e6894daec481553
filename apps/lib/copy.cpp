// copy_file (see copy.h).
#include "copy.h"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

#include "prog.h"

namespace web9 {

bool write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

bool copy_file(const std::string& from, const std::string& to) {
  int in = ::open(from.c_str(), O_RDONLY);
  if (in < 0) {
    complain(from, errno);
    return false;
  }
  int o = ::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
  if (o < 0) {
    complain(to, errno);
    ::close(in);
    return false;
  }
  bool ok = true;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(in, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      complain(from, errno);
      ok = false;
      break;
    }
    if (n == 0)
      break;
    if (!write_all(o, buf, static_cast<size_t>(n))) {
      complain(to, errno);
      ok = false;
      break;
    }
  }
  ::close(in);
  if (::close(o) != 0 && ok) {
    complain(to, errno);
    ok = false;
  }
  return ok;
}

}  // namespace web9
