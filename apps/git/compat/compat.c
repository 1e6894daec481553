/* Definitions for compat.h: the POSIX calls libgit2 makes that wasi-libc does not have. */
#include "compat.h"

#include <stdio.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* One user, root, who owns every file: WASI's struct stat has st_uid 0, so libgit2's ownership
 * check (safe.directory) passes when the effective user is 0 too. */
uid_t getuid(void) { return 0; }
uid_t geteuid(void) { return 0; }
gid_t getgid(void) { return 0; }
gid_t getegid(void) { return 0; }
pid_t getppid(void) { return 1; }
pid_t getpgid(pid_t pid) { return pid == 0 ? 1 : pid; }
pid_t getsid(pid_t pid) { return pid == 0 ? 1 : pid; }

/* No user database: nobody has an entry, so libgit2 falls back to $HOME (or to nothing). */
struct passwd *getpwuid(uid_t uid) {
	(void)uid;
	errno = ENOENT;
	return NULL;
}

struct passwd *getpwnam(const char *name) {
	(void)name;
	errno = ENOENT;
	return NULL;
}

int getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t size, struct passwd **result) {
	(void)uid, (void)pw, (void)buf, (void)size;
	*result = NULL;
	return 0;
}

int getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t size, struct passwd **result) {
	(void)name, (void)pw, (void)buf, (void)size;
	*result = NULL;
	return 0;
}

/* Permissions are not WASI's business: chmod succeeds on a file that exists and changes nothing
 * (libgit2 makes loose objects read-only and sets the mode of files it checks out). */
int chmod(const char *path, mode_t mode) {
	struct stat st;
	(void)mode;
	return stat(path, &st);
}

int fchmod(int fd, mode_t mode) {
	struct stat st;
	(void)mode;
	return fstat(fd, &st);
}

static mode_t the_umask = 022;

mode_t umask(mode_t mask) {
	mode_t old = the_umask;
	the_umask = mask & 0777;
	return old;
}

/* The absolute, cleaned form of path, which must exist. web9 has no symbolic links, so cleaning
 * the name lexically (".", "..", repeated slashes) is resolving it. */
char *realpath(const char *path, char *resolved) {
	char buf[PATH_MAX];
	size_t len = 0;
	const char *p;
	struct stat st;

	if (path == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if (path[0] == '\0') {
		errno = ENOENT;
		return NULL;
	}
	if (path[0] != '/') {
		if (getcwd(buf, sizeof buf) == NULL)
			return NULL;
		len = strlen(buf);
		if (len == 1)
			len = 0; /* "/" */
	}
	for (p = path; *p;) {
		const char *end;
		size_t n;
		while (*p == '/')
			p++;
		end = p;
		while (*end && *end != '/')
			end++;
		n = (size_t)(end - p);
		if (n == 0 || (n == 1 && p[0] == '.')) {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (len > 0 && buf[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
		} else {
			if (len + 1 + n >= sizeof buf) {
				errno = ENAMETOOLONG;
				return NULL;
			}
			buf[len++] = '/';
			memcpy(buf + len, p, n);
			len += n;
		}
		p = end;
	}
	if (len == 0)
		buf[len++] = '/';
	buf[len] = '\0';
	if (stat(buf, &st) != 0)
		return NULL;
	if (resolved == NULL)
		return strdup(buf);
	memcpy(resolved, buf, len + 1);
	return resolved;
}

/* Replaces the trailing XXXXXX of tmpl with random letters; -1 (EINVAL) if it has none. */
static int fill_template(char *tmpl) {
	static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	size_t len = strlen(tmpl);
	unsigned char rnd[6];
	int i;

	if (len < 6 || strcmp(tmpl + len - 6, "XXXXXX") != 0) {
		errno = EINVAL;
		return -1;
	}
	if (getentropy(rnd, sizeof rnd) != 0)
		return -1;
	for (i = 0; i < 6; i++)
		tmpl[len - 6 + i] = letters[rnd[i] % (sizeof letters - 1)];
	return 0;
}

int mkstemp(char *tmpl) {
	char *orig = strdup(tmpl);
	int tries, fd = -1;

	if (orig == NULL)
		return -1;
	for (tries = 0; tries < 100; tries++) {
		strcpy(tmpl, orig);
		if (fill_template(tmpl) != 0)
			break;
		fd = open(tmpl, O_RDWR | O_CREAT | O_EXCL, 0600);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	free(orig);
	return fd;
}

char *mkdtemp(char *tmpl) {
	char *orig = strdup(tmpl);
	char *made = NULL;
	int tries;

	if (orig == NULL)
		return NULL;
	for (tries = 0; tries < 100; tries++) {
		strcpy(tmpl, orig);
		if (fill_template(tmpl) != 0)
			break;
		if (mkdir(tmpl, 0700) == 0) {
			made = tmpl;
			break;
		}
		if (errno != EEXIST)
			break;
	}
	free(orig);
	return made;
}

/* Copies from into a new file in to's directory, renames that over to (a rename in one directory
 * is atomic in web9), then removes from. */
static int move_across(const char *from, const char *to) {
	char tmp[PATH_MAX];
	const char *slash = strrchr(to, '/');
	size_t dirlen = slash ? (size_t)(slash - to) + 1 : 0;
	char buf[65536];
	struct stat st;
	int in, outfd, err = 0;
	ssize_t n;

	if (stat(from, &st) != 0)
		return -1;
	if (S_ISDIR(st.st_mode)) {
		errno = EXDEV;
		return -1;
	}
	if (dirlen + sizeof ".web9-mv-XXXXXX" > sizeof tmp) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(tmp, to, dirlen);
	strcpy(tmp + dirlen, ".web9-mv-XXXXXX");
	if ((in = open(from, O_RDONLY)) < 0)
		return -1;
	if ((outfd = mkstemp(tmp)) < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof buf)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = errno;
			break;
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(outfd, buf + off, (size_t)(n - off));
			if (w < 0) {
				err = errno;
				break;
			}
			off += w;
		}
		if (err)
			break;
	}
	close(in);
	if (close(outfd) != 0 && !err)
		err = errno;
	if (!err && rename(tmp, to) != 0)
		err = errno;
	if (err) {
		unlink(tmp);
		errno = err;
		return -1;
	}
	unlink(from);
	return 0;
}

int web9_git_rename(const char *from, const char *to);

/* rename.h: a rename in one directory is web9's; across directories (EXDEV) a copy. */
int web9_git_rename(const char *from, const char *to) {
	if (rename(from, to) == 0)
		return 0;
	if (errno != EXDEV)
		return -1;
	return move_across(from, to);
}

/* No sockets and no name resolution: libgit2's socket stream fails with a message naming the
 * host; web9's transports go through /net/web instead. */
int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res) {
	(void)node, (void)service, (void)hints;
	*res = NULL;
	return EAI_FAIL;
}

void freeaddrinfo(struct addrinfo *res) { (void)res; }

const char *gai_strerror(int err) {
	(void)err;
	return "no name resolution in web9 (use /net/web)";
}

int socket(int domain, int type, int protocol) {
	(void)domain, (void)type, (void)protocol;
	errno = ENOSYS;
	return -1;
}

int connect(int fd, const struct sockaddr *addr, socklen_t len) {
	(void)fd, (void)addr, (void)len;
	errno = ENOSYS;
	return -1;
}
