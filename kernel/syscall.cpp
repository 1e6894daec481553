// The system-call server (kernel/syscall.h): one frame per process, decoded here and run on the
// Kernel. The frame encoding of every call is documented in docs/abi.md; web/runtime/process.js
// is the other half and must change with this file.
#include "kernel/syscall.h"

#include <chrono>
#include <climits>
#include <cstring>
#include <deque>
#include <map>
#include <set>
#include <optional>
#include <string_view>

#include "fs/storefs.h"

namespace web9 {
namespace {

// WASI preview1 file types.
constexpr uint8_t kFtUnknown = 0;
constexpr uint8_t kFtCharDevice = 2;
constexpr uint8_t kFtDirectory = 3;
constexpr uint8_t kFtRegular = 4;

// WASI rights: every bit preview1 defines. A descriptor that cannot seek lacks FD_SEEK and
// FD_TELL, which is how wasi-libc's isatty() tells a terminal from a file.
constexpr uint64_t kRightFdRead = 1ull << 1;
constexpr uint64_t kRightFdSeek = 1ull << 2;
constexpr uint64_t kRightFdTell = 1ull << 5;
constexpr uint64_t kRightFdWrite = 1ull << 6;
constexpr uint64_t kRightFdReaddir = 1ull << 14;
constexpr uint64_t kAllRights = (1ull << 29) - 1;

// path_open's oflags and fdflags.
constexpr uint32_t kOCreat = 1, kODirectory = 2, kOExcl = 4, kOTrunc = 8;
constexpr uint32_t kFdflagAppend = 1;
// fst_flags of the set_times calls.
constexpr uint32_t kFstMtim = 4, kFstMtimNow = 8;

constexpr size_t kFilestatSize = 64;
// poll_oneoff's reply records, and their hang-up flag (WASI's EVENTRWFLAGS_FD_READWRITE_HANGUP).
constexpr size_t kPollEventSize = 16;
constexpr uint16_t kEventHangup = 1;
constexpr size_t kDirentHeader = 24;
constexpr int kMaxInterpDepth = 4;
constexpr size_t kMaxProgram = size_t(256) << 20;
constexpr size_t kProgramCacheEntries = 16;

void put_u64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
void put_u32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
void put_u16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}
uint32_t get_u32(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; i--) v = (v << 8) | p[i];
  return v;
}

uint8_t filetype_of(const Dir& d) {
  if (d.qid.is_dir()) return kFtDirectory;
  if (d.type == 'c') return kFtCharDevice;
  if (d.type == '|') return kFtUnknown;
  return kFtRegular;
}

std::string basename_of(std::string_view path) {
  auto slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string dirname_of(std::string_view path) {
  auto slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

// The 64-byte WASI filestat.
void pack_filestat(uint8_t* out, const Dir& d, uint8_t filetype) {
  std::memset(out, 0, kFilestatSize);
  put_u64(out + 0, (uint64_t(d.type) << 32) | d.dev);
  put_u64(out + 8, d.qid.path);
  out[16] = filetype;
  put_u64(out + 24, 1);
  put_u64(out + 32, d.length);
  put_u64(out + 40, uint64_t(d.atime) * 1000000000ull);
  put_u64(out + 48, uint64_t(d.mtime) * 1000000000ull);
  put_u64(out + 56, uint64_t(d.mtime) * 1000000000ull);
}

uint32_t wall_seconds() {
  using namespace std::chrono;
  return static_cast<uint32_t>(duration_cast<seconds>(system_clock::now().time_since_epoch()).count());
}

// Splits "a\0b\0c\0" (a final unterminated element counts).
std::vector<std::string> split_nul(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t end = s.find('\0', i);
    if (end == std::string_view::npos) end = s.size();
    out.emplace_back(s.substr(i, end - i));
    i = end + 1;
  }
  return out;
}

}  // namespace

struct Syscalls::State {
  // One process as the system-call server sees it. Callbacks hold it by shared_ptr and check
  // `gone` first: a reply may come after the process (or the server) is gone.
  struct Proc {
    int pid = 0;
    std::unique_ptr<uint64_t[]> mem;  // kChannelSize bytes, 8-aligned for the 64-bit fields
    SyscallFrame* f = nullptr;
    bool pending = false;
    bool gone = false;
    bool notify = false;
    bool started = false;  // has a worker (host.start): only then is there anything to stop
    std::string fatal_note;  // a note that is ending the process (no handler)
    // Its pending ring_wait: the ring's slot and what the process saw of it.
    struct RingWait {
      int slot;
      uint32_t gen, seq;
    };
    std::optional<RingWait> ring_wait;
    std::string errstr;
    // fd_readdir: the entries of the directory last listed, by cookie (index + 1).
    std::weak_ptr<Chan> dir_chan;
    int dir_fd = -1;
    std::vector<Dir> dir_entries;
  };
  using P = std::shared_ptr<Proc>;

  struct Loaded {
    std::string key;
    std::shared_ptr<const Bytes> wasm;
    std::vector<std::string> argv;
  };

  Kernel& kernel;
  RuntimeHost& host;
  std::map<int, P> procs;
  std::map<std::string, std::shared_ptr<const Bytes>> programs;  // by key
  std::deque<std::string> program_order;                           // oldest first
  bool init_started = false;
  std::map<int, int> ring_waiters;  // pid → slot of each pending ring_wait

  // Write-behind: a process's writes to a plain file through a ring the kernel drains (by slot).
  struct FileRing {
    int pid;
    int fd;
    std::weak_ptr<Chan> chan;  // what fd named when the ring was given: the ring goes with it
    RingRef ref;
    bool failed = false;
  };
  std::map<int, FileRing> file_rings;
  // The error of a drained write, for the process's next write, sync or close of that fd.
  std::map<std::pair<int, int>, Error> deferred;
  // Where drained writes and read-ahead records through kernel memory pass (512 KiB, at need).
  Bytes scratch_;
  std::span<uint8_t> scratch() {
    if (scratch_.empty()) scratch_.resize(512 * 1024);
    return scratch_;
  }
  // Writes of at least this many bytes to a plain file earn the writer a ring.
  static constexpr uint32_t kWriteBehindMin = 16 * 1024;

  // Read-ahead: a ring the kernel fills from a plain file, ahead of the
  // process that reads it in large sequential pieces (by slot).
  struct ReadRing {
    int pid;
    int fd;
    std::weak_ptr<Chan> chan;
    RingRef ref;
    bool eof = false;
    bool handed_over = false;  // the process reads the file itself: nothing to fill
  };
  std::map<int, ReadRing> read_rings;
  // (pid, fd) → where its last large read ended: a second read from there earns a ring.
  std::map<std::pair<int, int>, uint64_t> read_streak;
  // Records the kernel puts in a read-ahead ring (eight fill it).
  static constexpr size_t kReadRecord = 128 * 1024 - 4;

  State(Kernel& k, RuntimeHost& h) : kernel(k), host(h) {}
  ~State() {
    for (auto& [pid, p] : procs) {
      p->gone = true;
      (void)kernel.set_note_hook(pid, nullptr);
    }
  }

  P proc(int pid) {
    auto it = procs.find(pid);
    if (it != procs.end()) return it->second;
    auto p = std::make_shared<Proc>();
    p->pid = pid;
    p->mem = std::make_unique<uint64_t[]>(kChannelSize / 8);
    p->f = reinterpret_cast<SyscallFrame*>(p->mem.get());
    p->f->pid = pid;
    procs.emplace(pid, p);
    (void)kernel.set_note_hook(pid, [this, pid](const std::string& note) { on_note(pid, note); });
    return p;
  }

  // --- notes ---
  void on_note(int pid, const std::string& note) {
    P p = proc(pid);
    // A record without a worker (init when the runtime never started a program for it) keeps
    // its notes queued: ending it would orphan every process.
    if (!p->started) return;
    // A wait on a pipe ring is interrupted like a read of the pipe.
    if (p->ring_wait) {
      p->ring_wait.reset();
      fail(p, Error(Errc::intr));
    }
    if (note == "kill") return host.stop(pid, 0);
    if (p->notify) return;  // it takes the note itself with noted; its blocked call got EINTR
    if (p->fatal_note.empty()) p->fatal_note = note;
    host.stop(pid, 100);
  }

  // --- replies ---
  // A process with a worker that takes no notes ends at its first note: the call it is blocked
  // in (interrupted by the note) or its next one answers kErrKilled instead of letting it run
  // on through the stop grace — a ^C'd reader must not read the line typed after the ^C.
  bool doomed(const P& p) {
    if (p->notify || !p->started) return false;
    Process* k = kernel.process(p->pid);
    return k && !k->notes.empty();
  }
  void finish(const P& p) {
    if (p->gone) return;
    p->pending = false;
    if (doomed(p)) {
      p->f->err = kErrKilled;
      p->f->out_len = 0;
    }
    host.reply(p->pid);
  }
  void ok(const P& p) {
    p->f->err = 0;
    finish(p);
  }
  void fail(const P& p, const Error& e, std::string_view path = {}) {
    if (p->gone) return;
    p->f->err = wasi_errno(e.code);
    p->f->out_len = 0;
    p->errstr = e.msg.empty() && !path.empty() ? e.text() + ": " + std::string(path) : e.text();
    finish(p);
  }
  void put(const P& p, const void* data, size_t n) {
    if (n) std::memcpy(p->f->data, data, n);
    p->f->out_len = static_cast<uint32_t>(n);
  }
  // A reply callback that does nothing once the process is gone.
  template <class T, class F>
  Reply<T> then(const P& p, F f) {
    return [p, f = std::move(f)](Result<T> res) {
      if (p->gone) return;
      f(std::move(res));
    };
  }
  Reply<void> done_void(const P& p, std::string path = {}) {
    return then<void>(p, [this, p, path](Result<void> res) {
      if (!res) return fail(p, res.error(), path);
      ok(p);
    });
  }

  // --- decoding ---
  std::span<const uint8_t> in(const P& p) { return {p->f->data, p->f->in_len}; }
  // The request bytes [off, off+len) as a string; nullopt if they are not within in_len.
  std::optional<std::string> str(const P& p, uint64_t off, uint64_t len) {
    uint64_t n = p->f->in_len;
    if (off > n || len > n - off) return std::nullopt;
    return std::string(reinterpret_cast<const char*>(p->f->data) + off, len);
  }
  uint32_t cap(int64_t v) { return v < 0 ? 0 : static_cast<uint32_t>(std::min<uint64_t>(uint64_t(v), kChannelData)); }

  std::optional<Fd> fd_of(int pid, int fd) {
    Process* k = kernel.process(pid);
    if (!k || !k->alive() || !k->fds) return std::nullopt;
    auto f = k->fds->get(fd);
    if (!f) return std::nullopt;
    return f.value();
  }

  // The absolute path of path relative to dirfd: fd 3 is the preopened "/", others must be
  // directories. Absolute paths and "#x" device paths stand alone.
  Result<std::string> path_at(int pid, int dirfd, const std::string& path) {
    if (path.empty()) return Errc::noent;
    if (path[0] == '/' || path[0] == '#') return path;
    if (dirfd == kPreopenFd) return "/" + path;
    auto f = fd_of(pid, dirfd);
    if (!f) return Errc::badf;
    if (!f->chan->qid().is_dir()) return Errc::notdir;
    return f->chan->path + "/" + path;
  }

  void submit(int pid);
  void dispatch(const P& p);

  // The rings a process may use for fd, as process.js decodes them (web/runtime/ring.js,
  // decodeRingInfo): bits 0-7 the read ring's slot + 1, 8-15 the write ring's slot + 1, 16-31
  // and 32-47 their generations; 0 when fd has none.
  int64_t ring_info(int pid, int fd) {
    auto f = fd_of(pid, fd);
    if (!f) return 0;
    const Chan& c = *f->chan;
    int64_t info = 0;
    if (f->readable())
      if (auto r = c.server().ring(c.fid(), false)) info |= int64_t(r->slot + 1) | int64_t(r->gen & 0xffff) << 16;
    if (f->writable())
      if (auto w = c.server().ring(c.fid(), true)) info |= int64_t(w->slot + 1) << 8 | int64_t(w->gen & 0xffff) << 32;
    return info;
  }
  void ring_wait(const P& p, int slot, uint32_t gen, uint32_t seq);
  void check_rings();
  int64_t write_ring(int pid, int fd, uint32_t wrote);
  int64_t read_ring(int pid, int fd, uint32_t asked, uint32_t got);
  void fill(ReadRing& rr, int slot, int most = INT_MAX);
  void fill_rings();
  void recall(int slot);
  void recall_for(const P& p);
  // A file never has read-ahead and write-behind at once: either would hide the other's bytes.
  void recall_file(const Chan& c) {
    std::vector<int> stale;
    for (auto& [s, rr] : read_rings)
      if (auto rc = rr.chan.lock(); !rc || same_file(*rc, c)) stale.push_back(s);
    for (int s : stale) recall(s);
  }
  void end_write_rings(const Chan& c) {
    std::vector<int> slots;
    for (auto& [s, fr] : file_rings)
      if (auto fc = fr.chan.lock(); fc && same_file(*fc, c)) slots.push_back(s);
    for (int s : slots) {
      host.file_ring_seal(s);
      drain(file_rings.at(s), s);
      host.file_ring_close(s);
      file_rings.erase(s);
    }
  }
  bool same_file(const Chan& a, const Chan& b) {
    return &a.server() == &b.server() && a.qid().path == b.qid().path && a.dev == b.dev;
  }
  void drain_rings();
  void drain(FileRing& fr, int slot);
  std::optional<Error> take_deferred(int pid, int fd) {
    auto it = deferred.find({pid, fd});
    if (it == deferred.end()) return std::nullopt;
    Error e = std::move(it->second);
    deferred.erase(it);
    return e;
  }

  // WASI
  void fd_readdir(const P& p, int fd, uint32_t buf_len, uint64_t cookie);
  void emit_dirents(const P& p, uint32_t buf_len, uint64_t cookie);
  void path_open(const P& p, int dirfd, std::string path, uint32_t oflags, uint64_t rights, uint32_t fdflags);
  void opened(const P& p, int fd, uint32_t oflags, uint32_t fdflags, const std::string& path);
  void fdstat(const P& p, int fd);
  void poll(const P& p, uint32_t n, bool wait);
  void cancel(int pid);
  void rename(const P& p, int old_dirfd, std::string old_path, int new_dirfd, std::string new_path);
  void set_times(const P& p, std::optional<int> fd, std::string path, uint64_t mtim, uint32_t fst);

  // web9
  void web9_spawn(const P& p);
  void spawn(int parent, std::string path, SpawnOptions o, Reply<int> r);
  void load(int reader, std::string path, std::vector<std::string> argv, int depth, Reply<Loaded> r);
  void read_all(int reader, std::string abs, Reply<Bytes> r);
  void remember(const std::string& key, std::shared_ptr<const Bytes> wasm);
  void exited(int pid, std::string status);
};

// ------------------------------------------------------------------------------------------------
// Dispatch

void Syscalls::State::submit(int pid) {
  P p = proc(pid);
  SyscallFrame* f = p->f;
  if (p->pending) {
    // The frame holds a call still running; the guest broke the protocol. Its data may be gone.
    f->err = wasi_errno(Errc::busy);
    f->out_len = 0;
    host.reply(pid);
    return;
  }
  p->pending = true;
  f->err = 0;
  f->out_len = 0;
  for (auto& r : f->r) r = 0;
  // Every call sees the writes processes have made through their rings, and what it does to a
  // file or a descriptor that is being read ahead takes the read-ahead back first.
  if (!read_rings.empty()) recall_for(p);
  drain_rings();
  if (doomed(p)) return finish(p);
  if (!deferred.empty()) {
    switch (static_cast<Op>(f->op)) {
      case Op::fd_write:
      case Op::fd_pwrite:
      case Op::fd_sync:
      case Op::fd_datasync:
        if (auto e = take_deferred(pid, int(f->a[0]))) return fail(p, *e);
        break;
      case Op::fd_close:
        if (auto e = take_deferred(pid, int(f->a[0]))) {
          (void)kernel.close(pid, int(f->a[0]));
          return fail(p, *e);
        }
        break;
      default:
        break;
    }
  }
  if (f->in_len > kChannelData) return fail(p, Error(Errc::fault, "request larger than the channel"));
  dispatch(p);
}

void Syscalls::State::dispatch(const P& p) {
  SyscallFrame* f = p->f;
  const int pid = p->pid;
  const int64_t* a = f->a;
  auto bad = [&] { fail(p, Error(Errc::inval, "malformed system call frame")); };
  // Every path-taking WASI call has its path as the whole request data.
  auto whole = [&]() { return std::string(reinterpret_cast<const char*>(f->data), f->in_len); };

  switch (static_cast<Op>(f->op)) {
    // --- WASI preview1 ---
    // Read straight into the frame: the reply's data. (The frame lives as long as p, which the
    // reply holds.)
    case Op::fd_read:
      return kernel.read_into(pid, int(a[0]), {f->data, cap(a[1])}, then<uint32_t>(p, [this, p, fd = int(a[0]), asked = cap(a[1])](Result<uint32_t> n) {
        if (!n) return fail(p, n.error());
        p->f->r[0] = p->f->out_len = *n;
        p->f->r[1] = read_ring(p->pid, fd, asked, *n);
        ok(p);
      }));
    case Op::fd_pread:
      return kernel.pread_into(pid, int(a[0]), {f->data, cap(a[1])}, uint64_t(a[2]),
                               then<uint32_t>(p, [this, p](Result<uint32_t> n) {
                                 if (!n) return fail(p, n.error());
                                 p->f->r[0] = p->f->out_len = *n;
                                 ok(p);
                               }));
    case Op::fd_write:
      return kernel.write(pid, int(a[0]), in(p), then<uint32_t>(p, [this, p, fd = int(a[0])](Result<uint32_t> n) {
        if (!n) return fail(p, n.error());
        p->f->r[0] = n.value();
        p->f->r[1] = write_ring(p->pid, fd, n.value());
        ok(p);
      }));
    case Op::fd_pwrite:
      return kernel.pwrite(pid, int(a[0]), in(p), uint64_t(a[1]), then<uint32_t>(p, [this, p](Result<uint32_t> n) {
        if (!n) return fail(p, n.error());
        p->f->r[0] = n.value();
        ok(p);
      }));
    case Op::fd_seek:
    case Op::fd_tell: {
      bool tell = static_cast<Op>(f->op) == Op::fd_tell;
      return kernel.seek(pid, int(a[0]), tell ? 0 : a[1], tell ? 1 : int(a[2]),
                         then<uint64_t>(p, [this, p](Result<uint64_t> off) {
                           if (!off) return fail(p, off.error());
                           p->f->r[0] = int64_t(off.value());
                           ok(p);
                         }));
    }
    case Op::fd_close: {
      int fd = int(a[0]);
      auto res = kernel.close(pid, fd);
      if (!res) return fail(p, res.error());
      if (p->dir_fd == fd) p->dir_fd = -1;
      return ok(p);
    }
    case Op::fd_sync:
    case Op::fd_datasync: {
      // The persistent home (a StoreFs) flushes the file and its journal; every other server
      // here writes through, so there is nothing to flush.
      auto f = fd_of(pid, int(a[0]));
      if (!f) return fail(p, Errc::badf);
      auto* store = dynamic_cast<StoreFs*>(&f->chan->server());
      if (!store) return ok(p);
      // The channel is held until the store answers: a close meanwhile must not clunk the fid.
      return store->sync(f->chan->fid(), [this, p, chan = f->chan](Result<void> res) {
        if (p->gone) return;
        if (!res) return fail(p, res.error());
        ok(p);
      });
    }
    case Op::fd_advise:
      // Nothing here reads ahead or caches: there is nothing to advise.
      if (!fd_of(pid, int(a[0]))) return fail(p, Errc::badf);
      return ok(p);
    case Op::fd_allocate: {
      int fd = int(a[0]);
      uint64_t want = uint64_t(a[1]) + uint64_t(a[2]);
      return kernel.fstat(pid, fd, then<Dir>(p, [this, p, pid, fd, want](Result<Dir> d) {
        if (!d) return fail(p, d.error());
        if (d->length >= want) return ok(p);
        Dir nd = Dir::nochange();
        nd.length = want;
        kernel.fwstat(pid, fd, nd, done_void(p));
      }));
    }
    case Op::fd_fdstat_get:
      return fdstat(p, int(a[0]));
    case Op::fd_fdstat_set_flags: {
      auto res = kernel.set_append(pid, int(a[0]), (uint64_t(a[1]) & kFdflagAppend) != 0);
      if (!res) return fail(p, res.error());
      return ok(p);  // NONBLOCK and the sync flags are accepted and have no effect
    }
    case Op::fd_filestat_get: {
      int fd = int(a[0]);
      return kernel.fstat(pid, fd, then<Dir>(p, [this, p, pid, fd](Result<Dir> d) {
        if (!d) return fail(p, d.error());
        uint8_t ft = filetype_of(d.value());
        if (auto f = fd_of(pid, fd)) {
          auto kind = f->chan->server().kind();
          if (!f->chan->qid().is_dir() && kind == "cons") ft = kFtCharDevice;
          if (kind == "pipe") ft = kFtUnknown;
        }
        pack_filestat(p->f->data, d.value(), ft);
        p->f->out_len = kFilestatSize;
        ok(p);
      }));
    }
    case Op::fd_filestat_set_size: {
      Dir nd = Dir::nochange();
      nd.length = uint64_t(a[1]);
      return kernel.fwstat(pid, int(a[0]), nd, done_void(p));
    }
    case Op::fd_filestat_set_times:
      return set_times(p, int(a[0]), "", uint64_t(a[2]), uint32_t(a[3]));
    case Op::fd_prestat_get:
      if (a[0] != kPreopenFd) return fail(p, Errc::badf);
      f->r[0] = 1;  // strlen("/")
      return ok(p);
    case Op::fd_prestat_dir_name:
      if (a[0] != kPreopenFd) return fail(p, Errc::badf);
      if (a[1] < 1) return fail(p, Errc::nametoolong);
      put(p, "/", 1);
      return ok(p);
    case Op::fd_readdir:
      return fd_readdir(p, int(a[0]), cap(a[1]), uint64_t(a[2]));
    case Op::fd_renumber: {
      int from = int(a[0]), to = int(a[1]);
      if (!fd_of(pid, from)) return fail(p, Errc::badf);
      if (from == to) return ok(p);
      auto d = kernel.dup(pid, from, to);
      if (!d) return fail(p, d.error());
      (void)kernel.close(pid, from);
      return ok(p);
    }
    case Op::path_open:
      return path_open(p, int(a[0]), whole(), uint32_t(a[1]), uint64_t(a[2]), uint32_t(a[3]));
    case Op::path_create_directory: {
      auto abs = path_at(pid, int(a[0]), whole());
      if (!abs) return fail(p, abs.error(), whole());
      return kernel.create(pid, abs.value(), OREAD, DMDIR | 0777, then<int>(p, [this, p, pid, path = abs.value()](Result<int> fd) {
        if (!fd) return fail(p, fd.error(), path);
        (void)kernel.close(pid, fd.value());
        ok(p);
      }));
    }
    case Op::path_remove_directory:
    case Op::path_unlink_file: {
      bool rmdir = static_cast<Op>(f->op) == Op::path_remove_directory;
      auto abs = path_at(pid, int(a[0]), whole());
      if (!abs) return fail(p, abs.error(), whole());
      std::string path = abs.value();
      // Plan 9's remove takes files and empty directories alike; POSIX callers say which.
      return kernel.stat(pid, path, then<Dir>(p, [this, p, pid, path, rmdir](Result<Dir> d) {
        if (!d) return fail(p, d.error(), path);
        if (rmdir && !d->qid.is_dir()) return fail(p, Errc::notdir, path);
        if (!rmdir && d->qid.is_dir()) return fail(p, Errc::isdir, path);
        kernel.remove(pid, path, done_void(p, path));
      }));
    }
    case Op::path_rename: {
      auto from = str(p, 0, uint64_t(a[2]));
      auto to = str(p, uint64_t(a[2]), uint64_t(f->in_len) - std::min<uint64_t>(uint64_t(a[2]), f->in_len));
      if (!from || !to || a[2] < 0) return bad();
      return rename(p, int(a[0]), *from, int(a[1]), *to);
    }
    case Op::path_filestat_get: {
      auto abs = path_at(pid, int(a[0]), whole());
      if (!abs) return fail(p, abs.error(), whole());
      return kernel.stat(pid, abs.value(), then<Dir>(p, [this, p, path = abs.value()](Result<Dir> d) {
        if (!d) return fail(p, d.error(), path);
        pack_filestat(p->f->data, d.value(), filetype_of(d.value()));
        p->f->out_len = kFilestatSize;
        ok(p);
      }));
    }
    case Op::path_filestat_set_times: {
      auto abs = path_at(pid, int(a[0]), whole());
      if (!abs) return fail(p, abs.error(), whole());
      return set_times(p, std::nullopt, abs.value(), uint64_t(a[3]), uint32_t(a[4]));
    }
    case Op::path_readlink: {
      // There are no symbolic links: an existing file is simply not one.
      auto abs = path_at(pid, int(a[0]), whole());
      if (!abs) return fail(p, abs.error(), whole());
      return kernel.stat(pid, abs.value(), then<Dir>(p, [this, p, path = abs.value()](Result<Dir> d) {
        if (!d) return fail(p, d.error(), path);
        fail(p, Error(Errc::inval, "not a symbolic link: " + path));
      }));
    }
    case Op::path_symlink:
    case Op::path_link:
      return fail(p, Error(Errc::notsup, "web9 has no links"));
    case Op::poll_oneoff:
      return poll(p, uint32_t(a[0]), a[1] == 0);
    case Op::ring_wait:
      if (a[0] < 0 || a[0] > INT32_MAX) return bad();
      return ring_wait(p, int(a[0]), uint32_t(a[1]), uint32_t(a[2]));
    case Op::proc_exit:
    case Op::exits: {
      std::string status = static_cast<Op>(f->op) == Op::proc_exit ? (a[0] == 0 ? "" : std::to_string(uint32_t(a[0]))) : whole();
      auto res = kernel.exits(pid, status);
      if (!res) return fail(p, res.error());
      return ok(p);
    }

    // --- web9 ---
    case Op::spawn:
      return web9_spawn(p);
    case Op::wait:
      return kernel.wait(pid, then<WaitMsg>(p, [this, p, limit = cap(a[0])](Result<WaitMsg> w) {
        if (!w) return fail(p, w.error());
        put(p, w->status.data(), std::min<size_t>(w->status.size(), limit));
        p->f->r[0] = w->pid;
        p->f->r[1] = int64_t(w->status.size());
        ok(p);
      }));
    case Op::pipe:
      return kernel.pipe(pid, then<std::array<int, 2>>(p, [this, p](Result<std::array<int, 2>> fds) {
        if (!fds) return fail(p, fds.error());
        p->f->r[0] = fds.value()[0];
        p->f->r[1] = fds.value()[1];
        p->f->r[2] = ring_info(p->pid, fds.value()[0]);
        p->f->r[3] = ring_info(p->pid, fds.value()[1]);
        ok(p);
      }));
    case Op::dup: {
      if (a[1] < -1 || a[1] > INT32_MAX) return fail(p, Errc::badf);
      auto fd = kernel.dup(pid, int(a[0]), int(a[1]));
      if (!fd) return fail(p, fd.error());
      f->r[0] = fd.value();
      f->r[1] = ring_info(pid, fd.value());
      return ok(p);
    }
    case Op::bind: {
      auto name = str(p, 0, uint64_t(a[0]));
      auto old = str(p, uint64_t(a[0]), uint64_t(a[1]));
      if (!name || !old || a[0] < 0 || a[1] < 0) return bad();
      return kernel.bind(pid, *name, *old, int(a[2]), done_void(p, *old));
    }
    case Op::mount: {
      auto old = str(p, 0, uint64_t(a[2]));
      auto aname = str(p, uint64_t(a[2]), uint64_t(a[4]));
      if (!old || !aname || a[2] < 0 || a[4] < 0) return bad();
      return kernel.mount(pid, int(a[0]), int(a[1]), *old, int(a[3]), *aname, done_void(p, *old));
    }
    case Op::unmount: {
      auto name = str(p, 0, uint64_t(a[0]));
      auto old = str(p, uint64_t(a[0]), uint64_t(a[1]));
      if (!name || !old || a[0] < 0 || a[1] < 0) return bad();
      return kernel.unmount(pid, *name, *old, done_void(p, *old));
    }
    case Op::chdir:
      return kernel.chdir(pid, whole(), done_void(p, whole()));
    case Op::getcwd:
    case Op::fd2path: {
      bool cwd = static_cast<Op>(f->op) == Op::getcwd;
      auto s = cwd ? kernel.getcwd(pid) : kernel.fd2path(pid, int(a[0]));
      if (!s) return fail(p, s.error());
      if (s->size() > cap(cwd ? a[0] : a[1])) return fail(p, Error(Errc::range, "buffer too small"));
      put(p, s->data(), s->size());
      f->r[0] = int64_t(s->size());
      return ok(p);
    }
    case Op::note: {
      std::string note = whole();
      auto res = a[0] < 0 ? kernel.postnote_group(int(-a[0]), note) : kernel.postnote(int(a[0]), note);
      if (!res) return fail(p, res.error());
      return ok(p);
    }
    case Op::notify:
      p->notify = a[0] != 0;
      return ok(p);
    case Op::noted: {
      auto note = kernel.take_note(pid);
      if (!note) return fail(p, Error(Errc::again, "no pending note"));
      put(p, note->data(), std::min<size_t>(note->size(), cap(a[0])));
      f->r[0] = f->out_len;
      return ok(p);
    }
    case Op::getpid:
      f->r[0] = pid;
      return ok(p);
    case Op::errstr: {
      std::string e = p->errstr;  // errstr itself must not change the text
      put(p, e.data(), std::min<size_t>(e.size(), cap(a[0])));
      f->r[0] = f->out_len;
      p->f->err = 0;
      return finish(p);
    }
  }
  fail(p, Error(Errc::nosys, "unknown system call " + std::to_string(f->op)));
}

// ------------------------------------------------------------------------------------------------
// WASI calls that take more than a line

void Syscalls::State::fdstat(const P& p, int fd) {
  SyscallFrame* f = p->f;
  auto d = fd_of(p->pid, fd);
  if (!d) {
    if (fd != kPreopenFd) return fail(p, Errc::badf);
    // The preopened "/" that wasi-libc resolves every path against, when fd 3 is not open.
    f->r[0] = kFtDirectory;
    f->r[2] = int64_t(kAllRights);
    f->r[3] = int64_t(kAllRights);
    return ok(p);
  }
  const Chan& c = *d->chan;
  uint8_t ft = kFtRegular;
  uint64_t rights = kAllRights;
  auto kind = c.server().kind();
  if (c.qid().is_dir()) {
    ft = kFtDirectory;
  } else if (kind == "cons") {
    ft = kFtCharDevice;
    // The terminal itself cannot seek: that makes isatty() true for it and false for null.
    std::string name = basename_of(c.path);
    if (name == "cons" || name == "consctl") rights &= ~(kRightFdSeek | kRightFdTell);
  } else if (kind == "pipe") {
    ft = kFtUnknown;
    rights &= ~(kRightFdSeek | kRightFdTell);
  }
  if (!d->readable()) rights &= ~(kRightFdRead | kRightFdReaddir);
  if (!d->writable()) rights &= ~kRightFdWrite;
  f->r[0] = ft;
  f->r[1] = d->append ? kFdflagAppend : 0;
  f->r[2] = int64_t(rights);
  f->r[3] = int64_t(kAllRights);
  ok(p);
}

void Syscalls::State::fd_readdir(const P& p, int fd, uint32_t buf_len, uint64_t cookie) {
  const int pid = p->pid;
  auto d = fd_of(pid, fd);
  if (!d) return fail(p, Errc::badf);
  if (!d->chan->qid().is_dir()) return fail(p, Errc::notdir);
  bool cached = p->dir_fd == fd && p->dir_chan.lock() == d->chan;
  if (cookie != 0 && cached) return emit_dirents(p, buf_len, cookie);
  // Cookie 0 (or a directory we have not listed): read it all again from the start.
  p->dir_fd = -1;
  p->dir_entries.clear();
  auto entries = std::make_shared<std::vector<Dir>>();
  auto step = std::make_shared<std::function<void()>>();
  std::weak_ptr<std::function<void()>> weak = step;
  // Each pending read's callback holds the chain; nothing else does.
  *step = [this, p, pid, fd, buf_len, cookie, entries, weak, chan = d->chan]() {
    auto self = weak.lock();
    kernel.read(pid, fd, 1 << 16, then<Bytes>(p, [this, p, fd, buf_len, cookie, entries, self, chan](Result<Bytes> b) {
      if (!b) return fail(p, b.error());
      if (b->empty()) {
        p->dir_fd = fd;
        p->dir_chan = chan;
        p->dir_entries = std::move(*entries);
        return emit_dirents(p, buf_len, cookie);
      }
      auto dirs = unpack_dirs(b.value());
      if (!dirs) return fail(p, dirs.error());
      for (auto& e : dirs.value()) entries->push_back(std::move(e));
      (*self)();
    }));
  };
  kernel.seek(pid, fd, 0, 0, then<uint64_t>(p, [this, p, step](Result<uint64_t> off) {
    if (!off) return fail(p, off.error());
    (*step)();
  }));
}

// WASI dirents from entry `cookie` on, the last one cut short when the buffer is full (the
// caller then asks again with a bigger buffer, as wasi-libc does).
void Syscalls::State::emit_dirents(const P& p, uint32_t buf_len, uint64_t cookie) {
  Bytes out;
  for (uint64_t i = cookie; i < p->dir_entries.size() && out.size() < buf_len; i++) {
    const Dir& e = p->dir_entries[i];
    uint8_t rec[kDirentHeader] = {};
    put_u64(rec + 0, i + 1);
    put_u64(rec + 8, e.qid.path);
    put_u32(rec + 16, static_cast<uint32_t>(e.name.size()));
    rec[20] = filetype_of(e);
    out.insert(out.end(), rec, rec + kDirentHeader);
    out.insert(out.end(), e.name.begin(), e.name.end());
  }
  if (out.size() > buf_len) out.resize(buf_len);
  put(p, out.data(), out.size());
  p->f->r[0] = int64_t(out.size());
  ok(p);
}

void Syscalls::State::path_open(const P& p, int dirfd, std::string path, uint32_t oflags, uint64_t rights,
                                uint32_t fdflags) {
  const int pid = p->pid;
  auto abs = path_at(pid, dirfd, path);
  if (!abs) return fail(p, abs.error(), path);
  if ((oflags & kOCreat) && (oflags & kODirectory)) return fail(p, Errc::inval, path);
  bool rd = (rights & (kRightFdRead | kRightFdReaddir)) != 0;
  bool wr = (rights & kRightFdWrite) != 0 && !(oflags & kODirectory);
  int mode = wr ? (rd ? ORDWR : OWRITE) : OREAD;
  if (oflags & kOTrunc) mode |= OTRUNC;
  std::string name = abs.value();
  auto after = then<int>(p, [this, p, oflags, fdflags, name](Result<int> fd) {
    if (!fd) return fail(p, fd.error(), name);
    opened(p, fd.value(), oflags, fdflags, name);
  });
  if ((oflags & kOCreat) && (oflags & kOExcl)) return kernel.create(pid, name, mode | OEXCL, 0666, after);
  if (!(oflags & kOCreat)) return kernel.open(pid, name, mode, after);
  // O_CREAT alone must not truncate an existing file, as Plan 9's create would: open it if it
  // is there, create it (exclusively) if not, and open it after all if someone else just did.
  kernel.open(pid, name, mode, then<int>(p, [this, p, pid, name, mode, after](Result<int> fd) {
    if (fd || fd.error().code != Errc::noent) return after(std::move(fd));
    kernel.create(pid, name, mode | OEXCL, 0666, then<int>(p, [this, pid, name, mode, after](Result<int> c) {
      if (c || c.error().code != Errc::exist) return after(std::move(c));
      kernel.open(pid, name, mode, after);
    }));
  }));
}

void Syscalls::State::opened(const P& p, int fd, uint32_t oflags, uint32_t fdflags, const std::string& path) {
  const int pid = p->pid;
  auto d = fd_of(pid, fd);
  if (!d) return fail(p, Errc::badf);
  if ((oflags & kODirectory) && !d->chan->qid().is_dir()) {
    (void)kernel.close(pid, fd);
    return fail(p, Errc::notdir, path);
  }
  if (fdflags & kFdflagAppend) (void)kernel.set_append(pid, fd, true);
  // fd 3 is the guest's preopened "/": a file opened there would make openat(3, ...) ambiguous.
  if (fd == kPreopenFd) {
    auto moved = kernel.dup(pid, fd, -1);
    if (moved) {
      (void)kernel.close(pid, fd);
      fd = moved.value();
    }
  }
  p->f->r[0] = fd;
  ok(p);
}

void Syscalls::State::rename(const P& p, int old_dirfd, std::string old_path, int new_dirfd, std::string new_path) {
  const int pid = p->pid;
  auto from = path_at(pid, old_dirfd, old_path);
  if (!from) return fail(p, from.error(), old_path);
  auto to = path_at(pid, new_dirfd, new_path);
  if (!to) return fail(p, to.error(), new_path);
  auto a = kernel.absolute(pid, from.value());
  auto b = kernel.absolute(pid, to.value());
  if (!a) return fail(p, a.error(), old_path);
  if (!b) return fail(p, b.error(), new_path);
  std::string src = a.value(), dst = b.value();
  if (src == dst) return ok(p);
  // 9P renames only within a directory (wstat of the name).
  if (dirname_of(src) != dirname_of(dst)) return fail(p, Error(Errc::xdev, "rename across directories: " + dst));
  Dir nd = Dir::nochange();
  nd.name = basename_of(dst);
  // POSIX rename replaces an existing target; 9P's wstat refuses, so remove it first.
  kernel.stat(pid, dst, then<Dir>(p, [this, p, pid, src, dst, nd](Result<Dir> there) {
    if (!there) return kernel.wstat(pid, src, nd, done_void(p, src));
    kernel.stat(pid, src, then<Dir>(p, [this, p, pid, src, dst, nd, target = there.value()](Result<Dir> s) {
      if (!s) return fail(p, s.error(), src);
      if (s->qid.is_dir() != target.qid.is_dir())
        return fail(p, s->qid.is_dir() ? Errc::notdir : Errc::isdir, dst);
      kernel.remove(pid, dst, then<void>(p, [this, p, pid, src, dst, nd](Result<void> gone) {
        if (!gone) return fail(p, gone.error(), dst);
        kernel.wstat(pid, src, nd, done_void(p, src));
      }));
    }));
  }));
}

void Syscalls::State::set_times(const P& p, std::optional<int> fd, std::string path, uint64_t mtim, uint32_t fst) {
  Dir nd = Dir::nochange();
  if (fst & kFstMtimNow) {
    nd.mtime = wall_seconds();
  } else if (fst & kFstMtim) {
    nd.mtime = static_cast<uint32_t>(mtim / 1000000000ull);
  } else {
    return ok(p);  // access times are not kept
  }
  if (fd) return kernel.fwstat(p->pid, *fd, nd, done_void(p));
  kernel.wstat(p->pid, path, nd, done_void(p, path));
}

// poll_oneoff's descriptor subscriptions: request data is n records {userdata u64, fd u32,
// type u32 (1 read, 2 write)}, a1 1 to answer at once (a zero timeout). The reply waits until
// at least one is ready (Kernel::poll) and holds one record per ready or failed subscription,
// {index u32, errno u16, flags u16 (1: hang-up), nbytes u64}, r0 their count. Syscalls::cancel
// ends a waiting poll with none.
void Syscalls::State::poll(const P& p, uint32_t n, bool wait) {
  if (n == 0 || uint64_t(n) * 16 != p->f->in_len) return fail(p, Error(Errc::inval, "malformed poll request"));
  std::vector<Kernel::PollWant> wants(n);
  for (uint32_t i = 0; i < n; i++) {
    const uint8_t* rec = p->f->data + i * 16;
    uint32_t type = get_u32(rec + 12);
    if (type != 1 && type != 2) return fail(p, Error(Errc::inval, "bad poll subscription type"));
    wants[i].fd = int(int32_t(get_u32(rec + 8)));
    wants[i].write = type == 2;
  }
  kernel.poll(p->pid, std::move(wants), wait,
              then<std::vector<Kernel::PollEvent>>(p, [this, p](Result<std::vector<Kernel::PollEvent>> events) {
                if (!events) return fail(p, events.error());
                uint8_t* out = p->f->data;
                for (const auto& e : events.value()) {
                  put_u32(out, uint32_t(e.index));
                  put_u16(out + 4, wasi_errno(e.err));
                  put_u16(out + 6, e.ready.hangup ? kEventHangup : 0);
                  put_u64(out + 8, e.ready.nbytes);
                  out += kPollEventSize;
                }
                p->f->out_len = uint32_t(events->size() * kPollEventSize);
                p->f->r[0] = int64_t(events->size());
                ok(p);
              }));
}

// ------------------------------------------------------------------------------------------------
// Pipe rings: a process that found its ring full or empty for a while waits here, where a note
// can reach it; it is answered once the ring moves on (docs/runtime.md, "Pipe rings").

void Syscalls::State::ring_wait(const P& p, int slot, uint32_t gen, uint32_t seq) {
  if (host.ring_changed(slot, gen, seq)) return ok(p);
  // A note that came while it waited on the ring itself interrupts the wait now.
  if (Process* k = kernel.process(p->pid); k && !k->notes.empty()) return fail(p, Error(Errc::intr));
  p->ring_wait = Proc::RingWait{slot, gen, seq};
  ring_waiters[p->pid] = slot;
  host.ring_watch(slot, true);
}

void Syscalls::State::check_rings() {
  drain_rings();
  fill_rings();
  if (ring_waiters.empty()) return;
  std::set<int> watched, released;
  for (auto it = ring_waiters.begin(); it != ring_waiters.end();) {
    auto pit = procs.find(it->first);
    P p = pit == procs.end() ? nullptr : pit->second;
    if (!p || p->gone || !p->ring_wait) {  // it ended, or a note answered it
      released.insert(it->second);
      it = ring_waiters.erase(it);
      continue;
    }
    auto w = *p->ring_wait;
    if (host.ring_changed(w.slot, w.gen, w.seq)) {
      p->ring_wait.reset();
      released.insert(w.slot);
      it = ring_waiters.erase(it);
      ok(p);
      continue;
    }
    watched.insert(w.slot);
    ++it;
  }
  for (int slot : released)
    if (!watched.count(slot)) host.ring_watch(slot, false);
}

// Write-behind (docs/runtime.md): a process that writes a plain file (ram, store) in large
// writes is given a ring for that fd in the reply (r1, as ring_info's write side) and from then
// on only pushes its writes into it. The kernel drains every ring before it runs any call and
// whenever the doorbell rings, writing the bytes through the process's fd as the calls would
// have: offsets, appends and what other processes see are as if each write had been a call. A
// drained write that fails ends the ring; its error answers the next write, sync or close.

int64_t Syscalls::State::write_ring(int pid, int fd, uint32_t wrote) {
  if (wrote < kWriteBehindMin) return 0;
  for (auto& [slot, fr] : file_rings)
    if (fr.pid == pid && fr.fd == fd) return 0;  // it has one (and came here because it ended)
  auto f = fd_of(pid, fd);
  if (!f || !f->writable() || !f->chan->server().plain_files()) return 0;
  recall_file(*f->chan);
  auto ref = host.file_ring_open(false);
  if (!ref) return 0;
  file_rings[ref->slot] = FileRing{pid, fd, f->chan, *ref};
  return int64_t(ref->slot + 1) << 8 | int64_t(ref->gen & 0xffff) << 32;
}

// Read-ahead: a process that reads a plain file in two large pieces in a
// row (the second from where the first ended) is given a ring for that fd in the reply (r1, as
// ring_info's read side). The kernel fills it with records read at the fd, ahead of the process,
// whenever the doorbell rings, and takes it back (recall) before it runs anything that could see
// or change where the fd stands or what the file holds: a call on that channel by any process
// (seek, close, dup, a spawn or the end of its owner), and any write to the file, truncation,
// removal or rename. The fd's offset is then set back to what the process has read.
int64_t Syscalls::State::read_ring(int pid, int fd, uint32_t asked, uint32_t got) {
  auto f = fd_of(pid, fd);
  if (!f || got < kWriteBehindMin || got < asked || !f->readable() || f->chan->qid().is_dir() ||
      !f->chan->server().plain_files())
    return 0;
  auto key = std::make_pair(pid, fd);
  uint64_t end = f->chan->offset;
  auto it = read_streak.find(key);
  bool streak = it != read_streak.end() && it->second == end - got;
  read_streak[key] = end;
  if (!streak) return 0;
  for (auto& [slot, rr] : read_rings)
    if (rr.pid == pid && rr.fd == fd) return 0;
  end_write_rings(*f->chan);
  auto ref = host.file_ring_open(true);
  if (!ref) return 0;
  auto& rr = read_rings[ref->slot] = ReadRing{pid, fd, f->chan, *ref};
  // Two records before the reply, the rest after it (check_rings), while the process reads.
  fill(rr, ref->slot, 2);
  return int64_t(ref->slot + 1) | int64_t(ref->gen & 0xffff) << 16;
}

void Syscalls::State::fill(ReadRing& rr, int slot, int most) {
  static_assert(kReadRecord <= 512 * 1024, "a record fits the scratch buffer");
  for (int moved = 0; moved < most && !rr.eof && !rr.handed_over && host.file_ring_room(slot) >= kReadRecord + 4;
       moved++) {
    auto f = fd_of(rr.pid, rr.fd);
    if (!f) return recall(slot);
    ChanRef c = f->chan;
    auto outcome = std::make_shared<std::optional<Result<uint32_t>>>();
    auto keep = [outcome](Result<uint32_t> n) { *outcome = std::move(n); };
    const auto& o = *outcome;
    bool direct = true;  // the server reads straight into the ring (a store file)
    c->server().read_to_ring(c->fid(), c->offset, slot, kReadRecord, keep);
    if (o && !*o && o->error().code == Errc::notsup) {
      direct = false;
      outcome->reset();
      kernel.read_into(rr.pid, rr.fd, scratch().first(kReadRecord), keep);
    }
    // An error (or a read that did not answer at once) stops the read-ahead here: the process
    // reads on through the kernel from this point and meets it itself.
    if (!o || !*o) return recall(slot);
    if (direct && o->value() == kRingHandedOver) {
      rr.handed_over = true;  // the fd's offset stays where the process starts; recall moves it
      return;
    }
    if (o->value() == 0) {
      rr.eof = true;
      return host.file_ring_eof(slot);
    }
    if (direct) c->offset += o->value();
    else host.file_ring_put(slot, scratch().first(o->value()));
  }
}

void Syscalls::State::fill_rings() {
  for (auto it = read_rings.begin(); it != read_rings.end();) {
    int slot = it->first;
    ++it;  // fill may recall (erase) this one
    if (auto rr = read_rings.find(slot); rr != read_rings.end()) fill(rr->second, slot);
  }
}

void Syscalls::State::recall(int slot) {
  auto it = read_rings.find(slot);
  if (it == read_rings.end()) return;
  ReadRing rr = it->second;
  read_rings.erase(it);
  int64_t back = host.file_ring_recall(slot);
  if (auto chan = rr.chan.lock()) {
    if (back >= 0) chan->offset -= std::min<uint64_t>(uint64_t(back), chan->offset);
    else chan->offset += uint64_t(-back);
  }
}

// Before p's call runs: the read-ahead it could disturb is taken back.
void Syscalls::State::recall_for(const P& p) {
  const SyscallFrame* f = p->f;
  const int64_t* a = f->a;
  const int pid = p->pid;
  auto chan_of = [&](int64_t fd) -> ChanRef {
    if (fd < 0 || fd > INT32_MAX) return nullptr;
    auto d = fd_of(pid, int(fd));
    return d ? d->chan : nullptr;
  };
  std::vector<ChanRef> touched;  // channels the call names
  bool mutates = false;          // it may change a file's bytes
  bool everything = false;       // it may change files by name
  bool own = false;              // it hands its channels on (spawn) or lets them go (its end)
  switch (static_cast<Op>(f->op)) {
    case Op::fd_write:
    case Op::fd_pwrite:
    case Op::fd_filestat_set_size:
    case Op::fd_allocate:
      mutates = true;
      touched.push_back(chan_of(a[0]));
      break;
    case Op::fd_renumber:
    case Op::dup:
      touched.push_back(chan_of(a[0]));
      touched.push_back(chan_of(a[1]));
      break;
    case Op::path_open:
      everything = (a[1] & 8) != 0;  // O_TRUNC
      break;
    case Op::path_unlink_file:
    case Op::path_rename:
    case Op::path_remove_directory:
      everything = true;
      break;
    case Op::spawn:
    case Op::proc_exit:
    case Op::exits:
      own = true;
      break;
    case Op::ring_wait:
    case Op::poll_oneoff:
      break;
    default:
      // Every other call on a descriptor (read, seek, tell, close, stat, sync...).
      if (static_cast<Op>(f->op) < Op::path_open) touched.push_back(chan_of(a[0]));
      break;
  }
  std::vector<int> slots;
  for (auto& [slot, rr] : read_rings) {
    auto chan = rr.chan.lock();
    bool hit = !chan || everything || (own && rr.pid == pid);
    for (auto& c : touched) {
      if (!c || !chan) continue;
      if (c == chan || (mutates && same_file(*c, *chan))) hit = true;
    }
    if (hit) slots.push_back(slot);
  }
  for (int s : slots) recall(s);
}

void Syscalls::State::drain_rings() {
  for (auto it = file_rings.begin(); it != file_rings.end();) {
    FileRing& fr = it->second;
    auto f = fd_of(fr.pid, fr.fd);
    auto chan = fr.chan.lock();
    bool same = f && chan && f->chan == chan;
    if (same && !fr.failed) drain(fr, it->first);
    if (!same || fr.failed) {
      host.file_ring_close(it->first);
      it = file_rings.erase(it);
    } else {
      ++it;
    }
  }
}

void Syscalls::State::drain(FileRing& fr, int slot) {
  for (;;) {
    size_t n = host.file_ring_take(slot, scratch());
    if (n == 0) return;
    // Plain writes answer at once (FileServer::plain_files), so the buffer may be reused.
    auto outcome = std::make_shared<std::optional<Result<uint32_t>>>();
    kernel.write(fr.pid, fr.fd, scratch().first(n), [outcome](Result<uint32_t> w) { *outcome = std::move(w); });
    const auto& o = *outcome;
    if (o && *o && o->value() == n) continue;
    Error e = !o ? Error(Errc::io, "a write made earlier did not finish")
              : !*o ? o->error()
                    : Error(Errc::nospc, "a write made earlier was cut short");
    deferred.insert_or_assign({fr.pid, fr.fd}, std::move(e));
    fr.failed = true;
    return;
  }
}

void Syscalls::State::cancel(int pid) {
  auto it = procs.find(pid);
  if (it == procs.end()) return;
  P p = it->second;
  // Only a poll may be cancelled: every other call either finishes or is interrupted by a note.
  if (!p->pending || static_cast<Op>(p->f->op) != Op::poll_oneoff) return;
  (void)kernel.cancel_poll(pid);
}

// ------------------------------------------------------------------------------------------------
// spawn

// Request data: path, argv (NUL-terminated strings), env ("name=value\0"...), nfds pairs of
// little-endian i32 {child fd, parent fd}. a: path_len, argv_len, env_len, nfds, flags.
void Syscalls::State::web9_spawn(const P& p) {
  const int64_t* a = p->f->a;
  for (int i = 0; i < 4; i++)
    if (a[i] < 0 || uint64_t(a[i]) > kChannelData) return fail(p, Error(Errc::inval, "malformed spawn frame"));
  uint64_t off = 0;
  auto path = str(p, off, uint64_t(a[0]));
  off += uint64_t(a[0]);
  auto argv = str(p, off, uint64_t(a[1]));
  off += uint64_t(a[1]);
  auto env = str(p, off, uint64_t(a[2]));
  off += uint64_t(a[2]);
  auto fds = str(p, off, uint64_t(a[3]) * 8);
  if (!path || !argv || !env || !fds) return fail(p, Error(Errc::inval, "malformed spawn frame"));
  uint32_t flags = uint32_t(a[4]);
  if (flags & ~uint32_t(15)) return fail(p, Error(Errc::inval, "bad spawn flags"));

  SpawnOptions o;
  o.argv = split_nul(*argv);
  if (o.argv.empty()) o.argv.push_back(*path);
  for (auto& e : split_nul(*env)) {
    auto eq = e.find('=');
    if (eq == std::string::npos || eq == 0) return fail(p, Error(Errc::inval, "spawn: bad environment entry"));
    o.env_set.emplace_back(e.substr(0, eq), e.substr(eq + 1));
  }
  for (uint64_t i = 0; i < uint64_t(a[3]); i++) {
    auto rec = reinterpret_cast<const uint8_t*>(fds->data()) + i * 8;
    o.fds.emplace_back(int(int32_t(get_u32(rec))), int(int32_t(get_u32(rec + 4))));
  }
  o.ns = (flags & 1) ? Sharing::copy : Sharing::share;
  o.env = (flags & 2) ? Sharing::copy : Sharing::share;
  o.note_group = (flags & 4) ? NoteGroup::new_group : NoteGroup::inherit;
  o.fd_inherit = (flags & 8) ? FdInherit::copy_all : FdInherit::map_only;
  spawn(p->pid, *path, std::move(o), then<int>(p, [this, p, path = *path](Result<int> pid) {
    if (!pid) return fail(p, pid.error(), path);
    p->f->r[0] = pid.value();
    ok(p);
  }));
}

void Syscalls::State::spawn(int parent, std::string path, SpawnOptions o, Reply<int> r) {
  int reader = parent ? parent : 1;
  Process* k = kernel.process(reader);
  if (!k || !k->alive()) return r(Error(Errc::srch, parent ? "spawn: no such process" : "spawn: no init: boot first"));
  if (!parent && init_started) return r(Error(Errc::busy, "spawn: init is already running"));
  auto argv = o.argv.empty() ? std::vector<std::string>{path} : o.argv;
  auto opts = std::make_shared<SpawnOptions>(std::move(o));
  load(reader, path, std::move(argv), 0, [this, parent, opts, r](Result<Loaded> l) {
    if (!l) return r(std::move(l).error());
    int pid = 1;
    if (parent) {
      opts->argv = l->argv;
      auto child = kernel.spawn(parent, std::move(*opts));
      if (!child) return r(std::move(child).error());
      pid = child.value();
    } else {
      if (init_started) return r(Error(Errc::busy, "spawn: init is already running"));
      Process* init = kernel.process(1);
      if (!init || !init->alive()) return r(Error(Errc::srch, "spawn: init is gone"));
      init->argv = l->argv;  // what boot named it is a placeholder
      init_started = true;
    }
    proc(pid)->started = true;  // its frame, the note hook, and a worker from now on
    ProcessImage image;
    image.pid = pid;
    image.key = l->key;
    image.wasm = l->wasm;
    image.argv = l->argv;
    if (Process* c = kernel.process(pid)) {
      if (c->env) image.env = c->env->environ();
      image.cwd = c->cwd_path;
      if (c->fds)
        for (int fd : c->fds->fds())
          if (int64_t info = ring_info(pid, fd)) image.rings.emplace_back(fd, info);
    }
    host.start(std::move(image));
    r(pid);
  });
}

// Reads the program at path through reader's name space and follows "#!interp args" lines.
void Syscalls::State::load(int reader, std::string path, std::vector<std::string> argv, int depth, Reply<Loaded> r) {
  auto abs = kernel.absolute(reader, path);
  if (!abs) return r(std::move(abs).error());
  kernel.stat(reader, abs.value(), [this, reader, path, abs = abs.value(), argv, depth, r](Result<Dir> d) {
    if (!d) return r(Error(d.error().code, d.error().text() + ": " + path));
    if (d->qid.is_dir()) return r(Error(Errc::perm, "cannot execute a directory: " + path));
    std::string key = abs + "@" + std::to_string(d->qid.path) + "." + std::to_string(d->qid.vers);
    if (auto it = programs.find(key); it != programs.end()) return r(Loaded{key, it->second, argv});
    read_all(reader, abs, [this, reader, path, key, argv, depth, r](Result<Bytes> b) {
      if (!b) return r(std::move(b).error());
      const Bytes& bytes = b.value();
      static const uint8_t magic[4] = {0, 'a', 's', 'm'};
      if (bytes.size() >= 8 && std::memcmp(bytes.data(), magic, 4) == 0) {
        auto wasm = std::make_shared<const Bytes>(std::move(b.value()));
        remember(key, wasm);
        return r(Loaded{key, wasm, argv});
      }
      if (bytes.size() < 2 || bytes[0] != '#' || bytes[1] != '!')
        return r(Error(Errc::perm, "not a wasm module or #! script: " + path));
      if (depth >= kMaxInterpDepth) return r(Error(Errc::loop, "too many #! interpreters: " + path));
      size_t end = 2;
      while (end < bytes.size() && bytes[end] != '\n' && end < 1024) end++;
      std::string line(bytes.begin() + 2, bytes.begin() + end);
      std::vector<std::string> words;
      size_t i = 0;
      while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) i++;
        size_t j = i;
        while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') j++;
        if (j > i) words.push_back(line.substr(i, j - i));
        i = j;
      }
      if (words.empty()) return r(Error(Errc::perm, "empty #! line: " + path));
      // argv becomes: interp [args...] script [the script's own arguments...]
      std::vector<std::string> next = words;
      next.push_back(path);
      for (size_t k = 1; k < argv.size(); k++) next.push_back(argv[k]);
      std::string interp = words[0];
      load(reader, interp, std::move(next), depth + 1, r);
    });
  });
}

void Syscalls::State::read_all(int reader, std::string abs, Reply<Bytes> r) {
  kernel.open(reader, abs, OREAD, [this, reader, r](Result<int> fd) {
    if (!fd) return r(std::move(fd).error());
    int f = fd.value();
    auto acc = std::make_shared<Bytes>();
    auto step = std::make_shared<std::function<void()>>();
    std::weak_ptr<std::function<void()>> weak = step;
    // The chain keeps itself alive through the pending read's callback.
    *step = [this, reader, f, acc, weak, r]() {
      auto self = weak.lock();
      kernel.read(reader, f, 1 << 20, [this, reader, f, acc, self, r](Result<Bytes> b) {
        if (!b || b->empty() || acc->size() + b->size() > kMaxProgram) {
          (void)kernel.close(reader, f);
          if (!b) return r(std::move(b).error());
          if (!b->empty()) return r(Error(Errc::fbig, "program too large"));
          return r(std::move(*acc));
        }
        acc->insert(acc->end(), b->begin(), b->end());
        (*self)();
      });
    };
    (*step)();
  });
}

void Syscalls::State::remember(const std::string& key, std::shared_ptr<const Bytes> wasm) {
  if (programs.emplace(key, std::move(wasm)).second) program_order.push_back(key);
  while (program_order.size() > kProgramCacheEntries) {
    programs.erase(program_order.front());
    program_order.pop_front();
  }
}

void Syscalls::State::exited(int pid, std::string status) {
  {
    std::vector<int> mine;  // its read-ahead goes back before its fds close (others may share them)
    for (auto& [slot, rr] : read_rings)
      if (rr.pid == pid) mine.push_back(slot);
    for (int s : mine) recall(s);
    std::erase_if(read_streak, [pid](const auto& r) { return r.first.first == pid; });
  }
  drain_rings();  // what it wrote through rings is written before its fds close
  std::erase_if(deferred, [pid](const auto& d) { return d.first.first == pid; });
  std::string fatal;
  if (auto it = procs.find(pid); it != procs.end()) {
    it->second->gone = true;
    fatal = it->second->fatal_note;
    procs.erase(it);
  }
  Process* k = kernel.process(pid);
  if (!k || !k->alive()) return;
  if (k->state == ProcState::exiting) {
    (void)kernel.kill_now(pid);
    return;
  }
  // Ended by a note it did not handle: Plan 9 reports the note as the exit status.
  if (!fatal.empty() && status == "killed") status = fatal;
  (void)kernel.exits(pid, status);
}

// ------------------------------------------------------------------------------------------------

Syscalls::Syscalls(Kernel& kernel, RuntimeHost& host)
    : kernel_(kernel), host_(host), state_(std::make_unique<State>(kernel_, host_)) {}

Syscalls::~Syscalls() = default;

SyscallFrame* Syscalls::frame(int pid) { return state_->proc(pid)->f; }

void Syscalls::submit(int pid) { state_->submit(pid); }

void Syscalls::spawn(int parent, std::string path, SpawnOptions options, Reply<int> r) {
  state_->spawn(parent, std::move(path), std::move(options), std::move(r));
}

void Syscalls::exited(int pid, std::string status) { state_->exited(pid, std::move(status)); }

void Syscalls::cancel(int pid) { state_->cancel(pid); }

void Syscalls::check_rings() { state_->check_rings(); }

}  // namespace web9
