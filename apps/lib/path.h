// Lexical path handling shared by cleanname, basename, dirname, ls, cp, mv, find and du.
#pragma once

#include <string>
#include <string_view>

namespace web9 {

// Plan 9's cleanname(2): the shortest equivalent path, by purely lexical processing
// (collapse //, drop ., resolve .. against the element before it).
std::string cleanname(std::string_view path);
// The last element of path ("/a/b/" -> "b", "/" -> "/").
std::string basename_of(std::string_view path);
// Everything before the last element ("/a/b" -> "/a", "b" -> ".", "/b" -> "/").
std::string dirname_of(std::string_view path);
// dir + "/" + name, without doubling a slash.
std::string join_path(std::string_view dir, std::string_view name);

}  // namespace web9
