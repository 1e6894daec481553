/* System-call cost, BATCHES timed batches of N calls each (defaults 20 × 5000), after one
 * untimed batch. One sample per batch: the mean ns per call.
 *   notify  web9_notify(0): the smallest call that crosses the channel to the kernel and back
 *           (frame out, doorbell, kernel worker, Kernel, reply); it changes nothing here.
 *   getpid  web9_getpid: answered inside the process's own worker (web/runtime/process.js),
 *           no round trip; the cost of an import call plus the pointer check.
 *   usage: b9syscall [N [BATCHES]] */
#include "common.h"
#include "web9_abi.h"

static double batch_notify(int n) {
  int64_t t0 = now_ns();
  for (int i = 0; i < n; i++) {
    int32_t err = web9_notify(0);
    if (err) fail("web9_notify", err);
  }
  return (double)(now_ns() - t0) / n;
}

/* Where the pids go, so the loop cannot be optimised away. */
volatile int32_t pid_sink;

static double batch_getpid(int n) {
  int64_t t0 = now_ns();
  for (int i = 0; i < n; i++) {
    int32_t pid = 0;
    int32_t err = web9_getpid(&pid);
    if (err) fail("web9_getpid", err);
    pid_sink = pid;
  }
  return (double)(now_ns() - t0) / n;
}

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 5000;
  int batches = argc > 2 ? atoi(argv[2]) : 20;
  if (n < 1 || batches < 1 || batches > 10000) {
    fprintf(stderr, "usage: b9syscall [N [BATCHES]]\n");
    return 2;
  }
  double* v = malloc(sizeof(double) * batches);
  batch_notify(n);
  for (int b = 0; b < batches; b++) v[b] = batch_notify(n);
  print_samples("notify", "ns", v, batches);
  batch_getpid(n);
  for (int b = 0; b < batches; b++) v[b] = batch_getpid(n);
  print_samples("getpid", "ns", v, batches);
  return 0;
}
