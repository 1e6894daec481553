/* Spawn-and-exit: starts PROGRAM (default /bin/true) as a child with web9_spawn and waits for it
 * with web9_wait, N times (default 200), after WARMUP untimed rounds (default 5; the first one
 * also compiles the program). One sample per round, in microseconds. A child that ends with a
 * non-empty status fails the benchmark: only a real spawn and exit is counted.
 *   usage: b9spawn [N [WARMUP [PROGRAM]]] */
#include <string.h>
#include "common.h"
#include "web9_abi.h"

static double spawn_wait(const char* path) {
  const char* base = strrchr(path, '/');
  base = base ? base + 1 : path;
  int64_t t0 = now_ns();
  int32_t pid = 0;
  int32_t err = web9_spawn(path, strlen(path), base, strlen(base) + 1, "", 0, 0, 0, 0, &pid);
  if (err) fail("web9_spawn", err);
  int32_t got = 0;
  char status[128];
  uint32_t len = 0;
  err = web9_wait(&got, status, sizeof status, &len);
  int64_t t1 = now_ns();
  if (err) fail("web9_wait", err);
  if (got != pid || len != 0) {
    fprintf(stderr, "child %d ended with status '%.*s'\n", got, (int)len, status);
    exit(1);
  }
  return (t1 - t0) / 1e3;
}

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 200;
  int warmup = argc > 2 ? atoi(argv[2]) : 5;
  const char* prog = argc > 3 ? argv[3] : "/bin/true";
  if (n < 1 || n > 100000 || warmup < 0) {
    fprintf(stderr, "usage: b9spawn [N [WARMUP [PROGRAM]]]\n");
    return 2;
  }
  double first = spawn_wait(prog);
  for (int i = 1; i < warmup; i++) spawn_wait(prog);
  double* v = malloc(sizeof(double) * n);
  for (int i = 0; i < n; i++) v[i] = spawn_wait(prog);
  print_samples("spawn-first", "us", &first, 1);
  print_samples("spawn", "us", v, n);
  return 0;
}
