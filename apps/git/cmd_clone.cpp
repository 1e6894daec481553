// git clone [-b branch] url [dir]: copy a repository and check out its default (or named) branch.
#include <cstdio>

#include "git.h"
#include "netcmd.h"
#include "output.h"

namespace web9::git {

int cmd_clone(int argc, char** argv) {
  Flags flags = parse(argc, argv, {"b:", "[-b branch] url [dir]", "Copy a repository over the network and check it out."});
  if (flags.args().empty() || flags.args().size() > 2) flags.usage();
  std::string url = flags.args()[0], dir;
  if (flags.args().size() == 2) {
    dir = flags.args()[1];
  } else {
    std::string path = url;
    while (!path.empty() && path.back() == '/') path.pop_back();
    dir = path.substr(path.rfind('/') + 1);
    if (dir.size() > 4 && dir.compare(dir.size() - 4, 4, ".git") == 0) dir.resize(dir.size() - 4);
    if (dir.empty()) die(url, "cannot tell a directory name from the URL: give one");
  }
  std::fprintf(stderr, "Cloning into '%s'...\n", dir.c_str());
  git_clone_options opts = GIT_CLONE_OPTIONS_INIT;
  progress_callbacks(opts.fetch_opts.callbacks, url);
  opts.fetch_opts.callbacks.update_tips = nullptr;  // clone lists no refs
  checkout_progress(opts.checkout_opts);
  if (flags.value('b')) opts.checkout_branch = flags.value('b');
  git_repository* repo = nullptr;
  check(git_clone(&repo, url.c_str(), dir.c_str(), &opts), "clone " + url);
  git_repository_free(repo);
  return 0;
}

}  // namespace web9::git
