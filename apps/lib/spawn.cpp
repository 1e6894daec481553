// spawn_and_wait for plain WASI: there is no process creation in wasi_snapshot_preview1.
// FIXME: call web9.spawn and web9.wait once the kernel's ABI (docs/abi.md) defines them.
#include "spawn.h"

#include <cerrno>

namespace web9 {

SpawnResult spawn_and_wait(const std::vector<std::string>& argv) {
  SpawnResult r;
  r.err = argv.empty() ? EINVAL : ENOSYS;
  return r;
}

}  // namespace web9
