// Error strings and the mapping from kernel error codes to WASI errno values.
#include "kernel/result.h"

namespace web9 {
namespace {

struct ErrInfo {
  Errc code;
  const char* text;
  uint16_t wasi;  // wasi_snapshot_preview1 errno
};

// Strings follow Plan 9's where it has one (port/error.h), POSIX's wording otherwise.
constexpr ErrInfo kErrors[] = {
    {Errc::ok, "success", 0},
    {Errc::perm, "operation not permitted", 63},
    {Errc::access, "permission denied", 2},
    {Errc::noent, "file does not exist", 44},
    {Errc::exist, "file already exists", 20},
    {Errc::notdir, "not a directory", 54},
    {Errc::isdir, "is a directory", 31},
    {Errc::notempty, "directory not empty", 55},
    {Errc::inval, "bad arg in system call", 28},
    {Errc::badf, "fd out of range or not open", 8},
    {Errc::io, "i/o error", 29},
    {Errc::nospc, "file system full", 51},
    {Errc::pipe, "write on closed pipe", 64},
    {Errc::again, "resource temporarily unavailable", 6},
    {Errc::intr, "interrupted", 27},
    {Errc::fault, "bad address in system call", 21},
    {Errc::nomem, "out of memory", 48},
    {Errc::nametoolong, "file name too long", 37},
    {Errc::range, "result out of range", 68},
    {Errc::xdev, "cross-device link", 75},
    {Errc::busy, "device or object already in use", 10},
    {Errc::rofs, "read-only file system", 69},
    {Errc::nosys, "not implemented", 52},
    {Errc::srch, "process does not exist", 71},
    {Errc::child, "no living children", 12},
    {Errc::proto, "protocol botch", 65},
    {Errc::spipe, "illegal seek", 70},
    {Errc::mfile, "no free file descriptors", 33},
    {Errc::fbig, "file too large", 22},
    {Errc::loop, "too many levels of links", 32},
    {Errc::connrefused, "connection refused", 14},
    {Errc::notsup, "operation not supported", 58},
    {Errc::timedout, "timed out", 73},
};

const ErrInfo& info(Errc code) {
  for (const auto& e : kErrors)
    if (e.code == code) return e;
  return kErrors[static_cast<int>(Errc::io)];
}

}  // namespace

std::string Error::text() const { return msg.empty() ? std::string(error_string(code)) : msg; }

std::string_view error_string(Errc code) { return info(code).text; }

uint16_t wasi_errno(Errc code) { return info(code).wasi; }

Errc errc_from_string(std::string_view s) {
  for (const auto& e : kErrors)
    if (s == e.text) return e.code;
  // A message with detail usually ends in the code's string ("foo: file does not exist").
  for (const auto& e : kErrors) {
    std::string_view t = e.text;
    if (e.code != Errc::ok && s.size() > t.size() && s.substr(s.size() - t.size()) == t) return e.code;
  }
  return Errc::io;
}

}  // namespace web9
