// Copying a file's bytes from one path to another (cp, and mv across file servers).
#pragma once

#include <cstddef>
#include <string>

namespace web9 {

// Writes all n bytes to fd, going on after short writes and EINTR; false (errno set) on failure.
bool write_all(int fd, const char* p, size_t n);

// Copies the regular file from to the path to, creating or truncating it.
// Reports "prog: file: reason" and returns false on failure.
bool copy_file(const std::string& from, const std::string& to);

}  // namespace web9
