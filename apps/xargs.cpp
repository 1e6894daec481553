// xargs: run a command with arguments read from standard input (blank- or newline-
// separated; quotes and backslashes protect blanks), -n at most N per command, -t
// printing each command line to stderr first. Commands run through web9's spawn; under
// other WASI hosts they fail with "not implemented" (see spawn.h).
#include <cerrno>
#include <cstdlib>
#include <string>
#include <unistd.h>
#include <vector>

#include "flags.h"
#include "input.h"
#include "prog.h"
#include "quote.h"
#include "spawn.h"

using namespace web9;

namespace {

// Splits input into words the way POSIX xargs does.
bool words(const std::string& in, std::vector<std::string>& out) {
  std::string w;
  bool have = false;
  char quote = 0;
  for (size_t i = 0; i < in.size(); i++) {
    char c = in[i];
    if (quote) {
      if (c == quote)
        quote = 0;
      else if (c == '\n')
        return false;
      else
        w += c;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      have = true;
    } else if (c == '\\' && i + 1 < in.size()) {
      w += in[++i];
      have = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (have)
        out.push_back(w);
      w.clear();
      have = false;
    } else {
      w += c;
      have = true;
    }
  }
  if (quote)
    return false;
  if (have)
    out.push_back(w);
  return true;
}

void trace(const std::vector<std::string>& cmd) {
  std::string line;
  for (size_t i = 0; i < cmd.size(); i++) {
    if (i)
      line += ' ';
    line += quoted(cmd[i]);
  }
  line += '\n';
  ssize_t n = ::write(2, line.data(), line.size());
  (void)n;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags(argc, argv, {"n:t", "[-t] [-n max] [command [arg ...]]", "Run a command with arguments from standard input."});
  long max = 0;
  if (const char* n = flags.value('n')) {
    char* end;
    max = std::strtol(n, &end, 10);
    if (*end || end == n || max < 1)
      flags.usage();
  }
  std::vector<std::string> base = flags.args();
  if (base.empty())
    base.push_back("echo");
  std::string input;
  if (!read_all(0, input))
    fatal("<stdin>", errno);
  std::vector<std::string> args;
  if (!words(input, args))
    fatal("unmatched quote");
  int status = 0;
  size_t i = 0;
  do {
    std::vector<std::string> cmd = base;
    size_t take = max > 0 ? std::min(args.size() - i, static_cast<size_t>(max)) : args.size() - i;
    cmd.insert(cmd.end(), args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i + take));
    i += take;
    if (flags.has('t'))
      trace(cmd);
    SpawnResult r = spawn_and_wait(cmd);
    if (r.err) {
      complain(cmd[0], r.err);
      return 127;  // POSIX: the command could not be run
    }
    if (!r.status.empty())
      status = 123;  // POSIX: some invocation failed
  } while (i < args.size());
  return status;
}
