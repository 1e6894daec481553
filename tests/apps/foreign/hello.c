/* A program built elsewhere: plain C against wasi-libc only, no web9 imports. It prints
 * its arguments, echoes standard input with a count, writes a file, reads it back and
 * exits with status 3, so a host's args, stdio, files and exit status can all be checked
 * by running it (tests/apps/foreign.test.mjs does under Node; web9 runs the same binary). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv) {
  printf("argc=%d\n", argc);
  for (int i = 0; i < argc; i++)
    printf("argv[%d]=%s\n", i, argv[i]);

  char buf[4096];
  size_t total = 0, n;
  while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
    fwrite(buf, 1, n, stdout);
    total += n;
  }
  printf("stdin=%zu bytes\n", total);

  const char* path = argc > 1 ? argv[1] : "hello.out";
  FILE* f = fopen(path, "w");
  if (!f) {
    perror(path);
    return 1;
  }
  fprintf(f, "written by hello\n");
  fclose(f);
  f = fopen(path, "r");
  if (!f || !fgets(buf, sizeof buf, f)) {
    perror(path);
    return 1;
  }
  fclose(f);
  printf("read back: %s", buf);
  fprintf(stderr, "hello: exiting with status 3\n");
  fflush(stdout);
  exit(3);
}
