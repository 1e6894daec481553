// rm: remove files, and empty directories as Plan 9 does; -r removes directories
// with their contents, -f says nothing about files that cannot be removed.
#include <cerrno>
#include <sys/stat.h>
#include <unistd.h>

#include "dirlist.h"
#include "flags.h"
#include "path.h"
#include "prog.h"

using namespace web9;

static bool quiet;
static bool recursive;

static void report(const std::string& name, int err) {
  if (quiet)
    set_failed();  // -f stays silent but the status still tells
  else
    complain(name, err);
}

static void remove_path(const std::string& name) {
  struct stat st;
  if (::lstat(name.c_str(), &st) != 0) {
    if (!(quiet && errno == ENOENT))
      report(name, errno);
    return;
  }
  if (!S_ISDIR(st.st_mode)) {
    if (::unlink(name.c_str()) != 0)
      report(name, errno);
    return;
  }
  if (recursive) {
    std::vector<std::string> names;
    if (int err = list_dir(name, names); err != 0)
      report(name, err);
    for (auto& n : names)
      remove_path(join_path(name, n));
  }
  if (::rmdir(name.c_str()) != 0)
    report(name, errno);
}

int main(int argc, char** argv) {
  Flags flags(argc, argv, {"fr", "[-fr] file ...", "Remove files and directories."});
  quiet = flags.has('f');
  recursive = flags.has('r');
  if (flags.args().empty())
    flags.usage();
  for (auto& f : flags.args())
    remove_path(f);
  return exit_status();
}
