// Reading /proc (see proc.h).
#include "proc.h"

#include <algorithm>
#include <cstdlib>
#include <fcntl.h>
#include <unistd.h>

#include "dirlist.h"
#include "input.h"

namespace web9 {

namespace {

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n'))
    s.pop_back();
  size_t i = s.find_first_not_of(' ');
  return i == std::string::npos ? "" : s.substr(i);
}

bool read_text(const std::string& path, std::string& text) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0)
    return false;
  bool ok = read_all(fd, text);
  ::close(fd);
  return ok;
}

}  // namespace

bool is_pid(const std::string& s) {
  return !s.empty() && s.size() < 10 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool parse_status(const std::string& text, ProcStatus& st) {
  // Name and user are 27 wide and the state 11, each with a blank after: names may hold blanks.
  constexpr size_t kUser = 28, kState = 56, kNumbers = 68;
  if (text.size() < kNumbers)
    return false;
  st.name = trimmed(text.substr(0, kUser));
  st.user = trimmed(text.substr(kUser, kState - kUser));
  st.state = trimmed(text.substr(kState, kNumbers - kState));
  st.numbers.clear();
  const char* p = text.c_str() + kNumbers;
  for (;;) {
    while (*p == ' ')
      p++;
    if (*p == '\0' || *p == '\n')
      break;
    char* end;
    unsigned long long n = std::strtoull(p, &end, 10);
    if (end == p || (*end != ' ' && *end != '\n' && *end != '\0'))
      return false;
    st.numbers.push_back(n);
    p = end;
  }
  return !st.name.empty() && !st.state.empty();
}

int list_procs(std::vector<ProcStatus>& procs) {
  std::vector<std::string> names;
  if (int err = list_dir("/proc", names); err != 0)
    return err;
  for (auto& n : names) {
    if (!is_pid(n))
      continue;
    std::string text;
    ProcStatus st;
    if (!read_text("/proc/" + n + "/status", text) || !parse_status(text, st))
      continue;
    st.pid = std::atoi(n.c_str());
    procs.push_back(std::move(st));
  }
  std::sort(procs.begin(), procs.end(), [](const ProcStatus& a, const ProcStatus& b) { return a.pid < b.pid; });
  return 0;
}

}  // namespace web9
