// git github (and /bin/github): the GitHub-synced file system (docs/git.md).
//   github [-u url] OWNER/REPO | URL   clone once into $home/lib/github/OWNER/REPO, bind the
//                                      working tree at /n/github/OWNER/REPO, serve its ctl and
//                                      status in /mnt/github/OWNER/REPO
//   github -r                          bring every tree back (after a reload; /lib/profile runs it)
//   github -l                          list the trees and how each stands
// The sync server is this program with -i: a lib9p server on a pipe, posted as /srv/github and
// mounted on /mnt/github, holding every tree. -t is its clock: it writes "tick" to
// /mnt/github/ctl every two seconds, which drives auto sync and retries.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <deque>
#include <map>
#include <memory>
#include <string>

#include "git.h"
#include "lib9p.h"
#include "netcmd.h"
#include "output.h"
#include "prog.h"
#include "spawn.h"
#include "sync.h"
#include "web9_abi.h"

namespace web9::git {
namespace {

constexpr const char* kMount = "/mnt/github";
constexpr const char* kSrv = "/srv/github";
constexpr int kTickSeconds = 2;
constexpr int kIdleSeconds = 3;     // auto: sync once the tree has not changed for this long
constexpr int kPullSeconds = 30;    // auto: look for remote changes this often
constexpr int kRetrySeconds = 10;   // a failed sync is tried again after this
constexpr size_t kLogLines = 200;

std::string home() {
  const char* h = std::getenv("home");
  if (!h || !*h) h = std::getenv("HOME");
  return h && *h ? h : "/usr/glenda";
}
std::string store_dir() { return home() + "/lib/github"; }

bool is_dir(const std::string& p) {
  struct stat sb;
  return ::stat(p.c_str(), &sb) == 0 && S_ISDIR(sb.st_mode);
}
bool exists(const std::string& p) {
  struct stat sb;
  return ::stat(p.c_str(), &sb) == 0;
}
// mkdir -p; true if dir exists afterwards.
bool make_dirs(const std::string& dir) {
  for (size_t at = 1; at <= dir.size(); at++) {
    if (at == dir.size() || dir[at] == '/') {
      std::string p = dir.substr(0, at);
      if (!exists(p) && ::mkdir(p.c_str(), 0775) < 0 && errno != EEXIST) return false;
    }
  }
  return is_dir(dir);
}

bool write_file(const std::string& path, const std::string& text, std::string* err) {
  int fd = ::open(path.c_str(), O_WRONLY);
  if (fd < 0) return *err = std::strerror(errno), false;
  ssize_t n = ::write(fd, text.data(), text.size());
  if (n != static_cast<ssize_t>(text.size())) {
    char buf[256];
    uint32_t len = 0;
    *err = web9_errstr(buf, sizeof buf, &len) == 0 && len ? std::string(buf, len) : std::strerror(errno);
    ::close(fd);
    return false;
  }
  ::close(fd);
  return true;
}

// OWNER/REPO from "OWNER/REPO", "https://host/OWNER/REPO(.git)"; the URL to clone from.
bool parse_target(const std::string& arg, const char* url_flag, std::string& key, std::string& url) {
  std::string path = arg;
  bool is_url = arg.find("://") != std::string::npos;
  if (is_url) path = arg.substr(arg.find('/', arg.find("://") + 3) == std::string::npos ? arg.size()
                                                                                       : arg.find('/', arg.find("://") + 3) + 1);
  while (!path.empty() && path.back() == '/') path.pop_back();
  if (path.size() > 4 && path.compare(path.size() - 4, 4, ".git") == 0) path.resize(path.size() - 4);
  size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == path.size()) return false;
  size_t owner_start = path.rfind('/', slash - 1);
  owner_start = owner_start == std::string::npos ? 0 : owner_start + 1;
  std::string owner = path.substr(owner_start, slash - owner_start), repo = path.substr(slash + 1);
  for (const std::string& part : {owner, repo})
    if (part.empty() || part == "." || part == ".." || part.find_first_of(" \t\n'\"") != std::string::npos) return false;
  key = owner + "/" + repo;
  url = url_flag ? url_flag : is_url ? arg : "https://github.com/" + key + ".git";
  return true;
}

// ---- the server (-i) ----

struct Tracked {
  git_repository* repo = nullptr;
  SyncState st;
  std::string status_text;
  std::deque<std::string> log;
  std::string fingerprint;  // the changed files and their sizes/mtimes at the last tick
  time_t since = 0;         // when the fingerprint last changed
  time_t next_pull = 0;
  time_t next_retry = 0;
};

std::map<std::string, std::unique_ptr<Tracked>> g_trees;
Tracked* g_current = nullptr;  // whose log progress lines go to

void log_line(const std::string& line) {
  if (!g_current) return;
  char stamp[32];
  time_t now = std::time(nullptr);
  std::strftime(stamp, sizeof stamp, "%H:%M:%S ", std::gmtime(&now));
  g_current->log.push_back(stamp + line);
  while (g_current->log.size() > kLogLines) g_current->log.pop_front();
}

std::string fingerprint(Tracked& t) {
  std::string fp;
  const char* wd = git_repository_workdir(t.repo);
  for (const auto& c : t.st.changed) {
    struct stat sb{};
    std::string path = std::string(wd ? wd : "") + c.substr(2);
    ::stat(path.c_str(), &sb);
    fp += c + " " + std::to_string(sb.st_size) + " " + std::to_string(sb.st_mtime) + "\n";
  }
  return fp;
}

Result<void> run_sync(Tracked& t, bool push) {
  g_current = &t;
  int e = push ? sync(t.repo, t.st, log_line) : pull(t.repo, t.st, log_line);
  if (!push) save_state(t.repo, t.st);
  g_current = nullptr;
  time_t now = std::time(nullptr);
  t.next_pull = now + kPullSeconds;
  if (e < 0) {
    log_line("failed: " + t.st.error);
    t.next_retry = now + kRetrySeconds;
    return Error(Errc::io, t.st.error.empty() ? last_error() : t.st.error);
  }
  t.next_retry = 0;
  return {};
}

// One tick of the clock: auto sync for idle trees, periodic pulls, retries after failures.
void tick() {
  time_t now = std::time(nullptr);
  for (auto& [key, tp] : g_trees) {
    Tracked& t = *tp;
    bool retry = !t.st.error.empty() && t.next_retry && now >= t.next_retry;
    // A tree with auto off and nothing to retry costs nothing per tick (no status walk).
    if (!t.st.autosync && !retry) continue;
    if (refresh(t.repo, t.st) < 0) continue;
    std::string fp = fingerprint(t);
    if (fp != t.fingerprint) {
      t.fingerprint = fp;
      t.since = now;
    }
    bool idle = !t.st.changed.empty() && now - t.since >= kIdleSeconds;
    bool due = t.st.autosync && (now >= t.next_pull || t.st.ahead > 0) && t.st.conflicts.empty();
    if (idle || retry || (due && t.st.changed.empty())) (void)run_sync(t, true);
  }
}

Result<Bytes> slice(const std::string& text, uint64_t offset, uint32_t count) {
  if (offset >= text.size()) return Bytes{};
  size_t n = std::min<size_t>(count, text.size() - offset);
  return Bytes(text.begin() + static_cast<long>(offset), text.begin() + static_cast<long>(offset + n));
}

std::string trim(const Bytes& data) {
  std::string s(data.begin(), data.end());
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

constexpr const char* kTreeCtlHelp = "sync\npull\nauto on\nauto off\n";

Result<void> add_tree(p9::Tree& tree, const std::string& key) {
  if (g_trees.count(key)) return {};
  std::string dir = store_dir() + "/" + key;
  git_repository* repo = nullptr;
  if (git_repository_open(&repo, dir.c_str()) < 0) return Error(Errc::noent, key + ": " + last_error());
  auto t = std::make_unique<Tracked>();
  t->repo = repo;
  load_state(repo, t->st);
  t->since = std::time(nullptr);
  t->next_retry = t->st.error.empty() ? 0 : t->since;  // a sync that failed before a reload
  Tracked* tp = t.get();
  g_trees[key] = std::move(t);

  size_t slash = key.find('/');
  std::string owner = key.substr(0, slash), name = key.substr(slash + 1);
  p9::FileRef odir = tree.root()->child(owner);
  if (!odir) odir = TRY(tree.add(tree.root(), owner, DMDIR | 0775));
  p9::FileRef rdir = TRY(tree.add(odir, name, DMDIR | 0775));
  p9::FileRef ctl = TRY(tree.add(rdir, "ctl", 0664));
  ctl->read = [](uint64_t off, uint32_t n) { return slice(kTreeCtlHelp, off, n); };
  ctl->write = [tp](uint64_t, const Bytes& data) -> Result<uint32_t> {
    std::string cmd = trim(data);
    if (cmd == "sync") TRY(run_sync(*tp, true));
    else if (cmd == "pull") TRY(run_sync(*tp, false));
    else if (cmd == "auto on" || cmd == "auto off") {
      tp->st.autosync = cmd == "auto on";
      save_state(tp->repo, tp->st);
      log_line(cmd);
    } else return Error(Errc::inval, "unknown ctl message '" + cmd + "': sync, pull, auto on, auto off");
    return static_cast<uint32_t>(data.size());
  };
  p9::FileRef status = TRY(tree.add(rdir, "status", 0444));
  status->read = [tp](uint64_t off, uint32_t n) -> Result<Bytes> {
    if (off == 0) {
      refresh(tp->repo, tp->st);
      tp->status_text = format_status(tp->st);
    }
    return slice(tp->status_text, off, n);
  };
  p9::FileRef logf = TRY(tree.add(rdir, "log", 0444));
  Tracked* lp = tp;
  logf->read = [lp](uint64_t off, uint32_t n) -> Result<Bytes> {
    static std::string text;
    if (off == 0) {
      text.clear();
      for (const auto& l : lp->log) text += l + "\n";
    }
    return slice(text, off, n);
  };
  return {};
}

int serve_fd0() {
  const char* user = std::getenv("user");
  p9::Srv srv;
  srv.tree = std::make_shared<p9::Tree>(user && *user ? user : "glenda", DMDIR | 0775);
  srv.tree->writable = false;
  p9::Tree& tree = *srv.tree;
  p9::FileRef ctl = tree.add(tree.root(), "ctl", 0664).value();
  ctl->read = [](uint64_t off, uint32_t n) { return slice("add OWNER/REPO\ntick\n", off, n); };
  ctl->write = [&tree](uint64_t, const Bytes& data) -> Result<uint32_t> {
    std::string cmd = trim(data);
    if (cmd == "tick") tick();
    else if (cmd.rfind("add ", 0) == 0) TRY(add_tree(tree, cmd.substr(4)));
    else return Error(Errc::inval, "unknown ctl message '" + cmd + "': add OWNER/REPO, tick");
    return static_cast<uint32_t>(data.size());
  };
  if (int e = p9::serve(srv, 0)) die("serving", reason(e));
  return 0;
}

// -t: the server's clock. Ends when the server is gone.
int ticker() {
  for (;;) {
    ::sleep(kTickSeconds);
    std::string err;
    if (!write_file(std::string(kMount) + "/ctl", "tick", &err) && !exists(kSrv)) return 0;
  }
}

// ---- the client ----

int32_t spawn_self(const char* argv0, const char* args, size_t args_len, const int32_t* fds, uint32_t nfds) {
  std::string path = find_program(argv0);
  if (path.empty()) path = find_program("git");
  if (path.empty()) return ENOENT;
  int32_t pid = -1;
  return web9_spawn(path.data(), static_cast<uint32_t>(path.size()), args, static_cast<uint32_t>(args_len), nullptr, 0,
                    fds, nfds, WEB9_SPAWN_NEW_NOTEGROUP, &pid);
}

// Starts the server unless /mnt/github is served already.
void ensure_server(const char* argv0) {
  if (exists(std::string(kMount) + "/ctl")) return;
  if (!make_dirs(kMount)) die(kMount, std::strerror(errno));
  int fd = ::open(kSrv, O_RDWR);
  if (fd < 0) {
    int32_t p[2];
    if (int32_t e = web9_pipe(p)) die("pipe", reason(e));
    static const char serve_args[] = "git\0github\0-i";
    const int32_t fds[] = {0, p[1], 2, 2};
    if (int32_t e = spawn_self(argv0, serve_args, sizeof serve_args, fds, 2)) die("starting the sync server", reason(e));
    ::close(p[1]);
    int post = ::open(kSrv, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (post >= 0) {
      std::string n = std::to_string(p[0]);
      if (::write(post, n.data(), n.size()) < 0) complain(kSrv, errno);
      ::close(post);
    }
    fd = p[0];
    static const char tick_args[] = "git\0github\0-t";
    const int32_t tfds[] = {2, 2};
    if (int32_t e = spawn_self(argv0, tick_args, sizeof tick_args, tfds, 1)) complain("starting the sync clock", reason(e));
  }
  if (int32_t e = web9_mount(fd, -1, kMount, static_cast<uint32_t>(std::strlen(kMount)), WEB9_MREPL, nullptr, 0))
    die(std::string("mount ") + kMount, sys_reason(e));
  ::close(fd);
}

void attach_tree(const char* argv0, const std::string& key) {
  ensure_server(argv0);
  std::string err;
  if (!write_file(std::string(kMount) + "/ctl", "add " + key, &err)) die(key, err);
  std::string where = "/n/github/" + key;
  if (!make_dirs(where)) die(where, std::strerror(errno));
  std::string from = store_dir() + "/" + key;
  if (int32_t e = web9_bind(from.data(), static_cast<uint32_t>(from.size()), where.data(),
                            static_cast<uint32_t>(where.size()), WEB9_MREPL | WEB9_MCREATE))
    die("bind " + where, sys_reason(e));
}

void clone_into(const std::string& url, const std::string& dir) {
  if (!make_dirs(dir.substr(0, dir.rfind('/')))) die(dir, std::strerror(errno));
  std::fprintf(stderr, "Cloning %s into %s\n", url.c_str(), dir.c_str());
  git_clone_options opts = GIT_CLONE_OPTIONS_INIT;
  progress_callbacks(opts.fetch_opts.callbacks, url);
  opts.fetch_opts.callbacks.update_tips = nullptr;  // a clone lists no refs
  checkout_progress(opts.checkout_opts);
  git_repository* repo = nullptr;
  if (git_clone(&repo, url.c_str(), dir.c_str(), &opts) < 0) {
    std::string why = lasterr();
    die(url, why);
  }
  git_repository_free(repo);
}

int list() {
  DIR* owners = ::opendir(store_dir().c_str());
  if (!owners) return 0;
  while (dirent* o = ::readdir(owners)) {
    if (o->d_name[0] == '.') continue;
    std::string odir = store_dir() + "/" + o->d_name;
    DIR* repos = ::opendir(odir.c_str());
    if (!repos) continue;
    while (dirent* r = ::readdir(repos)) {
      if (r->d_name[0] == '.') continue;
      std::string key = std::string(o->d_name) + "/" + r->d_name;
      git_repository* repo = nullptr;
      if (git_repository_open(&repo, (odir + "/" + r->d_name).c_str()) < 0) continue;
      SyncState st;
      load_state(repo, st);
      refresh(repo, st);
      out().printf("%s\t%s ahead %d behind %d changed %zu conflicts %zu%s%s\n", key.c_str(), st.branch.c_str(), st.ahead,
                   st.behind, st.changed.size(), st.conflicts.size(), st.error.empty() ? "" : " error: ",
                   st.error.c_str());
      git_repository_free(repo);
    }
    ::closedir(repos);
  }
  ::closedir(owners);
  return 0;
}

int restore(const char* argv0) {
  DIR* owners = ::opendir(store_dir().c_str());
  if (!owners) return 0;
  std::vector<std::string> keys;
  while (dirent* o = ::readdir(owners)) {
    if (o->d_name[0] == '.') continue;
    std::string odir = store_dir() + "/" + o->d_name;
    DIR* repos = ::opendir(odir.c_str());
    if (!repos) continue;
    while (dirent* r = ::readdir(repos))
      if (r->d_name[0] != '.' && is_dir(odir + "/" + r->d_name + "/.git"))
        keys.push_back(std::string(o->d_name) + "/" + r->d_name);
    ::closedir(repos);
  }
  ::closedir(owners);
  for (const auto& k : keys) attach_tree(argv0, k);
  return 0;
}

}  // namespace

int cmd_github(int argc, char** argv) {
  Flags flags = parse(argc, argv,
                      {"irltu:", "[-u url] OWNER/REPO | URL; -r; -l",
                       "Clone a GitHub repository into the persistent home and keep it in sync: the tree is at "
                       "/n/github/OWNER/REPO, its ctl (sync, pull, auto on|off) and status in /mnt/github/OWNER/REPO."});
  if (flags.has('i')) return serve_fd0();
  if (flags.has('t')) return ticker();
  if (flags.has('l')) return list();
  if (flags.has('r')) return restore(argv[0]);
  if (flags.args().size() != 1) flags.usage();
  std::string key, url;
  if (!parse_target(flags.args()[0], flags.value('u'), key, url))
    die(flags.args()[0], "not OWNER/REPO or a repository URL");
  std::string dir = store_dir() + "/" + key;
  if (!is_dir(dir + "/.git")) clone_into(url, dir);
  attach_tree(argv[0], key);
  out().printf("/n/github/%s (sync: echo sync > %s/%s/ctl; state: cat %s/%s/status)\n", key.c_str(), kMount,
               key.c_str(), kMount, key.c_str());
  return 0;
}

}  // namespace web9::git
