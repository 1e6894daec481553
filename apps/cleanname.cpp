// cleanname: print each path in its shortest lexically equivalent form (Plan 9).
// -d dir makes relative names relative to dir first.
#include "flags.h"
#include "output.h"
#include "path.h"
#include "prog.h"

using namespace web9;

int main(int argc, char** argv) {
  Flags flags(argc, argv, {"d:", "[-d pwd] name ...", "Clean up path names lexically (cleanname(2))."});
  if (flags.args().empty())
    flags.usage();
  const char* dir = flags.value('d');
  for (auto& p : flags.args()) {
    std::string name = p;
    if (dir && !name.starts_with('/'))
      name = std::string(dir) + "/" + name;
    out().put(cleanname(name));
    out().put('\n');
  }
  return 0;
}
