/* Shared by the benchmark guests (bench/runtime.mjs builds them with clang-14 for wasm32-wasi):
 * a monotonic clock in ns and one result line on stdout that bench/runtime.mjs parses:
 *   bench NAME UNIT v1 v2 ...
 * Each value is one sample (a batch mean or one timed operation); the host takes the median. */
#ifndef WEB9_BENCH_COMMON_H
#define WEB9_BENCH_COMMON_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline void print_samples(const char* name, const char* unit, const double* v, int n) {
  printf("bench %s %s", name, unit);
  for (int i = 0; i < n; i++) printf(" %.3f", v[i]);
  printf("\n");
}

static inline void fail(const char* what, int err) {
  fprintf(stderr, "%s failed: errno %d\n", what, err);
  fflush(stdout);
  exit(1);
}
#endif
