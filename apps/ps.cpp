// ps: list the processes, from /proc/N/status, in Plan 9 ps's columns: user, pid, user
// and system time, memory, state and name; -a shows each one's arguments instead of its
// name, -r adds the real time it has been running.
#include <cerrno>
#include <fcntl.h>
#include <string>
#include <unistd.h>

#include "flags.h"
#include "input.h"
#include "output.h"
#include "proc.h"
#include "prog.h"

using namespace web9;

namespace {

// The arguments as /proc/N/args has them, or the name where they cannot be read.
std::string args_of(const ProcStatus& p) {
  std::string path = "/proc/" + std::to_string(p.pid) + "/args", text;
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0)
    return p.name + " ?";
  bool ok = read_all(fd, text);
  ::close(fd);
  if (!ok)
    return p.name + " ?";
  if (text.empty())
    return p.name;
  for (char& c : text)
    if (c == '\n')
      c = ' ';
  return text;
}

std::string real_time(unsigned long long secs) {
  char buf[40];
  if (secs >= 86400)
    snprintf(buf, sizeof buf, " %llu:%02llu:%02llu:%02llu", secs / 86400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
  else if (secs >= 3600)
    snprintf(buf, sizeof buf, " %llu:%02llu:%02llu", secs / 3600, secs / 60 % 60, secs % 60);
  else
    snprintf(buf, sizeof buf, " %llu:%02llu", secs / 60, secs % 60);
  char padded[48];
  snprintf(padded, sizeof padded, "%12s", buf);
  return padded;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags(argc, argv, {"ar", "[-ar]", "List the processes (from /proc)."});
  if (!flags.args().empty())
    flags.usage();
  std::vector<ProcStatus> procs;
  if (int err = list_procs(procs); err != 0)
    fatal("/proc", err);
  for (auto& p : procs) {
    unsigned long long utime = p.number(0) / 1000, stime = p.number(1) / 1000;
    out().printf("%-10s %8d%s %4llu:%.2llu %3llu:%.2llu %7lluK %-8.8s %s\n", p.user.c_str(), p.pid,
                 flags.has('r') ? real_time(p.number(2) / 1000).c_str() : "", utime / 60, utime % 60, stime / 60,
                 stime % 60, p.number(6), p.state.c_str(), flags.has('a') ? args_of(p).c_str() : p.name.c_str());
  }
  if (!out().flush())
    complain("write error", errno);
  return exit_status();
}
