/* Pipe throughput between two processes. The reader (this program) makes a pipe with web9_pipe,
 * spawns itself as the writer with the pipe's write end as the child's fd 1, closes its copy,
 * and reads CHUNK-byte reads until end of file. The writer writes MIB MiB in CHUNK-byte writes.
 * Timed from the first byte read to end of file (the spawn is not counted); the bytes that came
 * must be exactly the bytes sent, and each chunk carries its index so lost or reordered data
 * shows. One sample per run, in MB/s (10^6 bytes); RUNS runs (default 3).
 *   usage: b9pipe [MIB [CHUNK [RUNS [SELF]]]]      (SELF: this program's path, default /bin/b9pipe)
 *          b9pipe -w MIB CHUNK                     (the writer) */
#include <string.h>
#include <unistd.h>
#include "common.h"
#include "web9_abi.h"

static void writer(long long total, int chunk) {
  unsigned char* buf = malloc(chunk);
  memset(buf, 'x', chunk);
  for (long long at = 0, i = 0; at < total; at += chunk, i++) {
    memcpy(buf, &i, sizeof i);
    size_t want = (size_t)(total - at < chunk ? total - at : chunk);
    for (size_t done = 0; done < want;) {
      ssize_t k = write(1, buf + done, want - done);
      if (k <= 0) {
        perror("b9pipe: write");
        exit(1);
      }
      done += (size_t)k;
    }
  }
}

static double run(const char* self, int mib, int chunk) {
  int32_t fds[2];
  int32_t err = web9_pipe(fds);
  if (err) fail("web9_pipe", err);
  char argv[64];
  int alen = snprintf(argv, sizeof argv, "b9pipe%c-w%c%d%c%d", 0, 0, mib, 0, chunk) + 1;
  int32_t map[2] = {1, fds[1]};
  int32_t pid = 0;
  err = web9_spawn(self, strlen(self), argv, alen, "", 0, map, 1, 0, &pid);
  if (err) fail("web9_spawn", err);
  close(fds[1]);

  long long total = (long long)mib << 20, got = 0, first = -1;
  unsigned char* buf = malloc(chunk);
  int64_t t0 = 0;
  long long next_index = 0;
  for (;;) {
    ssize_t k = read(fds[0], buf, chunk);
    if (k < 0) {
      perror("b9pipe: read");
      exit(1);
    }
    if (k == 0) break;
    if (first < 0) {
      first = k;
      t0 = now_ns();
    }
    /* The index at the start of each writer chunk that begins in this read. */
    for (long long at = ((got + chunk - 1) / chunk) * chunk; at + (long long)sizeof next_index <= got + k; at += chunk) {
      long long idx;
      memcpy(&idx, buf + (at - got), sizeof idx);
      if (idx != next_index) {
        fprintf(stderr, "b9pipe: chunk %lld arrived as %lld\n", next_index, idx);
        exit(1);
      }
      next_index++;
    }
    got += k;
  }
  int64_t t1 = now_ns();
  free(buf);
  close(fds[0]);
  int32_t wpid = 0;
  char status[128];
  uint32_t slen = 0;
  err = web9_wait(&wpid, status, sizeof status, &slen);
  if (err) fail("web9_wait", err);
  if (slen != 0) {
    fprintf(stderr, "b9pipe: the writer ended with '%.*s'\n", (int)slen, status);
    exit(1);
  }
  if (got != total) {
    fprintf(stderr, "b9pipe: read %lld bytes of %lld\n", got, total);
    exit(1);
  }
  return (double)(got - first) / 1e6 / ((t1 - t0) / 1e9);
}

int main(int argc, char** argv) {
  if (argc == 4 && strcmp(argv[1], "-w") == 0) {
    writer((long long)atoi(argv[2]) << 20, atoi(argv[3]));
    return 0;
  }
  int mib = argc > 1 ? atoi(argv[1]) : 256;
  int chunk = argc > 2 ? atoi(argv[2]) : 65536;
  int runs = argc > 3 ? atoi(argv[3]) : 3;
  const char* self = argc > 4 ? argv[4] : "/bin/b9pipe";
  if (mib < 1 || chunk < 16 || chunk > (1 << 20) || runs < 1 || runs > 100) {
    fprintf(stderr, "usage: b9pipe [MIB [CHUNK [RUNS [SELF]]]]\n");
    return 2;
  }
  double* v = malloc(sizeof(double) * runs);
  for (int i = 0; i < runs; i++) v[i] = run(self, mib, chunk);
  print_samples("pipe", "MB/s", v, runs);
  return 0;
}
