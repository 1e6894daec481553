// false: do nothing, unsuccessfully, whatever the arguments (but --help).
#include "flags.h"
#include "prog.h"

int main(int argc, char** argv) {
  web9::set_progname(argc > 0 ? argv[0] : nullptr);
  web9::answer_help(argc, argv, "", "Exit with status 1.");
  return 1;
}
