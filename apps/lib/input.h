// Reading input: named files or standard input, whole or a line at a time, with
// lines kept byte for byte (the newline is part of the line; the last may lack one).
#pragma once

#include <string>
#include <string_view>

namespace web9 {

// Opens a file for reading; "-" means standard input. On failure (a directory is one) reports
// "prog: name: reason" and returns -1.
int open_input(const std::string& name);
// Closes what open_input opened (standard input stays open).
void close_input(int fd);

class LineReader {
 public:
  explicit LineReader(int fd) : fd_(fd) {}
  // The next line with its newline; false at end of input or on a read error.
  bool next(std::string& line);
  // errno of the read that failed, or 0.
  int error() const { return err_; }

 private:
  bool fill();
  int fd_;
  int err_ = 0;
  bool eof_ = false;
  std::string buf_;
  size_t pos_ = 0;
};

// Reads everything from fd into data; false (with errno) on a read error.
bool read_all(int fd, std::string& data);
// Reads a whole named file ("-" is standard input); reports and returns false on error.
bool read_file(const std::string& name, std::string& data);

}  // namespace web9
