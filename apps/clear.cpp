// clear: clear the terminal screen with ANSI escapes.
#include "flags.h"
#include "output.h"

using namespace web9;

int main(int argc, char** argv) {
  Flags flags(argc, argv, {"", "", "Clear the terminal screen."});
  // Home the cursor, erase the screen, then erase the scrollback.
  out().put("\x1b[H\x1b[2J\x1b[3J");
  return 0;
}
