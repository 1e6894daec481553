// Reads commands from the terminal a line at a time, printing $prompt(1) before a command and
// $prompt(2) before each continuation line. At a console the line editor does the reading.
#include "shell/interactive.h"

#include "shell/lineedit.h"
#include "shell/os.h"
#include "shell/shell.h"

namespace rc {

namespace {

class TermInput : public InteractiveInput {
 public:
  explicit TermInput(Shell& sh) : sh_(sh) {
    name = "/dev/stdin";
    editing_ = os::isatty(0) && os::isatty(2) && sh.get("TERM") != List{"dumb"};
  }

  bool interactive() const override { return true; }
  bool eof() const override { return eof_; }

  int read_char(bool continuation) override {
    if (pos_ >= line_.size()) {
      if (eof_) return -1;
      if (!fill(continuation)) {
        eof_ = true;
        return -1;
      }
    }
    return static_cast<unsigned char>(line_[pos_++]);
  }

 private:
  std::string prompt(bool continuation) {
    List p = sh_.get("prompt");
    size_t i = continuation ? 1 : 0;
    return i < p.size() ? p[i] : (continuation ? "\t" : "% ");
  }

  bool fill(bool continuation) {
    line_.clear();
    pos_ = 0;
    std::string pr = prompt(continuation);
    if (editing_) return edit_line(sh_, pr, line_);
    sh_.err(pr);
    char c;
    for (;;) {
      long n = os::read(0, &c, 1);
      if (n <= 0) {
        if (os::take_interrupt()) {
          line_ = "\n";
          return true;
        }
        return !line_.empty();
      }
      line_ += c;
      if (c == '\n') return true;
    }
  }

  Shell& sh_;
  std::string line_;
  size_t pos_ = 0;
  bool eof_ = false;
  bool editing_ = false;
};

}  // namespace

std::unique_ptr<InteractiveInput> interactive_input(Shell& sh) { return std::make_unique<TermInput>(sh); }

}  // namespace rc
