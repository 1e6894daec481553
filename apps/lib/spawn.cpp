// spawn_and_wait over web9_spawn and web9_wait (see spawn.h).
#include "spawn.h"

#include <cerrno>
#include <cstdint>
#include <sys/stat.h>

#include "web9_abi.h"

namespace web9 {

namespace {

bool is_file(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && !S_ISDIR(st.st_mode);
}

}  // namespace

std::string find_program(const std::string& argv0) {
  if (argv0.empty())
    return "";
  std::string path = argv0.find('/') != std::string::npos ? argv0 : "/bin/" + argv0;
  return is_file(path) ? path : "";
}

SpawnResult spawn_and_wait(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  SpawnResult r;
  if (argv.empty()) {
    r.err = EINVAL;
    return r;
  }
  std::string path = find_program(argv[0]);
  if (path.empty()) {
    r.err = ENOENT;
    return r;
  }
  // Both lists go over as NUL-terminated strings back to back.
  std::string av, ev;
  for (auto& a : argv)
    av.append(a.c_str(), a.size() + 1);
  for (auto& e : env)
    ev.append(e.c_str(), e.size() + 1);
  const int32_t fds[] = {0, 0, 1, 1, 2, 2};
  int32_t pid = -1;
  int32_t e = web9_spawn(path.data(), static_cast<uint32_t>(path.size()), av.data(), static_cast<uint32_t>(av.size()),
                         ev.data(), static_cast<uint32_t>(ev.size()), fds, 3, WEB9_SPAWN_COPY_ENV, &pid);
  if (e != 0) {
    r.err = e;  // web9 calls answer WASI errnos, which are wasi-libc's errno values
    return r;
  }
  // Our only child is the one just started, but a wait may still end early on a note.
  for (;;) {
    int32_t got = -1;
    char buf[256];
    uint32_t len = 0;
    e = web9_wait(&got, buf, sizeof buf, &len);
    if (e == EINTR)
      continue;
    if (e != 0) {
      r.err = e;
      return r;
    }
    if (got == pid) {
      r.status.assign(buf, len < sizeof buf ? len : sizeof buf);
      return r;
    }
  }
}

}  // namespace web9
