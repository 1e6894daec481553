// git checkout branch | -b name [start] | commit | [commit] -- path ..., and git switch branch |
// -c name [start] | --detach commit: move HEAD to a branch (a remote's branch of that name gives a
// new tracking branch) or a detached commit, updating the work tree and index without losing
// local changes (it refuses, naming the files, as git does); or restore paths from the index (or a
// commit). Reports go to standard output.
#include <cstring>

#include "git.h"
#include "output.h"
#include "prog.h"

namespace web9::git {

namespace {

int note_conflict(git_checkout_notify_t, const char* path, const git_diff_file*, const git_diff_file*,
                  const git_diff_file*, void* payload) {
  auto* paths = static_cast<std::string*>(payload);
  *paths += (paths->empty() ? "" : ", ") + std::string(path);
  return 0;
}

// The work tree and index to commit's tree, keeping local changes; refuses if any would be lost.
void checkout_tree(git_repository* repo, git_object* commit, const char* what) {
  std::string conflicts;
  git_checkout_options co = GIT_CHECKOUT_OPTIONS_INIT;
  co.checkout_strategy = GIT_CHECKOUT_SAFE;
  co.notify_flags = GIT_CHECKOUT_NOTIFY_CONFLICT;
  co.notify_cb = note_conflict;
  co.notify_payload = &conflicts;
  int err = git_checkout_tree(repo, commit, &co);
  if (err == GIT_ECONFLICT || (err < 0 && !conflicts.empty()))
    die(what, "your local changes to " + conflicts + " would be overwritten; commit or stash them first");
  check(err, what);
}

bool branch_exists(git_repository* repo, const std::string& name) {
  git_reference* ref = nullptr;
  bool ok = git_branch_lookup(&ref, repo, name.c_str(), GIT_BRANCH_LOCAL) == 0;
  git_error_clear();
  git_reference_free(ref);
  return ok;
}

// The one remote-tracking branch remote/name ("" if none or several).
std::string tracking(git_repository* repo, const std::string& name) {
  git_strarray remotes = {};
  std::string found;
  int n = 0;
  if (git_remote_list(&remotes, repo) == 0) {
    for (size_t i = 0; i < remotes.count; i++) {
      std::string ref = "refs/remotes/" + std::string(remotes.strings[i]) + "/" + name;
      git_oid id;
      if (git_reference_name_to_id(&id, repo, ref.c_str()) == 0) {
        found = std::string(remotes.strings[i]) + "/" + name;
        n++;
      }
    }
    git_strarray_dispose(&remotes);
  }
  git_error_clear();
  return n == 1 ? found : "";
}

void go_branch(git_repository* repo, const std::string& name, const char* what) {
  if (head_branch(repo) == name) {
    out().printf("Already on '%s'\n", name.c_str());
    return;
  }
  git_object* target = resolve(repo, "refs/heads/" + name);
  checkout_tree(repo, target, what);
  check(git_repository_set_head(repo, ("refs/heads/" + name).c_str()), what);
  out().printf("Switched to branch '%s'\n", name.c_str());
  git_object_free(target);
}

void new_branch(git_repository* repo, const std::string& name, const std::string& start, const char* what,
                const std::string& upstream = "") {
  if (branch_exists(repo, name))
    die(std::string(what) + " " + name, "a branch named '" + name + "' already exists");
  if (start.empty() && git_repository_head_unborn(repo) == 1) {
    // Nothing to check out: HEAD just names the new (unborn) branch.
    git_reference* head = nullptr;
    check(git_reference_symbolic_create(&head, repo, "HEAD", ("refs/heads/" + name).c_str(), 1, nullptr), what);
    git_reference_free(head);
  } else {
    git_object* target = resolve(repo, start.empty() ? "HEAD" : start);
    checkout_tree(repo, target, what);
    git_reference* ref = nullptr;
    check(git_branch_create(&ref, repo, name.c_str(), reinterpret_cast<git_commit*>(target), 0), what);
    if (!upstream.empty()) {
      check(git_branch_set_upstream(ref, upstream.c_str()), what);
      out().printf("branch '%s' set up to track '%s'.\n", name.c_str(), upstream.c_str());
    }
    check(git_repository_set_head(repo, git_reference_name(ref)), what);
    git_reference_free(ref);
    git_object_free(target);
  }
  out().printf("Switched to a new branch '%s'\n", name.c_str());
}

void detach(git_repository* repo, const std::string& rev, const char* what) {
  git_object* target = resolve(repo, rev);
  checkout_tree(repo, target, what);
  check(git_repository_set_head_detached(repo, git_object_id(target)), what);
  const char* summary = git_commit_summary(reinterpret_cast<git_commit*>(target));
  out().printf("HEAD is now at %s %s\n", hex(git_object_id(target), 7).c_str(), summary ? summary : "");
  git_object_free(target);
}

// Paths back from the index, or from rev's tree (which updates the index too).
int restore(git_repository* repo, const std::string& rev, const std::vector<std::string>& paths) {
  git_index* index = nullptr;
  check(git_repository_index(&index, repo), "index");
  std::vector<std::string> specs;
  git_tree* tree = nullptr;
  if (!rev.empty())
    tree = reinterpret_cast<git_tree*>(resolve(repo, rev, GIT_OBJECT_TREE));
  for (auto& p : paths) {
    std::string spec = repo_path(repo, p);
    size_t at;
    bool known;
    if (tree) {
      git_tree_entry* e = nullptr;
      known = spec.empty() || git_tree_entry_bypath(&e, tree, spec.c_str()) == 0;
      git_tree_entry_free(e);
    } else {
      known = spec.empty() || git_index_find(&at, index, spec.c_str()) == 0 ||
              git_index_find_prefix(&at, index, (spec + "/").c_str()) == 0;
    }
    git_error_clear();
    if (!known)
      die(p, "pathspec did not match any file(s) known to git");
    specs.push_back(spec.empty() ? "." : spec);
  }
  // "." (the top) is everything: no paths at all, since libgit2's pathspec "." matches nothing.
  std::vector<char*> ptrs;
  for (auto& s : specs)
    ptrs.push_back(s.data());
  for (auto& s : specs)
    if (s == ".")
      ptrs.clear();
  git_checkout_options co = GIT_CHECKOUT_OPTIONS_INIT;
  co.checkout_strategy = GIT_CHECKOUT_FORCE;
  co.paths = {ptrs.data(), ptrs.size()};
  if (tree)
    check(git_checkout_tree(repo, reinterpret_cast<git_object*>(tree), &co), "checkout");
  else
    check(git_checkout_index(repo, index, &co), "checkout");
  git_tree_free(tree);
  git_index_free(index);
  return 0;
}

bool is_commit(git_repository* repo, const std::string& rev) {
  git_object* obj = nullptr;
  bool ok = git_revparse_single(&obj, repo, rev.c_str()) == 0 && git_object_type(obj) != GIT_OBJECT_BLOB;
  git_error_clear();
  git_object_free(obj);
  return ok;
}

// Splits argv at "--": the flags and revisions before, the paths after.
int split(int argc, char** argv, std::vector<std::string>& paths) {
  for (int i = 1; i < argc; i++) {
    if (std::strcmp(argv[i], "--") == 0) {
      for (int j = i + 1; j < argc; j++)
        paths.push_back(argv[j]);
      return i;
    }
  }
  return -1;
}

}  // namespace

int cmd_checkout(int argc, char** argv) {
  std::vector<std::string> paths;
  int dashes = split(argc, argv, paths);
  Flags flags = parse(dashes < 0 ? argc : dashes, argv,
                      {"b:", "branch | -b name [start] | commit | [commit] -- path ...",
                       "Switch branches, or restore files from the index or a commit."});
  auto args = flags.args();
  git_repository* repo = open_repo();
  if (flags.value('b')) {
    if (args.size() > 1 || dashes >= 0)
      flags.usage();
    new_branch(repo, flags.value('b'), args.empty() ? "" : args[0], "checkout");
  } else if (dashes >= 0) {
    if (args.size() > 1 || paths.empty())
      flags.usage();
    restore(repo, args.empty() ? "" : args[0], paths);
  } else if (args.empty()) {
    flags.usage();
  } else if (args.size() == 1 && branch_exists(repo, args[0])) {
    go_branch(repo, args[0], "checkout");
  } else if (args.size() == 1 && !is_commit(repo, args[0]) && !tracking(repo, args[0]).empty()) {
    std::string up = tracking(repo, args[0]);
    new_branch(repo, args[0], "refs/remotes/" + up, "checkout", up);
  } else if (args.size() == 1 && is_commit(repo, args[0])) {
    detach(repo, args[0], "checkout");
  } else if (is_commit(repo, args[0])) {
    restore(repo, args[0], std::vector<std::string>(args.begin() + 1, args.end()));
  } else {
    restore(repo, "", args);
  }
  git_repository_free(repo);
  return 0;
}

int cmd_switch(int argc, char** argv) {
  std::vector<bool> seen;
  Flags flags = parse(argc, argv,
                      {"c:", "branch | -c name [start] | --detach commit",
                       "Switch to a branch, a new branch, or a detached commit."},
                      {"--detach"}, &seen);
  auto& args = flags.args();
  git_repository* repo = open_repo();
  if (flags.value('c')) {
    if (args.size() > 1)
      flags.usage();
    new_branch(repo, flags.value('c'), args.empty() ? "" : args[0], "switch");
  } else if (args.size() != 1) {
    flags.usage();
  } else if (seen[0]) {
    detach(repo, args[0], "switch");
  } else if (branch_exists(repo, args[0])) {
    go_branch(repo, args[0], "switch");
  } else if (std::string up = tracking(repo, args[0]); !up.empty()) {
    new_branch(repo, args[0], "refs/remotes/" + up, "switch", up);
  } else {
    die("switch " + args[0], "no such branch (git switch --detach takes a commit)");
  }
  git_repository_free(repo);
  return 0;
}

}  // namespace web9::git
