// The system-call server: decodes a process's syscall frame (docs/runtime.md), runs the call on
// the Kernel and writes the reply into the same frame, now or later. It is the only place that
// knows how each call's arguments are laid out in a frame; web/runtime/process.js is its twin on
// the guest side. The JS runtime (kernel/bindings.cpp + web/kernel/worker.js) implements
// RuntimeHost: it moves frames between the channel SharedArrayBuffers and kernel memory and
// starts and ends process workers. Everything here runs on the kernel worker's one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "kernel/kernel.h"

namespace web9 {

// Call numbers, from the shared table.
enum class Op : int32_t {
#define X(name, num) name = num,
#include "kernel/syscall_ops.inc"
#undef X
};

// The frame header, byte for byte the first 128 bytes of a channel (docs/runtime.md).
struct SyscallFrame {
  int32_t state;     // 0 idle, 1 request posted, 2 reply ready
  int32_t op;        // Op
  uint32_t in_len;   // request bytes in data
  int32_t err;       // WASI errno of the reply
  uint32_t out_len;  // reply bytes in data
  int32_t pid;
  int32_t cancel;    // set by the process: end its waiting poll now (Syscalls::cancel)
  uint32_t reserved;
  int64_t a[8];      // arguments
  int64_t r[4];      // results
  uint8_t data[];    // kChannelData bytes
};
static_assert(offsetof(SyscallFrame, a) == 32 && offsetof(SyscallFrame, r) == 96 &&
              offsetof(SyscallFrame, data) == 128, "frame layout is fixed by docs/runtime.md");
constexpr size_t kFrameHeader = 128;
constexpr size_t kChannelData = 1 << 20;
constexpr size_t kChannelSize = kFrameHeader + kChannelData;
// A reply's err when the process is to end now: it takes no notes and one was posted to it
// (Plan 9's default action). The process side unwinds the program at once; outside WASI's
// errno range.
constexpr int32_t kErrKilled = 65536;
// The preopened directory every guest sees: fd 3 is "/" (docs/abi.md). A constant of the ABI,
// whatever the fd table holds: web/runtime/process.js answers fd_prestat_get and
// fd_prestat_dir_name itself (PREOPEN_FD), saving each program's start three round trips.
constexpr int kPreopenFd = 3;

// What a process worker is started with.
struct ProcessImage {
  int pid = 0;
  std::string key;  // identifies the program's bytes for the compiled-module cache
  std::shared_ptr<const Bytes> wasm;
  std::vector<std::string> argv;
  std::vector<std::string> env;  // "name=value"
  std::string cwd;               // its working directory: the process answers getcwd itself until it chdirs
  // Its descriptors that have shared rings (pipes), as {fd, ring info} (Syscalls: ring_info).
  std::vector<std::pair<int, int64_t>> rings;
};

// What the kernel asks of the runtime around it.
class RuntimeHost {
 public:
  virtual ~RuntimeHost() = default;
  // The frame of pid holds a finished reply (err, r, out_len, data): copy it to the process's
  // channel, set state 2 and wake the process.
  virtual void reply(int pid) = 0;
  // Start a worker running image.
  virtual void start(ProcessImage image) = 0;
  // End the worker of pid after grace_ms milliseconds unless cancel_stop(pid) comes first; then
  // tell the kernel with Syscalls::exited(pid, "killed"). grace_ms 0: at once.
  virtual void stop(int pid, int grace_ms) = 0;
  virtual void cancel_stop(int pid) = 0;
  // Pipe rings (fs/pipe.h, web/runtime/ring.js). Has the ring in slot moved on from what a
  // process saw (its generation gen and sequence number seq)? A host without rings: always.
  virtual bool ring_changed(int /*slot*/, uint32_t /*gen*/, uint32_t /*seq*/) { return true; }
  // The kernel has (on) or no longer has a process waiting on slot in ring_wait: processes
  // that change the ring then ring the doorbell.
  virtual void ring_watch(int /*slot*/, bool /*on*/) {}
  // File rings (docs/runtime.md, "Write-behind and read-ahead"): a fresh ring through which a
  // process writes a plain file (producer false: the kernel drains it) or reads one (true: the
  // kernel fills it); nullopt when none is free or the host has none.
  virtual std::optional<RingRef> file_ring_open(bool /*producer*/) { return std::nullopt; }
  // Write-behind: moves the bytes of whole records out of the ring into dest, as many as fit;
  // answers how many.
  virtual size_t file_ring_take(int /*slot*/, std::span<uint8_t> /*dest*/) { return 0; }
  // Read-ahead: the bytes free for records; one record of data (it must fit); end of file.
  virtual size_t file_ring_room(int /*slot*/) { return 0; }
  virtual void file_ring_put(int /*slot*/, std::span<const uint8_t> /*data*/) {}
  virtual void file_ring_eof(int /*slot*/) {}
  // Read-ahead taken back: answers how far the fd's offset goes back, the bytes not yet read
  // (negative: how far it goes on, the bytes a process read straight from the file of a ring
  // handed over whole: kRingHandedOver); the slot is free.
  virtual int64_t file_ring_recall(int /*slot*/) { return 0; }
  // Write-behind: no process may push into the ring from now on (what was pushed stays, for a
  // last drain).
  virtual void file_ring_seal(int /*slot*/) {}
  // The ring is done with; a process that tries it again comes to the kernel.
  virtual void file_ring_close(int /*slot*/) {}
};

class Syscalls {
 public:
  Syscalls(Kernel& kernel, RuntimeHost& host);
  ~Syscalls();
  Syscalls(const Syscalls&) = delete;
  Syscalls& operator=(const Syscalls&) = delete;

  // The frame of pid in kernel memory, kChannelSize bytes, made on first use and kept until the
  // process is reaped. The host copies requests in and replies out of it.
  SyscallFrame* frame(int pid);
  // The frame of pid holds a request (state 1): run it. host.reply(pid) follows, during this call
  // or later. A request that arrives while one is pending for pid gets EBUSY.
  void submit(int pid);
  // Starts the program at path (in the namespace of parent, or of a new init when parent is 0)
  // as a new process, reading the file and following "#!" lines. Answers the new pid.
  void spawn(int parent, std::string path, SpawnOptions options, Reply<int> r);
  // The worker of pid has ended on its own: a trap (status "sys: trap: ...") or the end of
  // _start without proc_exit (status ""). Also called by the host after stop().
  void exited(int pid, std::string status);
  // The process gave up waiting (its poll_oneoff timeout passed and it set the frame's cancel
  // word): if its pending call is a poll, it answers now with no events. Any other call, or
  // none, is left alone; a poll answered meanwhile keeps its answer.
  void cancel(int pid);
  // Drains write-behind rings, fills read-ahead rings and answers the ring_wait calls whose rings
  // have changed (the host calls it when the doorbell rings).
  void check_rings();

 private:
  struct State;
  Kernel& kernel_;
  RuntimeHost& host_;
  std::unique_ptr<State> state_;
};

}  // namespace web9
