// A Store kept in memory, for native tests of StoreFs (and anything else that wants a store
// without a browser): OpfsStore's semantics (errors, versions, removed files readable through
// open handles, read-only mode, a quota that gives ENOSPC), with a switch that makes every call
// answer later, as OPFS's asynchronous ones do.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "fs/store.h"

namespace web9 {

class MemStore : public Store {
 public:
  using Clock = std::function<uint32_t()>;  // seconds since the epoch
  explicit MemStore(Clock clock = {});
  ~MemStore() override;

  // Deferred: every call (its effect and its answer) waits in a queue until run_one runs it.
  void set_deferred(bool deferred) { deferred_ = deferred; }
  // Runs the oldest queued call; false when there was none.
  bool run_one();
  // A non-empty reason makes the store read-only: every change fails with Errc::rofs and it.
  void set_read_only(std::string reason) { read_only_ = std::move(reason); }
  // Writes and truncates that would make the files' contents larger than this fail, whole, with
  // Errc::nospc.
  void set_quota(uint64_t bytes) { quota_ = bytes; }
  void set_clock(Clock clock);
  size_t open_handles() const { return files_.size(); }
  int syncs() const { return syncs_; }
  int flushes() const { return flushes_; }
  // The bytes the files' contents take, removed files still open included.
  uint64_t used() const;

  uint64_t root() const override { return 0; }
  bool read_only() const override { return !read_only_.empty(); }
  std::string read_only_reason() const override { return read_only_; }
  void stat(uint64_t path, Reply<StoreEntry> r) override;
  void lookup(uint64_t dir, std::string_view name, Reply<StoreEntry> r) override;
  void list(uint64_t dir, Reply<std::vector<StoreEntry>> r) override;
  void create(uint64_t dir, std::string_view name, uint32_t mode, Reply<StoreEntry> r) override;
  void rename(uint64_t path, std::string_view name, Reply<StoreEntry> r) override;
  void remove(uint64_t path, Reply<void> r) override;
  void set_mode(uint64_t path, uint32_t mode, Reply<StoreEntry> r) override;
  void set_mtime(uint64_t path, uint32_t mtime, Reply<StoreEntry> r) override;
  void sync(Reply<void> r) override;
  void open_file(uint64_t path, Reply<StoreFile> r) override;
  void read(StoreFile f, uint64_t offset, uint32_t count, Reply<Bytes> r) override;
  void write(StoreFile f, uint64_t offset, std::span<const uint8_t> data, Reply<uint32_t> r) override;
  void truncate(StoreFile f, uint64_t length, Reply<void> r) override;
  void flush(StoreFile f, Reply<void> r) override;
  void size(StoreFile f, Reply<uint64_t> r) override;
  void close(StoreFile f) override;

 private:
  struct Node;
  using NodeRef = std::shared_ptr<Node>;

  void run(std::function<void()> op);
  Result<NodeRef> find(uint64_t path) const;
  Result<NodeRef> file(StoreFile f) const;
  Result<void> writable() const;
  Result<void> grow(const Node& n, uint64_t length) const;
  StoreEntry entry(const Node& n) const;
  void modified(Node& n);

  Clock clock_;
  std::map<uint64_t, NodeRef> nodes_;
  std::map<StoreFile, NodeRef> files_;
  uint64_t next_path_ = 1;
  StoreFile next_file_ = 1;
  bool deferred_ = false;
  std::deque<std::function<void()>> queue_;
  std::string read_only_;
  uint64_t quota_ = UINT64_MAX;
  int syncs_ = 0;
  int flushes_ = 0;
};

}  // namespace web9
