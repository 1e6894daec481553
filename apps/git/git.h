// git for web9: the command table and what the commands share (apps/git/common.cpp). Each
// command is one cmd_NAME.cpp defining int cmd_NAME(int argc, char** argv), with argv[0] its
// name ("git add"), listed in kCommands (main.cpp). libgit2 does the work; failures are reported
// as one line, "git: what: libgit2's message".
#pragma once

#include <git2.h>

#include <string>
#include <string_view>
#include <vector>

#include "flags.h"

namespace web9::git {

struct Command {
  const char* name;
  int (*run)(int argc, char** argv);
  const char* about;
};

int cmd_init(int argc, char** argv);
int cmd_add(int argc, char** argv);
int cmd_commit(int argc, char** argv);
int cmd_log(int argc, char** argv);
int cmd_status(int argc, char** argv);
int cmd_clone(int argc, char** argv);
int cmd_fetch(int argc, char** argv);
int cmd_pull(int argc, char** argv);
int cmd_push(int argc, char** argv);
int cmd_remote(int argc, char** argv);
int cmd_github(int argc, char** argv);
int cmd_rm(int argc, char** argv);
int cmd_mv(int argc, char** argv);
int cmd_diff(int argc, char** argv);
int cmd_show(int argc, char** argv);
int cmd_branch(int argc, char** argv);
int cmd_checkout(int argc, char** argv);
int cmd_switch(int argc, char** argv);
int cmd_config(int argc, char** argv);

// Parses a command's flags as Flags does, after taking out the long options in `longs`
// (each found one is recorded in `seen`, in the same order). Usage lines read "git NAME ...";
// reports afterwards read "git: ...".
Flags parse(int argc, char** argv, const FlagSpec& spec, const std::vector<const char*>& longs = {},
            std::vector<bool>* seen = nullptr);

// libgit2's last error as text ("" if none).
std::string lasterr();
// If err < 0, reports "git: what: libgit2's message" and returns true.
bool failed(int err, std::string_view what);
// The same, then exits 1.
void check(int err, std::string_view what);
// Reports "git: what: why" and exits 1.
[[noreturn]] void die(std::string_view what, std::string_view why);

// The repository the working directory is in (or under); reports and exits if there is none.
git_repository* open_repo();

// The signature for role "AUTHOR" or "COMMITTER": $GIT_<role>_NAME/EMAIL, else the
// repository's user.name/user.email, else web9 <web9@localhost>. The caller frees it.
git_signature* signature(git_repository* repo, const char* role);

// The branch HEAD names ("main"), or "HEAD" when it is detached.
std::string head_branch(git_repository* repo);

// An object id in hex, abbreviated to n digits.
std::string hex(const git_oid* id, size_t n = GIT_OID_HEXSZ);

// The working directory relative to the work tree's top, "" or ending in '/' ("src/").
std::string here(git_repository* repo);
// The repository path for a path named relative to the working directory ("." is the top or
// here; trailing slashes and ./ components go).
std::string repo_path(git_repository* repo, std::string_view path);

// What a revision (HEAD, main, abc1234, HEAD~2, v1^{tree}) names, peeled to type (GIT_OBJECT_ANY:
// as it is); reports "git: rev: unknown revision" and exits when there is none.
git_object* resolve(git_repository* repo, const std::string& rev, git_object_t type = GIT_OBJECT_COMMIT);

// The commit header `git log` prints (oneline: "abc1234 summary"); cmd_log.cpp.
void print_commit(git_commit* c, bool oneline);
// A commit's changes against its first parent (all of its tree for a root commit); nullptr for a
// merge, whose patch git shows as a combined diff (not done here). diff.cpp.
git_diff* commit_diff(git_repository* repo, git_commit* c);
// Rename detection as git does by default (diff.renames), then the patch as `git diff` prints it.
void print_patch(git_diff* diff);
// `git diff --stat`: "name | n +-" lines and the summary line.
void print_stat(git_diff* diff);

}  // namespace web9::git
