// Starting another program and waiting for it: the one thing plain WASI cannot do.
// It needs web9's spawn/wait imports (docs/abi.md); until they exist spawn() fails
// with ENOSYS, so xargs and friends report "function not implemented".
#pragma once

#include <string>
#include <vector>

namespace web9 {

struct SpawnResult {
  int err = 0;     // errno if the program could not be started
  int status = 0;  // its exit status when it ran
};

// Runs argv[0] with the given arguments, sharing our standard descriptors, and waits.
SpawnResult spawn_and_wait(const std::vector<std::string>& argv);

}  // namespace web9
