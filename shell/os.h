// The small operating-system interface rc is written against. os_posix.cpp implements it with
// fork/exec for a native build (so rc can be tested beside Plan 9's rc); os_web9.cpp implements
// it for wasm32-wasi with the web9 imports (spawn, wait, pipe, ...) declared in web9_abi.h.
#pragma once

#include <string>
#include <vector>

namespace rc::os {

// One entry of a spawned process's descriptor table: its fd `child` is a copy of our fd `parent`.
struct FdMap {
  int child;
  int parent;
};

enum class Namespace { share, copy };

// Starts the program at `path` with exactly the descriptors in `fds`. Returns its pid, or -1
// with errstr() saying why.
int spawn(const std::string& path, const std::vector<std::string>& argv,
          const std::vector<std::string>& env, const std::vector<FdMap>& fds, Namespace ns);

// Waits for child `pid` (or any child if pid is -1). Returns the pid that ended and sets
// `status` to its Plan 9 exit string ("" for success), or -1 if there is none to wait for.
// Returns -2 if a note (interrupt) arrived while waiting.
int wait(int pid, std::string& status);

// Whether this system can copy the running shell (fork). Where it cannot, rc runs subshells
// by spawning itself with the command's text.
bool can_fork();
// Copies the running shell: 0 in the child, the child's pid in the parent, -1 on failure.
int fork();
// In a freshly forked child: closes every descriptor not in `keep`.
void close_all_but(const std::vector<int>& keep);

int pipe(int fds[2]);
enum OpenMode { read_only, write_trunc, write_append, read_write };
int open(const std::string& path, OpenMode mode);
int close(int fd);
long read(int fd, void* buf, unsigned long n);
long write(int fd, const void* buf, unsigned long n);
// Moves a descriptor the shell keeps for itself out of the way of low numbers (and, where the
// system has exec, marks it close-on-exec). Returns the new fd or the old one.
int keep_private(int fd);

int chdir(const std::string& dir);
std::string getcwd();
// The names in directory `dir` (without . and ..); false if it cannot be read.
bool readdir(const std::string& dir, std::vector<std::string>& names);
bool exists(const std::string& path);
bool is_dir(const std::string& path);
bool is_executable(const std::string& path);
// A fresh file for a here document, already unlinked where possible. -1 on failure.
int temp_file(std::string& path);
int unlink(const std::string& path);

int getpid();
// The text of the last failed call's error ("No such file or directory", ...).
std::string errstr();
// Ends the process with a Plan 9 exit string.
[[noreturn]] void exits(const std::string& status);

// The path this shell runs from, for spawning subshells of itself.
std::string self_path();
std::vector<std::string> environment();

// Interrupts: install the handler once; take_interrupt() reports and clears a pending one.
void catch_interrupts(bool interactive);
bool take_interrupt();

bool isatty(int fd);
// Puts the console in raw mode (no echo, byte at a time) or back; Plan 9's /dev/consctl.
void raw_mode(bool on);
// The console's width in columns (web9's /dev/winsize, a tty's window size), 0 if unknown.
size_t columns();

}  // namespace rc::os
