// uniq: collapse runs of equal adjacent lines; -c prefixes counts, -d prints only lines
// that repeat, -u only lines that do not.
#include <cerrno>

#include "flags.h"
#include "input.h"
#include "output.h"
#include "prog.h"

using namespace web9;

int main(int argc, char** argv) {
  Flags flags(argc, argv, {"cdu", "[-cdu] [file]", "Report or filter out repeated adjacent lines."});
  bool cflag = flags.has('c'), dflag = flags.has('d'), uflag = flags.has('u');
  auto& args = flags.args();
  if (args.size() > 1)
    flags.usage();
  std::string name = args.empty() ? "-" : args[0];
  int fd = open_input(name);
  if (fd < 0)
    return 1;
  LineReader in(fd);
  std::string prev, line;
  long long count = 0;
  auto emit = [&] {
    if (count == 0 || (dflag && count < 2) || (uflag && count > 1))
      return;
    if (cflag)
      out().printf("%4lld ", count);
    out().put(prev);
    out().put('\n');
  };
  while (in.next(line)) {
    if (line.back() == '\n')
      line.pop_back();
    if (count > 0 && line == prev) {
      count++;
      continue;
    }
    emit();
    prev = line;
    count = 1;
  }
  emit();
  if (in.error())
    complain(name, in.error());
  if (!out().flush())
    complain("write error", errno);
  return exit_status();
}
