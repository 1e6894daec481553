// git branch [-v] | NAME [start] | -d|-D NAME... | -m [old] new: list the local branches (the
// current one starred), create one at start (default HEAD), delete (-d only when merged into
// HEAD), or rename one (the current branch by default; HEAD follows).
#include <algorithm>

#include "git.h"
#include "output.h"
#include "prog.h"

namespace web9::git {

namespace {

void list(git_repository* repo, bool verbose) {
  std::string current = head_branch(repo);
  if (current == "HEAD") {
    git_oid id;
    if (git_reference_name_to_id(&id, repo, "HEAD") == 0)
      out().printf("* (HEAD detached at %s)\n", hex(&id, 7).c_str());
    git_error_clear();
  }
  git_branch_iterator* it = nullptr;
  check(git_branch_iterator_new(&it, repo, GIT_BRANCH_LOCAL), "branch");
  std::vector<std::pair<std::string, git_oid>> branches;
  git_reference* ref = nullptr;
  git_branch_t type;
  while (git_branch_next(&ref, &type, it) == 0) {
    const char* name = nullptr;
    git_branch_name(&name, ref);
    git_oid id = {};
    if (const git_oid* target = git_reference_target(ref))
      id = *target;
    branches.emplace_back(name, id);
    git_reference_free(ref);
  }
  git_error_clear();
  git_branch_iterator_free(it);
  std::sort(branches.begin(), branches.end(), [](auto& a, auto& b) { return a.first < b.first; });
  size_t width = 0;
  for (auto& b : branches)
    width = std::max(width, b.first.size());
  for (auto& [name, id] : branches) {
    const char* star = name == current ? "* " : "  ";
    if (!verbose) {
      out().printf("%s%s\n", star, name.c_str());
      continue;
    }
    git_commit* c = nullptr;
    check(git_commit_lookup(&c, repo, &id), name);
    out().printf("%s%-*s %s %s\n", star, static_cast<int>(width), name.c_str(), hex(&id, 7).c_str(),
                 git_commit_summary(c) ? git_commit_summary(c) : "");
    git_commit_free(c);
  }
}

git_reference* lookup(git_repository* repo, const std::string& name) {
  git_reference* ref = nullptr;
  if (git_branch_lookup(&ref, repo, name.c_str(), GIT_BRANCH_LOCAL) < 0) {
    git_error_clear();
    die("branch " + name, "no such branch");
  }
  return ref;
}

bool remove(git_repository* repo, const std::string& name, bool force) {
  git_reference* ref = lookup(repo, name);
  if (git_branch_is_checked_out(ref) == 1) {
    complain("branch " + name, "it is the current branch");
    return false;
  }
  const git_oid* id = git_reference_target(ref);
  git_oid head;
  if (!force && id && git_reference_name_to_id(&head, repo, "HEAD") == 0 && !git_oid_equal(&head, id) &&
      git_graph_descendant_of(repo, &head, id) != 1) {
    complain("branch " + name, "not fully merged (git branch -D deletes it anyway)");
    return false;
  }
  git_error_clear();
  std::string was = id ? hex(id, 7) : "";
  if (failed(git_branch_delete(ref), "branch " + name))
    return false;
  out().printf("Deleted branch %s (was %s).\n", name.c_str(), was.c_str());
  git_reference_free(ref);
  return true;
}

}  // namespace

int cmd_branch(int argc, char** argv) {
  Flags flags = parse(argc, argv,
                      {"dDmv", "[-v] | name [start] | -d|-D name ... | -m [old] new",
                       "List, create, delete or rename branches."});
  auto& args = flags.args();
  git_repository* repo = open_repo();
  int status = 0;
  if (flags.has('d') || flags.has('D')) {
    if (args.empty())
      flags.usage();
    for (auto& name : args)
      if (!remove(repo, name, flags.has('D')))
        status = 1;
  } else if (flags.has('m')) {
    if (args.empty() || args.size() > 2)
      flags.usage();
    std::string from = args.size() == 2 ? args[0] : head_branch(repo);
    std::string to = args.back();
    if (from == "HEAD")
      die("branch", "HEAD is detached: name the branch to rename");
    git_reference* ref = nullptr;
    if (git_branch_lookup(&ref, repo, from.c_str(), GIT_BRANCH_LOCAL) < 0) {
      git_error_clear();
      // An unborn current branch has no reference yet: only HEAD names it.
      if (from != head_branch(repo) || git_repository_head_unborn(repo) != 1)
        die("branch " + from, "no such branch");
      check(git_reference_symbolic_create(&ref, repo, "HEAD", ("refs/heads/" + to).c_str(), 1, nullptr), "HEAD");
    } else {
      git_reference* moved = nullptr;
      check(git_branch_move(&moved, ref, to.c_str(), 0), "branch " + to);
      git_reference_free(moved);
    }
    git_reference_free(ref);
  } else if (args.empty()) {
    list(repo, flags.has('v'));
  } else if (args.size() <= 2) {
    git_commit* start = reinterpret_cast<git_commit*>(resolve(repo, args.size() == 2 ? args[1] : "HEAD"));
    git_reference* ref = nullptr;
    int err = git_branch_create(&ref, repo, args[0].c_str(), start, 0);
    if (err == GIT_EEXISTS)
      die("branch " + args[0], "a branch named '" + args[0] + "' already exists");
    check(err, "branch " + args[0]);
    git_reference_free(ref);
    git_commit_free(start);
  } else {
    flags.usage();
  }
  git_repository_free(repo);
  return status;
}

}  // namespace web9::git
