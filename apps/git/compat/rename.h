/* Force-included into libgit2's util/posix.c only (cmake/git.cmake), where p_rename calls rename:
 * a rename that also moves a file between directories, which web9 (like Plan 9) does not do.
 * libgit2 writes a loose object as .git/objects/tmp_object_git2_* and renames it into
 * .git/objects/xx/; refs and the index are renamed within one directory. compat.c defines it. */
#ifndef WEB9_GIT_RENAME_H
#define WEB9_GIT_RENAME_H

int web9_git_rename(const char *from, const char *to);
#define rename web9_git_rename

#endif
