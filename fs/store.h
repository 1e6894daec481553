// A persistent tree of files, as StoreFs (fs/storefs.h) needs it: the C++ face of OpfsStore
// (web/kernel/opfs.js) and HostStore (web/kernel/hoststore.js), through JsStore
// (kernel/bindings_store.cpp), and of MemStore (fs/memstore.h) for native tests.
//
// Files are named by qid path, never by a path string: a fid keeps its file across renames of
// any directory above it. Every call answers through its Reply exactly once, at once (the OPFS
// metadata calls and reads and writes on an open file) or later (opening a file's first sync
// access handle). Errors carry the store's message (ENOSPC says why the quota is used up).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kernel/dir.h"
#include "kernel/fileserver.h"

namespace web9 {

// One file or directory as the store keeps it (OpfsStore's stat object).
struct StoreEntry {
  uint64_t path = 0;     // the qid path: stable for the file's life, never reused
  uint32_t version = 0;  // changes whenever the contents or the metadata change
  bool is_dir = false;
  uint64_t length = 0;  // 0 for a directory
  uint32_t mode = 0;    // permission bits with DMDIR, DMAPPEND, DMEXCL, DMTMP as given
  uint32_t mtime = 0;   // seconds since the epoch
  std::string name;     // "/" for the root
};

// An open file's handle, as the store numbers them.
using StoreFile = uint32_t;

class Store {
 public:
  virtual ~Store() = default;

  // The root directory's qid path.
  virtual uint64_t root() const = 0;
  // Whether every change fails with Errc::rofs, and why (another tab owns the home).
  virtual bool read_only() const = 0;
  virtual std::string read_only_reason() const = 0;

  virtual void stat(uint64_t path, Reply<StoreEntry> r) = 0;
  // The entry called name in directory dir. ".." is the parent of dir, which may also be a file
  // (the root's parent is the root).
  virtual void lookup(uint64_t dir, std::string_view name, Reply<StoreEntry> r) = 0;
  virtual void list(uint64_t dir, Reply<std::vector<StoreEntry>> r) = 0;
  // Makes name in dir: a directory if mode has DMDIR. Errc::exist if the name is taken.
  virtual void create(uint64_t dir, std::string_view name, uint32_t mode, Reply<StoreEntry> r) = 0;
  // Renames within the file's directory. Errc::exist if the name is taken.
  virtual void rename(uint64_t path, std::string_view name, Reply<StoreEntry> r) = 0;
  // Removes a file or an empty directory (Errc::notempty). Open handles on a removed file keep
  // reading and writing its contents until they are closed.
  virtual void remove(uint64_t path, Reply<void> r) = 0;
  virtual void set_mode(uint64_t path, uint32_t mode, Reply<StoreEntry> r) = 0;
  virtual void set_mtime(uint64_t path, uint32_t mtime, Reply<StoreEntry> r) = 0;
  // Makes everything written so far durable.
  virtual void sync(Reply<void> r) = 0;

  // Opens a file's contents (Errc::isdir for a directory).
  virtual void open_file(uint64_t path, Reply<StoreFile> r) = 0;
  // Up to count bytes at offset; fewer (or none) at the end.
  virtual void read(StoreFile f, uint64_t offset, uint32_t count, Reply<Bytes> r) = 0;
  // read() into dest (valid until r is called), answering the count. The default reads and
  // copies; a store that can read straight into dest overrides it.
  virtual void read_into(StoreFile f, uint64_t offset, std::span<uint8_t> dest, Reply<uint32_t> r) {
    read(f, offset, static_cast<uint32_t>(dest.size()), copy_into(dest, std::move(r)));
  }
  // Read-ahead (Syscalls): up to count bytes at offset, put as one record into the runtime's
  // ring in slot (web/runtime/ring.js), answering the count; Errc::notsup for a store that
  // cannot, whose caller then reads into its own memory and copies; or kRingHandedOver.
  virtual void read_to_ring(StoreFile, uint64_t, int /*slot*/, uint32_t, Reply<uint32_t> r) { r(Errc::notsup); }
  // Writes all of data at offset or nothing. data is valid only during the call.
  virtual void write(StoreFile f, uint64_t offset, std::span<const uint8_t> data, Reply<uint32_t> r) = 0;
  virtual void truncate(StoreFile f, uint64_t length, Reply<void> r) = 0;
  // Makes the file's written data durable (fsync).
  virtual void flush(StoreFile f, Reply<void> r) = 0;
  virtual void size(StoreFile f, Reply<uint64_t> r) = 0;
  // Done with the handle; never fails.
  virtual void close(StoreFile f) = 0;
};

// The error for a store's errno name ("ENOENT", "ENOSPC", ...: OpfsError.errno) and message.
// Unknown names are Errc::io.
Error store_error(std::string_view errno_name, std::string message);

}  // namespace web9
