// What the network commands share (clone, fetch, pull, push, remote): progress on stderr and the
// remote a command means. Network goes through /net/web (transport.h).
#pragma once

#include <git2.h>

#include <string>

namespace web9::git {

// Fills callbacks with progress reporters: "Receiving objects: 45% (450/1000), 120 KiB" and
// "Resolving deltas", "Writing objects" for pushes, "remote: ..." lines, and ref updates
// (" * [new branch] main -> origin/main") under a "From URL" header. With a terminal on stderr
// the counters update in place; otherwise only their final lines are written.
void progress_callbacks(git_remote_callbacks& callbacks, const std::string& url);
// Checkout progress ("Updating files: 100% (n/n), done.").
void checkout_progress(git_checkout_options& opts);

// The remote named name, or the one the current branch tracks, else "origin". Reports
// "no such remote" and exits when there is none.
git_remote* lookup_remote(git_repository* repo, const std::string& name);

// The branch's configured upstream remote name ("" if none).
std::string upstream_remote(git_repository* repo, const std::string& branch);

}  // namespace web9::git
