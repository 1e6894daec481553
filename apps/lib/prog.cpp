// Program name, error reports and exit status for guest programs.
#include "prog.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

#include "web9_abi.h"

#ifdef __wasi__
// wasi-libc's working directory, an absolute path ("/" at start), which chdir sets.
extern "C" char* __wasilibc_cwd;
#endif

namespace web9 {

namespace {

// Under web9 a program starts in its parent's working directory, which only the kernel
// knows, while wasi-libc resolves relative paths against its own, "/" at start: tell it.
// The kernel's working directory is a directory by construction, so wasi-libc's own variable
// is set rather than calling chdir, which would first stat it: a round trip to the kernel at
// every program's start (the process answers web9_getcwd itself at start, docs/abi.md).
// Elsewhere web9_getcwd fails and "/" stays.
struct CwdSync {
  CwdSync() {
    char buf[1024];
    uint32_t len = 0;
    if (web9_getcwd(buf, sizeof buf - 1, &len) == 0 && len > 0 && len < sizeof buf) {
      buf[len] = '\0';
#ifdef __wasi__
      if (buf[0] == '/' && (__wasilibc_cwd = ::strdup(buf)) != nullptr) return;
#endif
      ::chdir(buf);
    }
  }
} g_cwd_sync;

std::string g_name = "prog";
bool g_failed = false;

// stderr is written unbuffered, line by line, so reports interleave sanely with output.
void write_stderr(std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::write(2, s.data(), s.size());
    if (n <= 0)
      return;
    s.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

const char* progname() { return g_name.c_str(); }

void set_progname(const char* argv0) {
  std::string_view s = argv0 ? argv0 : "prog";
  if (auto slash = s.rfind('/'); slash != std::string_view::npos)
    s.remove_prefix(slash + 1);
  if (s.size() > 5 && s.ends_with(".wasm"))
    s.remove_suffix(5);
  if (!s.empty())
    g_name = std::string(s);
}

// Plan 9's words for the errors a program meets, the same the kernel uses
// (kernel/result.cpp), so "cat: /x: file does not exist" reads alike under web9 and any
// other WASI host.
std::string reason(int err) {
  switch (err) {
    case EPERM: return "operation not permitted";
    case EACCES: return "permission denied";
    case ENOENT: return "file does not exist";
    case EEXIST: return "file already exists";
    case ENOTDIR: return "not a directory";
    case EISDIR: return "is a directory";
    case ENOTEMPTY: return "directory not empty";
    case EINVAL: return "bad arg in system call";
    case EBADF: return "fd out of range or not open";
    case EIO: return "i/o error";
    case ENOSPC: return "file system full";
    case EPIPE: return "write on closed pipe";
    case EINTR: return "interrupted";
    case ENOMEM: return "out of memory";
    case ENAMETOOLONG: return "file name too long";
    case EXDEV: return "cross-device link";
    case EBUSY: return "device or object already in use";
    case EROFS: return "read-only file system";
    case ENOSYS: return "not implemented";
    case ESRCH: return "process does not exist";
    case ECHILD: return "no living children";
#ifdef ENOTCAPABLE  // WASI's; a native build's libc has none
    case ENOTCAPABLE: return "permission denied";
#endif
    default: break;
  }
  std::string r = std::strerror(err);
  // Plan 9 reports read as phrases, not sentences; keep acronyms ("I/O") as they are.
  if (r.size() > 1 && r[0] >= 'A' && r[0] <= 'Z' && !(r[1] >= 'A' && r[1] <= 'Z') && r[1] != '/')
    r[0] = static_cast<char>(r[0] - 'A' + 'a');
  return r;
}

std::string sys_reason(int err) {
  char buf[256];
  uint32_t len = 0;
  if (web9_errstr(buf, sizeof buf, &len) == 0 && len > 0)
    return std::string(buf, len < sizeof buf ? len : sizeof buf);
  return reason(err);
}

void complain(std::string_view what, std::string_view why) {
  // The kernel's error text may name the file itself ("'/n/x/a' mount: server hung up"): once is enough.
  std::string quoted = "'" + std::string(what) + "' ";
  if (why.substr(0, quoted.size()) == quoted) why.remove_prefix(quoted.size());
  std::string line = g_name;
  line += ": ";
  line += what;
  line += ": ";
  line += why;
  line += '\n';
  write_stderr(line);
  g_failed = true;
}

void complain(std::string_view what, int err) { complain(what, reason(err)); }

void complain(std::string_view message) {
  std::string line = g_name;
  line += ": ";
  line += message;
  line += '\n';
  write_stderr(line);
  g_failed = true;
}

void fatal(std::string_view what, int err) {
  complain(what, err);
  std::exit(1);
}

void fatal(std::string_view message) {
  complain(message);
  std::exit(1);
}

bool failed() { return g_failed; }
void set_failed() { g_failed = true; }
int exit_status() { return g_failed ? 1 : 0; }

}  // namespace web9
