// rc's OS interface on web9 (wasm32-wasi): files through wasi-libc, processes, pipes, the kernel's
// working directory and notes through the web9 imports (apps/lib/web9_abi.h, docs/abi.md).
// There is no fork: can_fork() is false, so rc runs subshells by spawning itself with the
// command's text (rc -Z -c ...).
#if defined(__wasi__)

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>
#include <wasi/libc-environ.h>

#include <map>

#include "apps/lib/web9_abi.h"
#include "shell/os.h"

namespace rc::os {

namespace {

// An interrupt note arrived (and was taken with noted) but the shell has not asked yet.
bool g_interrupted = false;
bool g_notes_on = false;
// Children that ended while we were waiting for another one: pid -> status.
std::map<int, std::string> g_reaped;
int g_consctl = -1;

// web9 calls return a WASI errno; wasi-libc's errno values are the WASI ones.
int fail(int32_t e) {
  errno = e;
  return -1;
}

// Takes every pending note; an "interrupt" (or any note, as Plan 9's rc treats them) marks
// the shell interrupted.
void drain_notes() {
  char buf[256];
  for (;;) {
    uint32_t len = 0;
    if (web9_noted(buf, sizeof buf, &len) != 0) return;
    g_interrupted = true;
  }
}

bool fd_open(int fd) {
  __wasi_fdstat_t st;
  return __wasi_fd_fdstat_get(fd, &st) == 0;
}

// Syncs wasi-libc's user-space cwd (used to resolve relative paths) with the kernel's.
void sync_libc_cwd() {
  std::string cwd = getcwd();
  if (!cwd.empty()) ::chdir(cwd.c_str());
}

// Runs once before main: a spawned rc starts in its parent's kernel cwd, but libc thinks "/".
struct CwdInit {
  CwdInit() { sync_libc_cwd(); }
} g_cwd_init;

}  // namespace

int spawn(const std::string& path, const std::vector<std::string>& argv,
          const std::vector<std::string>& env, const std::vector<FdMap>& fds, Namespace ns) {
  std::string av, ev;
  for (auto& a : argv) av.append(a.c_str(), a.size() + 1);
  for (auto& e : env) ev.append(e.c_str(), e.size() + 1);
  std::vector<int32_t> fv;
  for (auto& m : fds) {
    fv.push_back(m.child);
    fv.push_back(m.parent);
  }
  uint32_t flags = WEB9_SPAWN_COPY_ENV;
  if (ns == Namespace::copy) flags |= WEB9_SPAWN_COPY_NS;
  int32_t pid = -1;
  int32_t e = web9_spawn(path.data(), static_cast<uint32_t>(path.size()), av.data(),
                         static_cast<uint32_t>(av.size()), ev.data(), static_cast<uint32_t>(ev.size()),
                         fv.data(), static_cast<uint32_t>(fds.size()), flags, &pid);
  if (e != 0) return fail(e);
  return pid;
}

int wait(int pid, std::string& status) {
  if (pid >= 0) {
    auto it = g_reaped.find(pid);
    if (it != g_reaped.end()) {
      status = it->second;
      g_reaped.erase(it);
      return pid;
    }
  } else if (!g_reaped.empty()) {
    auto it = g_reaped.begin();
    int p = it->first;
    status = it->second;
    g_reaped.erase(it);
    return p;
  }
  for (;;) {
    int32_t got = -1;
    char buf[256];
    uint32_t len = 0;
    int32_t e = web9_wait(&got, buf, sizeof buf, &len);
    if (e == __WASI_ERRNO_INTR) {
      drain_notes();
      return -2;
    }
    if (e != 0) return fail(e);
    std::string st(buf, len < sizeof buf ? len : sizeof buf);
    if (pid < 0 || got == pid) {
      status = st;
      return got;
    }
    g_reaped[got] = st;
  }
}

bool can_fork() { return false; }
int fork() { return fail(ENOSYS); }
// Only reached after fork, which web9 never does; spawn passes exactly the fds it is given.
void close_all_but(const std::vector<int>&) {}

int pipe(int fds[2]) {
  int32_t f[2];
  int32_t e = web9_pipe(f);
  if (e != 0) return fail(e);
  fds[0] = f[0];
  fds[1] = f[1];
  return 0;
}

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
  long r = ::read(fd, buf, n);
  if (r < 0 && errno == EINTR) drain_notes();
  return r;
}

long write(int fd, const void* buf, unsigned long n) { return ::write(fd, buf, n); }

// Children get only the descriptors rc lists for them, so there is no close-on-exec to set:
// just move the fd above the numbers scripts redirect.
int keep_private(int fd) {
  for (int n = 60; n < 256; n++) {
    if (fd_open(n)) continue;
    int32_t got = -1;
    if (web9_dup(fd, n, &got) != 0) return fd;
    ::close(fd);
    return got;
  }
  return fd;
}

int chdir(const std::string& dir) {
  int32_t e = web9_chdir(dir.data(), static_cast<uint32_t>(dir.size()));
  if (e != 0) return fail(e);
  // The kernel's answer is canonical (no "..", symlinks of binds resolved its way).
  sync_libc_cwd();
  return 0;
}

std::string getcwd() {
  std::string buf(256, '\0');
  for (;;) {
    uint32_t len = 0;
    int32_t e = web9_getcwd(buf.data(), static_cast<uint32_t>(buf.size()), &len);
    if (e == __WASI_ERRNO_RANGE && buf.size() < (1u << 20)) {
      buf.resize(buf.size() * 4);
      continue;
    }
    if (e != 0) {
      errno = e;
      return "";
    }
    buf.resize(len);
    return buf;
  }
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

// WASI has no execute permission: any file that is not a directory may be a program
// (a wasm module or a "#!" script); spawn says if it is not.
bool is_executable(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && !S_ISDIR(st.st_mode);
}

int temp_file(std::string& path) {
  static unsigned counter = 0;
  for (int tries = 0; tries < 100; tries++) {
    path = "/tmp/rc" + std::to_string(getpid()) + "." + std::to_string(counter++);
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd >= 0 || errno != EEXIST) return fd;
  }
  return -1;
}

int unlink(const std::string& path) { return ::unlink(path.c_str()); }

int getpid() {
  int32_t pid = 0;
  if (web9_getpid(&pid) != 0) return 0;
  return pid;
}

std::string errstr() {
  int saved = errno;
  char buf[256];
  uint32_t len = 0;
  // The kernel's text ("file does not exist: /x") is Plan 9's; libc's is the fallback.
  if (web9_errstr(buf, sizeof buf, &len) == 0 && len > 0)
    return std::string(buf, len < sizeof buf ? len : sizeof buf);
  return strerror(saved);
}

void exits(const std::string& status) {
  web9_exits(status.data(), static_cast<uint32_t>(status.size()));
  __builtin_unreachable();
}

std::string self_path() { return "/bin/rc"; }

std::vector<std::string> environment() {
  std::vector<std::string> out;
  char** env = __wasilibc_get_environ();
  for (char** e = env; e && *e; e++) out.push_back(*e);
  return out;
}

void catch_interrupts(bool) {
  if (!g_notes_on) g_notes_on = web9_notify(1) == 0;
}

bool take_interrupt() {
  if (g_notes_on) drain_notes();
  bool was = g_interrupted;
  g_interrupted = false;
  return was;
}

bool isatty(int fd) {
  __wasi_fdstat_t st;
  return __wasi_fd_fdstat_get(fd, &st) == 0 && st.fs_filetype == __WASI_FILETYPE_CHARACTER_DEVICE;
}

// Plan 9's console: raw mode lasts while /dev/consctl stays open with "rawon" written to it.
void raw_mode(bool on) {
  if (g_consctl < 0) {
    int fd = ::open("/dev/consctl", O_WRONLY);
    if (fd < 0) return;
    g_consctl = keep_private(fd);
  }
  const char* msg = on ? "rawon" : "rawoff";
  (void)!::write(g_consctl, msg, std::strlen(msg));
}

// Read afresh for each line, so a resized page is followed.
size_t columns() {
  int fd = ::open("/dev/winsize", O_RDONLY);
  if (fd < 0) return 0;
  char buf[32];
  long n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return 0;
  buf[n] = 0;
  long cols = std::strtol(buf, nullptr, 10);
  return cols > 0 ? static_cast<size_t>(cols) : 0;
}

}  // namespace rc::os

#endif  // __wasi__
