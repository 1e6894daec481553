// sleep: pause for a number of seconds (fractions allowed).
#include <cerrno>
#include <cstdlib>
#include <ctime>

#include "flags.h"
#include "prog.h"

using namespace web9;

int main(int argc, char** argv) {
  Flags flags(argc, argv, {"", "seconds", "Suspend execution for an interval."});
  if (flags.args().size() != 1)
    flags.usage();
  const char* s = flags.args()[0].c_str();
  char* end;
  double secs = std::strtod(s, &end);
  if (end == s || *end != '\0' || secs < 0)
    flags.usage();
  timespec ts;
  ts.tv_sec = static_cast<time_t>(secs);
  ts.tv_nsec = static_cast<long>((secs - static_cast<double>(ts.tv_sec)) * 1e9);
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
  return 0;
}
