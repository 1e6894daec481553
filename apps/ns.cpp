// ns: print a process's namespace (this one's, or pid's) as the bind and mount commands
// that would rebuild it, which is what /proc/N/ns holds.
#include <cerrno>
#include <string>

#include "flags.h"
#include "input.h"
#include "output.h"
#include "proc.h"
#include "prog.h"
#include "web9_abi.h"

using namespace web9;

int main(int argc, char** argv) {
  Flags flags(argc, argv, {"", "[pid]", "Print a process's namespace."});
  auto& a = flags.args();
  if (a.size() > 1 || (a.size() == 1 && !is_pid(a[0])))
    flags.usage();
  std::string pid = "self";
  int32_t self = -1;
  if (!a.empty())
    pid = a[0];
  else if (web9_getpid(&self) == 0)
    pid = std::to_string(self);
  std::string text;
  if (!read_file("/proc/" + pid + "/ns", text))
    return 1;
  out().put(text);
  if (!out().flush())
    complain("write error", errno);
  return exit_status();
}
