// git fetch [remote]: download objects and refs from a remote (origin, or the branch's upstream).
#include "git.h"
#include "netcmd.h"

namespace web9::git {

int cmd_fetch(int argc, char** argv) {
  Flags flags = parse(argc, argv, {"", "[remote]", "Download objects and refs from a remote."});
  if (flags.args().size() > 1) flags.usage();
  git_repository* repo = open_repo();
  git_remote* remote = lookup_remote(repo, flags.args().empty() ? "" : flags.args()[0]);
  git_fetch_options opts = GIT_FETCH_OPTIONS_INIT;
  progress_callbacks(opts.callbacks, git_remote_url(remote));
  check(git_remote_fetch(remote, nullptr, &opts, "fetch"), std::string("fetch ") + git_remote_name(remote));
  git_remote_free(remote);
  git_repository_free(repo);
  return 0;
}

}  // namespace web9::git
