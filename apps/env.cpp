// env: print the environment, one name=value a line.
#include "flags.h"
#include "output.h"
#include "prog.h"

extern char** environ;

using namespace web9;

int main(int argc, char** argv) {
  Flags flags(argc, argv, {"", "", "Print the environment."});
  if (!flags.args().empty()) {
    // Running a command in a changed environment needs web9's spawn.
    complain(flags.args()[0], "running commands needs the web9 spawn ABI: function not implemented");
    return 1;
  }
  for (char** e = environ; e && *e; e++) {
    out().put(*e);
    out().put('\n');
  }
  return 0;
}
