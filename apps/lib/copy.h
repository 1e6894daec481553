// Copying a file's bytes from one path to another (cp, and mv across file servers).
#pragma once

#include <string>

namespace web9 {

// Copies the regular file from to the path to, creating or truncating it.
// Reports "prog: file: reason" and returns false on failure.
bool copy_file(const std::string& from, const std::string& to);

}  // namespace web9
