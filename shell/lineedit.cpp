// The line editor: emacs-style keys (^A ^E ^B ^F ^W ^U ^K ^D, arrows, Home/End/Delete),
// history browsing with up/down (kept in $home/lib/history), and tab completion of commands
// and paths. Output is redrawn as one line: prompt, buffer, then the cursor moved back.
#include "shell/lineedit.h"

#include <algorithm>

#include "shell/os.h"
#include "shell/shell.h"

namespace rc {

namespace {

bool is_cont(unsigned char c) { return (c & 0xC0) == 0x80; }

// A command line that gives /net/web a token ("echo token HOST SECRET >/net/web/ctl"): the
// secret must never reach $home/lib/history.
bool holds_secret(const std::string& line) {
  return line.find("/net/web/ctl") != std::string::npos && line.find("token") != std::string::npos;
}

size_t runes(const std::string& s, size_t from, size_t to) {
  size_t n = 0;
  for (size_t i = from; i < to; i++)
    if (!is_cont(static_cast<unsigned char>(s[i]))) n++;
  return n;
}

std::string common_prefix(const std::vector<std::string>& v) {
  if (v.empty()) return "";
  std::string p = v[0];
  for (auto& s : v) {
    size_t k = 0;
    while (k < p.size() && k < s.size() && p[k] == s[k]) k++;
    p.resize(k);
  }
  return p;
}

}  // namespace

void LineEditor::start(const std::string& prompt, std::string& out) {
  prompt_ = prompt;
  buf_.clear();
  cur_ = 0;
  hist_pos_ = history_.size();
  saved_.clear();
  esc_ = 0;
  last_tab_ = false;
  row_ = 0;
  out += prompt_;
}

// Columns taken by s[from, to) when it starts at column `col` (a tab goes to the next stop).
size_t LineEditor::width(const std::string& s, size_t from, size_t to, size_t col) const {
  for (size_t i = from; i < to; i++) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\t')
      col = (col / 8 + 1) * 8;
    else if (!is_cont(c))
      col++;
  }
  return col;
}

// Moves the terminal's cursor to the line's last row, so what is printed next goes below it.
void LineEditor::to_end(std::string& out) {
  if (!cols_) return;
  size_t end = width(buf_, 0, buf_.size(), width(prompt_, 0, prompt_.size(), 0));
  size_t last = end / cols_;
  if (last > row_) out += "\x1b[" + std::to_string(last - row_) + "B";
  row_ = 0;
}

void LineEditor::redraw(std::string& out) {
  if (!cols_) {
    out += "\r" + prompt_ + buf_ + "\x1b[K";
    size_t back = runes(buf_, cur_, buf_.size());
    if (back) out += "\x1b[" + std::to_string(back) + "D";
    return;
  }
  // Back to the prompt's row, draw everything and clear what a longer line left below.
  if (row_) out += "\x1b[" + std::to_string(row_) + "A";
  out += "\r" + prompt_ + buf_ + "\x1b[J";
  size_t plen = width(prompt_, 0, prompt_.size(), 0);
  size_t end = width(buf_, 0, buf_.size(), plen);
  // A line ending exactly at the right margin leaves the terminal's cursor waiting to wrap;
  // wrapping now makes where it is certain.
  if (end > 0 && end % cols_ == 0) out += "\r\n";
  size_t at = width(buf_, 0, cur_, plen);
  size_t up = end / cols_ - at / cols_;
  if (up) out += "\x1b[" + std::to_string(up) + "A";
  out += "\r";
  if (at % cols_) out += "\x1b[" + std::to_string(at % cols_) + "C";
  row_ = at / cols_;
}

void LineEditor::insert(const std::string& s) {
  buf_.insert(cur_, s);
  cur_ += s.size();
}

void LineEditor::move_left() {
  if (cur_ == 0) return;
  do cur_--;
  while (cur_ > 0 && is_cont(static_cast<unsigned char>(buf_[cur_])));
}

void LineEditor::move_right() {
  if (cur_ >= buf_.size()) return;
  do cur_++;
  while (cur_ < buf_.size() && is_cont(static_cast<unsigned char>(buf_[cur_])));
}

void LineEditor::erase_before(size_t from) {
  buf_.erase(from, cur_ - from);
  cur_ = from;
}

void LineEditor::history_move(int dir) {
  if (history_.empty()) return;
  if (dir < 0) {
    if (hist_pos_ == 0) return;
    if (hist_pos_ == history_.size()) saved_ = buf_;
    hist_pos_--;
    buf_ = history_[hist_pos_];
  } else {
    if (hist_pos_ >= history_.size()) return;
    hist_pos_++;
    buf_ = hist_pos_ == history_.size() ? saved_ : history_[hist_pos_];
  }
  cur_ = buf_.size();
}

void LineEditor::complete(std::string& out) {
  size_t start = cur_;
  while (start > 0 && std::string(" \t;|&(){}<>`=").find(buf_[start - 1]) == std::string::npos) start--;
  std::string word = buf_.substr(start, cur_ - start);
  size_t k = start;
  while (k > 0 && (buf_[k - 1] == ' ' || buf_[k - 1] == '\t')) k--;
  bool command = k == 0 || std::string(";|&({`").find(buf_[k - 1]) != std::string::npos;
  std::vector<std::string> cands = completer_ ? completer_(word, command) : std::vector<std::string>{};
  if (cands.empty()) {
    out += "\a";
    return;
  }
  std::string common = common_prefix(cands);
  if (cands.size() == 1) {
    std::string add = common.substr(word.size());
    if (common.empty() || common.back() != '/') add += ' ';
    insert(add);
    redraw(out);
    return;
  }
  if (common.size() > word.size()) {
    insert(common.substr(word.size()));
    redraw(out);
    return;
  }
  if (!last_tab_) {
    out += "\a";
    return;
  }
  to_end(out);
  out += "\r\n";
  for (auto& c : cands) {
    size_t slash = c.find_last_of('/', c.size() >= 2 ? c.size() - 2 : 0);
    out += (slash == std::string::npos ? c : c.substr(slash + 1)) + "  ";
  }
  out += "\r\n";
  redraw(out);
}

LineEditor::Result LineEditor::escape(unsigned char c, std::string& out) {
  if (esc_ == 1) {
    esc_ = (c == '[' || c == 'O') ? 2 : 0;
    esc_arg_.clear();
    return Result::more;
  }
  if (c >= '0' && c <= '9') {
    esc_arg_ += static_cast<char>(c);
    return Result::more;
  }
  esc_ = 0;
  switch (c) {
    case 'A': history_move(-1); break;
    case 'B': history_move(1); break;
    case 'C': move_right(); break;
    case 'D': move_left(); break;
    case 'H': cur_ = 0; break;
    case 'F': cur_ = buf_.size(); break;
    case '~':
      if (esc_arg_ == "1" || esc_arg_ == "7") cur_ = 0;
      if (esc_arg_ == "4" || esc_arg_ == "8") cur_ = buf_.size();
      if (esc_arg_ == "3" && cur_ < buf_.size()) {
        size_t from = cur_;
        move_right();
        buf_.erase(from, cur_ - from);
        cur_ = from;
      }
      break;
    default: return Result::more;
  }
  redraw(out);
  return Result::more;
}

LineEditor::Result LineEditor::feed(unsigned char c, std::string& out) {
  if (esc_) return escape(c, out);
  bool tab = c == '\t';
  Result r = Result::more;
  switch (c) {
    case 27: esc_ = 1; break;
    case '\r':
    case '\n':
      to_end(out);
      out += "\r\n";
      // A line that hands a token to /net/web stays out of the history (docs/net.md).
      if (!buf_.empty() && (history_.empty() || history_.back() != buf_) && !holds_secret(buf_))
        history_.push_back(buf_);
      r = Result::done;
      break;
    case 3:  // ^C
      to_end(out);
      out += "^C\r\n";
      buf_.clear();
      cur_ = 0;
      r = Result::interrupt;
      break;
    case 4:  // ^D: end of input on an empty line, else delete under the cursor
      if (buf_.empty()) {
        r = Result::eof;
        break;
      }
      if (cur_ < buf_.size()) {
        size_t from = cur_;
        move_right();
        buf_.erase(from, cur_ - from);
        cur_ = from;
        redraw(out);
      }
      break;
    case 1: cur_ = 0; redraw(out); break;            // ^A
    case 5: cur_ = buf_.size(); redraw(out); break;  // ^E
    case 2: move_left(); redraw(out); break;         // ^B
    case 6: move_right(); redraw(out); break;        // ^F
    case 11: buf_.erase(cur_); redraw(out); break;   // ^K
    case 21: erase_before(0); redraw(out); break;    // ^U
    case 12: out += "\x1b[H\x1b[2J"; row_ = 0; redraw(out); break;  // ^L
    case 16: history_move(-1); redraw(out); break;   // ^P
    case 14: history_move(1); redraw(out); break;    // ^N
    case 23: {                                       // ^W: the word before the cursor
      size_t k = cur_;
      while (k > 0 && (buf_[k - 1] == ' ' || buf_[k - 1] == '\t')) k--;
      while (k > 0 && buf_[k - 1] != ' ' && buf_[k - 1] != '\t') k--;
      erase_before(k);
      redraw(out);
      break;
    }
    case 8:
    case 127: {
      if (cur_ == 0) break;
      size_t end = cur_;
      move_left();
      buf_.erase(cur_, end - cur_);
      redraw(out);
      break;
    }
    case '\t': complete(out); break;
    default:
      if (c >= ' ' || c >= 0x80) {
        insert(std::string(1, static_cast<char>(c)));
        // Typing at the end of the line echoes the byte, unless it reaches the right margin.
        size_t end = cols_ ? width(buf_, 0, buf_.size(), width(prompt_, 0, prompt_.size(), 0)) : 1;
        if (cur_ == buf_.size() && c < 0x80 && (!cols_ || end % cols_ != 0)) {
          out += static_cast<char>(c);
          if (cols_) row_ = end / cols_;
        } else {
          redraw(out);
        }
      }
      break;
  }
  last_tab_ = tab;
  return r;
}

std::vector<std::string> complete_word(Shell& sh, const std::string& word, bool command) {
  std::vector<std::string> out;
  if (command && word.find('/') == std::string::npos) {
    for (auto& dir : sh.get("path")) {
      std::vector<std::string> names;
      if (!os::readdir(dir, names)) continue;
      for (auto& n : names)
        if (n.rfind(word, 0) == 0 && os::is_executable(dir + "/" + n)) out.push_back(n);
    }
    for (const char* b : {"cd", "whatis", "eval", "exec", "exit", "shift", "wait", "flag", "builtin"})
      if (std::string(b).rfind(word, 0) == 0) out.push_back(b);
  } else {
    size_t slash = word.rfind('/');
    std::string dir = slash == std::string::npos ? "" : word.substr(0, slash + 1);
    std::string base = slash == std::string::npos ? word : word.substr(slash + 1);
    std::vector<std::string> names;
    if (os::readdir(dir.empty() ? "." : dir, names)) {
      for (auto& n : names) {
        if (n.rfind(base, 0) != 0) continue;
        if (n[0] == '.' && (base.empty() || base[0] != '.')) continue;
        std::string full = dir + n;
        out.push_back(os::is_dir(full) ? full + "/" : full);
      }
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

namespace {

std::string history_file(Shell& sh) {
  List home = sh.get("home");
  return (home.empty() ? std::string("/") : home[0]) + "/lib/history";
}

std::vector<std::string>& history(Shell& sh) {
  static std::vector<std::string> h;
  static bool loaded = false;
  if (!loaded) {
    loaded = true;
    int fd = os::open(history_file(sh), os::read_only);
    if (fd >= 0) {
      std::string text, line;
      char buf[4096];
      long n;
      while ((n = os::read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
      os::close(fd);
      for (char c : text) {
        if (c == '\n') {
          if (!line.empty()) h.push_back(line);
          line.clear();
        } else {
          line += c;
        }
      }
    }
  }
  return h;
}

void write_out(const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    long n = os::write(2, s.data() + off, s.size() - off);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

}  // namespace

bool edit_line(Shell& sh, const std::string& prompt, std::string& line) {
  auto& h = history(sh);
  size_t before = h.size();
  LineEditor ed(h, [&sh](const std::string& w, bool cmd) { return complete_word(sh, w, cmd); });
  std::string out;
  os::raw_mode(true);
  ed.set_columns(os::columns());
  ed.start(prompt, out);
  write_out(out);
  bool ok = true;
  for (;;) {
    unsigned char c;
    long n = os::read(0, &c, 1);
    if (n <= 0) {
      if (os::take_interrupt()) {
        line = "\n";
        break;
      }
      ok = false;
      break;
    }
    out.clear();
    LineEditor::Result r = ed.feed(c, out);
    write_out(out);
    if (r == LineEditor::Result::done) {
      line = ed.buffer() + "\n";
      break;
    }
    if (r == LineEditor::Result::interrupt) {
      line = "\n";
      break;
    }
    if (r == LineEditor::Result::eof) {
      write_out("\r\n");
      ok = false;
      break;
    }
  }
  os::raw_mode(false);
  if (h.size() > before) {
    int fd = os::open(history_file(sh), os::write_append);
    if (fd >= 0) {
      std::string s = h.back() + "\n";
      os::write(fd, s.data(), s.size());
      os::close(fd);
    }
  }
  return ok;
}

}  // namespace rc
