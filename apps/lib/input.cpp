// Input helpers (see input.h).
#include "input.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "prog.h"

namespace web9 {

int open_input(const std::string& name) {
  if (name == "-")
    return 0;
  int fd = ::open(name.c_str(), O_RDONLY);
  if (fd < 0) {
    // For the everyday path errors Plan 9's words say it all; anything else (a file server's
    // own failure: "web: connect: connection refused") is told in the kernel's words.
    int e = errno;
    bool everyday = e == ENOENT || e == EACCES || e == EPERM || e == ENOTDIR || e == EISDIR || e == ENAMETOOLONG;
    complain(name, everyday ? reason(e) : sys_reason(e));
    return -1;
  }
  // Text tools read files; a directory would fail at the first read with a reason that
  // depends on the host (EBADF under Node), or yield Plan 9 directory entries under web9.
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    complain(name, EISDIR);
    return -1;
  }
  return fd;
}

void close_input(int fd) {
  if (fd > 0)
    ::close(fd);
}

bool LineReader::fill() {
  if (eof_ || err_)
    return false;
  if (pos_ > 0) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  size_t old = buf_.size();
  buf_.resize(old + 65536);
  ssize_t n;
  do {
    n = ::read(fd_, buf_.data() + old, 65536);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    err_ = errno;
    n = 0;
  }
  if (n == 0)
    eof_ = true;
  buf_.resize(old + static_cast<size_t>(n));
  return n > 0;
}

bool LineReader::next(std::string& line) {
  size_t scanned = pos_;
  for (;;) {
    size_t nl = buf_.find('\n', scanned);
    if (nl != std::string::npos) {
      line.assign(buf_, pos_, nl + 1 - pos_);
      pos_ = nl + 1;
      return true;
    }
    size_t have = buf_.size() - pos_;
    if (!fill()) {
      if (buf_.size() - pos_ == 0)
        return false;
      line.assign(buf_, pos_, std::string::npos);
      pos_ = buf_.size();
      return true;
    }
    scanned = pos_ + have;
  }
}

bool read_all(int fd, std::string& data) {
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return false;
    if (n == 0)
      return true;
    data.append(buf, static_cast<size_t>(n));
  }
}

bool read_file(const std::string& name, std::string& data) {
  int fd = open_input(name);
  if (fd < 0)
    return false;
  bool ok = read_all(fd, data);
  if (!ok)
    complain(name, errno);
  close_input(fd);
  return ok;
}

}  // namespace web9
