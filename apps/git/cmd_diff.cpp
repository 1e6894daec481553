// git diff [--cached|--staged] [--stat] [commit [commit] | a..b] [--] [path ...]: the changes
// between the index and the work tree (no commit), a commit and the index (--cached; HEAD by
// default), a commit and the work tree, or two commits; as a patch, or a diffstat with --stat.
#include <sys/stat.h>

#include <cstring>

#include "git.h"
#include "output.h"
#include "prog.h"

namespace web9::git {

namespace {

git_tree* tree_of(git_repository* repo, const std::string& rev) {
  return reinterpret_cast<git_tree*>(resolve(repo, rev, GIT_OBJECT_TREE));
}

bool is_rev(git_repository* repo, const std::string& arg) {
  git_object* obj = nullptr;
  std::string first = arg.substr(0, arg.find(".."));
  if (first.empty())
    first = "HEAD";
  bool ok = git_revparse_single(&obj, repo, first.c_str()) == 0;
  git_error_clear();
  git_object_free(obj);
  return ok;
}

}  // namespace

int cmd_diff(int argc, char** argv) {
  // Paths after "--" are kept apart from the flags and revisions.
  int dashes = argc;
  for (int i = 1; i < argc; i++) {
    if (std::strcmp(argv[i], "--") == 0) {
      dashes = i;
      break;
    }
  }
  std::vector<bool> seen;
  Flags flags = parse(dashes, argv,
                      {"", "[--cached | --staged] [--stat] [commit [commit] | commit..commit] [--] [path ...]",
                       "Show changes between the work tree, the index and commits."},
                      {"--cached", "--staged", "--stat"}, &seen);
  bool cached = seen[0] || seen[1];
  bool stat = seen[2];
  git_repository* repo = open_repo();

  std::vector<std::string> revs;
  std::vector<std::string> paths;
  for (auto& a : flags.args()) {
    if (paths.empty() && dashes == argc && !is_rev(repo, a)) {
      struct stat st;
      if (::stat(a.c_str(), &st) != 0)
        die(a, "unknown revision or path not in the work tree");
      paths.push_back(a);
    }
    else if (paths.empty() && revs.size() < 2)
      revs.push_back(a);
    else if (dashes == argc)
      paths.push_back(a);
    else
      flags.usage();
  }
  for (int i = dashes + 1; i < argc; i++)
    paths.push_back(argv[i]);
  if (revs.size() == 1 && revs[0].find("..") != std::string::npos) {
    std::string r = revs[0];
    size_t dots = r.find("..");
    revs = {dots == 0 ? "HEAD" : r.substr(0, dots), dots + 2 == r.size() ? "HEAD" : r.substr(dots + 2)};
  }
  if (cached && revs.size() > 1)
    flags.usage();

  std::vector<std::string> specs;
  for (auto& p : paths)
    specs.push_back(repo_path(repo, p));
  // The top ("" here) is everything: no pathspec at all.
  std::vector<char*> ptrs;
  for (auto& s : specs)
    ptrs.push_back(s.data());
  for (auto& s : specs)
    if (s.empty())
      ptrs.clear();
  git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
  opts.pathspec = {ptrs.data(), ptrs.size()};

  git_diff* diff = nullptr;
  if (revs.size() == 2) {
    git_tree* a = tree_of(repo, revs[0]);
    git_tree* b = tree_of(repo, revs[1]);
    check(git_diff_tree_to_tree(&diff, repo, a, b, &opts), "diff");
    git_tree_free(a);
    git_tree_free(b);
  } else if (cached) {
    git_tree* a = nullptr;
    if (!revs.empty())
      a = tree_of(repo, revs[0]);
    else if (git_repository_head_unborn(repo) != 1)
      a = tree_of(repo, "HEAD");
    check(git_diff_tree_to_index(&diff, repo, a, nullptr, &opts), "diff");
    git_tree_free(a);
  } else if (revs.size() == 1) {
    git_tree* a = tree_of(repo, revs[0]);
    check(git_diff_tree_to_workdir_with_index(&diff, repo, a, &opts), "diff");
    git_tree_free(a);
  } else {
    check(git_diff_index_to_workdir(&diff, repo, nullptr, &opts), "diff");
  }
  if (stat)
    print_stat(diff);
  else
    print_patch(diff);
  git_diff_free(diff);
  git_repository_free(repo);
  return 0;
}

}  // namespace web9::git
