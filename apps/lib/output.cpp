// Buffered binary-safe output (see output.h).
#include "output.h"

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <unistd.h>

namespace web9 {

void Output::put(std::string_view s) {
  if (buf_.size() + s.size() > kSize) {
    flush();
    if (s.size() >= kSize) {
      // Large writes go straight through rather than being copied into the buffer.
      buf_.assign(s);
      flush();
      return;
    }
  }
  buf_.append(s);
}

void Output::printf(const char* fmt, ...) {
  char small[256];
  va_list ap;
  va_start(ap, fmt);
  int n = std::vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0)
    return;
  if (static_cast<size_t>(n) < sizeof small) {
    put(std::string_view(small, static_cast<size_t>(n)));
    return;
  }
  std::string big(static_cast<size_t>(n) + 1, '\0');
  va_start(ap, fmt);
  std::vsnprintf(big.data(), big.size(), fmt, ap);
  va_end(ap);
  big.pop_back();
  put(big);
}

bool Output::flush() {
  size_t off = 0;
  while (off < buf_.size()) {
    ssize_t n = ::write(fd_, buf_.data() + off, buf_.size() - off);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      err_ = n < 0 ? errno : EIO;
      break;
    }
    off += static_cast<size_t>(n);
  }
  buf_.clear();
  if (err_)
    errno = err_;
  return err_ == 0;
}

Output& out() {
  static Output o(1);
  return o;
}

}  // namespace web9
