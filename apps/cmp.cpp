// cmp: compare two files byte by byte (Plan 9 cmp): say where they first differ, or
// with -l list every difference; -s says nothing. Exit 0 same, 1 different, 2 trouble.
#include <cerrno>
#include <cstdlib>
#include <unistd.h>

#include "flags.h"
#include "input.h"
#include "output.h"
#include "prog.h"

using namespace web9;

namespace {

// Reads a byte at a time through a buffer.
class Bytes {
 public:
  explicit Bytes(int fd) : fd_(fd) {}
  int get() {
    if (pos_ == len_) {
      ssize_t n;
      do {
        n = ::read(fd_, buf_, sizeof buf_);
      } while (n < 0 && errno == EINTR);
      if (n < 0)
        err_ = errno;
      if (n <= 0)
        return -1;
      len_ = static_cast<size_t>(n);
      pos_ = 0;
    }
    return buf_[pos_++];
  }
  int error() const { return err_; }

 private:
  int fd_;
  int err_ = 0;
  unsigned char buf_[65536];
  size_t pos_ = 0, len_ = 0;
};

bool skip(Bytes& b, long long n) {
  for (long long i = 0; i < n; i++)
    if (b.get() < 0)
      return false;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags(argc, argv, {"lsL", "[-lsL] file1 file2 [offset1 [offset2]]", "Compare two files byte by byte."});
  bool lflag = flags.has('l'), sflag = flags.has('s'), Lflag = flags.has('L');
  auto& a = flags.args();
  if (a.size() < 2 || a.size() > 4)
    flags.usage();
  long long off[2] = {0, 0};
  for (size_t i = 2; i < a.size(); i++) {
    char* end;
    off[i - 2] = std::strtoll(a[i].c_str(), &end, 0);
    if (*end || end == a[i].c_str() || off[i - 2] < 0)
      flags.usage();
  }
  int fd1 = open_input(a[0]);
  int fd2 = fd1 < 0 ? -1 : open_input(a[1]);
  if (fd1 < 0 || fd2 < 0)
    return 2;
  Bytes f1(fd1), f2(fd2);
  skip(f1, off[0]);
  skip(f2, off[1]);
  long long nc = 1, line = 1;
  bool differ = false;
  for (;; nc++) {
    int c1 = f1.get(), c2 = f2.get();
    if (c1 == c2) {
      if (c1 < 0)
        break;
      if (c1 == '\n')
        line++;
      continue;
    }
    if (c1 < 0 || c2 < 0) {
      if (!sflag)
        out().printf("EOF on %s\n", c1 < 0 ? a[0].c_str() : a[1].c_str());
      differ = true;
      break;
    }
    differ = true;
    if (sflag)
      break;
    if (!lflag) {
      out().printf("%s %s differ: char %lld", a[0].c_str(), a[1].c_str(), nc);
      if (Lflag)
        out().printf(" line %lld", line);
      out().put('\n');
      break;
    }
    out().printf("%6lld 0x%.2x 0x%.2x\n", nc, c1, c2);
    if (c1 == '\n')
      line++;
  }
  if (f1.error() || f2.error()) {
    complain(f1.error() ? a[0] : a[1], f1.error() ? f1.error() : f2.error());
    return 2;
  }
  out().flush();
  return differ ? 1 : 0;
}
