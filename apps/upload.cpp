// upload: copy files from outside web9 into a directory. In a browser tab the page asks the user
// to choose files; under tools/web9 the operands are paths on the host. Both go through the
// transfer store on /mnt/xfer (web/kernel/xfer.js; docs/opfs.md, "Files in and out").
#include <cerrno>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "copy.h"
#include "flags.h"
#include "output.h"
#include "path.h"
#include "prog.h"

using namespace web9;

static const std::string kXfer = "/mnt/xfer";

static bool write_all(int fd, const std::string& s) {
  size_t at = 0;
  while (at < s.size()) {
    ssize_t n = ::write(fd, s.data() + at, s.size() - at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    at += static_cast<size_t>(n);
  }
  return true;
}

int main(int argc, char** argv) {
  Flags flags(argc, argv,
              {"d:", "[-d dir] [hostpath ...]",
               "Copy files from outside into dir (default .): in a browser the page lets you choose them "
               "(or drop files on the terminal: they go to $home/upload); under tools/web9 give host paths."});
  std::string dir = flags.value('d', ".");
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) fatal(dir, errno);
  if (!S_ISDIR(st.st_mode)) fatal(dir, ENOTDIR);
  if (::stat((kXfer + "/pick").c_str(), &st) != 0)
    fatal("no transfer store is mounted on " + kXfer + ": this host cannot upload");

  // The question: host paths (tools/web9), or nothing (a tab asks the user).
  std::string ask;
  for (auto& a : flags.args()) ask += a + "\n";
  int afd = ::open((kXfer + "/ask").c_str(), O_WRONLY | O_TRUNC);
  if (afd < 0 || !write_all(afd, ask)) fatal(kXfer + "/ask", errno);
  ::close(afd);

  // Opening pick waits until the files are chosen; it then names them, one a line.
  int pfd = ::open((kXfer + "/pick").c_str(), O_RDONLY);
  if (pfd < 0) fatal(kXfer + "/pick", errno);
  std::string names;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(pfd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fatal(kXfer + "/pick", errno);
    if (n == 0) break;
    names.append(buf, static_cast<size_t>(n));
  }
  ::close(pfd);
  int copied = 0;
  size_t at = 0;
  while (at < names.size()) {
    size_t nl = names.find('\n', at);
    if (nl == std::string::npos) nl = names.size();
    std::string name = names.substr(at, nl - at);
    at = nl + 1;
    if (name.empty()) continue;
    std::string from = kXfer + "/in/" + name, to = join_path(dir, name);
    if (copy_file(from, to)) {
      out().put(to + "\n");
      copied++;
    }
    ::unlink(from.c_str());
  }
  if (copied == 0 && !failed()) complain("no files were chosen");
  if (!out().flush()) complain("write error", errno);
  return exit_status();
}
