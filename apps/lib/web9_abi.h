/* web9's own system calls: the "web9" WebAssembly import module (docs/abi.md), next to WASI
 * preview1. Plain C so C and C++ guests share it. Every call returns a WASI errno (0 success).
 * Strings are (pointer, length) pairs, not NUL-terminated. */
#ifndef WEB9_ABI_H
#define WEB9_ABI_H
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__wasi__)
#define WEB9_IMPORT(name) __attribute__((import_module("web9"), import_name(#name)))
#else
/* A native build of the programs (cmake/shell-native.cmake) links web9_abi_native.cpp. */
#define WEB9_IMPORT(name)
#endif

/* spawn flags */
#define WEB9_SPAWN_COPY_NS 1u       /* the child gets a copy of our namespace (else shares it) */
#define WEB9_SPAWN_COPY_ENV 2u      /* a copy of our environment (else shares it) */
#define WEB9_SPAWN_NEW_NOTEGROUP 4u /* the child starts a note group of its own */
#define WEB9_SPAWN_ALL_FDS 8u       /* the child gets a copy of every fd, then fds on top */

/* bind/mount flags (Plan 9's) */
#define WEB9_MREPL 0u
#define WEB9_MBEFORE 1u
#define WEB9_MAFTER 2u
#define WEB9_MCREATE 4u

/* Starts the program at path (a wasm module or a "#!" script) as our child.
 * argv: argc NUL-terminated strings back to back, argv_len bytes in all.
 * env: "name=value\0" strings set in the child's copied environment (needs COPY_ENV).
 * fds: nfds pairs {child fd, parent fd}. */
int32_t web9_spawn(const char* path, uint32_t path_len, const char* argv, uint32_t argv_len,
                   const char* env, uint32_t env_len, const int32_t* fds, uint32_t nfds,
                   uint32_t flags, int32_t* pid_out) WEB9_IMPORT(spawn);
/* Waits for any child to end: its pid and its exit status string ("" success; truncated to cap).
 * ECHILD: no children. EINTR: a note arrived (see notify). */
int32_t web9_wait(int32_t* pid_out, char* status, uint32_t cap, uint32_t* status_len)
    WEB9_IMPORT(wait);
int32_t web9_pipe(int32_t fds[2]) WEB9_IMPORT(pipe);
/* newfd -1: the lowest free descriptor. */
int32_t web9_dup(int32_t oldfd, int32_t newfd, int32_t* fd_out) WEB9_IMPORT(dup);
int32_t web9_bind(const char* name, uint32_t name_len, const char* old, uint32_t old_len,
                  uint32_t flags) WEB9_IMPORT(bind);
/* afd -1: no authentication. */
int32_t web9_mount(int32_t fd, int32_t afd, const char* old, uint32_t old_len, uint32_t flags,
                   const char* aname, uint32_t aname_len) WEB9_IMPORT(mount);
/* name_len 0: unmount everything on old. */
int32_t web9_unmount(const char* name, uint32_t name_len, const char* old, uint32_t old_len)
    WEB9_IMPORT(unmount);
int32_t web9_chdir(const char* path, uint32_t path_len) WEB9_IMPORT(chdir);
/* ERANGE if cap is too small. */
int32_t web9_getcwd(char* buf, uint32_t cap, uint32_t* len_out) WEB9_IMPORT(getcwd);
/* Posts a note to pid; pid < 0 posts it to note group -pid. */
int32_t web9_note(int32_t pid, const char* note, uint32_t note_len) WEB9_IMPORT(note);
/* enable 1: this process handles notes itself: a note makes a blocked call fail with EINTR and
 * waits in a queue for web9_noted, instead of killing the process after a short grace. */
int32_t web9_notify(uint32_t enable) WEB9_IMPORT(notify);
/* Takes the oldest pending note; EAGAIN if there is none. */
int32_t web9_noted(char* buf, uint32_t cap, uint32_t* len_out) WEB9_IMPORT(noted);
int32_t web9_getpid(int32_t* pid_out) WEB9_IMPORT(getpid);
int32_t web9_fd2path(int32_t fd, char* buf, uint32_t cap, uint32_t* len_out) WEB9_IMPORT(fd2path);
/* The text of this process's last error, Plan 9 style ("file does not exist: /x"). */
int32_t web9_errstr(char* buf, uint32_t cap, uint32_t* len_out) WEB9_IMPORT(errstr);
/* Ends the process with a Plan 9 exit status string ("" success). Does not return. */
void web9_exits(const char* status, uint32_t status_len) WEB9_IMPORT(exits);

#ifdef __cplusplus
}
#endif
#endif
