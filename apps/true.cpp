// true: do nothing, successfully.
#include "flags.h"

int main(int argc, char** argv) {
  web9::Flags flags(argc, argv, {"", "", "Exit with status 0."});
  return 0;
}
