// Errno names from a store (OpfsError.errno) as kernel errors.
#include "fs/store.h"

#include <utility>

namespace web9 {

Error store_error(std::string_view errno_name, std::string message) {
  struct Name {
    std::string_view name;
    Errc code;
  };
  static constexpr Name kNames[] = {
      {"ENOENT", Errc::noent},     {"EEXIST", Errc::exist},   {"ENOTEMPTY", Errc::notempty},
      {"ENOTDIR", Errc::notdir},   {"EISDIR", Errc::isdir},   {"EINVAL", Errc::inval},
      {"EROFS", Errc::rofs},       {"ENOSPC", Errc::nospc},   {"EDQUOT", Errc::nospc},
      {"EBUSY", Errc::busy},       {"EBADF", Errc::badf},     {"EIO", Errc::io},
      {"EPERM", Errc::perm},       {"EACCES", Errc::access},  {"ENAMETOOLONG", Errc::nametoolong},
      {"EFBIG", Errc::fbig},       {"EINTR", Errc::intr},     {"ENOMEM", Errc::nomem},
      {"ENOSYS", Errc::nosys},     {"ENOTSUP", Errc::notsup}, {"EAGAIN", Errc::again},
      {"ECONNREFUSED", Errc::connrefused}, {"ETIMEDOUT", Errc::timedout},
  };
  for (const auto& n : kNames)
    if (n.name == errno_name) return Error(n.code, std::move(message));
  if (message.empty()) message = "store error " + std::string(errno_name);
  return Error(Errc::io, std::move(message));
}

}  // namespace web9
