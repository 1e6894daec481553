// The console device '#c' (Plan 9's devcons), bound on /dev: the terminal's cons with a line
// discipline and raw mode through consctl, plus the small files null, zero, random, time, user
// and winsize.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "fs/chacha.h"
#include "kernel/fileserver.h"

namespace web9 {

class ConsFid;

// Line discipline (cooked mode, the default):
//   printable bytes and UTF-8 sequences are echoed and collected into the line;
//   other control bytes are collected too and echoed in caret form (ESC shows as "^[");
//   backspace (0x08, 0x7f) erases one character (a whole UTF-8 sequence), echoing "\b \b";
//   ^U erases the line, ^W the last word;
//   Enter (\r or \n) echoes "\r\n" and makes "line\n" readable;
//   ^D makes the partial line readable without a newline, or, on an empty line, one read of
//   0 bytes (end of file);
//   ^C discards the line, echoes "^C\r\n" and calls interrupt("interrupt").
// A read gets at most one line and at most count bytes; the rest stays for the next read.
// Reads that find nothing wait, and waiting readers are served in order.
//
// Raw mode: writing "rawon" to consctl turns it on until that fid writes "rawoff" or is
// clunked (each consctl fid holds its own vote; raw is on while any fid votes for it). In raw
// mode input bytes go to readers untouched (no echo, ^C arrives as 0x03) and a read returns
// whatever has arrived, up to count. A half-typed line becomes readable when raw mode starts.
//
// Readiness (ready): a read of cons is ready when it would not wait: input is readable in the
// mode the console is in (a completed line, a ^D, or raw bytes) and no reader is waiting ahead;
// nbytes is what the next read could take. Every other file, and writing, is always ready.
//
// Output: writes to cons go to output() with each "\n" turned into "\r\n" (a tty's ONLCR),
// because xterm.js, like any terminal, moves to column 0 only on "\r".
class ConsDevice : public FileServer {
 public:
  explicit ConsDevice(std::string user);

  std::string_view kind() const override { return "cons"; }

  void attach(std::string_view uname, std::string_view aname, Reply<std::unique_ptr<Fid>> r) override;
  void walk1(Fid& fid, std::string_view name, Reply<Qid> r) override;
  void open(Fid& fid, uint8_t mode, Reply<void> r) override;
  void read(Fid& fid, uint64_t offset, uint32_t count, Reply<Bytes> r) override;
  void write(Fid& fid, uint64_t offset, std::span<const uint8_t> data, Reply<uint32_t> r) override;
  void stat(Fid& fid, Reply<Dir> r) override;
  void ready(Fid& fid, bool for_write, Reply<Readiness> r) override;
  void clunk(Fid& fid) override;
  void flush(Fid& fid) override;

  // Bytes typed at the terminal.
  void input(std::span<const uint8_t> bytes);
  void input(std::string_view text);

  // The terminal's size, as winsize reads it ("cols rows\n"); the page sets it on resize.
  void set_winsize(uint32_t cols, uint32_t rows);
  void set_user(std::string user) { user_ = std::move(user); }
  bool raw() const { return raw_votes_ > 0; }

  // Bytes for the terminal: echo and everything written to cons. Unset means discard.
  std::function<void(std::span<const uint8_t>)> output;
  // Called with "interrupt" when ^C is typed in cooked mode; the process layer posts the note
  // to the foreground process group.
  std::function<void(std::string_view note)> interrupt;
  // Wall-clock time in nanoseconds since the epoch, for /dev/time; writing /dev/time (seconds)
  // sets an offset on top of it. Defaults to the system clock.
  std::function<int64_t()> clock;

 private:
  // Input made readable: a completed line, a ^D-ended partial line, an end-of-file mark (empty,
  // not raw), or bytes that arrived in raw mode (raw, grown by later raw input).
  struct Chunk {
    std::string data;
    size_t off = 0;
    bool raw = false;
  };
  struct PendingRead {
    const Fid* fid;
    uint32_t count;
    Reply<Bytes> reply;
  };
  struct PendingReady {
    const Fid* fid;
    Reply<Readiness> reply;
  };

  void cook(uint8_t c, std::string& echo);
  void erase_char(std::string& echo);
  void erase_word(std::string& echo);
  void complete(std::string data);
  void set_raw(ConsFid& fid, bool on);
  Bytes take(uint32_t count);
  void serve();
  bool readable() const { return waiting_.empty() && !ready_.empty(); }
  void emit(std::string_view bytes);
  void read_cons(Fid& fid, uint32_t count, Reply<Bytes> r);
  void write_cons(std::string_view text);
  Result<void> write_ctl(ConsFid& fid, std::string_view msg);
  Result<void> write_time(std::string_view text);
  Result<void> write_winsize(std::string_view text);
  std::string text_of(uint64_t path) const;
  Dir stat_of(uint64_t path) const;
  int64_t now_nsec() const;

  std::string user_;
  std::string line_;           // the line being typed (cooked mode)
  std::deque<Chunk> ready_;    // input waiting for readers
  std::deque<PendingRead> waiting_;
  std::deque<PendingReady> waiting_ready_;  // readiness queries on cons
  int raw_votes_ = 0;
  uint32_t cols_ = 80, rows_ = 24;
  int64_t time_offset_ = 0;    // set by writing /dev/time
  int64_t boot_ticks_ = 0;     // steady-clock nanoseconds at creation: time's tick origin
  ChaCha20 random_;
};

}  // namespace web9
