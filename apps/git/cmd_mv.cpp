// git mv [-f] source destination: rename a tracked file or directory in the work tree and the
// index; a destination that is a directory receives source under its own name.
#include <errno.h>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "git.h"
#include "prog.h"

namespace web9::git {

namespace {

bool is_dir(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

void mkdirs(const std::string& top, const std::string& path) {
  for (size_t slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1))
    ::mkdir((top + path.substr(0, slash)).c_str(), 0777);
}

// rename, or, where web9 answers EXDEV (it renames only within a directory), copy and remove.
bool move_file(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) == 0)
    return true;
  if (errno != EXDEV)
    return false;
  int in = ::open(from.c_str(), O_RDONLY);
  if (in < 0)
    return false;
  int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
  bool ok = out >= 0;
  char buf[65536];
  ssize_t n;
  while (ok && (n = ::read(in, buf, sizeof buf)) > 0)
    ok = ::write(out, buf, static_cast<size_t>(n)) == n;
  ::close(in);
  if (out >= 0)
    ::close(out);
  return ok && ::unlink(from.c_str()) == 0;
}

}  // namespace

int cmd_mv(int argc, char** argv) {
  Flags flags = parse(argc, argv, {"f", "[-f] source destination", "Move or rename a tracked file or directory."});
  auto& args = flags.args();
  if (args.size() != 2)
    flags.usage();
  git_repository* repo = open_repo();
  git_index* index = nullptr;
  check(git_repository_index(&index, repo), "index");
  const char* wd = git_repository_workdir(repo);
  if (!wd)
    die("mv", "the repository has no work tree");
  std::string top = wd;
  std::string src = repo_path(repo, args[0]);
  std::string dst = repo_path(repo, args[1]);
  if (src.empty())
    die(args[0], "cannot move the work tree's top");
  if (is_dir(top + dst)) {
    size_t slash = src.rfind('/');
    dst += (dst.empty() ? "" : "/") + src.substr(slash == std::string::npos ? 0 : slash + 1);
  }
  std::string what = "mv " + args[0];

  // The index entries to rename: src itself, or everything under it.
  struct Move {
    git_index_entry entry;
    std::string from, to;
  };
  std::vector<Move> moves;
  for (size_t i = 0; i < git_index_entrycount(index); i++) {
    const git_index_entry* e = git_index_get_byindex(index, i);
    std::string_view p = e->path;
    if (p == src)
      moves.push_back({*e, e->path, dst});
    else if (p.starts_with(src + "/"))
      moves.push_back({*e, e->path, dst + std::string(p.substr(src.size()))});
  }
  struct stat st;
  if (::stat((top + src).c_str(), &st) != 0)
    die(what, "bad source: no such file or directory");
  if (moves.empty())
    die(what, "not under version control");
  if (dst == src || dst.starts_with(src + "/"))
    die(what, "cannot move a directory into itself");
  if (::stat((top + dst).c_str(), &st) == 0 && !flags.has('f'))
    die(what, "destination exists (-f overwrites it)");
  size_t slash = dst.rfind('/');
  if (slash != std::string::npos && !is_dir(top + dst.substr(0, slash)))
    die(what, "destination directory " + dst.substr(0, slash) + " does not exist");

  if (::rename((top + src).c_str(), (top + dst).c_str()) != 0) {
    if (errno != EXDEV || !is_dir(top + src)) {
      if (!move_file(top + src, top + dst))
        die(what, strerror(errno));
    } else {
      // A directory across directories: move its tracked files one by one.
      for (auto& m : moves) {
        mkdirs(top, m.to);
        if (!move_file(top + m.from, top + m.to))
          die(what, m.from + ": " + strerror(errno));
      }
    }
  }
  for (auto& m : moves) {
    git_index_entry moved = m.entry;
    moved.path = m.to.c_str();
    check(git_index_add(index, &moved), what);
    check(git_index_remove(index, m.from.c_str(), 0), what);
  }
  check(git_index_write(index), "index");
  git_index_free(index);
  git_repository_free(repo);
  return 0;
}

}  // namespace web9::git
