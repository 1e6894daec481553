// echo: print the arguments separated by blanks; -n leaves off the newline (Plan 9 echo).
#include <cerrno>
#include <cstring>

#include "flags.h"
#include "output.h"
#include "prog.h"

using namespace web9;

int main(int argc, char** argv) {
  set_progname(argv[0]);
  answer_help(argc, argv, "[-n] [arg ...]", "Print the arguments on standard output.");
  // Plan 9 echo knows only -n, and only as the first argument; anything else is text.
  int i = 1;
  bool newline = true;
  if (i < argc && std::strcmp(argv[i], "-n") == 0) {
    newline = false;
    i++;
  }
  for (int first = i; i < argc; i++) {
    if (i > first)
      out().put(' ');
    out().put(argv[i]);
  }
  if (newline)
    out().put('\n');
  if (!out().flush())
    fatal("write error: " + sys_reason(errno));  // a ctl file's own words say what was wrong
  return 0;
}
