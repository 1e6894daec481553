// The environment device '#e' (Plan 9's devenv), bound on /env: each variable of the calling
// process's environment is a file whose content is its value.
#pragma once

#include <functional>
#include <memory>

#include "kernel/env.h"

namespace web9 {

// Whose environment: a file server does not know who calls it, so, as Plan 9's devenv reads
// up->egrp, every operation asks the kernel for the environment of the process whose system
// call is running (Kernel::current_pid). Processes sharing a name space therefore each see
// their own /env. When no call is running (a request finishing later), the environment seen
// when the fid was attached or walked is used. An attach with aname "N" instead fixes the
// environment of process N for that tree ('#e123').
//
// Files are created with create, emptied with OTRUNC or a wstat of length, renamed by a wstat
// of name, and removed with remove; a write at an offset past the end zero-fills.
class EnvFs : public FileServer {
 public:
  // The environment of process pid, or with pid 0 of the calling process; null if none.
  using Finder = std::function<std::shared_ptr<Env>(int pid)>;

  explicit EnvFs(Finder find) : find_(std::move(find)) {}

  std::string_view kind() const override { return "env"; }

  void attach(std::string_view uname, std::string_view aname, Reply<std::unique_ptr<Fid>> r) override;
  void walk1(Fid& fid, std::string_view name, Reply<Qid> r) override;
  void open(Fid& fid, uint8_t mode, Reply<void> r) override;
  void create(Fid& fid, std::string_view name, uint32_t perm, uint8_t mode, Reply<void> r) override;
  void read(Fid& fid, uint64_t offset, uint32_t count, Reply<Bytes> r) override;
  void write(Fid& fid, uint64_t offset, std::span<const uint8_t> data, Reply<uint32_t> r) override;
  void stat(Fid& fid, Reply<Dir> r) override;
  void wstat(Fid& fid, const Dir& d, Reply<void> r) override;
  void remove(Fid& fid, Reply<void> r) override;
  void clunk(Fid& fid) override;

 private:
  class EnvFid;
  Result<std::shared_ptr<Env>> env_of(EnvFid& f) const;
  Result<const Env::Var*> var_of(EnvFid& f) const;
  Dir dir_of(const EnvFid& f, const Env::Var* v) const;

  Finder find_;
};

}  // namespace web9
