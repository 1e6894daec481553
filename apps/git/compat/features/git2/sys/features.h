/* libgit2's build features for web9's wasm32-wasi build (cmake/git.cmake). libgit2's own CMake
 * writes this file from src/features.h.in; we build without its CMake, so this is that file with
 * web9's choices made: no threads, no HTTPS/SSH/NTLM/GSSAPI (the network is web9's /net/web,
 * reached through a smart subtransport of our own), SHA-1 by the collision-detecting sha1dc,
 * SHA-256 builtin, POSIX regcomp from wasi-libc (musl's), nanosecond stat times (struct stat has
 * st_mtim), futimens, and getentropy() for the random seed. */
#ifndef INCLUDE_features_h__
#define INCLUDE_features_h__

#define GIT_ARCH_32 1

#define GIT_USE_NSEC 1
#define GIT_USE_STAT_MTIM 1
#define GIT_USE_FUTIMENS 1

#define GIT_REGEX_REGCOMP 1

#define GIT_SHA1_COLLISIONDETECT 1
#define GIT_SHA256_BUILTIN 1

#define GIT_RAND_GETENTROPY 1

#endif
