// cp: copy files; "cp a b" copies to b, "cp a b ... dir" into dir; -r copies directories.
#include <cerrno>
#include <sys/stat.h>

#include "copy.h"
#include "dirlist.h"
#include "flags.h"
#include "path.h"
#include "prog.h"

using namespace web9;

static bool recursive;

static bool same_file(const struct stat& a, const std::string& to) {
  struct stat b;
  return ::stat(to.c_str(), &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static void copy_path(const std::string& from, const std::string& to) {
  struct stat st;
  if (::stat(from.c_str(), &st) != 0) {
    complain(from, errno);
    return;
  }
  if (same_file(st, to)) {
    complain(from, "same file as " + to);
    return;
  }
  if (!S_ISDIR(st.st_mode)) {
    copy_file(from, to);
    return;
  }
  if (!recursive) {
    complain(from, EISDIR);
    return;
  }
  if (::mkdir(to.c_str(), 0777) != 0 && errno != EEXIST) {
    complain(to, errno);
    return;
  }
  std::vector<std::string> names;
  if (int err = list_dir(from, names); err != 0)
    complain(from, err);
  for (auto& n : names) {
    std::string sub = join_path(from, n);
    // Never copy a directory into itself forever (cp -r d d/x).
    if (same_file(st, to) || cleanname(sub) == cleanname(to))
      continue;
    copy_path(sub, join_path(to, n));
  }
}

int main(int argc, char** argv) {
  Flags flags(argc, argv, {"r", "[-r] from to | [-r] from ... dir", "Copy files and directories."});
  recursive = flags.has('r');
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
    copy_path(from, into_dir ? join_path(target, basename_of(from)) : target);
  return exit_status();
}
