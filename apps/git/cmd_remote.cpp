// git remote [-v] | add NAME URL | remove NAME | rename OLD NEW | get-url NAME | set-url NAME URL
#include "git.h"
#include "output.h"

namespace web9::git {

int cmd_remote(int argc, char** argv) {
  Flags flags = parse(argc, argv,
                      {"v", "[-v] | add name url | remove name | rename old new | get-url name | set-url name url",
                       "List or change the remotes a repository knows."});
  auto& args = flags.args();
  git_repository* repo = open_repo();
  if (args.empty()) {
    git_strarray names = {};
    check(git_remote_list(&names, repo), "remote");
    for (size_t i = 0; i < names.count; i++) {
      if (!flags.has('v')) {
        out().printf("%s\n", names.strings[i]);
        continue;
      }
      git_remote* r = nullptr;
      check(git_remote_lookup(&r, repo, names.strings[i]), names.strings[i]);
      const char* push = git_remote_pushurl(r) ? git_remote_pushurl(r) : git_remote_url(r);
      out().printf("%s\t%s (fetch)\n%s\t%s (push)\n", names.strings[i], git_remote_url(r), names.strings[i], push);
      git_remote_free(r);
    }
    git_strarray_dispose(&names);
  } else if (args[0] == "add" && args.size() == 3) {
    git_remote* r = nullptr;
    check(git_remote_create(&r, repo, args[1].c_str(), args[2].c_str()), "remote add " + args[1]);
    git_remote_free(r);
  } else if ((args[0] == "remove" || args[0] == "rm") && args.size() == 2) {
    check(git_remote_delete(repo, args[1].c_str()), "remote " + args[1]);
  } else if (args[0] == "rename" && args.size() == 3) {
    git_strarray problems = {};
    check(git_remote_rename(&problems, repo, args[1].c_str(), args[2].c_str()), "remote " + args[1]);
    git_strarray_dispose(&problems);
  } else if (args[0] == "get-url" && args.size() == 2) {
    git_remote* r = nullptr;
    check(git_remote_lookup(&r, repo, args[1].c_str()), "remote " + args[1]);
    out().printf("%s\n", git_remote_url(r));
    git_remote_free(r);
  } else if (args[0] == "set-url" && args.size() == 3) {
    check(git_remote_set_url(repo, args[1].c_str(), args[2].c_str()), "remote " + args[1]);
  } else {
    flags.usage();
  }
  git_repository_free(repo);
  return 0;
}

}  // namespace web9::git
