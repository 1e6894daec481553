// dirname: print all but the last element of a path (POSIX).
#include "flags.h"
#include "output.h"
#include "path.h"
#include "prog.h"

using namespace web9;

int main(int argc, char** argv) {
  Flags flags(argc, argv, {"", "path ...", "Print each path with its last element removed."});
  if (flags.args().empty())
    flags.usage();
  for (auto& p : flags.args()) {
    out().put(dirname_of(p));
    out().put('\n');
  }
  return 0;
}
