// mkdir: make directories; -p makes missing parents and accepts ones that exist.
#include <cerrno>
#include <cstdlib>
#include <sys/stat.h>

#include "flags.h"
#include "prog.h"

using namespace web9;

static bool make_parents(const std::string& path, mode_t mode) {
  // Make each prefix in turn; existing directories along the way are fine.
  for (size_t i = 1; i <= path.size(); i++) {
    if (i < path.size() && path[i] != '/')
      continue;
    std::string prefix = path.substr(0, i);
    if (::mkdir(prefix.c_str(), mode) == 0)
      continue;
    int err = errno;
    struct stat st;
    if (err == EEXIST && ::stat(prefix.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
      continue;
    complain(prefix, err == EEXIST ? ENOTDIR : err);
    return false;
  }
  return true;
}

int main(int argc, char** argv) {
  Flags flags(argc, argv, {"pm:", "[-p] [-m mode] dir ...", "Make directories."});
  if (flags.args().empty())
    flags.usage();
  mode_t mode = 0777;
  if (const char* m = flags.value('m')) {
    char* end;
    mode = static_cast<mode_t>(std::strtol(m, &end, 8));
    if (*end || end == m)
      flags.usage();
  }
  for (auto& d : flags.args()) {
    if (flags.has('p')) {
      make_parents(d, mode);
    } else if (::mkdir(d.c_str(), mode) != 0) {
      complain(d, errno);
    }
  }
  return exit_status();
}
