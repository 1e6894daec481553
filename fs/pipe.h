// The pipe device '#|' (Plan 9's devpipe): every attach makes a new pipe, a directory holding
// data and data1; what is written on one is read from the other.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "kernel/fileserver.h"

namespace web9 {

// Semantics, following pipe(3):
// - Write boundaries are preserved: a read returns bytes of one write only, at most count of
//   them; the rest of that write stays for the next read. Each write is contiguous at the other
//   end even with several writers. A write of 0 bytes does nothing (POSIX; in Plan 9 it would
//   read as end of file).
// - Each direction holds kLimit bytes before writers wait. A write is queued whole at once and
//   answered, with its full count, once its last byte is within kLimit of the read position:
//   a writer sees Plan 9's "writes complete fully", and memory is bounded by kLimit plus one
//   write per waiting writer.
// - Reads with nothing queued wait for a write. When every fid opened on an end is clunked,
//   readers at the other end get 0 bytes (end of file) once its queue drains, and writes at the
//   other end fail with Errc::pipe ("write on closed pipe"; the process layer posts the note),
//   queued data and waiting writers included. Before an end is first opened, writes to it wait.
// - flush(fid) answers the fid's waiting reads and writes with Errc::intr; a flushed write's
//   bytes stay queued (pipe(2): "some unknown number of bytes may have been transferred").
// - stat of data or data1 gives as length the bytes that a read there would find.
// - ready(fid, false) answers once a read would not wait: bytes are queued or the writing end is
//   gone (hangup); ready(fid, true) once the direction holds less than kLimit or the reading end
//   is gone (hangup). nbytes is the bytes queued, or the room left below kLimit. flush(fid)
//   answers the fid's waiting queries with Errc::intr.
// Shared rings (web/runtime/ring.js, docs/runtime.md "Pipe rings"): where the runtime gives
// each direction of a pipe a ring that processes read and write without a system call. The
// device stays the pipe's authority: it answers a read, a write or a readiness query of its own
// only after it has retired the direction's ring (taken its records into its own queue; from
// then on processes come to the kernel), and it says in the ring when an end closes.
class PipeRings {
 public:
  virtual ~PipeRings() = default;
  // A fresh ring for one direction; nullopt when none is free (the pipe then works without).
  virtual std::optional<RingRef> open() = 0;
  // The direction is gone: the slot may be given out again.
  virtual void close(int slot) = 0;
  // Every writing end is closed (eof) or every reading end is (broken).
  virtual void hang_up(int slot, bool broken) = 0;
  // The ring's records, oldest first; the ring is retired and its slot free.
  virtual std::vector<Bytes> retire(int slot) = 0;
  // Bytes a read would find in it.
  virtual size_t queued(int slot) = 0;
};

class PipeDevice : public FileServer {
 public:
  // Bytes one direction holds before writers wait (Plan 9 uses 32 KiB; more keeps a fast
  // producer and consumer in different workers from waiting on each other).
  static constexpr size_t kLimit = 256 * 1024;

  std::string_view kind() const override { return "pipe"; }

  void attach(std::string_view uname, std::string_view aname, Reply<std::unique_ptr<Fid>> r) override;
  void walk1(Fid& fid, std::string_view name, Reply<Qid> r) override;
  void open(Fid& fid, uint8_t mode, Reply<void> r) override;
  void read(Fid& fid, uint64_t offset, uint32_t count, Reply<Bytes> r) override;
  void read_into(Fid& fid, uint64_t offset, std::span<uint8_t> dest, Reply<uint32_t> r) override;
  void write(Fid& fid, uint64_t offset, std::span<const uint8_t> data, Reply<uint32_t> r) override;
  void stat(Fid& fid, Reply<Dir> r) override;
  void ready(Fid& fid, bool for_write, Reply<Readiness> r) override;
  void clunk(Fid& fid) override;
  void flush(Fid& fid) override;
  std::optional<RingRef> ring(const Fid& fid, bool for_write) const override;

  // Pipes made from now on get rings from rings (null: none); it must outlive them.
  void set_rings(PipeRings* rings) { rings_ = rings; }

 private:
  uint64_t next_pipe_ = 0;
  PipeRings* rings_ = nullptr;
};

}  // namespace web9
