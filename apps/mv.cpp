// mv: rename files; "mv a b" renames a to b, "mv a b ... dir" moves them into dir.
#include <cerrno>
#include <cstdio>
#include <sys/stat.h>
#include <unistd.h>

#include "copy.h"
#include "flags.h"
#include "path.h"
#include "prog.h"

using namespace web9;

static void move(const std::string& from, const std::string& to) {
  if (std::rename(from.c_str(), to.c_str()) == 0)
    return;
  int err = errno;
  struct stat st;
  // Across file servers rename cannot work; a plain file can still be copied.
  if (err == EXDEV && ::stat(from.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
    if (copy_file(from, to) && ::unlink(from.c_str()) != 0)
      complain(from, errno);
    return;
  }
  complain(from, err);
}

int main(int argc, char** argv) {
  Flags flags(argc, argv, {"f", "[-f] from to | [-f] from ... dir", "Move (rename) files."});
  auto& a = flags.args();
  if (a.size() < 2)
    flags.usage();
  std::string target = a.back();
  a.pop_back();
  struct stat st;
  bool into_dir = ::stat(target.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  if (a.size() > 1 && !into_dir) {
    complain(target, ENOTDIR);
    return 1;
  }
  for (auto& from : a)
    move(from, into_dir ? join_path(target, basename_of(from)) : target);
  return exit_status();
}
