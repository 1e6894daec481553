// Starting another program and waiting for it, through web9's spawn and wait imports
// (web9_abi.h). Under a WASI host without them (Node's, in the tests) every call
// fails with ENOSYS, so xargs and env report "not implemented".
#pragma once

#include <string>
#include <vector>

namespace web9 {

struct SpawnResult {
  int err = 0;         // errno if the program could not be started or waited for
  std::string status;  // its Plan 9 exit status: "" when it succeeded
};

// The file that runs argv0: itself when it names a path ("/x", "./x", "a/b"), else
// /bin/argv0, as rc's default $path has it. Empty if there is no such file.
std::string find_program(const std::string& argv0);

// Runs argv[0] with the given arguments, sharing our namespace and standard descriptors,
// and waits for it. env: "name=value" settings made in the child's copy of our environment.
SpawnResult spawn_and_wait(const std::vector<std::string>& argv, const std::vector<std::string>& env = {});

}  // namespace web9
