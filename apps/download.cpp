// download: hand a file, or a directory as a ustar archive written here and streamed, to the
// outside: in a browser tab the browser saves it; under tools/web9 it is written into the host's
// current directory. Through the transfer store's out/ directory on /mnt/xfer
// (web/kernel/xfer.js; docs/opfs.md, "Files in and out").
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "dirlist.h"
#include "flags.h"
#include "output.h"
#include "path.h"
#include "prog.h"

using namespace web9;

static const std::string kXfer = "/mnt/xfer";

static bool write_all(int fd, const void* p, size_t len) {
  auto* s = static_cast<const char*>(p);
  size_t at = 0;
  while (at < len) {
    ssize_t n = ::write(fd, s + at, len - at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    at += static_cast<size_t>(n);
  }
  return true;
}

// Copies the file at path to fd; answers its length through len, or false after a complaint.
static bool copy_to(const std::string& path, int fd, uint64_t* len = nullptr) {
  int in = ::open(path.c_str(), O_RDONLY);
  if (in < 0) {
    complain(path, errno);
    return false;
  }
  static char buf[65536];
  uint64_t total = 0;
  for (;;) {
    ssize_t n = ::read(in, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      complain(path, errno);
      ::close(in);
      return false;
    }
    if (n == 0) break;
    if (!write_all(fd, buf, static_cast<size_t>(n))) fatal("write to " + kXfer + "/out", errno);
    total += static_cast<uint64_t>(n);
  }
  ::close(in);
  if (len) *len = total;
  return true;
}

// --- ustar ---

static void octal(char* field, size_t width, uint64_t v) {
  std::snprintf(field, width, "%0*llo", static_cast<int>(width - 1), static_cast<unsigned long long>(v));
}

// Fills a ustar header for name (split into prefix and name when longer than 100 bytes).
static bool header(char h[512], const std::string& name, bool dir, uint32_t mode, uint64_t size, int64_t mtime) {
  std::memset(h, 0, 512);
  std::string n = name, prefix;
  if (n.size() > 100) {
    size_t cut = n.rfind('/', 155);
    if (cut == std::string::npos || n.size() - cut - 1 > 100 || cut == 0) return false;
    prefix = n.substr(0, cut);
    n = n.substr(cut + 1);
  }
  std::memcpy(h, n.data(), n.size());
  octal(h + 100, 8, mode & 07777);
  octal(h + 108, 8, 0);
  octal(h + 116, 8, 0);
  octal(h + 124, 12, size);
  octal(h + 136, 12, static_cast<uint64_t>(mtime < 0 ? 0 : mtime));
  std::memset(h + 148, ' ', 8);
  h[156] = dir ? '5' : '0';
  std::memcpy(h + 257, "ustar", 6);
  std::memcpy(h + 263, "00", 2);
  std::memcpy(h + 265, "glenda", 6);
  std::memcpy(h + 297, "glenda", 6);
  std::memcpy(h + 345, prefix.data(), prefix.size());
  unsigned sum = 0;
  for (int i = 0; i < 512; i++) sum += static_cast<unsigned char>(h[i]);
  std::snprintf(h + 148, 8, "%06o", sum);
  h[155] = ' ';
  return true;
}

static uint64_t written = 0;

static void emit(int fd, const void* p, size_t len) {
  if (!write_all(fd, p, len)) fatal("write to " + kXfer + "/out", errno);
  written += len;
}

// Writes path (a file or directory) into the archive as name; a file's header holds its size
// from stat, and the bytes that follow are exactly that many (a file that changed is padded or
// cut, as tar does).
static void add(int fd, const std::string& path, const std::string& name) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return complain(path, errno);
  char h[512];
  bool dir = S_ISDIR(st.st_mode);
  if (!header(h, dir ? name + "/" : name, dir, st.st_mode, dir ? 0 : static_cast<uint64_t>(st.st_size), st.st_mtime))
    return complain(path, "name too long for ustar");
  if (dir) {
    emit(fd, h, 512);
    std::vector<std::string> names;
    if (int e = list_dir(path, names)) return complain(path, e);
    for (auto& n : names) add(fd, join_path(path, n), name + "/" + n);
    return;
  }
  int in = ::open(path.c_str(), O_RDONLY);
  if (in < 0) return complain(path, errno);
  emit(fd, h, 512);
  uint64_t want = static_cast<uint64_t>(st.st_size), got = 0;
  static char buf[65536];
  while (got < want) {
    size_t ask = static_cast<size_t>(std::min<uint64_t>(sizeof buf, want - got));
    ssize_t n = ::read(in, buf, ask);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) complain(path, errno);
    if (n <= 0) break;
    emit(fd, buf, static_cast<size_t>(n));
    got += static_cast<uint64_t>(n);
  }
  ::close(in);
  std::memset(buf, 0, 512);
  while (got < want) {  // the file shrank: pad to the size the header promised
    size_t pad = static_cast<size_t>(std::min<uint64_t>(512, want - got));
    emit(fd, buf, pad);
    got += pad;
  }
  if (want % 512) emit(fd, buf, 512 - want % 512);
}

int main(int argc, char** argv) {
  Flags flags(argc, argv,
              {"", "file|dir ...",
               "Save files outside web9: the browser downloads each file (a directory as NAME.tar, ustar); "
               "under tools/web9 they are written into the host's current directory."});
  if (flags.args().empty()) flags.usage();
  struct stat st;
  if (::stat((kXfer + "/out").c_str(), &st) != 0)
    fatal("no transfer store is mounted on " + kXfer + ": this host cannot download");
  for (auto& arg : flags.args()) {
    if (::stat(arg.c_str(), &st) != 0) {
      complain(arg, errno);
      continue;
    }
    std::string base = basename_of(cleanname(arg));
    if (base == "/" || base == "." || base == "..") base = "root";
    bool dir = S_ISDIR(st.st_mode);
    std::string name = dir ? base + ".tar" : base;
    std::string out_path = kXfer + "/out/" + name;
    int fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) fatal(out_path, errno);
    uint64_t len = 0;
    if (dir) {
      written = 0;
      add(fd, arg, base);
      static char zero[1024];
      emit(fd, zero, sizeof zero);  // two zero blocks end the archive
      len = written;
    } else if (!copy_to(arg, fd, &len)) {
      ::close(fd);
      ::unlink(out_path.c_str());
      continue;
    }
    // Closing hands the file over (the store then removes it).
    if (::close(fd) != 0) complain(out_path, errno);
    out().printf("%s: %llu bytes\n", name.c_str(), static_cast<unsigned long long>(len));
  }
  if (!out().flush()) complain("write error", errno);
  return exit_status();
}
