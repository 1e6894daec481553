// false: do nothing, unsuccessfully.
#include "flags.h"

int main(int argc, char** argv) {
  web9::Flags flags(argc, argv, {"", "", "Exit with status 1."});
  return 1;
}
