// The web9 calls for a native (host) build of the programs, which tests/rc/compare.test.mjs
// uses so that Plan 9's rc from 9base runs the same programs as web9's rc does. A host has no
// web9 kernel: every call fails with ENOSYS, as the programs expect on any other WASI host
// (cwd and errors then come from libc; spawn-based programs such as xargs report the failure).
// Under wasm32-wasi the calls are imports from the kernel and this file is empty.
#if !defined(__wasi__)

#include <cerrno>
#include <cstdlib>

#include "web9_abi.h"

extern "C" {

int32_t web9_spawn(const char*, uint32_t, const char*, uint32_t, const char*, uint32_t, const int32_t*, uint32_t,
                   uint32_t, int32_t*) {
  return ENOSYS;
}
int32_t web9_wait(int32_t*, char*, uint32_t, uint32_t*) { return ENOSYS; }
int32_t web9_pipe(int32_t[2]) { return ENOSYS; }
int32_t web9_dup(int32_t, int32_t, int32_t*) { return ENOSYS; }
int32_t web9_bind(const char*, uint32_t, const char*, uint32_t, uint32_t) { return ENOSYS; }
int32_t web9_mount(int32_t, int32_t, const char*, uint32_t, uint32_t, const char*, uint32_t) { return ENOSYS; }
int32_t web9_unmount(const char*, uint32_t, const char*, uint32_t) { return ENOSYS; }
int32_t web9_chdir(const char*, uint32_t) { return ENOSYS; }
int32_t web9_getcwd(char*, uint32_t, uint32_t*) { return ENOSYS; }
int32_t web9_note(int32_t, const char*, uint32_t) { return ENOSYS; }
int32_t web9_notify(uint32_t) { return ENOSYS; }
int32_t web9_noted(char*, uint32_t, uint32_t*) { return ENOSYS; }
int32_t web9_getpid(int32_t*) { return ENOSYS; }
int32_t web9_fd2path(int32_t, char*, uint32_t, uint32_t*) { return ENOSYS; }
int32_t web9_errstr(char*, uint32_t, uint32_t*) { return ENOSYS; }
void web9_exits(const char* status, uint32_t len) { std::exit(len == 0 ? 0 : 1); }

}  // extern "C"

#endif  // !__wasi__
