// basename: strip the directory (and, with -d, keep only it) from a path; an optional
// suffix is removed too (Plan 9 basename).
#include "flags.h"
#include "output.h"
#include "prog.h"

using namespace web9;

int main(int argc, char** argv) {
  Flags flags(argc, argv, {"d", "[-d] string [suffix]", "Print the last element of a path (with -d, the rest)."});
  auto& a = flags.args();
  if (a.empty() || a.size() > 2)
    flags.usage();
  std::string r;
  if (flags.has('d')) {
    // Plan 9's -d: everything up to the last slash, or "." when there is none.
    auto slash = a[0].rfind('/');
    r = slash == std::string::npos ? "." : a[0].substr(0, slash);
  } else {
    // Plan 9's: what follows the last slash, even when that is nothing ("a/" gives "").
    auto slash = a[0].rfind('/');
    r = slash == std::string::npos ? a[0] : a[0].substr(slash + 1);
    if (a.size() == 2 && r.size() > a[1].size() && r.ends_with(a[1]))
      r.resize(r.size() - a[1].size());
  }
  out().put(r);
  out().put('\n');
  return 0;
}
