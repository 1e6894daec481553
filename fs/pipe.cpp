// The pipe device: two streams of write-sized chunks per pipe, and the waiting readers and
// writers of each. A write that finds a reader waiting in read_into (a process's fd_read) with
// nothing queued is copied straight into that reader's frame; otherwise it is copied once into
// a chunk, which a read then copies out (read_into) or moves (read, when it takes it whole).
// With PipeRings, a direction's bytes live in its shared ring while processes use it directly;
// the first request the device must answer itself retires the ring into the chunks (settle).
#include "fs/pipe.h"

#include <algorithm>
#include <cstring>
#include <deque>
#include <optional>
#include <utility>

namespace web9 {
namespace {

// Files of a pipe; a qid path is (pipe number << 2) | file.
enum : uint64_t { Qdir, Qdata, Qdata1 };

struct DirEntry {
  std::string_view name;
  uint64_t file;
  uint32_t perm;
};

constexpr DirEntry kFiles[] = {{"data", Qdata, 0600}, {"data1", Qdata1, 0600}};

uint64_t file_of(const Qid& q) { return q.path & 3; }
// The end a data file is: 0 for data, 1 for data1.
int end_of(const Qid& q) { return file_of(q) == Qdata ? 0 : 1; }

// A reader waiting for bytes: read() wants count of them back, read_into() wants them in dest.
struct WaitingRead {
  const Fid* fid;
  uint32_t count;
  Reply<Bytes> reply;          // read()
  std::span<uint8_t> dest;     // read_into(): where the bytes go,
  Reply<uint32_t> reply_into;  // and how many went
};

struct WaitingWrite {
  const Fid* fid;
  uint64_t mark;  // the stream's written total once this write was queued
  uint32_t count;
  Reply<uint32_t> reply;
};

struct WaitingReady {
  const Fid* fid;
  Reply<Readiness> reply;
};

// One direction: written at one end, read at the other.
struct Stream {
  Stream() = default;
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  ~Stream() {
    if (ring) rings->close(ring->slot);
  }

  PipeRings* rings = nullptr;
  std::optional<RingRef> ring;  // the shared ring holding this direction's bytes, until settled
  std::deque<Bytes> chunks;  // one per write
  size_t head = 0;           // bytes of chunks.front() already read
  size_t queued = 0;         // bytes not yet read
  uint64_t written = 0, consumed = 0;
  bool eof = false;     // the writing end is closed: readers get 0 once drained
  bool broken = false;  // the reading end is closed: writes fail
  std::deque<WaitingRead> readers;
  std::deque<WaitingWrite> writers;
  // Readiness queries (poll) from the reading end and from the writing end.
  std::deque<WaitingReady> ready_to_read;
  std::deque<WaitingReady> ready_to_write;

  // A read would not wait; a write would not wait.
  bool readable() const { return queued > 0 || eof; }
  bool writable() const { return broken || written - consumed < PipeDevice::kLimit; }
  Readiness read_readiness() const { return {queued, eof}; }
  // Bytes a read would find, the ring's included.
  size_t length() const { return queued + (ring ? rings->queued(ring->slot) : 0); }
  Readiness write_readiness() const {
    return {broken ? 0 : PipeDevice::kLimit - (written - consumed), broken};
  }

  void settle();
  Bytes take(uint32_t count);
  uint32_t take_into(std::span<uint8_t> dest);
  void answer(WaitingRead& r);
  void pump();
  void wake();
  void release_writers();
  void hang_up_readers();
  void hang_up_writers();
  void flush(const Fid* fid);
};

struct Pipe {
  uint64_t number = 0;
  std::string owner;
  Stream streams[2];  // streams[e] is written at end e and read at end 1-e
  int opens[2] = {0, 0};

  Stream& written_at(int end) { return streams[end]; }
  Stream& read_at(int end) { return streams[1 - end]; }
  const Stream& read_at(int end) const { return streams[1 - end]; }
};

// The device is about to answer a request on this direction itself: the ring's records (older
// than anything it could hold) become its chunks, and processes come to the kernel from now on.
void Stream::settle() {
  if (!ring) return;
  std::vector<Bytes> records = rings->retire(ring->slot);
  ring.reset();
  for (auto& r : records) {
    if (r.empty()) continue;
    queued += r.size();
    chunks.push_back(std::move(r));
  }
  written = consumed + queued;
}

Bytes Stream::take(uint32_t count) {
  if (queued == 0) return {};
  Bytes& front = chunks.front();
  Bytes out;
  if (head == 0 && count >= front.size()) {
    out = std::move(front);  // the fast path: the whole write, no copy
    chunks.pop_front();
  } else {
    size_t n = std::min<size_t>(count, front.size() - head);
    out.assign(front.begin() + head, front.begin() + head + n);
    head += n;
    if (head == front.size()) {
      chunks.pop_front();
      head = 0;
    }
  }
  queued -= out.size();
  consumed += out.size();
  return out;
}

uint32_t Stream::take_into(std::span<uint8_t> dest) {
  if (queued == 0) return 0;
  const Bytes& front = chunks.front();
  size_t n = std::min(dest.size(), front.size() - head);
  std::memcpy(dest.data(), front.data() + head, n);
  head += n;
  if (head == front.size()) {
    chunks.pop_front();
    head = 0;
  }
  queued -= n;
  consumed += n;
  return static_cast<uint32_t>(n);
}

// Answers r from the queue (nothing at end of file).
void Stream::answer(WaitingRead& r) {
  if (r.reply_into) {
    uint32_t n = take_into(r.dest);
    r.reply_into(n);
  } else {
    r.reply(take(r.count));
  }
}

// Serves waiting readers, then answers the writers whose data now fits. Each reply is made with
// the stream settled, since it may start another request on this pipe.
void Stream::pump() {
  while (!readers.empty() && (queued > 0 || eof)) {
    WaitingRead r = std::move(readers.front());
    readers.pop_front();
    answer(r);
  }
  release_writers();
  wake();
}

// Answers the readiness queries that now hold, once the stream is settled.
void Stream::wake() {
  std::vector<std::function<void()>> answers;
  auto answer = [&](std::deque<WaitingReady>& queue, Readiness now) {
    for (auto& w : queue) answers.push_back([reply = std::move(w.reply), now] { reply(now); });
    queue.clear();
  };
  if (readable()) answer(ready_to_read, read_readiness());
  if (writable()) answer(ready_to_write, write_readiness());
  for (auto& a : answers) a();
}

void Stream::release_writers() {
  while (!writers.empty() && writers.front().mark <= consumed + PipeDevice::kLimit) {
    WaitingWrite w = std::move(writers.front());
    writers.pop_front();
    w.reply(w.count);
  }
}

void Stream::hang_up_readers() {
  eof = true;
  if (ring) rings->hang_up(ring->slot, false);
  pump();
}

void Stream::hang_up_writers() {
  // Writes already taken into the pipe stand, even if a reader's reply is what closed it.
  release_writers();
  broken = true;
  if (ring) rings->hang_up(ring->slot, true);
  chunks.clear();
  head = queued = 0;
  while (!writers.empty()) {
    WaitingWrite w = std::move(writers.front());
    writers.pop_front();
    w.reply(Errc::pipe);
  }
  wake();
}

// What answers a waiting request with Errc::intr.
template <class Waiting>
std::function<void()> interrupt(Waiting& w) {
  return [reply = std::move(w.reply)] { reply(Errc::intr); };
}
std::function<void()> interrupt(WaitingRead& w) {
  if (w.reply_into) return [reply = std::move(w.reply_into)] { reply(Errc::intr); };
  return [reply = std::move(w.reply)] { reply(Errc::intr); };
}

void Stream::flush(const Fid* fid) {
  std::vector<std::function<void()>> cancelled;
  auto cancel = [&](auto& queue) {
    for (auto it = queue.begin(); it != queue.end();) {
      if (it->fid != fid) {
        ++it;
        continue;
      }
      cancelled.push_back(interrupt(*it));
      it = queue.erase(it);
    }
  };
  cancel(readers);
  cancel(writers);
  cancel(ready_to_read);
  cancel(ready_to_write);
  for (auto& c : cancelled) c();
}

class PipeFid : public Fid {
 public:
  std::unique_ptr<Fid> clone() const override {
    auto f = std::make_unique<PipeFid>();
    f->qid = qid;
    f->pipe = pipe;
    return f;
  }

  std::shared_ptr<Pipe> pipe;
  size_t dir_index = 0;
};

Dir stat_of(const Pipe& p, uint64_t file) {
  Dir d;
  d.type = '|';
  d.uid = d.gid = p.owner;
  d.qid = Qid{QTFILE, 0, p.number << 2 | file};
  for (const auto& e : kFiles) {
    if (e.file != file) continue;
    d.name = std::string(e.name);
    d.mode = e.perm;
    d.length = p.read_at(file == Qdata ? 0 : 1).length();
    return d;
  }
  d.qid.type = QTDIR;
  d.name = "#|";
  d.mode = DMDIR | 0500;
  return d;
}

}  // namespace

void PipeDevice::attach(std::string_view uname, std::string_view, Reply<std::unique_ptr<Fid>> r) {
  auto fid = std::make_unique<PipeFid>();
  fid->pipe = std::make_shared<Pipe>();
  fid->pipe->number = ++next_pipe_;
  fid->pipe->owner = std::string(uname);
  if (rings_) {
    for (auto& s : fid->pipe->streams) {
      s.rings = rings_;
      s.ring = rings_->open();
    }
  }
  fid->qid = Qid{QTDIR, 0, fid->pipe->number << 2 | Qdir};
  r(std::unique_ptr<Fid>(std::move(fid)));
}

void PipeDevice::walk1(Fid& fid, std::string_view name, Reply<Qid> r) {
  if (!fid.qid.is_dir()) return r(Errc::notdir);
  for (const auto& e : kFiles) {
    if (e.name == name) {
      fid.qid = Qid{QTFILE, 0, (fid.qid.path & ~uint64_t{3}) | e.file};
      return r(fid.qid);
    }
  }
  r(Errc::noent);
}

void PipeDevice::open(Fid& fid, uint8_t mode, Reply<void> r) {
  auto& f = static_cast<PipeFid&>(fid);
  if (fid.qid.is_dir()) {
    f.dir_index = 0;
  } else if ((mode & 3) != OEXEC) {
    f.pipe->opens[end_of(fid.qid)]++;
  } else {
    return r(Errc::access);
  }
  FileServer::open(fid, mode, std::move(r));
}

void PipeDevice::read(Fid& fid, uint64_t offset, uint32_t count, Reply<Bytes> r) {
  auto& f = static_cast<PipeFid&>(fid);
  if (!fid.open) return r(Errc::badf);
  if (fid.qid.is_dir()) {
    if (offset == 0) f.dir_index = 0;
    std::vector<Dir> entries;
    for (const auto& e : kFiles) entries.push_back(stat_of(*f.pipe, e.file));
    return r(pack_dir_entries(entries, &f.dir_index, count));
  }
  if ((fid.mode & 3) == OWRITE) return r(Errc::badf);
  if (count == 0) return r(Bytes{});
  auto pipe = f.pipe;  // the pipe must outlive the replies pump makes, whatever they clunk
  Stream& s = pipe->read_at(end_of(fid.qid));
  s.settle();
  s.readers.push_back(WaitingRead{&fid, count, std::move(r), {}, {}});
  s.pump();
}

void PipeDevice::read_into(Fid& fid, uint64_t offset, std::span<uint8_t> dest, Reply<uint32_t> r) {
  if (!fid.open || fid.qid.is_dir()) return FileServer::read_into(fid, offset, dest, std::move(r));
  if ((fid.mode & 3) == OWRITE) return r(Errc::badf);
  if (dest.empty()) return r(0u);
  auto pipe = static_cast<PipeFid&>(fid).pipe;
  Stream& s = pipe->read_at(end_of(fid.qid));
  s.settle();
  s.readers.push_back(WaitingRead{&fid, static_cast<uint32_t>(dest.size()), {}, dest, std::move(r)});
  s.pump();
}

void PipeDevice::write(Fid& fid, uint64_t, std::span<const uint8_t> data, Reply<uint32_t> r) {
  auto& f = static_cast<PipeFid&>(fid);
  if (!fid.open) return r(Errc::badf);
  if (fid.qid.is_dir()) return r(Errc::isdir);
  if ((fid.mode & 3) == OREAD) return r(Errc::badf);
  auto pipe = f.pipe;
  Stream& s = pipe->written_at(end_of(fid.qid));
  if (s.broken) return r(Errc::pipe);
  if (data.empty()) return r(0u);
  s.settle();
  const auto count = static_cast<uint32_t>(data.size());
  // A reader waiting with nothing queued before it: the write goes straight into its buffer,
  // and only what it has no room for is queued (the rest of this write, for its next read).
  std::optional<WaitingRead> direct;
  if (s.queued == 0 && !s.readers.empty() && s.readers.front().reply_into) {
    direct = std::move(s.readers.front());
    s.readers.pop_front();
    size_t n = std::min(direct->dest.size(), data.size());
    std::memcpy(direct->dest.data(), data.data(), n);
    s.written += n;
    s.consumed += n;
    direct->count = static_cast<uint32_t>(n);
    data = data.subspan(n);
  }
  if (!data.empty()) {
    s.chunks.emplace_back(data.begin(), data.end());
    s.queued += data.size();
    s.written += data.size();
  }
  if (direct) direct->reply_into(direct->count);
  if (s.written <= s.consumed + kLimit) {
    s.pump();
    return r(count);
  }
  s.writers.push_back(WaitingWrite{&fid, s.written, count, std::move(r)});
  s.pump();
}

void PipeDevice::stat(Fid& fid, Reply<Dir> r) {
  auto& f = static_cast<PipeFid&>(fid);
  r(stat_of(*f.pipe, file_of(fid.qid)));
}

void PipeDevice::ready(Fid& fid, bool for_write, Reply<Readiness> r) {
  auto& f = static_cast<PipeFid&>(fid);
  if (!fid.open) return r(Errc::badf);
  if (fid.qid.is_dir()) return r(Readiness{});
  int end = end_of(fid.qid);
  if (for_write) {
    Stream& s = f.pipe->written_at(end);
    s.settle();
    if (s.writable()) return r(s.write_readiness());
    s.ready_to_write.push_back(WaitingReady{&fid, std::move(r)});
  } else {
    Stream& s = f.pipe->read_at(end);
    s.settle();
    if (s.readable()) return r(s.read_readiness());
    s.ready_to_read.push_back(WaitingReady{&fid, std::move(r)});
  }
}

void PipeDevice::clunk(Fid& fid) {
  auto& f = static_cast<PipeFid&>(fid);
  auto pipe = f.pipe;
  flush(fid);
  if (!fid.open || fid.qid.is_dir()) return;
  fid.open = false;
  int end = end_of(fid.qid);
  if (--pipe->opens[end] > 0) return;
  pipe->written_at(end).hang_up_readers();
  pipe->read_at(end).hang_up_writers();
}

void PipeDevice::flush(Fid& fid) {
  auto pipe = static_cast<PipeFid&>(fid).pipe;
  for (auto& s : pipe->streams) s.flush(&fid);
}

}  // namespace web9

namespace web9 {

std::optional<RingRef> PipeDevice::ring(const Fid& fid, bool for_write) const {
  if (!fid.open || fid.qid.is_dir()) return std::nullopt;
  uint8_t m = fid.mode & 3;
  if (for_write ? (m != OWRITE && m != ORDWR) : (m != OREAD && m != ORDWR)) return std::nullopt;
  auto& f = static_cast<const PipeFid&>(fid);
  int end = end_of(fid.qid);
  return for_write ? f.pipe->written_at(end).ring : f.pipe->read_at(end).ring;
}

}  // namespace web9
