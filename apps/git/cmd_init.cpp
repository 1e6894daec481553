// git init [dir]: create an empty repository in dir (default the working directory).
#include "git.h"
#include "output.h"

namespace web9::git {

int cmd_init(int argc, char** argv) {
  Flags flags = parse(argc, argv, {"", "[dir]", "Create an empty repository in dir (default: here)."});
  if (flags.args().size() > 1)
    flags.usage();
  std::string dir = flags.args().empty() ? "." : flags.args()[0];
  git_repository* repo = nullptr;
  check(git_repository_init(&repo, dir.c_str(), 0), dir);
  out().printf("Initialized empty Git repository in %s\n", git_repository_path(repo));
  git_repository_free(repo);
  return 0;
}

}  // namespace web9::git
