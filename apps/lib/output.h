// Buffered output to a file descriptor that never alters bytes (binary data passes
// through) and remembers whether a write failed, so programs can exit nonzero.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace web9 {

class Output {
 public:
  explicit Output(int fd) : fd_(fd) {}
  ~Output() { flush(); }
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  void put(std::string_view s);
  void put(char c) {
    if (buf_.size() >= kSize)
      flush();
    buf_.push_back(c);
  }
  void write(const void* data, size_t n) { put(std::string_view(static_cast<const char*>(data), n)); }
  // printf-style formatting for the few places that want it.
  void printf(const char* fmt, ...) __attribute__((format(printf, 2, 3)));

  // Writes out what is buffered; false (and errno set) if the descriptor refused it.
  bool flush();
  bool ok() const { return err_ == 0; }
  int error() const { return err_; }
  int fd() const { return fd_; }

 private:
  static constexpr size_t kSize = 8192;
  int fd_;
  int err_ = 0;
  std::string buf_;
};

// Standard output, flushed at exit. A program that cares about write errors
// calls out().flush() before deciding its status.
Output& out();

}  // namespace web9
