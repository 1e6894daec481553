// time: run a command and print the real time it took, as Plan 9's time(1) does, to
// standard error: "0.123r cmd args". Plan 9 also prints user and system seconds; a web9
// process runs in a browser worker, whose CPU time nothing measures, so only the real time
// (wall clock, to the millisecond) is given. The exit status is the command's.
#include <ctime>
#include <cstdio>
#include <string>
#include <vector>

#include "flags.h"
#include "prog.h"
#include "quote.h"
#include "spawn.h"
#include "web9_abi.h"

using namespace web9;

namespace {

double seconds_now() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags(argc, argv, {"", "command [arg ...]", "Run a command and print the real time it took (seconds) to standard error."});
  std::vector<std::string> cmd(flags.args().begin(), flags.args().end());
  if (cmd.empty()) flags.usage();
  double t0 = seconds_now();
  SpawnResult r = spawn_and_wait(cmd);
  double t1 = seconds_now();
  if (r.err) {
    complain(cmd[0], r.err);
    return 127;
  }
  std::string line;
  for (auto& a : cmd) line += " " + quoted(a);
  std::fprintf(stderr, "%.3fr%s\n", t1 - t0, line.c_str());
  // Its status, word for word, as a Plan 9 time leaves it.
  if (!r.status.empty()) web9_exits(r.status.data(), static_cast<uint32_t>(r.status.size()));
  return 0;
}
