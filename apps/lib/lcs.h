// The shortest edit script between two sequences of lines (Myers' O(ND) algorithm),
// as a list of operations: what diff prints from.
#pragma once

#include <string>
#include <vector>

namespace web9 {

struct Edit {
  enum Kind { same, del, ins } kind;
  size_t a;  // index in the old lines (same, del)
  size_t b;  // index in the new lines (same, ins)
};

std::vector<Edit> shortest_edit(const std::vector<std::string>& a, const std::vector<std::string>& b);

}  // namespace web9
