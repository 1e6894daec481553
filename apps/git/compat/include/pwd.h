/* pwd.h for libgit2 on wasm32-wasi, which has no user database: the declarations libgit2's
 * sysdir.c needs; the functions (apps/git/compat/compat.c) find no entries. */
#ifndef WEB9_GIT_PWD_H
#define WEB9_GIT_PWD_H

#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct passwd {
	char *pw_name;
	char *pw_passwd;
	uid_t pw_uid;
	gid_t pw_gid;
	char *pw_gecos;
	char *pw_dir;
	char *pw_shell;
};

struct passwd *getpwuid(uid_t uid);
struct passwd *getpwnam(const char *name);
int getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t size, struct passwd **result);
int getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t size, struct passwd **result);

#ifdef __cplusplus
}
#endif

#endif
