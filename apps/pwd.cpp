// pwd: print the working directory.
#include <cerrno>
#include <climits>
#include <unistd.h>

#include "flags.h"
#include "output.h"
#include "prog.h"

using namespace web9;

int main(int argc, char** argv) {
  Flags flags(argc, argv, {"", "", "Print the name of the working directory."});
  if (!flags.args().empty())
    flags.usage();
  char buf[PATH_MAX];
  if (!::getcwd(buf, sizeof buf))
    fatal("getcwd", errno);
  out().put(buf);
  out().put('\n');
  return 0;
}
