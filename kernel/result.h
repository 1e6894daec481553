// Errors as values: every fallible kernel call returns Result<T>, unwrapped with TRY().
// No exceptions anywhere in the kernel or in wasm32-wasi programs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace web9 {

// Error codes: named after POSIX errno, mapped to WASI errno for guests (wasi_errno)
// and to Plan 9 error strings for 9P (error_string).
enum class Errc : uint16_t {
  ok = 0,
  perm,         // operation not permitted
  access,       // permission denied
  noent,        // file does not exist
  exist,        // file already exists
  notdir,       // not a directory
  isdir,        // is a directory
  notempty,     // directory not empty
  inval,        // bad argument
  badf,         // bad file descriptor / fid
  io,           // i/o error
  nospc,        // no space left
  pipe,         // write on closed pipe
  again,        // try again
  intr,         // interrupted
  fault,        // bad address
  nomem,        // out of memory
  nametoolong,  // name too long
  range,        // result out of range
  xdev,         // cross-device link
  busy,         // device or resource busy
  rofs,         // read-only file system
  nosys,        // not implemented
  srch,         // no such process
  child,        // no child processes
  proto,        // protocol error (9P)
  spipe,        // illegal seek
  mfile,        // too many open files
  fbig,         // file too large
  loop,         // too many levels of links
  connrefused,  // connection refused
  notsup,       // operation not supported
  timedout,     // timed out
};

struct Error {
  Errc code = Errc::io;
  std::string msg;  // detail for the user; empty means "use the code's own string"

  Error() = default;
  Error(Errc c) : code(c) {}  // NOLINT: implicit so `return Errc::noent;` reads well
  Error(Errc c, std::string m) : code(c), msg(std::move(m)) {}

  // The message to show: the detail if any, else the Plan 9 string for the code.
  std::string text() const;
};

// The Plan 9-style string for a code ("file does not exist", "permission denied", ...).
std::string_view error_string(Errc code);
// The code for a 9P error string (inverse of error_string; unknown strings give Errc::io).
Errc errc_from_string(std::string_view s);
// The WASI preview1 errno value for a code.
uint16_t wasi_errno(Errc code);

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT
  Result(Error e) : v_(std::move(e)) {}      // NOLINT
  Result(Errc c) : v_(Error(c)) {}           // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error e) : err_(std::move(e)), ok_(false) {}  // NOLINT
  Result(Errc c) : err_(c), ok_(c == Errc::ok) {}     // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  void value() const {}
  const Error& error() const& { return err_; }
  Error&& error() && { return std::move(err_); }

 private:
  Error err_;
  bool ok_ = true;
};

inline Result<void> success() { return {}; }

}  // namespace web9

// TRY(expr): evaluate a Result; on error return it from the enclosing function, else yield its value.
#define TRY(expr)                                    \
  ({                                                 \
    auto _try_result = (expr);                       \
    if (!_try_result.ok())                           \
      return std::move(_try_result).error();         \
    std::move(_try_result).value();                  \
  })
