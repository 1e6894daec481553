// Command-line flags in the spirit of Plan 9's ARGBEGIN: single-letter flags that may be
// bundled (-lt), flags that take a value (-n 10 or -n10), "--" ends them, and so does the
// first argument that is not a flag. Every program also answers --help.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace web9 {

struct FlagSpec {
  // getopt-style letters: "lt" are plain flags, "n:" takes a value.
  const char* letters = "";
  // What follows the program name in the usage line: "[-lt] [file ...]".
  const char* usage = "";
  // One line on what the program does, printed by --help.
  const char* about = "";
  // When set, an argument like -5 is read as -<digit_flag> 5 (head -5, tail -5).
  char digit_flag = 0;
  // When set, an argument like -5 or -.5 is an operand, not a flag (seq -1 1).
  bool numbers_are_operands = false;
};

class Flags {
 public:
  // Parses argv; on --help prints usage and about to stdout and exits 0, on a bad flag
  // prints the usage line to stderr and exits 1.
  Flags(int argc, char** argv, const FlagSpec& spec);

  bool has(char c) const { return count(c) > 0; }
  int count(char c) const;
  // The last value given for c, or fallback.
  const char* value(char c, const char* fallback = nullptr) const;
  // Every value given for c, in order (sed -e a -e b).
  std::vector<std::string> values(char c) const;

  // The operands left after the flags.
  std::vector<std::string>& args() { return args_; }
  const std::vector<std::string>& args() const { return args_; }

  // Prints the usage line to stderr and exits 1 ("usage" in Plan 9 terms).
  [[noreturn]] void usage() const;

 private:
  struct Seen {
    char letter;
    std::string value;
  };
  std::vector<Seen> seen_;
  std::vector<std::string> args_;
  FlagSpec spec_;
};

// Prints "usage: prog USAGE" to stderr and exits 1.
[[noreturn]] void usage_exit(const char* usage);
// If argv[1] is --help, prints usage and about to stdout and exits 0. For programs
// that read their own arguments (echo, test).
void answer_help(int argc, char** argv, const char* usage, const char* about);

}  // namespace web9
