// rc-style quoting (see quote.h).
#include "quote.h"

#include <cstring>

namespace web9 {

bool needs_quote(std::string_view s) {
  if (s.empty())
    return true;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u <= ' ' || u == 0x7f || std::strchr("`^#*[]=|\\'?{}()<>;&$", c))
      return true;
  }
  return false;
}

std::string quoted(std::string_view s) {
  if (!needs_quote(s))
    return std::string(s);
  std::string r = "'";
  for (char c : s) {
    if (c == '\'')
      r += '\'';
    r += c;
  }
  r += '\'';
  return r;
}

}  // namespace web9
