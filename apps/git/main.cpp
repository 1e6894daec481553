// git: a version control program on libgit2 (apps/git/git.h): the local commands (init, add, rm,
// mv, commit, log, status, diff, show, branch, checkout, switch, config) and the network ones
// through /net/web (clone, fetch, pull, push, remote); each command answers --help.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "git.h"
#include "output.h"
#include "prog.h"
#include "transport.h"

using namespace web9;
using namespace web9::git;

namespace {

const Command kCommands[] = {
    {"add", cmd_add, "Add files' contents to the index."},
    {"branch", cmd_branch, "List, create, delete or rename branches."},
    {"checkout", cmd_checkout, "Switch branches, or restore files from the index or a commit."},
    {"clone", cmd_clone, "Copy a repository over the network and check it out."},
    {"commit", cmd_commit, "Record the index as a new commit on the current branch."},
    {"config", cmd_config, "Read, set, remove or list configuration variables."},
    {"diff", cmd_diff, "Show changes between the work tree, the index and commits."},
    {"fetch", cmd_fetch, "Download objects and refs from a remote."},
    {"github", cmd_github, "Keep a clone of a GitHub repository in sync (also /bin/github)."},
    {"init", cmd_init, "Create an empty repository."},
    {"log", cmd_log, "Show the commits reachable from HEAD, newest first."},
    {"mv", cmd_mv, "Move or rename a tracked file or directory."},
    {"pull", cmd_pull, "Fetch from a remote and merge its branch into this one."},
    {"push", cmd_push, "Send commits to a remote and update its branches."},
    {"remote", cmd_remote, "List or change the remotes a repository knows."},
    {"rm", cmd_rm, "Remove files from the index and the work tree."},
    {"show", cmd_show, "Show a commit and its patch, or a file as a commit has it."},
    {"status", cmd_status, "Show what is staged, changed and untracked."},
    {"switch", cmd_switch, "Switch to a branch, a new branch, or a detached commit."},
};

const char kUsage[] = "[--version] [--help] command [arg ...]";

void help() {
  out().printf("usage: git %s\nVersion control (libgit2 %s).\n\ncommands:\n", kUsage, LIBGIT2_VERSION);
  for (const auto& c : kCommands)
    out().printf("  %-8s %s\n", c.name, c.about);
  out().put("\n'git COMMAND --help' describes a command.\n");
}

// Options libgit2 needs in web9: no system configuration file; the global one in $HOME (rc calls
// it $home) if there is one; ownership checks off (WASI has no file owners); small pack windows,
// since without mmap each window is read into memory.
void setup() {
  if (!std::getenv("HOME") && std::getenv("home"))
    setenv("HOME", std::getenv("home"), 1);
  git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_SYSTEM, "");
  git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_PROGRAMDATA, "");
  if (!std::getenv("HOME")) {
    git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_GLOBAL, "");
    git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_XDG, "");
  }
  git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
  git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, static_cast<size_t>(4) << 20);
  git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, static_cast<size_t>(64) << 20);
  // http:// and https:// go through /net/web (transport.h), never a socket.
  if (web9::git::register_web_transports() < 0)
    die("libgit2", lasterr());
}

}  // namespace

int main(int argc, char** argv) {
  set_progname("git");
  if (argc < 2) {
    std::fprintf(stderr, "usage: git %s\n", kUsage);
    return 1;
  }
  if (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "help") == 0) {
    help();
    return 0;
  }
  if (std::strcmp(argv[1], "--version") == 0 || std::strcmp(argv[1], "version") == 0) {
    out().printf("git version libgit2 %s (web9)\n", LIBGIT2_VERSION);
    return 0;
  }
  for (const auto& c : kCommands) {
    if (std::strcmp(argv[1], c.name) != 0)
      continue;
    if (git_libgit2_init() < 0)
      die("libgit2", lasterr());
    setup();
    std::string name = std::string("git ") + c.name;
    argv[1] = name.data();
    int status = c.run(argc - 1, argv + 1);
    out().flush();
    git_libgit2_shutdown();
    return status != 0 ? status : exit_status();
  }
  die(argv[1], "not a git command (git --help lists them)");
}
