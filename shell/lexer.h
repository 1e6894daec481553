// rc's lexer: characters from an Input become tokens, with rc's free carets, subscript
// parentheses and redirection forms (>[2=1], |[2], <<EOF) recognised here.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "shell/tree.h"

namespace rc {

// Marks the next byte of an unquoted word as a pattern character (*, ? or [).
constexpr char kGlob = '\x01';

// Where the lexer's characters come from: a file, a string, or the terminal.
class Input {
 public:
  virtual ~Input() = default;
  // The next byte, or -1 at end of input. `continuation` says whether this starts a second or
  // later line of one command (an interactive source prompts with $prompt(2) then).
  virtual int read_char(bool continuation) = 0;
  virtual bool interactive() const { return false; }
  std::string name;  // for error messages: the file name, or empty
};

std::unique_ptr<Input> string_input(std::string text, std::string name);
std::unique_ptr<Input> fd_input(int fd, std::string name);

enum class Tok {
  eof, newline, word, dollar, count, flat, caret, sub, lparen, rparen, lbrace, rbrace,
  backquote, equals, semi, amp, andand, oror, pipe, redir, dup, error,
};

struct Token {
  Tok type = Tok::eof;
  std::string text;      // word text (glob characters preceded by kGlob), or the token as typed
  bool quoted = false;
  Rtype rtype = Rtype::read;
  int fd0 = 0, fd1 = 0;  // redir: fd0; dup: fd0=fd1 (fd1 < 0 closes); pipe: left fd0, right fd1
};

class Lexer {
 public:
  explicit Lexer(Input& in) : in_(in) {}

  Token next();
  // Skips blanks, comments and newlines (rc allows newlines after |, &&, ||, if(...) and so on).
  void skipnl();
  // Reads pending here-document bodies: called when a newline token has been consumed.
  void read_here_docs();
  void add_here_doc(Node* redir, std::string marker) { here_.push_back({redir, std::move(marker)}); }
  bool here_pending() const { return !here_.empty(); }

  // The line number rc reports for an error at the current point (9base counts one ahead).
  int error_line() const { return lines_started_ + 1; }
  int line() const { return lines_started_; }
  bool at_eof() const { return eof_; }
  // Starts a new command: forgets lookahead state that belongs to the previous one.
  void begin_command() { continuation_ = false; lastword_ = false; lastdol_ = false; }
  Input& input() { return in_; }
  std::string error;  // set when the lexer itself finds bad syntax (e.g. ">[x")

 private:
  int nextc();
  int advance();
  int getnext();
  bool nextis(int c);
  void skipwhite();
  Token redirection(int c);

  Input& in_;
  int future_ = -2;  // -2: no lookahead read yet
  int peekc_ = -2;
  bool doprompt_ = true;
  bool inquote_ = false;
  bool incomm_ = false;
  bool eof_ = false;
  bool continuation_ = false;
  bool lastword_ = false;
  bool lastdol_ = false;
  int lines_started_ = 0;
  struct Here {
    Node* node;
    std::string marker;
  };
  std::vector<Here> here_;
};

bool is_wordchr(int c);
bool is_idchr(int c);

}  // namespace rc
