// git config [--global] name [value] | [--global] --unset name | [--global] -l|--list: read, set,
// remove or list configuration. Without --global the repository's .git/config is written and
// every level is read; --global is $HOME/.gitconfig ($home/.gitconfig in rc, see main.cpp).
#include <cstdlib>

#include "git.h"
#include "output.h"
#include "prog.h"

namespace web9::git {

namespace {

git_config* global_config() {
  const char* home = std::getenv("HOME");
  if (!home || !*home)
    die("config", "no $home for the global configuration");
  std::string file = std::string(home) + (std::string_view(home).ends_with("/") ? "" : "/") + ".gitconfig";
  git_config* cfg = nullptr;
  check(git_config_open_ondisk(&cfg, file.c_str()), file);
  return cfg;
}

}  // namespace

int cmd_config(int argc, char** argv) {
  std::vector<bool> seen;
  Flags flags = parse(argc, argv,
                      {"l", "[--global] name [value] | [--global] --unset name | [--global] -l|--list",
                       "Read, set, remove or list configuration variables."},
                      {"--global", "--list", "--unset"}, &seen);
  bool global = seen[0];
  bool listing = flags.has('l') || seen[1];
  bool unset = seen[2];
  auto& args = flags.args();
  if (listing ? !args.empty() : unset ? args.size() != 1 : args.empty() || args.size() > 2)
    flags.usage();
  bool writing = unset || args.size() == 2;

  git_repository* repo = nullptr;
  git_config* cfg = nullptr;
  if (global) {
    cfg = global_config();
  } else {
    int err = git_repository_open_ext(&repo, ".", 0, nullptr);
    if (err == GIT_ENOTFOUND && !writing) {
      git_error_clear();
      check(git_config_open_default(&cfg), "config");
    } else {
      if (err == GIT_ENOTFOUND)
        git_repository_free(open_repo());  // reports "not a git repository"
      check(err, "repository");
      git_config* all = nullptr;
      check(git_repository_config(&all, repo), "config");
      if (writing) {
        check(git_config_open_level(&cfg, all, GIT_CONFIG_LEVEL_LOCAL), "config");
        git_config_free(all);
      } else {
        cfg = all;
      }
    }
  }

  int status = 0;
  if (listing) {
    git_config_iterator* it = nullptr;
    check(git_config_iterator_new(&it, cfg), "config");
    git_config_entry* e = nullptr;
    while (git_config_next(&e, it) == 0)
      out().printf("%s=%s\n", e->name, e->value ? e->value : "");
    git_error_clear();
    git_config_iterator_free(it);
  } else if (unset) {
    int err = git_config_delete_entry(cfg, args[0].c_str());
    if (err == GIT_ENOTFOUND) {
      git_error_clear();
      status = 5;  // git's status for an absent key
    } else {
      check(err, "config " + args[0]);
    }
  } else if (args.size() == 2) {
    check(git_config_set_string(cfg, args[0].c_str(), args[1].c_str()), "config " + args[0]);
  } else {
    git_buf value = GIT_BUF_INIT;
    int err = git_config_get_string_buf(&value, cfg, args[0].c_str());
    if (err == GIT_ENOTFOUND) {
      git_error_clear();
      status = 1;  // as git: no output, status 1
    } else {
      check(err, "config " + args[0]);
      out().printf("%s\n", value.ptr);
    }
    git_buf_dispose(&value);
  }
  git_config_free(cfg);
  git_repository_free(repo);
  return status;
}

}  // namespace web9::git
