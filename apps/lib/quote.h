// rc-style quoting of names for output (Plan 9's %q): a name with blanks or shell
// metacharacters is printed in single quotes, a quote inside doubled.
#pragma once

#include <string>
#include <string_view>

namespace web9 {

bool needs_quote(std::string_view s);
std::string quoted(std::string_view s);

}  // namespace web9
