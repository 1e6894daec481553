// The sync logic behind /n/github trees (docs/git.md, "The GitHub-synced filesystem"): commit every
// local change, merge what the remote has without ever losing a local edit, push. Used by the sync
// server; each step is a plain function over a repository so it can be tested on its own.
#pragma once

#include <git2.h>

#include <cstdint>
#include <string>
#include <vector>

namespace web9::git {

// What a sync tree's `status` file shows, and the state kept between syncs in .git/web9-sync.
struct SyncState {
  std::string branch;                  // the checked-out branch, e.g. "main"
  int ahead = 0, behind = 0;           // against refs/remotes/origin/BRANCH
  std::vector<std::string> changed;    // working-tree changes not yet committed (short status)
  std::vector<std::string> conflicts;  // paths whose remote version waits in PATH.remote
  std::string merging;                 // the remote commit a conflicted merge took in, hex
  int64_t last_sync = 0;               // unix seconds of the last sync that reached the remote
  std::string error;                   // the last failure, empty after a clean sync
  bool autosync = false;               // sync after the tree has been idle (ctl `auto on`)
};

// The suffix of the file that keeps the remote side of a conflict beside the local one.
inline constexpr const char* kRemoteSuffix = ".remote";

// Loads and saves the persistent part (conflicts, merging, last_sync, error) from .git/web9-sync.
void load_state(git_repository* repo, SyncState& st);
int save_state(git_repository* repo, const SyncState& st);

// Fills branch, ahead/behind and changed from the repository (no network). Conflicts whose
// PATH.remote the user has removed are taken as resolved and dropped.
int refresh(git_repository* repo, SyncState& st);

// Commits every change in the working tree (adds, edits, removals; never a PATH.remote of a
// conflict). The message lists the files. *made says whether there was anything to commit.
int commit_all(git_repository* repo, const SyncState& st, bool* made);

// Merges refs/remotes/origin/BRANCH (already fetched) into the branch. Fast-forwards when it
// can; otherwise merges, and where both sides changed a file keeps the local version in the
// tree, writes the remote version to PATH.remote and records the conflict. Never touches a
// local edit.
int merge_remote(git_repository* repo, SyncState& st);

// fetch + commit_all + merge_remote + push, stopping before the push while conflicts remain.
// progress gets one line at a time (may be null). On failure st.error says why and nothing
// local is lost: the next sync retries.
int sync(git_repository* repo, SyncState& st, void (*progress)(const std::string&));

// Only fetch and merge (the ctl command `pull`).
int pull(git_repository* repo, SyncState& st, void (*progress)(const std::string&));

// The text of the status file.
std::string format_status(const SyncState& st);

// libgit2's last error message, or fallback.
std::string last_error(const char* fallback = "unknown error");

}  // namespace web9::git
