// git rm [-r] [-f] [--cached] path ...: stop tracking files and (without --cached) remove them from
// the work tree. As git, it refuses to lose changes: a file that differs from the index, or whose
// staged content differs from HEAD, needs -f (or --cached, which keeps the file).
#include <unistd.h>

#include "git.h"
#include "output.h"
#include "prog.h"

namespace web9::git {

namespace {

// Removes the directories above path (a work tree path) that are now empty.
void prune(const std::string& top, std::string path) {
  for (size_t slash; (slash = path.rfind('/')) != std::string::npos;) {
    path.resize(slash);
    if (::rmdir((top + path).c_str()) != 0)
      break;
  }
}

}  // namespace

int cmd_rm(int argc, char** argv) {
  std::vector<bool> seen;
  Flags flags = parse(argc, argv,
                      {"rfq", "[-r] [-f] [-q] [--cached] path ...",
                       "Remove files from the index and (without --cached) from the work tree."},
                      {"--cached"}, &seen);
  bool cached = seen[0];
  auto& args = flags.args();
  if (args.empty())
    flags.usage();
  git_repository* repo = open_repo();
  git_index* index = nullptr;
  check(git_repository_index(&index, repo), "index");
  const char* wd = git_repository_workdir(repo);
  std::string top = wd ? wd : "";

  std::vector<std::string> files;
  for (auto& a : args) {
    std::string spec = repo_path(repo, a);
    size_t at;
    if (!spec.empty() && git_index_find(&at, index, spec.c_str()) == 0) {
      files.push_back(spec);
      continue;
    }
    git_error_clear();
    std::string dir = spec.empty() ? "" : spec + "/";
    size_t before = files.size();
    for (size_t i = 0; i < git_index_entrycount(index); i++) {
      const git_index_entry* e = git_index_get_byindex(index, i);
      if (std::string_view(e->path).starts_with(dir) && git_index_entry_stage(e) == 0)
        files.push_back(e->path);
    }
    if (files.size() == before)
      die(a, "pathspec did not match any files");
    if (!flags.has('r'))
      die(a, "not removing a directory without -r");
  }

  if (!flags.has('f')) {
    for (auto& f : files) {
      unsigned st = 0;
      if (git_status_file(&st, repo, f.c_str()) < 0) {
        git_error_clear();
        continue;
      }
      bool staged = st & (GIT_STATUS_INDEX_NEW | GIT_STATUS_INDEX_MODIFIED | GIT_STATUS_INDEX_TYPECHANGE);
      bool changed = st & (GIT_STATUS_WT_MODIFIED | GIT_STATUS_WT_TYPECHANGE);
      const char* why = nullptr;
      if (cached && staged && changed)
        why = "has staged content different from both the file and HEAD (-f removes it anyway)";
      else if (!cached && changed)
        why = "has local modifications (--cached keeps the file, -f removes it anyway)";
      else if (!cached && staged)
        why = "has changes staged in the index (--cached keeps the file, -f removes it anyway)";
      if (why)
        die("rm " + f, why);
    }
  }
  for (auto& f : files) {
    check(git_index_remove_bypath(index, f.c_str()), "rm " + f);
    if (!flags.has('q'))
      out().printf("rm '%s'\n", f.c_str());
    if (!cached && !top.empty()) {
      ::unlink((top + f).c_str());
      prune(top, f);
    }
  }
  check(git_index_write(index), "index");
  git_index_free(index);
  git_repository_free(repo);
  return 0;
}

}  // namespace web9::git
