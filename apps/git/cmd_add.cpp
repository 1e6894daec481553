// git add path...: stage files' contents, and the removal of tracked files that are gone.
#include <sys/stat.h>
#include <unistd.h>

#include "git.h"
#include "prog.h"

namespace web9::git {

namespace {

// Whether the index has path or anything under it.
bool indexed(git_index* index, const std::string& path) {
  size_t at;
  if (git_index_find(&at, index, path.c_str()) == 0)
    return true;
  git_error_clear();
  std::string dir = path.ends_with("/") ? path : path + "/";
  if (git_index_find_prefix(&at, index, dir.c_str()) == 0)
    return true;
  git_error_clear();
  return false;
}

}  // namespace

int cmd_add(int argc, char** argv) {
  Flags flags = parse(argc, argv, {"", "path ...", "Add the named files (directories: everything under them) to the index."});
  auto& paths = flags.args();
  if (paths.empty())
    flags.usage();
  git_repository* repo = open_repo();
  git_index* index = nullptr;
  check(git_repository_index(&index, repo), "index");

  // Paths are relative to the working directory; libgit2's pathspecs to the work tree.
  std::string prefix;
  if (const char* wd = git_repository_workdir(repo)) {
    char cwd[4096];
    if (getcwd(cwd, sizeof cwd)) {
      std::string here = cwd;
      if (!here.ends_with("/"))
        here += '/';
      std::string top = wd;
      if (here.starts_with(top))
        prefix = here.substr(top.size());
    }
  }
  std::vector<std::string> specs;
  for (auto& p : paths) {
    std::string spec = p == "." ? prefix : prefix + p;
    while (spec.ends_with("/"))
      spec.pop_back();
    struct stat st;
    if (::stat(p.c_str(), &st) != 0 && !indexed(index, spec)) {
      complain(p, "pathspec did not match any files");
      continue;
    }
    specs.push_back(spec.empty() ? "." : spec);
  }
  if (web9::failed())
    return 1;
  std::vector<char*> ptrs;
  for (auto& s : specs)
    ptrs.push_back(s.data());
  git_strarray array = {ptrs.data(), ptrs.size()};
  check(git_index_add_all(index, &array, GIT_INDEX_ADD_DEFAULT, nullptr, nullptr), "add");
  check(git_index_update_all(index, &array, nullptr, nullptr), "add");
  check(git_index_write(index), "index");
  git_index_free(index);
  git_repository_free(repo);
  return 0;
}

}  // namespace web9::git
