// The service registry '#s' (Plan 9's devsrv), bound on /srv: a process posts an open channel
// under a name and any process may open it later, e.g. a pipe end that a 9P server answers on.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "kernel/chan.h"

namespace web9 {

// Posting, as in srv(3): create /srv/name, then write the decimal number of one of the writer's
// fds into it; the file then holds that fd's channel. Opening /srv/name through the kernel
// yields the posted channel itself (Kernel::open asks posted()), so the opener shares it with
// the poster. Removing the file unposts; a file created with ORCLOSE unposts when its creator's
// fid is clunked (a server that dies takes its name with it).
class SrvFs : public FileServer {
 public:
  // The open channel of fd in the calling process's fd table.
  using FdLookup = std::function<Result<ChanRef>(int fd)>;

  explicit SrvFs(FdLookup lookup) : lookup_(std::move(lookup)) {}

  std::string_view kind() const override { return "srv"; }

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

  // The channel posted under the file fid names (fid must be this server's).
  Result<ChanRef> posted(const Fid& fid) const;
  // The posted names, in posting order.
  std::vector<std::string> names() const;

  // The user of the calling process, who owns the names it creates. Devices are attached with
  // no user name ('#s' in a path), so without this the owner would be the attach's empty uname.
  std::function<std::string()> caller_user;

 private:
  class SrvFid;
  struct Entry {
    std::string name;
    uint64_t path = 0;
    uint32_t perm = 0;
    uint32_t mtime = 0;
    std::string owner;
    ChanRef chan;  // null until the fd number is written
  };

  Entry* find(uint64_t path);
  const Entry* find(uint64_t path) const;
  Entry* find(std::string_view name);
  Dir dir_of(const Entry* e, const std::string& uname) const;
  void unpost(uint64_t path);

  FdLookup lookup_;
  std::vector<Entry> entries_;
  uint64_t next_path_ = 1;
};

}  // namespace web9
