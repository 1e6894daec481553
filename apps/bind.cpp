// bind: make new also visible at old in this process's namespace (Plan 9's bind):
// replacing it, or with -b before or -a after it in a union; -c allows creating there.
#include "flags.h"
#include "mountflags.h"
#include "prog.h"
#include "web9_abi.h"

using namespace web9;

int main(int argc, char** argv) {
  Flags flags(argc, argv, {"abcq", "[-abcq] new old", "Bind a file or directory onto another in the namespace."});
  auto& a = flags.args();
  if (a.size() != 2)
    flags.usage();
  uint32_t f = mount_flags(flags);
  if (int32_t e = web9_bind(a[0].data(), static_cast<uint32_t>(a[0].size()), a[1].data(),
                            static_cast<uint32_t>(a[1].size()), f))
    mount_failed(flags, a[0] + " " + a[1], e);
  return exit_status();
}
