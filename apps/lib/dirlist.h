// Reading a directory's names, sorted, without "." and "..": what ls, du, find, cp -r
// and rm -r walk over.
#pragma once

#include <string>
#include <vector>

namespace web9 {

// Fills names with the entries of dir in byte order; returns 0 or an errno.
int list_dir(const std::string& dir, std::vector<std::string>& names);

}  // namespace web9
