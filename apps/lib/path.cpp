// Lexical path handling (see path.h).
#include "path.h"

#include <vector>

namespace web9 {

std::string cleanname(std::string_view path) {
  if (path.empty())
    return ".";
  bool rooted = path[0] == '/';
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos)
      j = path.size();
    std::string_view e = path.substr(i, j - i);
    i = j + 1;
    if (e.empty() || e == ".")
      continue;
    if (e == "..") {
      if (!parts.empty() && parts.back() != "..")
        parts.pop_back();
      else if (!rooted)
        parts.push_back(e);  // a relative path may climb above its start
      continue;
    }
    parts.push_back(e);
  }
  std::string r = rooted ? "/" : "";
  for (size_t k = 0; k < parts.size(); k++) {
    if (k > 0)
      r += '/';
    r += parts[k];
  }
  if (r.empty())
    r = ".";
  return r;
}

std::string basename_of(std::string_view path) {
  while (path.size() > 1 && path.back() == '/')
    path.remove_suffix(1);
  if (path == "/")
    return "/";
  size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string dirname_of(std::string_view path) {
  while (path.size() > 1 && path.back() == '/')
    path.remove_suffix(1);
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos)
    return ".";
  while (slash > 0 && path[slash - 1] == '/')
    slash--;
  if (slash == 0)
    return "/";
  return std::string(path.substr(0, slash));
}

std::string join_path(std::string_view dir, std::string_view name) {
  if (dir.empty() || dir == ".")
    return std::string(name);
  std::string r(dir);
  if (r.back() != '/')
    r += '/';
  r += name;
  return r;
}

}  // namespace web9
