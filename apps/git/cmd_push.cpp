// git push [-u] [-f] [remote [branch...]]: send commits to a remote and update its branches.
#include <cstdio>

#include "git.h"
#include "netcmd.h"
#include "prog.h"

namespace web9::git {
namespace {

std::string g_rejected;
int on_ref(const char* ref, const char* status, void*) {
  std::string_view r = ref;
  std::string name(r.starts_with("refs/heads/") ? r.substr(11) : r);
  if (status) {
    std::fprintf(stderr, " ! [remote rejected] %s -> %s (%s)\n", name.c_str(), name.c_str(), status);
    g_rejected = name + ": " + status;
  }
  return 0;
}

}  // namespace

int cmd_push(int argc, char** argv) {
  std::vector<bool> seen;
  Flags flags = parse(argc, argv,
                      {"uf", "[-u] [-f] [remote [branch ...]]",
                       "Send commits to a remote (origin, or the branch's upstream) and update its branches. -u: make it "
                       "the branch's upstream; -f: allow a push that is not a fast-forward."},
                      {"--set-upstream", "--force"}, &seen);
  bool set_upstream = flags.has('u') || seen[0];
  bool force = flags.has('f') || seen[1];
  git_repository* repo = open_repo();
  std::string branch = head_branch(repo);
  git_remote* remote = lookup_remote(repo, flags.args().empty() ? "" : flags.args()[0]);
  std::vector<std::string> branches(flags.args().size() > 1 ? flags.args().begin() + 1 : flags.args().end(),
                                    flags.args().end());
  if (branches.empty()) {
    if (branch == "HEAD") die("push", "HEAD is detached: name the branch to push");
    branches.push_back(branch);
  }
  std::vector<std::string> specs;
  for (const auto& b : branches) {
    std::string src = b, dst = b;
    if (size_t colon = b.find(':'); colon != std::string::npos) {
      src = b.substr(0, colon);
      dst = b.substr(colon + 1);
    }
    auto full = [](const std::string& n) { return n.rfind("refs/", 0) == 0 ? n : "refs/heads/" + n; };
    specs.push_back(std::string(force ? "+" : "") + full(src) + ":" + full(dst));
  }
  std::vector<char*> ptrs;
  for (auto& s : specs) ptrs.push_back(s.data());
  git_strarray refspecs = {ptrs.data(), ptrs.size()};

  git_push_options opts = GIT_PUSH_OPTIONS_INIT;
  progress_callbacks(opts.callbacks, git_remote_url(remote));
  opts.callbacks.update_tips = nullptr;
  opts.callbacks.push_update_reference = on_ref;
  std::fprintf(stderr, "To %s\n", git_remote_url(remote));
  int err = git_remote_push(remote, &refspecs, &opts);
  if (err < 0) {
    std::string why = lasterr();
    if (why.find("non-fastforwardable") != std::string::npos || why.find("not present locally") != std::string::npos) {
      for (const auto& b : branches)
        std::fprintf(stderr, " ! [rejected]        %s -> %s (non-fast-forward)\n", b.c_str(), b.c_str());
      die("push", "rejected: the remote has commits you do not have; 'git pull' first, or push -f to overwrite them");
    }
    die(std::string("push ") + git_remote_name(remote), why);
  }
  if (!g_rejected.empty()) die("push", "rejected by the remote: " + g_rejected);
  for (const auto& b : branches) std::fprintf(stderr, "   %s -> %s\n", b.c_str(), b.c_str());
  if (set_upstream && git_remote_name(remote)) {
    git_config* cfg = nullptr;
    check(git_repository_config(&cfg, repo), "config");
    for (const auto& b : branches) {
      check(git_config_set_string(cfg, ("branch." + b + ".remote").c_str(), git_remote_name(remote)), "config");
      check(git_config_set_string(cfg, ("branch." + b + ".merge").c_str(), ("refs/heads/" + b).c_str()), "config");
      std::fprintf(stderr, "branch '%s' set up to track '%s/%s'.\n", b.c_str(), git_remote_name(remote), b.c_str());
    }
    git_config_free(cfg);
  }
  git_remote_free(remote);
  git_repository_free(repo);
  return 0;
}

}  // namespace web9::git
