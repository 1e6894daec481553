// The file server over a Store (fs/store.h): the user's persistent home (OPFS in the browser, a
// host directory under tools/web9, memory in native tests) as a 9P-shaped FileServer. Fids hold
// qid paths, so a rename of any directory above a fid does not move it; open fids hold a store
// file handle, so a removed file stays readable through them. Every request is answered when the
// store answers: at once for a synchronous store, later for an asynchronous one. docs/opfs.md,
// "The kernel side", has the design.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "fs/store.h"
#include "kernel/fileserver.h"

namespace web9 {

class StoreFs final : public FileServer {
 public:
  // Everything in the store is owned by owner (the store keeps no owners), and permission bits
  // are checked as on Plan 9 for owner and for other users.
  explicit StoreFs(std::shared_ptr<Store> store, std::string owner = "glenda");
  ~StoreFs() override;

  std::string_view kind() const override { return "store"; }
  bool plain_files() const override { return true; }

  void attach(std::string_view uname, std::string_view aname, Reply<std::unique_ptr<Fid>> r) override;
  void walk1(Fid& fid, std::string_view name, Reply<Qid> r) override;
  void open(Fid& fid, uint8_t mode, Reply<void> r) override;
  void create(Fid& fid, std::string_view name, uint32_t perm, uint8_t mode, Reply<void> r) override;
  void read(Fid& fid, uint64_t offset, uint32_t count, Reply<Bytes> r) override;
  void read_into(Fid& fid, uint64_t offset, std::span<uint8_t> dest, Reply<uint32_t> r) override;
  void read_to_ring(Fid& fid, uint64_t offset, int slot, uint32_t count, Reply<uint32_t> r) override;
  void write(Fid& fid, uint64_t offset, std::span<const uint8_t> data, Reply<uint32_t> r) override;
  void stat(Fid& fid, Reply<Dir> r) override;
  void wstat(Fid& fid, const Dir& d, Reply<void> r) override;
  void remove(Fid& fid, Reply<void> r) override;
  void clunk(Fid& fid) override;
  void flush(Fid& fid) override;

  // fsync: makes what was written through fid (when it is open on a file) and every metadata
  // change durable. Not part of FileServer: the syscall layer calls it when the fid's server is
  // a StoreFs.
  void sync(Fid& fid, Reply<void> r);

  Store& store() { return *store_; }

  struct FidState;  // a fid's state, shared with the requests pending on it

 private:
  class StoreFid;

  Dir dir_of(const StoreEntry& e) const;
  bool allows(const StoreEntry& e, const std::string& uname, uint32_t need) const;
  Result<void> check_writable() const;
  void release(FidState& st);
  void truncate_path(uint64_t path, uint64_t length, Reply<void> r);

  std::shared_ptr<Store> store_;
  std::string owner_;
  std::map<uint64_t, int> exclusive_;  // open fids of DMEXCL files, by qid path
};

}  // namespace web9
