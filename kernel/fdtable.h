// A process's file descriptor table (Plan 9's Fgrp): small integers naming open channels.
// Entries share channels by reference, so dup'd fds and inherited fds share one offset.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kernel/chan.h"

namespace web9 {

// One open file descriptor.
struct Fd {
  ChanRef chan;
  uint8_t mode = OREAD;  // the open mode (OREAD, OWRITE, ORDWR, OEXEC)
  // Writes go to the current end of file (WASI's O_APPEND). Plan 9 servers do this themselves
  // for DMAPPEND files; this flag is for guests that ask for it per descriptor.
  bool append = false;
  // The name it was opened by, where the channel is another's: a name in /srv, which yields
  // the channel posted there (mount(2) names the mount after it, as /proc/N/ns shows).
  std::string opened_as;

  bool readable() const { return (mode & 3) == OREAD || (mode & 3) == ORDWR || (mode & 3) == OEXEC; }
  bool writable() const { return (mode & 3) == OWRITE || (mode & 3) == ORDWR; }
};

class FdTable {
 public:
  static constexpr int default_limit = 1024;

  explicit FdTable(int limit = default_limit) : limit_(limit) {}

  // Installs f at the lowest free descriptor not below from; Errc::mfile when the table is full.
  Result<int> add(Fd f, int from = 0);
  // Installs f at exactly fd, closing what was there.
  Result<int> install(int fd, Fd f);
  // The entry for fd (sharing its channel); Errc::badf if fd is not open.
  Result<Fd> get(int fd) const;
  // Plan 9's dup(2): new_fd -1 means the lowest free descriptor; otherwise new_fd is closed
  // first (unless it is old_fd) and made a copy of old_fd.
  Result<int> dup(int old_fd, int new_fd);
  Result<void> close(int fd);
  Result<void> set_append(int fd, bool append);
  void close_all();

  // A new table with the same entries (rfork RFFDG): the channels themselves are shared.
  std::shared_ptr<FdTable> copy() const;

  // The open descriptors in increasing order.
  std::vector<int> fds() const;
  bool is_open(int fd) const;
  int limit() const { return limit_; }

 private:
  std::vector<std::optional<Fd>> slots_;
  int limit_;
};

}  // namespace web9
