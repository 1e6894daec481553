// Directory listing (see dirlist.h).
#include "dirlist.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>

namespace web9 {

int list_dir(const std::string& dir, std::vector<std::string>& names) {
  DIR* d = ::opendir(dir.c_str());
  if (!d)
    return errno;
  errno = 0;
  while (dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0)
      continue;
    names.emplace_back(e->d_name);
  }
  int err = errno;
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return err;
}

}  // namespace web9
