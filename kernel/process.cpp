// Process records: the program name and the wait message an exit leaves behind.
#include "kernel/process.h"

namespace web9 {

std::string WaitMsg::msg() const {
  if (status.empty()) return "";
  return name + " " + std::to_string(pid) + ": " + status;
}

std::string Process::name() const {
  if (argv.empty()) return "";
  const std::string& a = argv[0];
  size_t slash = a.rfind('/');
  return slash == std::string::npos ? a : a.substr(slash + 1);
}

WaitMsg Process::wait_msg() const {
  WaitMsg w;
  w.pid = pid;
  w.name = name();
  w.status = exit_status;
  w.time[2] = static_cast<uint32_t>(end_ms - start_ms);
  return w;
}

}  // namespace web9
