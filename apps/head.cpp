// head: print the first lines of files (POSIX head; -N is short for -n N).
#include <cerrno>
#include <cstdlib>

#include "flags.h"
#include "input.h"
#include "output.h"
#include "prog.h"

using namespace web9;

int main(int argc, char** argv) {
  Flags flags(argc, argv, {"n:", "[-n lines] [file ...]", "Print the first lines of each file.", 'n'});
  char* end;
  const char* n_arg = flags.value('n', "10");
  long long n = std::strtoll(n_arg, &end, 10);
  if (*end || end == n_arg || n < 0)
    flags.usage();
  auto& files = flags.args();
  if (files.empty())
    files.push_back("-");
  bool headers = files.size() > 1;
  bool first = true;
  for (auto& f : files) {
    int fd = open_input(f);
    if (fd < 0)
      continue;
    if (headers) {
      out().printf("%s==> %s <==\n", first ? "" : "\n", f == "-" ? "standard input" : f.c_str());
      first = false;
    }
    LineReader in(fd);
    std::string line;
    for (long long i = 0; i < n && in.next(line); i++)
      out().put(line);
    if (in.error())
      complain(f, in.error());
    close_input(fd);
  }
  if (!out().flush())
    complain("write error", errno);
  return exit_status();
}
