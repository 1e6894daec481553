// git commit [-a] [-m message]: record the index as a commit on the current branch; -a first
// stages the changes to tracked files (not new ones). While a merge is in progress (MERGE_HEAD,
// after `git pull` stopped on conflicts) the commit has the merged commits as further parents,
// the message defaults to MERGE_MSG, and the merge state is cleared; it refuses while the index
// still has conflicts.
#include "git.h"
#include "output.h"
#include "prog.h"

namespace web9::git {

namespace {

int add_parent(const git_oid* id, void* payload) {
  static_cast<std::vector<git_oid>*>(payload)->push_back(*id);
  return 0;
}

}  // namespace

int cmd_commit(int argc, char** argv) {
  Flags flags = parse(argc, argv,
                      {"am:", "[-a] -m message",
                       "Record the index (-a: with the changes to tracked files) as a new commit on the current branch."});
  if (!flags.args().empty())
    flags.usage();
  git_repository* repo = open_repo();

  bool merging = git_repository_state(repo) == GIT_REPOSITORY_STATE_MERGE;
  std::vector<git_oid> merged;
  git_buf merge_msg = GIT_BUF_INIT;
  if (merging) {
    check(git_repository_mergehead_foreach(repo, add_parent, &merged), "MERGE_HEAD");
    if (git_repository_message(&merge_msg, repo) < 0)
      git_error_clear();
  }
  const char* text = flags.value('m') ? flags.value('m') : merge_msg.size ? merge_msg.ptr : nullptr;
  if (!text)
    flags.usage();
  git_buf message = GIT_BUF_INIT;
  check(git_message_prettify(&message, text, flags.value('m') ? 0 : 1, '#'), "message");
  if (message.size == 0)
    die("commit", "empty commit message");

  git_index* index = nullptr;
  check(git_repository_index(&index, repo), "index");
  if (git_index_has_conflicts(index))
    die("commit", "the index has unresolved conflicts");
  if (flags.has('a')) {
    check(git_index_update_all(index, nullptr, nullptr, nullptr), "commit -a");
    check(git_index_write(index), "index");
  }
  git_oid tree_id;
  check(git_index_write_tree(&tree_id, index), "tree");
  git_tree* tree = nullptr;
  check(git_tree_lookup(&tree, repo, &tree_id), "tree");

  std::vector<git_commit*> parents;
  git_oid head_id;
  int err = git_reference_name_to_id(&head_id, repo, "HEAD");
  if (err == 0) {
    git_commit* head = nullptr;
    check(git_commit_lookup(&head, repo, &head_id), "HEAD");
    parents.push_back(head);
    if (!merging && git_oid_equal(git_commit_tree_id(head), &tree_id)) {
      complain("commit", "nothing to commit");
      return 1;
    }
  } else if (err != GIT_ENOTFOUND && err != GIT_EUNBORNBRANCH) {
    check(err, "HEAD");
  } else {
    git_error_clear();
    if (git_index_entrycount(index) == 0) {
      complain("commit", "nothing to commit");
      return 1;
    }
  }
  for (auto& id : merged) {
    git_commit* c = nullptr;
    check(git_commit_lookup(&c, repo, &id), "MERGE_HEAD " + hex(&id));
    parents.push_back(c);
  }

  git_signature* author = signature(repo, "AUTHOR");
  git_signature* committer = signature(repo, "COMMITTER");
  git_oid id;
  std::vector<const git_commit*> cparents(parents.begin(), parents.end());
  check(git_commit_create(&id, repo, "HEAD", author, committer, nullptr, message.ptr, tree, cparents.size(),
                          cparents.data()),
        "commit");
  if (merging)
    check(git_repository_state_cleanup(repo), "merge state");

  std::string_view summary = message.ptr;
  summary = summary.substr(0, summary.find('\n'));
  out().printf("[%s%s %s] %.*s\n", head_branch(repo).c_str(), parents.empty() ? " (root-commit)" : "",
               hex(&id, 7).c_str(), static_cast<int>(summary.size()), summary.data());

  git_signature_free(author);
  git_signature_free(committer);
  for (auto* p : parents)
    git_commit_free(p);
  git_tree_free(tree);
  git_index_free(index);
  git_buf_dispose(&message);
  git_buf_dispose(&merge_msg);
  git_repository_free(repo);
  return 0;
}

}  // namespace web9::git
