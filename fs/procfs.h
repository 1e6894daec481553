// The process device '#p' (Plan 9's devproc), bound on /proc: a directory per process in the
// kernel's table, holding
//   args    the argument list, quoted as rc would (read)
//   ctl     "kill", "interrupt" post that note; "close N" closes fd N (write)
//   fd      the cwd, then one line per open fd: fd, mode, server kind, qid, offset, path (read)
//   note    write: post a note to the process; read: take its next pending note (itself only)
//   noteid  its note group (read); write a group's number to join it
//   ns      its name space as bind and mount commands (Namespace::describe)
//   ppid    its parent's pid
//   status  Plan 9's fixed-width line: name, user, state, nine numbers (times in ms, ...)
// /proc/self walks to the directory of the calling process (not in Plan 9; not listed).
// The directory list is read from the kernel on each read at offset 0, so it follows processes
// as they come and go; a file of a process that has gone answers Errc::srch ("process exited").
#pragma once

#include "kernel/fileserver.h"

namespace web9 {

class Kernel;

class ProcFs : public FileServer {
 public:
  explicit ProcFs(Kernel& kernel) : kernel_(kernel) {}

  std::string_view kind() const override { return "proc"; }

  void attach(std::string_view uname, std::string_view aname, Reply<std::unique_ptr<Fid>> r) override;
  void walk1(Fid& fid, std::string_view name, Reply<Qid> r) override;
  void open(Fid& fid, uint8_t mode, Reply<void> r) override;
  void read(Fid& fid, uint64_t offset, uint32_t count, Reply<Bytes> r) override;
  void write(Fid& fid, uint64_t offset, std::span<const uint8_t> data, Reply<uint32_t> r) override;
  void stat(Fid& fid, Reply<Dir> r) override;

  // The status line of a process as /proc/N/status reads it (for ps and for tests).
  std::string status_text(int pid) const;

 private:
  class ProcFid;
  Result<Dir> dir_of(int pid, int file) const;
  Result<std::string> text_of(int pid, int file) const;
  Result<void> write_ctl(int pid, std::string_view msg);
  Result<void> write_noteid(int pid, std::string_view msg);

  Kernel& kernel_;
};

}  // namespace web9
