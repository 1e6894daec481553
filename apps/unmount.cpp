// unmount: undo a bind or mount: "unmount new old" takes new away from old, "unmount old"
// everything bound or mounted there (Plan 9's unmount).
#include "flags.h"
#include "mountflags.h"
#include "prog.h"
#include "web9_abi.h"

using namespace web9;

int main(int argc, char** argv) {
  Flags flags(argc, argv, {"q", "[-q] [new] old", "Undo a bind or mount in the namespace."});
  auto& a = flags.args();
  if (a.empty() || a.size() > 2)
    flags.usage();
  std::string name = a.size() == 2 ? a[0] : "";
  const std::string& old = a.back();
  if (int32_t e = web9_unmount(name.data(), static_cast<uint32_t>(name.size()), old.data(),
                               static_cast<uint32_t>(old.size())))
    mount_failed(flags, a.size() == 2 ? name + " " + old : old, e);
  return exit_status();
}
