// What every guest program shares: its own name, Plan 9-style one-line error
// reports ("prog: file: reason"), and the exit status they leave behind.
#pragma once

#include <string>
#include <string_view>

namespace web9 {

// The program's name as reports print it ("cat", not "/bin/cat.wasm").
const char* progname();
void set_progname(const char* argv0);

// Plan 9's words for errno err: "file does not exist".
std::string reason(int err);
// The kernel's own text for the web9 call that just failed with err ("'/x' file does not
// exist"), which says more than errno can; reason(err) where there is none.
std::string sys_reason(int err);

// Prints "prog: what: reason" to stderr and remembers that the program failed.
void complain(std::string_view what, int err);
void complain(std::string_view what, std::string_view why);
// Prints "prog: message" to stderr and remembers the failure.
void complain(std::string_view message);

// Reports and exits with status 1.
[[noreturn]] void fatal(std::string_view what, int err);
[[noreturn]] void fatal(std::string_view message);

// Whether anything was complained about; exit_status() is 0 or 1 accordingly.
bool failed();
void set_failed();
int exit_status();

}  // namespace web9
