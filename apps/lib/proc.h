// Reading the kernel's process table from /proc, for ps, kill and ns.
#pragma once

#include <string>
#include <vector>

namespace web9 {

// One line of /proc/N/status, in Plan 9's fixed columns (name, user, state, then
// 12-wide numbers: user, system and real milliseconds, the same for waited-for children,
// memory in KiB, base priority, priority).
struct ProcStatus {
  int pid = 0;
  std::string name, user, state;
  std::vector<unsigned long long> numbers;
  unsigned long long number(size_t i) const { return i < numbers.size() ? numbers[i] : 0; }
};

// Parses a status line; false if it is not one.
bool parse_status(const std::string& text, ProcStatus& st);

// The processes in /proc, by pid; an errno if /proc cannot be read (each process that
// vanishes while being read is left out: it has ended).
int list_procs(std::vector<ProcStatus>& procs);

// Whether s is a process id ("12").
bool is_pid(const std::string& s);

}  // namespace web9
