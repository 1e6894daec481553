// kill: post a note to processes by writing it to /proc/N/note: "kill" unless -note
// names another (kill -interrupt 12). A process is a pid or a name, which means every
// process of that name but this one.
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <unistd.h>
#include <vector>

#include "flags.h"
#include "proc.h"
#include "prog.h"
#include "web9_abi.h"

using namespace web9;

namespace {

constexpr const char* kUsage = "[-note] pid|name ...";

void post(int pid, const std::string& what, const std::string& note) {
  std::string path = "/proc/" + std::to_string(pid) + "/note";
  int fd = ::open(path.c_str(), O_WRONLY);
  if (fd < 0) {
    complain(what, errno == ENOENT ? ESRCH : errno);
    return;
  }
  if (::write(fd, note.data(), note.size()) != static_cast<ssize_t>(note.size()))
    complain(what, errno);
  ::close(fd);
}

}  // namespace

int main(int argc, char** argv) {
  set_progname(argc > 0 ? argv[0] : nullptr);
  answer_help(argc, argv, kUsage, "Post a note (kill) to processes.");
  // The note is a flag of its own spelling, so the flags are read here, not by Flags.
  std::string note = "kill";
  int i = 1;
  if (i < argc && std::strcmp(argv[i], "--") == 0) {
    i++;
  } else if (i < argc && argv[i][0] == '-' && argv[i][1] != '\0') {
    note = argv[i++] + 1;
  }
  if (i >= argc)
    usage_exit(kUsage);
  int32_t self = -1;
  web9_getpid(&self);  // elsewhere there is no pid, and nothing to spare
  std::vector<ProcStatus> procs;
  bool listed = false;
  for (; i < argc; i++) {
    std::string what = argv[i];
    if (is_pid(what)) {
      post(std::atoi(what.c_str()), what, note);
      continue;
    }
    if (!listed) {
      if (int err = list_procs(procs); err != 0)
        fatal("/proc", err);
      listed = true;
    }
    bool found = false;
    for (auto& p : procs) {
      if (p.name != what || p.pid == self)
        continue;
      found = true;
      post(p.pid, what + " (" + std::to_string(p.pid) + ")", note);
    }
    if (!found)
      complain(what, ESRCH);
  }
  return exit_status();
}
