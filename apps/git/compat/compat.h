/* What wasi-libc (Debian 0.0~git20220510) leaves out and libgit2 calls: declared here and
 * force-included into every libgit2 source (cmake/git.cmake), defined in compat.c. wasi-libc's
 * headers keep these behind __wasilibc_unmodified_upstream because WASI has no users, processes,
 * permissions or sockets; web9 has neither, so the answers are fixed ones that libgit2 copes
 * with: one user (uid 0) who owns every file, chmod that changes nothing, no name resolution. */
#ifndef WEB9_GIT_COMPAT_H
#define WEB9_GIT_COMPAT_H

#include <sys/types.h>
#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

uid_t getuid(void);
uid_t geteuid(void);
gid_t getgid(void);
gid_t getegid(void);
pid_t getppid(void);
pid_t getpgid(pid_t pid);
pid_t getsid(pid_t pid);

int chmod(const char *path, mode_t mode);
int fchmod(int fd, mode_t mode);
mode_t umask(mode_t mask);

char *realpath(const char *path, char *resolved);
int mkstemp(char *tmpl);
char *mkdtemp(char *tmpl);

int socket(int domain, int type, int protocol);
int connect(int fd, const struct sockaddr *addr, socklen_t len);

#ifdef __cplusplus
}
#endif

#endif
