// rc's OS interface on a POSIX host (the native rc_native build): fork, exec, waitpid and
// signals, with exit statuses turned into Plan 9 strings as 9base's rc does.
#ifndef __wasi__

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>

#include "shell/os.h"

extern char** environ;

namespace rc::os {

namespace {

volatile sig_atomic_t g_interrupted = 0;

void on_sigint(int) { g_interrupted = 1; }

// Gives the child exactly the descriptors in `fds`: copy each source out of the way first so
// overlapping maps (0<-1, 1<-0) work, then place them.
void apply_fds(const std::vector<FdMap>& fds) {
  std::vector<int> tmp;
  for (auto& m : fds) tmp.push_back(fcntl(m.parent, F_DUPFD, 100));
  for (size_t i = 0; i < fds.size(); i++)
    if (tmp[i] >= 0) dup2(tmp[i], fds[i].child);
  std::vector<int> keep;
  for (size_t i = 0; i < fds.size(); i++)
    if (tmp[i] >= 0) keep.push_back(fds[i].child);
  close_all_but(keep);
}

std::string status_of(int st) {
  if (WIFEXITED(st)) {
    int code = WEXITSTATUS(st);
    return code == 0 ? "" : std::to_string(code);
  }
  if (WIFSIGNALED(st)) {
    int sig = WTERMSIG(st);
    if (sig == SIGINT) return "interrupt";
    return std::string("sys: ") + strsignal(sig);
  }
  return "unknown";
}

}  // namespace

int spawn(const std::string& path, const std::vector<std::string>& argv,
          const std::vector<std::string>& env, const std::vector<FdMap>& fds, Namespace) {
  std::vector<char*> av, ev;
  for (auto& a : argv) av.push_back(const_cast<char*>(a.c_str()));
  av.push_back(nullptr);
  for (auto& e : env) ev.push_back(const_cast<char*>(e.c_str()));
  ev.push_back(nullptr);
  int errpipe[2];
  if (::pipe(errpipe) < 0) return -1;
  fcntl(errpipe[1], F_SETFD, FD_CLOEXEC);
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(errpipe[0]);
    ::close(errpipe[1]);
    return -1;
  }
  if (pid == 0) {
    signal(SIGINT, SIG_DFL);
    signal(SIGQUIT, SIG_DFL);
    int ep = fcntl(errpipe[1], F_DUPFD_CLOEXEC, 200);
    std::vector<FdMap> all = fds;
    apply_fds(all);
    // apply_fds closed everything else; the error pipe survives as `ep` only if kept.
    execve(path.c_str(), av.data(), ev.data());
    int e = errno;
    if (ep >= 0) (void)!::write(ep, &e, sizeof e);
    _exit(1);
  }
  ::close(errpipe[1]);
  int e = 0;
  long n = ::read(errpipe[0], &e, sizeof e);
  ::close(errpipe[0]);
  if (n == sizeof e) {
    int st;
    waitpid(pid, &st, 0);
    errno = e;
    return -1;
  }
  return pid;
}

int wait(int pid, std::string& status) {
  for (;;) {
    int st;
    pid_t p = waitpid(pid, &st, 0);
    if (p < 0) {
      if (errno == EINTR) {
        if (g_interrupted) return -2;
        continue;
      }
      return -1;
    }
    status = status_of(st);
    return p;
  }
}

bool can_fork() { return getenv("WEB9_RC_NOFORK") == nullptr; }

int fork() {
  pid_t p = ::fork();
  if (p == 0) {
    signal(SIGINT, SIG_DFL);
    g_interrupted = 0;
  }
  return p;
}

void close_all_but(const std::vector<int>& keep) {
  int max = static_cast<int>(sysconf(_SC_OPEN_MAX));
  if (max < 0 || max > 4096) max = 4096;
  for (int fd = 0; fd < max; fd++)
    if (std::find(keep.begin(), keep.end(), fd) == keep.end() && fcntl(fd, F_GETFD) >= 0 &&
        !(fcntl(fd, F_GETFD) & FD_CLOEXEC))
      ::close(fd);
}

int pipe(int fds[2]) { return ::pipe(fds); }

int open(const std::string& path, OpenMode mode) {
  switch (mode) {
    case read_only: return ::open(path.c_str(), O_RDONLY);
    case write_trunc: return ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
    case write_append: return ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0666);
    case read_write: return ::open(path.c_str(), O_RDWR | O_CREAT, 0666);
  }
  return -1;
}

int close(int fd) { return ::close(fd); }
long read(int fd, void* buf, unsigned long n) {
  for (;;) {
    long r = ::read(fd, buf, n);
    if (r < 0 && errno == EINTR && !g_interrupted) continue;
    return r;
  }
}
long write(int fd, const void* buf, unsigned long n) { return ::write(fd, buf, n); }

int keep_private(int fd) {
  int n = fcntl(fd, F_DUPFD_CLOEXEC, 60);
  if (n < 0) return fd;
  ::close(fd);
  return n;
}

int chdir(const std::string& dir) { return ::chdir(dir.c_str()); }

std::string getcwd() {
  char buf[4096];
  if (!::getcwd(buf, sizeof buf)) return "";
  return buf;
}

bool readdir(const std::string& dir, std::vector<std::string>& names) {
  DIR* d = opendir(dir.empty() ? "." : dir.c_str());
  if (!d) return false;
  while (struct dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  closedir(d);
  return true;
}

bool exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

bool is_dir(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_executable(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && !S_ISDIR(st.st_mode) && access(path.c_str(), X_OK) == 0;
}

int temp_file(std::string& path) {
  char name[] = "/tmp/rcXXXXXX";
  int fd = mkstemp(name);
  if (fd >= 0) path = name;
  return fd;
}

int unlink(const std::string& path) { return ::unlink(path.c_str()); }

int getpid() { return ::getpid(); }

std::string errstr() { return strerror(errno); }

void exits(const std::string& status) {
  if (status.empty()) _exit(0);
  // 9base: a status starting with digits exits with that number ("3x" -> 3), others with 1.
  long n = atol(status.c_str());
  if (status[0] >= '0' && status[0] <= '9' && n > 0 && n < 256) _exit(static_cast<int>(n));
  _exit(1);
}

std::string self_path() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "/bin/rc";
  buf[n] = 0;
  return buf;
}

std::vector<std::string> environment() {
  std::vector<std::string> out;
  for (char** e = environ; *e; e++) out.push_back(*e);
  return out;
}

void catch_interrupts(bool interactive) {
  struct sigaction sa {};
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a wait is interrupted so rc can return to its prompt
  sigaction(SIGINT, &sa, nullptr);
  if (interactive) signal(SIGQUIT, SIG_IGN);
}

bool take_interrupt() {
  if (!g_interrupted) return false;
  g_interrupted = 0;
  return true;
}

bool isatty(int fd) { return ::isatty(fd); }

size_t columns() {
  struct winsize ws {};
  return ::ioctl(2, TIOCGWINSZ, &ws) == 0 ? ws.ws_col : 0;
}

void raw_mode(bool on) {
  static struct termios saved;
  static bool have = false;
  if (on) {
    if (tcgetattr(0, &saved) < 0) return;
    have = true;
    struct termios t = saved;
    t.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO | ISIG | IEXTEN);
    t.c_iflag &= ~static_cast<tcflag_t>(ICRNL | IXON);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    tcsetattr(0, TCSADRAIN, &t);
  } else if (have) {
    tcsetattr(0, TCSADRAIN, &saved);
  }
}

}  // namespace rc::os

#endif  // __wasi__
