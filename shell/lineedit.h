// rc's line editor: keys in, buffer, cursor and terminal output out. The logic is a plain class
// (LineEditor) so tests can feed it bytes; edit_line() runs it on the console in raw mode.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace rc {

class Shell;

class LineEditor {
 public:
  enum class Result { more, done, eof, interrupt };

  // Completion candidates for `word`; `command` says it is the first word of a command.
  using Completer = std::function<std::vector<std::string>(const std::string& word, bool command)>;

  LineEditor(std::vector<std::string>& history, Completer completer)
      : history_(history), completer_(std::move(completer)) {}

  // Begins a new line: shows the prompt.
  void start(const std::string& prompt, std::string& out);
  // The terminal's width, so a line longer than a row is redrawn across its rows (0: unknown,
  // everything is drawn as if on one row).
  void set_columns(size_t cols) { cols_ = cols; }
  // Feeds one byte from the keyboard; terminal output is appended to `out`.
  Result feed(unsigned char c, std::string& out);

  const std::string& buffer() const { return buf_; }
  size_t cursor() const { return cur_; }

 private:
  void insert(const std::string& s);
  void redraw(std::string& out);
  void to_end(std::string& out);
  size_t width(const std::string& s, size_t from, size_t to, size_t col) const;
  void move_left();
  void move_right();
  void erase_before(size_t from);
  void history_move(int dir);
  void complete(std::string& out);
  Result escape(unsigned char c, std::string& out);

  std::vector<std::string>& history_;
  Completer completer_;
  std::string prompt_;
  std::string buf_;
  size_t cur_ = 0;
  size_t hist_pos_ = 0;
  std::string saved_;  // the line being typed, kept while browsing history
  int esc_ = 0;        // 0: normal; 1: after ESC; 2: after ESC [ or ESC O
  std::string esc_arg_;
  bool last_tab_ = false;
  size_t cols_ = 0;
  size_t row_ = 0;  // the row the terminal's cursor is on, counted from the prompt's row
};

// Reads one line at the console with editing; the line (with its newline) goes in `line`.
// Returns false at end of input.
bool edit_line(Shell& sh, const std::string& prompt, std::string& line);

// Completion against the file system and $path (used by edit_line; exposed for tests).
std::vector<std::string> complete_word(Shell& sh, const std::string& word, bool command);

}  // namespace rc
