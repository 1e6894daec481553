// Progress and remote lookup for the network commands (netcmd.h).
#include "netcmd.h"

#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "git.h"

namespace web9::git {
namespace {

bool tty() { return ::isatty(2) == 1; }

struct Meter {
  const char* what = "";
  int last = -1;
  bool done = false;
  void show(const char* label, size_t cur, size_t total, const std::string& extra = "") {
    if (total == 0) return;
    if (what != label) {
      what = label;
      last = -1;
      done = false;
    }
    int pct = static_cast<int>(100.0 * static_cast<double>(cur) / static_cast<double>(total));
    bool end = cur >= total;
    if (done || (pct == last && !end)) return;
    last = pct;
    if (!tty() && !end) return;
    std::fprintf(stderr, "%s%s: %3d%% (%zu/%zu)%s%s", tty() ? "\r" : "", label, pct, cur, total, extra.c_str(),
                 end ? ", done.\n" : "");
    if (end) done = true;
  }
};
Meter g_meter;
std::string g_url;
bool g_from_shown = false;

std::string kib(size_t bytes) {
  char buf[48];
  if (bytes >= 1024 * 1024)
    std::snprintf(buf, sizeof buf, ", %.2f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  else
    std::snprintf(buf, sizeof buf, ", %zu KiB", bytes / 1024);
  return buf;
}

int on_transfer(const git_indexer_progress* p, void*) {
  if (p->received_objects < p->total_objects || p->total_deltas == 0)
    g_meter.show("Receiving objects", p->received_objects, p->total_objects, kib(p->received_bytes));
  else
    g_meter.show("Resolving deltas", p->indexed_deltas, p->total_deltas);
  return 0;
}

int on_sideband(const char* str, int len, void*) {
  std::fprintf(stderr, "remote: %.*s", len, str);
  if (len > 0 && str[len - 1] != '\n' && str[len - 1] != '\r') std::fputc('\n', stderr);
  return 0;
}

int on_push_transfer(unsigned int current, unsigned int total, size_t bytes, void*) {
  g_meter.show("Writing objects", current, total, kib(bytes));
  return 0;
}

int on_tip(const char* refname, const git_oid* a, const git_oid* b, void*) {
  if (!g_from_shown) {
    std::fprintf(stderr, "From %s\n", g_url.c_str());
    g_from_shown = true;
  }
  std::string_view name = refname;
  std::string shortname(name.starts_with("refs/remotes/") ? name.substr(13)
                        : name.starts_with("refs/tags/")  ? name.substr(10)
                                                          : name);
  std::string src = shortname.substr(shortname.find('/') == std::string::npos ? 0 : shortname.find('/') + 1);
  if (git_oid_is_zero(a))
    std::fprintf(stderr, " * [new %s]      %s -> %s\n", name.starts_with("refs/tags/") ? "tag" : "branch", src.c_str(),
                 shortname.c_str());
  else
    std::fprintf(stderr, "   %s..%s  %s -> %s\n", hex(a, 7).c_str(), hex(b, 7).c_str(), src.c_str(), shortname.c_str());
  return 0;
}

void on_checkout(const char*, size_t cur, size_t total, void*) { g_meter.show("Updating files", cur, total); }

}  // namespace

void progress_callbacks(git_remote_callbacks& cb, const std::string& url) {
  g_url = url;
  g_from_shown = false;
  cb.transfer_progress = on_transfer;
  cb.sideband_progress = on_sideband;
  cb.push_transfer_progress = on_push_transfer;
  cb.update_tips = on_tip;
}

void checkout_progress(git_checkout_options& opts) { opts.progress_cb = on_checkout; }

std::string upstream_remote(git_repository* repo, const std::string& branch) {
  git_config* cfg = nullptr;
  if (git_repository_config_snapshot(&cfg, repo) < 0) return "";
  const char* v = nullptr;
  std::string out;
  if (git_config_get_string(&v, cfg, ("branch." + branch + ".remote").c_str()) == 0) out = v;
  git_config_free(cfg);
  git_error_clear();
  return out;
}

git_remote* lookup_remote(git_repository* repo, const std::string& name) {
  std::string n = name;
  if (n.empty()) n = upstream_remote(repo, head_branch(repo));
  if (n.empty()) n = "origin";
  git_remote* remote = nullptr;
  if (git_remote_lookup(&remote, repo, n.c_str()) < 0) {
    if (git_remote_is_valid_name(n.c_str()) && n.find("://") == std::string::npos)
      die(n, "no such remote ('git remote -v' lists them)");
    // A URL: an anonymous remote, as git allows.
    check(git_remote_create_anonymous(&remote, repo, n.c_str()), n);
  }
  return remote;
}

}  // namespace web9::git
