/* File work through web9's system calls, for bench/opfs.mjs and tests/opfs/home.test.mjs: large
 * sequential files in fixed-size writes and reads (the content is a pattern made from a seed, so
 * a read checks every byte without the file ever being held in memory), and many small files.
 *   usage: b9file write FILE BYTES SEED [CHUNK]   write FILE in CHUNK writes (default 64 KiB), fsync
 *          b9file read FILE SEED [CHUNK]          read FILE back and check every byte
 *          b9file seq FILE BYTES SEED [CHUNK]     write, then read (one process)
 *          b9file plain FILE BYTES [CHUNK]        write (with fsync), then read, as bench/opfs-page
 *                                                 does on bare OPFS: one chunk of fixed bytes
 *                                                 with its index in byte 0, checked on reading
 *          b9file small DIR COUNT                 create, stat and remove COUNT empty files in DIR
 *          b9file mkfiles DIR COUNT [EVERY]       make DIR and COUNT entries fNNNNN in it: entry i is
 *                                                 a file holding i in decimal if i % EVERY is 0
 *                                                 (EVERY defaults to 1), else an empty directory
 *          b9file time PROGRAM [ARG ...]          run PROGRAM with its standard output on /dev/null
 * Output, one a line: "bench NAME UNIT VALUE" (as bench/guests/common.h), and for write and read
 * "sum SUM BYTES BAD", where SUM is a checksum of what was written or read, BYTES the count and
 * BAD the number of 8-byte words that did not hold the pattern (read only; 0 for write), and
 * "mem KIB", the most this process's memory grew to. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common.h"
#include "web9_abi.h"

static const char* usage =
    "usage: b9file write FILE BYTES SEED [CHUNK] | read FILE SEED [CHUNK] | seq FILE BYTES SEED [CHUNK]\n"
    "       b9file plain FILE BYTES [CHUNK]\n"
    "       b9file small DIR COUNT | mkfiles DIR COUNT [EVERY] | time PROGRAM [ARG ...]\n";

/* Word i of a file made with seed s (splitmix64). */
static inline uint64_t word(uint64_t i, uint64_t s) {
  uint64_t z = i + s * 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static inline uint64_t mix(uint64_t h, uint64_t w) {
  h ^= w;
  h *= 0x100000001b3ull;
  return (h << 13) | (h >> 51);
}

static void die(const char* file, const char* what) {
  fprintf(stderr, "b9file: %s: %s: %s\n", file, what, strerror(errno));
  exit(1);
}

static void print_mem(void) { printf("mem %lu\n", (unsigned long)__builtin_wasm_memory_size(0) * 64); }

static void print_one(const char* name, const char* unit, double v) { print_samples(name, unit, &v, 1); }

static void do_write(const char* file, uint64_t bytes, uint64_t seed, size_t chunk) {
  uint64_t* buf = malloc(chunk);
  if (!buf) die(file, "no memory for the buffer");
  int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) die(file, "cannot create");
  uint64_t sum = 0;
  int64_t t0 = now_ns();
  for (uint64_t off = 0; off < bytes; off += chunk) {
    size_t n = bytes - off < chunk ? (size_t)(bytes - off) : chunk;
    uint64_t base = off / 8;
    for (size_t k = 0; k < (n + 7) / 8; k++) {
      buf[k] = word(base + k, seed);
      uint64_t w = buf[k];
      if (n - k * 8 < 8) w &= (1ull << ((n - k * 8) * 8)) - 1; /* as read sees a short last word */
      sum = mix(sum, w);
    }
    for (size_t done = 0; done < n;) {
      ssize_t w = write(fd, (char*)buf + done, n - done);
      if (w <= 0) die(file, "write failed");
      done += (size_t)w;
    }
  }
  if (fsync(fd) != 0) die(file, "fsync failed");
  int64_t t1 = now_ns();
  if (close(fd) != 0) die(file, "close failed");
  free(buf);
  print_one("seq-write", "ms", (t1 - t0) / 1e6);
  printf("sum %016llx %llu 0\n", (unsigned long long)sum, (unsigned long long)bytes);
}

static void do_read(const char* file, uint64_t seed, size_t chunk) {
  uint64_t* buf = malloc(chunk);
  if (!buf) die(file, "no memory for the buffer");
  int fd = open(file, O_RDONLY);
  if (fd < 0) die(file, "cannot open");
  uint64_t sum = 0, total = 0, bad = 0;
  int64_t t0 = now_ns();
  for (;;) {
    size_t got = 0;
    while (got < chunk) {
      ssize_t r = read(fd, (char*)buf + got, chunk - got);
      if (r < 0) die(file, "read failed");
      if (r == 0) break;
      got += (size_t)r;
    }
    if (got == 0) break;
    /* A short last word is compared on its bytes only. */
    if (got % 8) memset((char*)buf + got, 0, 8 - got % 8);
    uint64_t base = total / 8;
    for (size_t k = 0; k < (got + 7) / 8; k++) {
      uint64_t want = word(base + k, seed);
      if ((got - k * 8) < 8) want &= (1ull << ((got - k * 8) * 8)) - 1;
      if (buf[k] != want) bad++;
      sum = mix(sum, buf[k]);
    }
    total += got;
    if (got < chunk) break;
  }
  int64_t t1 = now_ns();
  close(fd);
  free(buf);
  print_one("seq-read", "ms", (t1 - t0) / 1e6);
  printf("sum %016llx %llu %llu\n", (unsigned long long)sum, (unsigned long long)total, (unsigned long long)bad);
}

static void plain(const char* file, uint64_t bytes, size_t chunk) {
  unsigned char* buf = malloc(chunk);
  if (!buf) die(file, "no memory for the buffer");
  for (size_t i = 0; i < chunk; i++) buf[i] = (unsigned char)(i * 131 + (i >> 8));
  int fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) die(file, "cannot create");
  int64_t t0 = now_ns();
  for (uint64_t at = 0; at < bytes; at += chunk) {
    buf[0] = (unsigned char)(at / chunk);
    if (write(fd, buf, chunk) != (ssize_t)chunk) die(file, "short write");
  }
  int64_t tw = now_ns();
  if (fsync(fd) != 0) die(file, "fsync failed");
  int64_t t1 = now_ns();
  if (lseek(fd, 0, SEEK_SET) != 0) die(file, "seek failed");
  for (uint64_t at = 0; at < bytes; at += chunk) {
    if (read(fd, buf, chunk) != (ssize_t)chunk) die(file, "short read");
    if (buf[0] != (unsigned char)(at / chunk)) die(file, "wrong data");
  }
  int64_t t2 = now_ns();
  close(fd);
  free(buf);
  print_one("seq-write", "ms", (t1 - t0) / 1e6);
  print_one("seq-fsync", "ms", (t1 - tw) / 1e6);
  print_one("seq-read", "ms", (t2 - t1) / 1e6);
}

static void small(const char* dir, int count) {
  char name[512];
  struct stat st;
  if (mkdir(dir, 0755) != 0 && errno != EEXIST) die(dir, "cannot make the directory");
  int64_t t0 = now_ns();
  for (int i = 0; i < count; i++) {
    snprintf(name, sizeof name, "%s/f%d", dir, i);
    int fd = open(name, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) die(name, "cannot create");
    close(fd);
  }
  int64_t t1 = now_ns();
  for (int i = 0; i < count; i++) {
    snprintf(name, sizeof name, "%s/f%d", dir, i);
    if (stat(name, &st) != 0) die(name, "cannot stat");
  }
  int64_t t2 = now_ns();
  for (int i = 0; i < count; i++) {
    snprintf(name, sizeof name, "%s/f%d", dir, i);
    if (unlink(name) != 0) die(name, "cannot remove");
  }
  int64_t t3 = now_ns();
  print_one("small-create", "ms", (t1 - t0) / 1e6);
  print_one("small-stat", "ms", (t2 - t1) / 1e6);
  print_one("small-remove", "ms", (t3 - t2) / 1e6);
}

static void mkfiles(const char* dir, int count, int every) {
  char name[512], text[32];
  if (mkdir(dir, 0755) != 0) die(dir, "cannot make the directory");
  int64_t t0 = now_ns();
  for (int i = 0; i < count; i++) {
    snprintf(name, sizeof name, "%s/f%05d", dir, i);
    if (i % every) {
      if (mkdir(name, 0755) != 0) die(name, "cannot make the directory");
      continue;
    }
    int fd = open(name, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) die(name, "cannot create");
    int n = snprintf(text, sizeof text, "%d", i);
    if (write(fd, text, n) != n) die(name, "write failed");
    close(fd);
  }
  print_one("mkfiles", "ms", (now_ns() - t0) / 1e6);
}

static void run_timed(int argc, char** argv) {
  const char* path = argv[0];
  char args[4096];
  size_t len = 0;
  for (int i = 0; i < argc; i++) {
    size_t n = strlen(argv[i]) + 1;
    if (len + n > sizeof args) {
      fprintf(stderr, "b9file: time: arguments too long\n");
      exit(2);
    }
    memcpy(args + len, argv[i], n);
    len += n;
  }
  int null = open("/dev/null", O_WRONLY);
  if (null < 0) die("/dev/null", "cannot open");
  int32_t fds[2] = {1, null};
  int64_t t0 = now_ns();
  int32_t pid = 0;
  int32_t err = web9_spawn(path, strlen(path), args, len, "", 0, fds, 1, WEB9_SPAWN_ALL_FDS, &pid);
  if (err) fail("web9_spawn", err);
  int32_t got = 0;
  char status[256];
  uint32_t slen = 0;
  err = web9_wait(&got, status, sizeof status, &slen);
  int64_t t1 = now_ns();
  if (err) fail("web9_wait", err);
  if (slen) {
    fprintf(stderr, "b9file: %s: ended with status '%.*s'\n", path, (int)slen, status);
    exit(1);
  }
  print_one("time", "ms", (t1 - t0) / 1e6);
}

/* A program starts in its parent's working directory, which only the kernel knows; wasi-libc
 * resolves relative paths against its own ("/" at start): tell it, as apps/lib/prog.cpp does. */
static void sync_cwd(void) {
  char buf[1024];
  uint32_t len = 0;
  if (web9_getcwd(buf, sizeof buf - 1, &len) == 0 && len > 0 && len < sizeof buf) {
    buf[len] = '\0';
    if (chdir(buf) != 0) die(buf, "cannot change to the working directory");
  }
}

int main(int argc, char** argv) {
  sync_cwd();
  const char* mode = argc > 1 ? argv[1] : "";
  if (argc > 1 && (!strcmp(mode, "--help") || !strcmp(mode, "-h"))) {
    fputs(usage, stdout);
    return 0;
  }
  int ok = 1;
  if ((!strcmp(mode, "write") || !strcmp(mode, "seq")) && (argc == 5 || argc == 6)) {
    size_t chunk = argc == 6 ? (size_t)strtoull(argv[5], 0, 0) : 65536;
    if (chunk < 8 || chunk % 8) ok = 0;
    else {
      uint64_t bytes = strtoull(argv[3], 0, 0), seed = strtoull(argv[4], 0, 0);
      do_write(argv[2], bytes, seed, chunk);
      if (!strcmp(mode, "seq")) do_read(argv[2], seed, chunk);
    }
  } else if (!strcmp(mode, "read") && (argc == 4 || argc == 5)) {
    size_t chunk = argc == 5 ? (size_t)strtoull(argv[4], 0, 0) : 65536;
    if (chunk < 8 || chunk % 8) ok = 0;
    else do_read(argv[2], strtoull(argv[3], 0, 0), chunk);
  } else if (!strcmp(mode, "plain") && (argc == 4 || argc == 5)) {
    size_t chunk = argc == 5 ? (size_t)strtoull(argv[4], 0, 0) : 65536;
    if (chunk < 1) ok = 0;
    else plain(argv[2], strtoull(argv[3], 0, 0), chunk);
  } else if (!strcmp(mode, "small") && argc == 4) {
    small(argv[2], atoi(argv[3]));
  } else if (!strcmp(mode, "mkfiles") && (argc == 4 || argc == 5)) {
    int every = argc == 5 ? atoi(argv[4]) : 1;
    if (every < 1) ok = 0;
    else mkfiles(argv[2], atoi(argv[3]), every);
  } else if (!strcmp(mode, "time") && argc >= 3) {
    run_timed(argc - 2, argv + 2);
  } else {
    ok = 0;
  }
  if (!ok) {
    fputs(usage, stderr);
    return 2;
  }
  print_mem();
  return 0;
}
