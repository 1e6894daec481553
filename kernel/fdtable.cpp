// File descriptor tables: allocation of the lowest free descriptor, dup, close, copy.
#include "kernel/fdtable.h"

namespace web9 {

Result<int> FdTable::add(Fd f, int from) {
  if (!f.chan) return Error(Errc::inval, "no channel for descriptor");
  if (from < 0) return Errc::badf;
  for (int fd = from; fd < limit_; fd++) {
    if (!is_open(fd)) return install(fd, std::move(f));
  }
  return Errc::mfile;
}

Result<int> FdTable::install(int fd, Fd f) {
  if (fd < 0 || fd >= limit_) return Error(Errc::badf, "fd out of range");
  if (!f.chan) return Error(Errc::inval, "no channel for descriptor");
  if (static_cast<size_t>(fd) >= slots_.size()) slots_.resize(fd + 1);
  // Replace before the old entry's channel goes: clunking it must not see a half-made table.
  auto old = std::move(slots_[fd]);
  slots_[fd] = std::move(f);
  return fd;
}

Result<Fd> FdTable::get(int fd) const {
  if (!is_open(fd)) return Errc::badf;
  return *slots_[fd];
}

Result<int> FdTable::dup(int old_fd, int new_fd) {
  Fd f = TRY(get(old_fd));
  if (new_fd == -1) return add(std::move(f));
  if (new_fd == old_fd) return new_fd;
  return install(new_fd, std::move(f));
}

Result<void> FdTable::close(int fd) {
  if (!is_open(fd)) return Errc::badf;
  auto old = std::move(slots_[fd]);
  slots_[fd].reset();
  while (!slots_.empty() && !slots_.back()) slots_.pop_back();
  return success();
}

Result<void> FdTable::set_append(int fd, bool append) {
  if (!is_open(fd)) return Errc::badf;
  slots_[fd]->append = append;
  return success();
}

void FdTable::close_all() {
  // Move the entries out first: a channel's clunk may reach back into the kernel.
  auto old = std::move(slots_);
  slots_.clear();
}

std::shared_ptr<FdTable> FdTable::copy() const {
  auto t = std::make_shared<FdTable>(limit_);
  t->slots_ = slots_;
  return t;
}

std::vector<int> FdTable::fds() const {
  std::vector<int> out;
  for (size_t i = 0; i < slots_.size(); i++) {
    if (slots_[i]) out.push_back(static_cast<int>(i));
  }
  return out;
}

bool FdTable::is_open(int fd) const {
  return fd >= 0 && static_cast<size_t>(fd) < slots_.size() && slots_[fd].has_value();
}

}  // namespace web9
