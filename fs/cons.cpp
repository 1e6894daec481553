// The console device: a table of files (Plan 9's Dirtab), the line discipline between the
// terminal's keystrokes and readers of cons, and the small text files.
#include "fs/cons.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <utility>

namespace web9 {
namespace {

enum : uint64_t { Qdir, Qcons, Qconsctl, Qnull, Qrandom, Qtime, Quser, Qwinsize, Qzero };

struct DirEntry {
  std::string_view name;
  uint64_t path;
  uint32_t perm;
};

constexpr DirEntry kFiles[] = {
    {"cons", Qcons, 0660},   {"consctl", Qconsctl, 0220}, {"null", Qnull, 0666},
    {"random", Qrandom, 0444}, {"time", Qtime, 0664},       {"user", Quser, 0444},
    {"winsize", Qwinsize, 0666}, {"zero", Qzero, 0444},
};

const DirEntry* find_entry(uint64_t path) {
  for (const auto& e : kFiles)
    if (e.path == path) return &e;
  return nullptr;
}

constexpr uint8_t kCtrlC = 0x03, kCtrlD = 0x04, kCtrlU = 0x15, kCtrlW = 0x17, kDel = 0x7f;

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// A control byte that echoes as two columns ("^X").
bool shows_as_caret(uint8_t c) { return (c < 0x20 && c != '\t') || c == kDel; }

// What a read at offset of a generated text file returns (Plan 9's readstr).
Bytes slice(std::string_view text, uint64_t offset, uint32_t count) {
  if (offset >= text.size()) return {};
  auto rest = text.substr(offset, count);
  return Bytes(rest.begin(), rest.end());
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (is_blank(s.back()) || s.back() == '\n')) s.remove_suffix(1);
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  return s;
}

template <class T>
bool parse_number(std::string_view& s, T& out) {
  s = trim(s);
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc()) return false;
  s.remove_prefix(end - s.data());
  return true;
}

int64_t steady_nsec() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

class ConsFid : public Fid {
 public:
  std::unique_ptr<Fid> clone() const override {
    auto f = std::make_unique<ConsFid>();
    f->qid = qid;
    return f;
  }

  size_t dir_index = 0;  // next directory entry to read
  bool raw_vote = false; // this consctl fid wrote "rawon"
};

ConsDevice::ConsDevice(std::string user) : user_(std::move(user)), boot_ticks_(steady_nsec()) {
  clock = [] {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
}

void ConsDevice::attach(std::string_view, std::string_view, Reply<std::unique_ptr<Fid>> r) {
  auto fid = std::make_unique<ConsFid>();
  fid->qid = Qid{QTDIR, 0, Qdir};
  r(std::unique_ptr<Fid>(std::move(fid)));
}

void ConsDevice::walk1(Fid& fid, std::string_view name, Reply<Qid> r) {
  if (!fid.qid.is_dir()) return r(Errc::notdir);
  for (const auto& e : kFiles) {
    if (e.name == name) {
      fid.qid = Qid{QTFILE, 0, e.path};
      return r(fid.qid);
    }
  }
  r(Errc::noent);
}

void ConsDevice::open(Fid& fid, uint8_t mode, Reply<void> r) {
  if (const DirEntry* e = find_entry(fid.qid.path)) {
    int m = mode & 3;
    bool reads = m == OREAD || m == ORDWR, writes = m == OWRITE || m == ORDWR;
    if (m == OEXEC || (reads && !(e->perm & 0400)) || (writes && !(e->perm & 0200))) return r(Errc::access);
  }
  if (fid.qid.path == Qdir) static_cast<ConsFid&>(fid).dir_index = 0;
  FileServer::open(fid, mode, std::move(r));
}

void ConsDevice::read(Fid& fid, uint64_t offset, uint32_t count, Reply<Bytes> r) {
  if (!fid.open) return r(Errc::badf);
  switch (fid.qid.path) {
    case Qdir: {
      auto& f = static_cast<ConsFid&>(fid);
      if (offset == 0) f.dir_index = 0;
      std::vector<Dir> entries;
      for (const auto& e : kFiles) entries.push_back(stat_of(e.path));
      return r(pack_dir_entries(entries, &f.dir_index, count));
    }
    case Qcons:
      return read_cons(fid, count, std::move(r));
    case Qnull:
      return r(Bytes{});
    case Qzero:
      return r(Bytes(count, 0));
    case Qrandom: {
      Bytes out(count);
      random_.fill(out);
      return r(std::move(out));
    }
    case Qtime:
    case Quser:
    case Qwinsize:
      return r(slice(text_of(fid.qid.path), offset, count));
  }
  r(Errc::perm);
}

void ConsDevice::write(Fid& fid, uint64_t offset, std::span<const uint8_t> data, Reply<uint32_t> r) {
  if (!fid.open) return r(Errc::badf);
  std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
  Result<void> done = success();
  switch (fid.qid.path) {
    case Qcons:
      write_cons(text);
      break;
    case Qconsctl:
      done = write_ctl(static_cast<ConsFid&>(fid), text);
      break;
    case Qnull:
    case Qzero:
      break;
    case Qtime:
      done = write_time(text);
      break;
    case Qwinsize:
      done = write_winsize(text);
      break;
    default:
      done = fid.qid.is_dir() ? Errc::isdir : Errc::perm;
  }
  if (!done) return r(std::move(done).error());
  r(static_cast<uint32_t>(data.size()));
}

void ConsDevice::stat(Fid& fid, Reply<Dir> r) { r(stat_of(fid.qid.path)); }

void ConsDevice::ready(Fid& fid, bool for_write, Reply<Readiness> r) {
  if (!fid.open) return r(Errc::badf);
  if (for_write || fid.qid.path != Qcons) return r(Readiness{});
  if (readable()) return r(Readiness{ready_.front().data.size() - ready_.front().off, false});
  waiting_ready_.push_back(PendingReady{&fid, std::move(r)});
}

void ConsDevice::clunk(Fid& fid) {
  flush(fid);
  auto& f = static_cast<ConsFid&>(fid);
  if (f.raw_vote) set_raw(f, false);
}

namespace {
// Takes out of queue every entry waiting on fid and answers their replies.
template <class Queue>
auto take_waiting(Queue& queue, const Fid& fid) {
  std::vector<decltype(queue.begin()->reply)> taken;
  for (auto it = queue.begin(); it != queue.end();) {
    if (it->fid == &fid) {
      taken.push_back(std::move(it->reply));
      it = queue.erase(it);
    } else {
      ++it;
    }
  }
  return taken;
}
}  // namespace

void ConsDevice::flush(Fid& fid) {
  auto cancelled = take_waiting(waiting_, fid);
  auto queries = take_waiting(waiting_ready_, fid);
  // Answer only after the queues are consistent: a reply may start another request.
  for (auto& reply : cancelled) reply(Errc::intr);
  for (auto& reply : queries) reply(Errc::intr);
}

Dir ConsDevice::stat_of(uint64_t path) const {
  Dir d;
  d.type = 'c';
  d.uid = d.gid = user_;
  d.atime = d.mtime = static_cast<uint32_t>(now_nsec() / 1'000'000'000);
  if (const DirEntry* e = find_entry(path)) {
    d.qid = Qid{QTFILE, 0, path};
    d.mode = e->perm;
    d.name = std::string(e->name);
  } else {
    d.qid = Qid{QTDIR, 0, Qdir};
    d.mode = DMDIR | 0555;
    d.name = "#c";
  }
  return d;
}

// --- the terminal side -------------------------------------------------------------------

void ConsDevice::input(std::string_view text) {
  input(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

void ConsDevice::input(std::span<const uint8_t> bytes) {
  std::string echo;
  for (uint8_t c : bytes) {
    if (raw()) {
      if (ready_.empty() || !ready_.back().raw) ready_.push_back(Chunk{{}, 0, true});
      ready_.back().data += static_cast<char>(c);
    } else if (c == kCtrlC) {
      line_.clear();
      echo += "^C\r\n";
      // The echo goes out before anything the interrupted processes print.
      emit(std::exchange(echo, {}));
      if (interrupt) interrupt("interrupt");
    } else {
      cook(c, echo);
    }
  }
  emit(echo);
  serve();
}

void ConsDevice::cook(uint8_t c, std::string& echo) {
  switch (c) {
    case '\r':
    case '\n':
      echo += "\r\n";
      line_ += '\n';
      return complete(std::exchange(line_, {}));
    case kCtrlD:
      // An empty line becomes an empty chunk: one read of 0 bytes, end of file.
      return complete(std::exchange(line_, {}));
    case '\b':
    case kDel:
      return erase_char(echo);
    case kCtrlU:
      while (!line_.empty()) erase_char(echo);
      return;
    case kCtrlW:
      return erase_word(echo);
  }
  line_ += static_cast<char>(c);
  if (shows_as_caret(c)) {
    echo += '^';
    echo += static_cast<char>(c == kDel ? '?' : c + '@');
  } else {
    echo += static_cast<char>(c);
  }
}

// FIXME: erasing assumes every character is one column wide (two for caret forms): a tab,
// a wide (CJK) character or a line that wrapped on the terminal is not erased exactly.
void ConsDevice::erase_char(std::string& echo) {
  if (line_.empty()) return;
  size_t last = line_.size() - 1, start = last;
  // Back over up to three UTF-8 continuation bytes to the sequence's lead byte.
  while (start > 0 && last - start < 3 && (static_cast<uint8_t>(line_[start]) & 0xC0) == 0x80) --start;
  if (static_cast<uint8_t>(line_[start]) < 0xC0) start = last;  // not a sequence: one byte
  uint8_t lead = static_cast<uint8_t>(line_[start]);
  line_.resize(start);
  echo += "\b \b";
  if (shows_as_caret(lead)) echo += "\b \b";
}

void ConsDevice::erase_word(std::string& echo) {
  while (!line_.empty() && is_blank(line_.back())) erase_char(echo);
  while (!line_.empty() && !is_blank(line_.back())) erase_char(echo);
}

void ConsDevice::complete(std::string data) { ready_.push_back(Chunk{std::move(data)}); }

void ConsDevice::set_winsize(uint32_t cols, uint32_t rows) {
  cols_ = cols;
  rows_ = rows;
}

void ConsDevice::emit(std::string_view bytes) {
  if (output && !bytes.empty()) output(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

// --- cons and consctl ------------------------------------------------------------------------

void ConsDevice::read_cons(Fid& fid, uint32_t count, Reply<Bytes> r) {
  if (count == 0) return r(Bytes{});
  if (waiting_.empty() && !ready_.empty()) return r(take(count));
  waiting_.push_back(PendingRead{&fid, count, std::move(r)});
}

Bytes ConsDevice::take(uint32_t count) {
  Chunk& c = ready_.front();
  size_t n = std::min<size_t>(count, c.data.size() - c.off);
  Bytes out(c.data.begin() + c.off, c.data.begin() + c.off + n);
  c.off += n;
  if (c.off == c.data.size()) ready_.pop_front();
  return out;
}

void ConsDevice::serve() {
  // One reader at a time, state settled before each reply (a reply may start another request).
  while (!waiting_.empty() && !ready_.empty()) {
    PendingRead p = std::move(waiting_.front());
    waiting_.pop_front();
    p.reply(take(p.count));
  }
  // What is left is readable now: answer the readiness queries.
  if (!readable() || waiting_ready_.empty()) return;
  Readiness now{ready_.front().data.size() - ready_.front().off, false};
  auto queries = std::exchange(waiting_ready_, {});
  for (auto& q : queries) q.reply(now);
}

void ConsDevice::write_cons(std::string_view text) {
  std::string out;
  out.reserve(text.size() + std::count(text.begin(), text.end(), '\n'));
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) {
      out.append(text.substr(pos));
      break;
    }
    out.append(text.substr(pos, nl - pos));
    out.append("\r\n");
    pos = nl + 1;
  }
  emit(out);
}

Result<void> ConsDevice::write_ctl(ConsFid& fid, std::string_view msg) {
  msg = trim(msg);
  if (msg == "rawon") {
    set_raw(fid, true);
  } else if (msg == "rawoff") {
    set_raw(fid, false);
  } else {
    return Error(Errc::inval, "unknown control message");
  }
  return success();
}

void ConsDevice::set_raw(ConsFid& fid, bool on) {
  if (fid.raw_vote == on) return;
  fid.raw_vote = on;
  raw_votes_ += on ? 1 : -1;
  // What was typed so far in cooked mode is already echoed: hand it to the raw reader.
  if (on && raw_votes_ == 1 && !line_.empty()) {
    ready_.push_back(Chunk{std::exchange(line_, {}), 0, true});
    serve();
  }
  // Bytes typed while raw mode was on and not read by then (typed ahead of a program that
  // turned it off: a shell's line editor, after Enter, before the command runs) are typed
  // again in cooked mode: echoed, edited, made into lines, as a terminal's typeahead would be.
  if (!on && raw_votes_ == 0) {
    std::string typed;
    for (auto it = ready_.begin(); it != ready_.end();) {
      if (!it->raw) {
        ++it;
        continue;
      }
      typed.append(it->data, it->off);
      it = ready_.erase(it);
    }
    if (!typed.empty()) input(std::string_view(typed));
  }
}

// --- the small files ---------------------------------------------------------------------------

int64_t ConsDevice::now_nsec() const { return clock() + time_offset_; }

std::string ConsDevice::text_of(uint64_t path) const {
  char buf[96];
  switch (path) {
    case Qtime: {
      // Plan 9's format: seconds, nanoseconds, ticks and ticks per second, right-justified in
      // fields of 11, 21, 21 and 21, each followed by a space. Ticks here are nanoseconds.
      int64_t nsec = now_nsec();
      std::snprintf(buf, sizeof buf, "%11lld %21lld %21lld %21lld ", static_cast<long long>(nsec / 1'000'000'000),
                    static_cast<long long>(nsec), static_cast<long long>(steady_nsec() - boot_ticks_),
                    1'000'000'000LL);
      return buf;
    }
    case Quser:
      return user_;
    case Qwinsize:
      std::snprintf(buf, sizeof buf, "%u %u\n", cols_, rows_);
      return buf;
  }
  return {};
}

Result<void> ConsDevice::write_time(std::string_view text) {
  int64_t seconds = 0;
  if (!parse_number(text, seconds) || seconds <= 0 || !trim(text).empty())
    return Error(Errc::inval, "bad time control");
  time_offset_ = seconds * 1'000'000'000 - clock();
  return success();
}

Result<void> ConsDevice::write_winsize(std::string_view text) {
  uint32_t cols = 0, rows = 0;
  if (!parse_number(text, cols) || !parse_number(text, rows) || !trim(text).empty() || cols == 0 || rows == 0)
    return Error(Errc::inval, "bad window size");
  set_winsize(cols, rows);
  return success();
}

}  // namespace web9
