// env: print the environment, one name=value a line; or, POSIX style, run a command
// with name=value settings added to a copy of it.
#include <cerrno>
#include <string>
#include <string_view>
#include <vector>

#include "flags.h"
#include "output.h"
#include "prog.h"
#include "spawn.h"

extern char** environ;

using namespace web9;

int main(int argc, char** argv) {
  Flags flags(argc, argv, {"", "[name=value ...] [command [arg ...]]", "Print the environment, or run a command in a changed one."});
  std::vector<std::string> settings, cmd;
  for (auto& a : flags.args()) {
    if (cmd.empty() && a.find('=') != std::string::npos && a[0] != '=')
      settings.push_back(a);
    else
      cmd.push_back(a);
  }
  if (cmd.empty()) {
    // Settings without a command are printed as if they had been made.
    auto overridden = [&](std::string_view e) {
      for (auto& s : settings)
        if (e.substr(0, e.find('=') + 1) == std::string_view(s).substr(0, s.find('=') + 1))
          return true;
      return false;
    };
    for (char** e = environ; e && *e; e++) {
      if (overridden(*e))
        continue;
      out().put(*e);
      out().put('\n');
    }
    for (auto& s : settings) {
      out().put(s);
      out().put('\n');
    }
    return 0;
  }
  SpawnResult r = spawn_and_wait(cmd, settings);
  if (r.err) {
    complain(cmd[0], r.err);
    return 127;  // POSIX: the command could not be run
  }
  return r.status.empty() ? 0 : 1;
}
