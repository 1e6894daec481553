# git for web9: zlib, http-parser and libgit2 1.5.1 as static wasm32-wasi libraries, built from
# the Debian sources tools/third-party.sh unpacks into WEB9_THIRD_PARTY, and apps/git/ linked
# against them as git.wasm. We list the sources ourselves instead of running libgit2's CMake: its
# platform probes assume a Unix with users, sockets and threads, and one flat list compiles once,
# in this build, with our flags. docs/git.md says what is on and why.
set(WEB9_THIRD_PARTY "" CACHE PATH "unpacked third-party sources (tools/third-party.sh)")
set(WEB9_WASI_INCLUDE /usr/include/wasm32-wasi CACHE PATH "wasi-libc's headers")
if(NOT WEB9_THIRD_PARTY OR NOT EXISTS ${WEB9_THIRD_PARTY}/libgit2/include/git2.h)
  message(STATUS "git: no third-party sources in WEB9_THIRD_PARTY (run tools/third-party.sh); git.wasm is not built")
  return()
endif()

set(WEB9_TP ${WEB9_THIRD_PARTY})
set(WEB9_GIT_COMPAT ${CMAKE_SOURCE_DIR}/apps/git/compat)

# Debian's clang searches /usr/include after wasi-libc's headers, so glibc's pwd.h, netdb.h and
# any host zlib.h would be found: the C code here sees only clang's, ours and wasi-libc's.
execute_process(COMMAND ${CMAKE_C_COMPILER} -print-resource-dir
  OUTPUT_VARIABLE WEB9_CLANG_RESOURCE OUTPUT_STRIP_TRAILING_WHITESPACE)
set(WEB9_GIT_C_OPTIONS
  -O2 -nostdinc
  "SHELL:-isystem ${WEB9_GIT_COMPAT}/include"
  "SHELL:-isystem ${WEB9_CLANG_RESOURCE}/include"
  "SHELL:-isystem ${WEB9_WASI_INCLUDE}")
set(WEB9_GIT_C_DEFINES
  _WASI_EMULATED_SIGNAL _WASI_EMULATED_PROCESS_CLOCKS _WASI_EMULATED_GETPID)

# zlib 1.2.13: the library proper, no gz* file layer (libgit2 does not use it).
add_library(web9_zlib STATIC
  ${WEB9_TP}/zlib/adler32.c ${WEB9_TP}/zlib/compress.c ${WEB9_TP}/zlib/crc32.c
  ${WEB9_TP}/zlib/deflate.c ${WEB9_TP}/zlib/infback.c ${WEB9_TP}/zlib/inffast.c
  ${WEB9_TP}/zlib/inflate.c ${WEB9_TP}/zlib/inftrees.c ${WEB9_TP}/zlib/trees.c
  ${WEB9_TP}/zlib/uncompr.c ${WEB9_TP}/zlib/zutil.c)
target_include_directories(web9_zlib PUBLIC ${WEB9_TP}/zlib)
target_compile_options(web9_zlib PRIVATE ${WEB9_GIT_C_OPTIONS} -w)
target_compile_definitions(web9_zlib PRIVATE ${WEB9_GIT_C_DEFINES} HAVE_UNISTD_H HAVE_STDARG_H)

# http-parser 2.9.4: one file.
add_library(web9_http_parser STATIC ${WEB9_TP}/http-parser/http_parser.c)
target_include_directories(web9_http_parser PUBLIC ${WEB9_TP}/http-parser)
target_compile_options(web9_http_parser PRIVATE ${WEB9_GIT_C_OPTIONS} -w)
target_compile_definitions(web9_http_parser PRIVATE ${WEB9_GIT_C_DEFINES})

# What wasi-libc lacks (apps/git/compat/compat.h): our code, so our warnings.
add_library(web9_git_compat STATIC ${WEB9_GIT_COMPAT}/compat.c)
target_compile_options(web9_git_compat PRIVATE ${WEB9_GIT_C_OPTIONS} ${WEB9_WARNINGS})
target_compile_definitions(web9_git_compat PRIVATE ${WEB9_GIT_C_DEFINES})
set_target_properties(web9_git_compat PROPERTIES C_STANDARD 11 C_EXTENSIONS ON)

# libgit2 1.5.1: util, the library, xdiff, the stream and transport code (sockets fail at run
# time, see compat.c), SHA-1 by sha1dc and SHA-256 builtin. features.h is ours
# (apps/git/compat/features/git2/sys/features.h) instead of the one its CMake would write.
set(WEB9_LG2 ${WEB9_TP}/libgit2/src)
file(GLOB WEB9_LIBGIT2_SOURCES
  ${WEB9_LG2}/util/*.c ${WEB9_LG2}/util/allocators/*.c ${WEB9_LG2}/util/unix/*.c
  ${WEB9_LG2}/util/hash/collisiondetect.c ${WEB9_LG2}/util/hash/sha1dc/*.c
  ${WEB9_LG2}/util/hash/builtin.c ${WEB9_LG2}/util/hash/rfc6234/*.c
  ${WEB9_LG2}/libgit2/*.c ${WEB9_LG2}/libgit2/streams/*.c ${WEB9_LG2}/libgit2/transports/*.c
  ${WEB9_LG2}/libgit2/xdiff/*.c)
list(FILTER WEB9_LIBGIT2_SOURCES EXCLUDE REGEX "/allocators/win32_leakcheck\\.c$")
list(SORT WEB9_LIBGIT2_SOURCES)
add_library(web9_libgit2 STATIC ${WEB9_LIBGIT2_SOURCES})
# C11, not libgit2's C90: wasi-libc's socket headers need max_align_t.
set_target_properties(web9_libgit2 PROPERTIES C_STANDARD 11 C_EXTENSIONS ON)
target_include_directories(web9_libgit2
  PUBLIC ${WEB9_TP}/libgit2/include
  PRIVATE ${WEB9_GIT_COMPAT}/features ${WEB9_LG2}/libgit2 ${WEB9_LG2}/util)
target_compile_options(web9_libgit2 PRIVATE ${WEB9_GIT_C_OPTIONS} -w
  "SHELL:-include ${WEB9_GIT_COMPAT}/compat.h")
target_compile_definitions(web9_libgit2 PRIVATE ${WEB9_GIT_C_DEFINES}
  NO_MMAP  # wasi-emulated-mman never writes shared maps back: the pack indexer would lose data
  SHA1DC_NO_STANDARD_INCLUDES=1
  SHA1DC_CUSTOM_INCLUDE_SHA1_C="git2_util.h"
  SHA1DC_CUSTOM_INCLUDE_UBC_CHECK_C="git2_util.h")
# p_rename's rename also moves files between directories (apps/git/compat/rename.h).
set_source_files_properties(${WEB9_LG2}/util/posix.c PROPERTIES
  COMPILE_OPTIONS "-include;${WEB9_GIT_COMPAT}/rename.h")
target_link_libraries(web9_libgit2 PUBLIC web9_zlib web9_http_parser web9_git_compat
  wasi-emulated-signal wasi-emulated-process-clocks wasi-emulated-getpid)

# git.wasm: apps/git/*.cpp, one cmd_NAME.cpp per command.
file(GLOB WEB9_GIT_SOURCES CONFIGURE_DEPENDS apps/git/*.cpp)
add_executable(git ${WEB9_GIT_SOURCES})
# libgit2's *_INIT macros name only the version field, by design.
target_compile_options(git PRIVATE ${WEB9_WARNINGS} -Wno-missing-field-initializers)
target_link_libraries(git PRIVATE web9guest web9_libgit2)
