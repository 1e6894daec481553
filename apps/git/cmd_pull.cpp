// git pull [remote [branch]]: fetch, then bring the branch up to date: a fast-forward when it can,
// otherwise a merge; a merge that conflicts writes conflict markers into the files and stops, as
// git does, for the user to fix and commit.
#include <cstdio>

#include "git.h"
#include "netcmd.h"
#include "output.h"

namespace web9::git {

int cmd_pull(int argc, char** argv) {
  Flags flags = parse(argc, argv, {"", "[remote [branch]]", "Fetch from a remote and merge its branch into this one."});
  if (flags.args().size() > 2) flags.usage();
  git_repository* repo = open_repo();
  std::string branch = head_branch(repo);
  if (branch == "HEAD") die("pull", "HEAD is detached: check out a branch first");
  git_remote* remote = lookup_remote(repo, flags.args().empty() ? "" : flags.args()[0]);
  std::string remote_name = git_remote_name(remote) ? git_remote_name(remote) : "";
  std::string their_branch = flags.args().size() > 1 ? flags.args()[1] : branch;

  git_fetch_options fo = GIT_FETCH_OPTIONS_INIT;
  progress_callbacks(fo.callbacks, git_remote_url(remote));
  check(git_remote_fetch(remote, nullptr, &fo, "pull"), "fetch " + remote_name);

  // What to merge: the fetched remote-tracking branch (named remotes) or FETCH_HEAD's first.
  git_reference* theirs_ref = nullptr;
  std::string theirs_name = "refs/remotes/" + remote_name + "/" + their_branch;
  if (remote_name.empty() || git_reference_lookup(&theirs_ref, repo, theirs_name.c_str()) < 0)
    die("pull", "the remote has no branch '" + their_branch + "'");
  git_annotated_commit* theirs = nullptr;
  check(git_annotated_commit_from_ref(&theirs, repo, theirs_ref), theirs_name);

  git_merge_analysis_t analysis;
  git_merge_preference_t pref;
  const git_annotated_commit* heads[] = {theirs};
  check(git_merge_analysis(&analysis, &pref, repo, heads, 1), "merge");
  const git_oid* their_id = git_annotated_commit_id(theirs);

  if (analysis & GIT_MERGE_ANALYSIS_UP_TO_DATE) {
    out().put("Already up to date.\n");
  } else if (analysis & (GIT_MERGE_ANALYSIS_FASTFORWARD | GIT_MERGE_ANALYSIS_UNBORN)) {
    git_object* target = nullptr;
    check(git_object_lookup(&target, repo, their_id, GIT_OBJECT_COMMIT), "merge");
    git_checkout_options co = GIT_CHECKOUT_OPTIONS_INIT;
    co.checkout_strategy = GIT_CHECKOUT_SAFE;
    checkout_progress(co);
    if (git_checkout_tree(repo, target, &co) < 0)
      die("pull", lasterr() + ": your local changes would be overwritten; commit them first");
    git_reference* head = nullptr;
    git_oid old_id = {};
    bool had_head = git_reference_name_to_id(&old_id, repo, "HEAD") == 0;
    git_error_clear();
    std::string ref = "refs/heads/" + branch;
    git_reference* moved = nullptr;
    check(git_reference_create(&moved, repo, ref.c_str(), their_id, 1, "pull: fast-forward"), "pull");
    git_reference_free(moved);
    git_reference_free(head);
    git_object_free(target);
    if (had_head)
      out().printf("Updating %s..%s\nFast-forward\n", hex(&old_id, 7).c_str(), hex(their_id, 7).c_str());
  } else {
    git_merge_options mo = GIT_MERGE_OPTIONS_INIT;
    git_checkout_options co = GIT_CHECKOUT_OPTIONS_INIT;
    co.checkout_strategy = GIT_CHECKOUT_SAFE | GIT_CHECKOUT_ALLOW_CONFLICTS;
    if (git_merge(repo, heads, 1, &mo, &co) < 0)
      die("pull", lasterr() + ": commit or stash your local changes first");
    git_index* index = nullptr;
    check(git_repository_index(&index, repo), "index");
    if (git_index_has_conflicts(index)) {
      git_index_conflict_iterator* it = nullptr;
      check(git_index_conflict_iterator_new(&it, index), "index");
      const git_index_entry *anc, *ours, *th;
      while (git_index_conflict_next(&anc, &ours, &th, it) == 0)
        out().printf("CONFLICT (content): Merge conflict in %s\n", ours ? ours->path : th->path);
      git_index_conflict_iterator_free(it);
      out().put("Automatic merge failed; fix conflicts and then commit the result.\n");
      out().flush();
      return 1;
    }
    // A clean merge: commit it at once, as git does.
    git_oid tree_id, head_id, id;
    check(git_index_write_tree(&tree_id, index), "merge");
    git_tree* tree = nullptr;
    check(git_tree_lookup(&tree, repo, &tree_id), "merge");
    check(git_reference_name_to_id(&head_id, repo, "HEAD"), "HEAD");
    git_commit *ours = nullptr, *their = nullptr;
    check(git_commit_lookup(&ours, repo, &head_id), "HEAD");
    check(git_commit_lookup(&their, repo, their_id), theirs_name);
    const git_commit* parents[] = {ours, their};
    std::string msg = "Merge branch '" + their_branch + "' of " + git_remote_url(remote) + "\n";
    git_signature* author = signature(repo, "AUTHOR");
    git_signature* committer = signature(repo, "COMMITTER");
    check(git_commit_create(&id, repo, "HEAD", author, committer, nullptr, msg.c_str(), tree, 2, parents), "merge");
    git_repository_state_cleanup(repo);
    out().printf("Merge made by libgit2: %s\n", hex(&id, 7).c_str());
    git_signature_free(author);
    git_signature_free(committer);
    git_commit_free(ours);
    git_commit_free(their);
    git_tree_free(tree);
  }
  git_annotated_commit_free(theirs);
  git_reference_free(theirs_ref);
  git_remote_free(remote);
  git_repository_free(repo);
  return 0;
}

}  // namespace web9::git
