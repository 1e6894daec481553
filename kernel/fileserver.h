// The one interface every file server fills, in the spirit of 9P2000 and lib9p: attach, walk,
// open, create, read, write, stat, wstat, remove, clunk, with qids and fids. A server answers each
// request by calling its Reply exactly once, now or later (lib9p's respond), so a slow server
// (a pipe waiting for a writer, OPFS, fetch, a 9P connection) never blocks the kernel.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kernel/dir.h"
#include "kernel/result.h"

namespace web9 {

// Called exactly once with the outcome of a request, synchronously or later.
template <class T>
using Reply = std::function<void(Result<T>)>;

// What a readiness query (FileServer::ready) answers once a read or write would not wait.
struct Readiness {
  uint64_t nbytes = 0;  // bytes a read would find (or a write could add); 0 when unknown
  bool hangup = false;  // the other end is gone: a read finds end of file, a write fails
};

// A shared ring a process may use for a file instead of reads and writes (fs/pipe.h's
// PipeRings): its slot in the runtime's arena and the generation it was given out with.
struct RingRef {
  int slot = -1;
  uint32_t gen = 0;
};


// A server's handle on one file (lib9p's Fid). Servers subclass it to hang their own state on it.
// The kernel owns fids (through Chan) and guarantees a fid outlives every request made on it.
class Fid {
 public:
  virtual ~Fid() = default;
  // A new fid for the same file, not open (Twalk with no names). The kernel walks clones, never
  // a fid that is in use.
  virtual std::unique_ptr<Fid> clone() const = 0;

  Qid qid;
  bool open = false;
  uint8_t mode = 0;  // the open mode (OREAD, OWRITE, ORDWR, OEXEC | OTRUNC | ORCLOSE) once open
};

// Every operation but attach is optional: the defaults answer with the error a client expects
// (Plan 9's devcreate and friends, lib9p's nil callbacks).
class FileServer {
 public:
  virtual ~FileServer() = default;

  // A short name for the kind of server ("ram", "cons", "pipe", "mnt"), shown in /proc/N/ns.
  virtual std::string_view kind() const = 0;

  // A fid for the root of the tree named by aname ("" for the default tree).
  virtual void attach(std::string_view uname, std::string_view aname, Reply<std::unique_ptr<Fid>> r) = 0;

  // Moves fid one step down to the child called name and answers with its qid. fid is not open;
  // the kernel does multi-element walks, ".." and mount crossings, so name is never "." or "..".
  virtual void walk1(Fid& fid, std::string_view name, Reply<Qid> r);

  // Opens fid with mode. A directory may only be opened OREAD.
  virtual void open(Fid& fid, uint8_t mode, Reply<void> r);

  // Creates name in the directory fid with perm (DMDIR for a directory) and opens it with mode;
  // on success fid names the new file and is open. Fails with Errc::exist if name exists.
  virtual void create(Fid& fid, std::string_view name, uint32_t perm, uint8_t mode, Reply<void> r);

  // Reads up to count bytes at offset from an open fid. On a directory the answer is whole packed
  // stat entries (pack_dir); offset is 0 or the previous offset plus the previous answer's size.
  // An empty answer is end of file.
  virtual void read(Fid& fid, uint64_t offset, uint32_t count, Reply<Bytes> r);

  // read() into dest (count is dest.size()), answering the count read. dest stays valid until r
  // is called, however late. The default reads and copies; a server that holds the bytes (a
  // pipe, a store) overrides it to put them straight where the reader wants them (a process's
  // system-call frame), with one copy and no buffer of its own.
  virtual void read_into(Fid& fid, uint64_t offset, std::span<uint8_t> dest, Reply<uint32_t> r);

  // Writes data at offset to an open fid and answers with the count written. data is valid only
  // during the call: a server that answers later copies what it needs.
  virtual void write(Fid& fid, uint64_t offset, std::span<const uint8_t> data, Reply<uint32_t> r);

  virtual void stat(Fid& fid, Reply<Dir> r);

  // Changes the fields of d that are not "don't touch" (Dir::nochange()): name (rename within
  // the directory), length (truncate), mode, mtime, gid.
  virtual void wstat(Fid& fid, const Dir& d, Reply<void> r);

  // Removes the file; the fid is clunked whether or not it succeeds.
  virtual void remove(Fid& fid, Reply<void> r);

  // Answers once a read (for_write false) or a write on the open fid would not wait: at once
  // if it would not now (poll). The default answers at once, as files and every server that
  // never makes a reader or writer wait are always ready. A server that does make them wait
  // keeps the query until then; flush(fid) and clunk answer it with Errc::intr. It is a hint,
  // as POSIX's poll is: another reader may take the bytes first.
  virtual void ready(Fid& fid, bool for_write, Reply<Readiness> r);

  // The kernel is done with fid (it is about to be destroyed). Handles ORCLOSE.
  virtual void clunk(Fid& fid);

  // Abandons every request pending on fid (9P's Tflush): each answers Errc::intr now, readiness
  // queries included.
  virtual void flush(Fid& fid);

  // The shared ring through which a process may read (for_write false) or write fid's data
  // directly, if the server has one (only pipes do); the kernel hands it to the process.
  virtual std::optional<RingRef> ring(const Fid&, bool /*for_write*/) const { return std::nullopt; }

  // Reads and writes do nothing but move bytes at the offset, and answer before they return
  // (ram and store files): the kernel may then take a process's writes in batches after the
  // fact, and read ahead of it (Syscalls, "write-behind and read-ahead"). (A store file opened
  // empty answers its first write later, once its data is open; rings are given only after a
  // large write or read on the fd has answered, so by then it answers at once.)
  virtual bool plain_files() const { return false; }
  // Read-ahead: up to count bytes at offset as one record into the runtime's ring in slot,
  // answering the count (Store::read_to_ring); Errc::notsup where the server cannot; or
  // kRingHandedOver: the runtime gave the process the file itself to read from offset on (a
  // browser process worker reading the OPFS data file with its own handle), and the ring holds
  // where it stands, not records.
  virtual void read_to_ring(Fid&, uint64_t, int /*slot*/, uint32_t, Reply<uint32_t> r) { r(Errc::notsup); }
};

// What read_to_ring answers when the process was handed the file itself (docs/runtime.md).
inline constexpr uint32_t kRingHandedOver = 0xffffffff;

// The answer to a read() that puts its bytes (at most dest.size()) into dest and answers r with
// their count: read_into made of read.
Reply<Bytes> copy_into(std::span<uint8_t> dest, Reply<uint32_t> r);

// A helper for servers whose directory reads come from a list of entries: packs the entries that
// follow *index into at most count bytes and advances *index. A server keeps index in its fid and
// resets it when offset is 0.
Bytes pack_dir_entries(const std::vector<Dir>& entries, size_t* index, uint32_t count);

}  // namespace web9
