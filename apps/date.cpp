// date: print the date, "Wed Nov 25 13:23:54 UTC 2026" (Plan 9's format); -n prints
// seconds since the epoch; an argument gives the seconds to print instead of now.
// Times are in UTC: WASI has no time zones.
#include <cstdlib>
#include <ctime>

#include "flags.h"
#include "output.h"
#include "prog.h"

using namespace web9;

int main(int argc, char** argv) {
  Flags flags(argc, argv, {"nu", "[-nu] [seconds]", "Print the date (in UTC)."});
  auto& a = flags.args();
  if (a.size() > 1)
    flags.usage();
  time_t t = time(nullptr);
  if (!a.empty()) {
    char* end;
    long long v = std::strtoll(a[0].c_str(), &end, 10);
    if (*end || end == a[0].c_str())
      flags.usage();
    t = static_cast<time_t>(v);
  }
  if (flags.has('n')) {
    out().printf("%lld\n", static_cast<long long>(t));
    return 0;
  }
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[64];
  strftime(buf, sizeof buf, "%a %b %e %H:%M:%S UTC %Y", &tm);
  // Plan 9 pads the day with a zero, not a blank ("Nov 05").
  if (buf[8] == ' ')
    buf[8] = '0';
  out().printf("%s\n", buf);
  return 0;
}
