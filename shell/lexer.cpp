// rc's lexer. It keeps one character of lookahead, as rc does, so free carets and subscripts
// can be decided by peeking, and it counts lines the way 9base's rc reports them.
#include "shell/lexer.h"

#include <cstring>
#include <unistd.h>

namespace rc {

namespace {

class StringInput : public Input {
 public:
  StringInput(std::string text, std::string n) : text_(std::move(text)) { name = std::move(n); }
  int read_char(bool) override {
    if (pos_ >= text_.size()) return -1;
    return static_cast<unsigned char>(text_[pos_++]);
  }

 private:
  std::string text_;
  size_t pos_ = 0;
};

class FdInput : public Input {
 public:
  FdInput(int fd, std::string n) : fd_(fd) { name = std::move(n); }
  int read_char(bool) override {
    if (pos_ >= len_) {
      if (eof_) return -1;
      ssize_t n = ::read(fd_, buf_, sizeof buf_);
      if (n <= 0) {
        eof_ = true;
        return -1;
      }
      len_ = static_cast<size_t>(n);
      pos_ = 0;
    }
    return static_cast<unsigned char>(buf_[pos_++]);
  }

 private:
  int fd_;
  char buf_[4096];
  size_t pos_ = 0, len_ = 0;
  bool eof_ = false;
};

}  // namespace

std::unique_ptr<Input> string_input(std::string text, std::string name) {
  return std::make_unique<StringInput>(std::move(text), std::move(name));
}

std::unique_ptr<Input> fd_input(int fd, std::string name) {
  return std::make_unique<FdInput>(fd, std::move(name));
}

bool is_wordchr(int c) {
  return c >= 0 && !std::strchr("\n \t#;&|^$=`'{}()<>", c) && c != 0;
}

bool is_idchr(int c) {
  return c > ' ' && !std::strchr("!\"#$%&'()+,-./:;<=>?@[\\]^`{|}~", c);
}

int Lexer::getnext() {
  int c;
  if (peekc_ != -2) {
    c = peekc_;
    peekc_ = -2;
    return c;
  }
  if (eof_) return -1;
  if (doprompt_) {
    lines_started_++;
    doprompt_ = false;
  }
  c = in_.read_char(continuation_);
  continuation_ = true;
  if (!inquote_ && c == '\\') {
    c = in_.read_char(true);
    if (c == '\n' && !incomm_) {
      doprompt_ = true;
      c = ' ';
    } else {
      peekc_ = c;
      c = '\\';
    }
  }
  doprompt_ = doprompt_ || c == '\n' || c == -1;
  if (c == -1) eof_ = true;
  return c;
}

int Lexer::nextc() {
  if (future_ == -2) future_ = getnext();
  return future_;
}

int Lexer::advance() {
  int c = nextc();
  future_ = -2;
  if (c == '\n' && !inquote_ && !here_.empty()) read_here_docs();
  return c;
}

bool Lexer::nextis(int c) {
  if (nextc() == c) {
    advance();
    return true;
  }
  return false;
}

void Lexer::skipwhite() {
  for (;;) {
    int c = nextc();
    if (c == '#') {
      incomm_ = true;
      for (;;) {
        c = nextc();
        if (c == '\n' || c == -1) break;
        advance();
      }
      incomm_ = false;
    }
    if (c == ' ' || c == '\t')
      advance();
    else
      return;
  }
}

void Lexer::skipnl() {
  for (;;) {
    skipwhite();
    if (nextc() != '\n') return;
    advance();
  }
}

void Lexer::read_here_docs() {
  auto pending = std::move(here_);
  here_.clear();
  for (auto& h : pending) {
    std::string body, line;
    for (;;) {
      int c = getnext();
      if (c == -1) {
        if (!line.empty()) body += line;
        break;
      }
      if (c != '\n') {
        line += static_cast<char>(c);
        continue;
      }
      if (line == h.marker) break;
      body += line;
      body += '\n';
      line.clear();
    }
    h.node->str = std::move(body);
  }
}

Token Lexer::redirection(int c) {
  Token t;
  t.text = std::string(1, static_cast<char>(c));
  if (c == '|') {
    t.type = Tok::pipe;
    t.fd0 = 1;
    t.fd1 = 0;
  } else if (c == '>') {
    t.type = Tok::redir;
    t.rtype = nextis('>') ? Rtype::append : Rtype::write;
    t.fd0 = 1;
  } else {
    t.type = Tok::redir;
    if (nextis('<'))
      t.rtype = Rtype::here;
    else if (nextis('>'))
      t.rtype = Rtype::rdwr;
    else
      t.rtype = Rtype::read;
    t.fd0 = 0;
  }
  if (t.rtype == Rtype::append) t.text = ">>";
  if (t.rtype == Rtype::here) t.text = "<<";
  if (t.rtype == Rtype::rdwr) t.text = "<>";
  if (nextis('[')) {
    t.text += '[';
    auto bad = [&] {
      error = t.type == Tok::pipe ? "pipe syntax" : "redirection syntax";
      t.type = Tok::error;
      if (c >= 0) t.text += static_cast<char>(c);
      return t;
    };
    c = advance();
    if (c < '0' || c > '9') return bad();
    int n = 0;
    do {
      t.text += static_cast<char>(c);
      n = n * 10 + c - '0';
      c = advance();
    } while (c >= '0' && c <= '9');
    t.fd0 = n;
    if (c == '=') {
      t.text += '=';
      if (t.type == Tok::redir) t.type = Tok::dup;
      c = advance();
      if (c >= '0' && c <= '9') {
        n = 0;
        do {
          t.text += static_cast<char>(c);
          n = n * 10 + c - '0';
          c = advance();
        } while (c >= '0' && c <= '9');
        t.fd1 = n;
      } else {
        if (t.type == Tok::pipe) return bad();
        t.fd1 = -1;
      }
    }
    if (c != ']') return bad();
    if (t.type == Tok::dup && (t.rtype == Rtype::here || t.rtype == Rtype::append)) return bad();
  }
  if (t.type == Tok::pipe) skipnl();
  return t;
}

Token Lexer::next() {
  Token t;
  int d = nextc();
  if (lastword_) {
    lastword_ = false;
    if (d == '(') {
      advance();
      t.type = Tok::sub;
      t.text = "( [SUB]";
      return t;
    }
    if (is_wordchr(d) || d == '\'' || d == '`' || d == '$' || d == '"') {
      t.type = Tok::caret;
      t.text = "^";
      return t;
    }
  }
  inquote_ = false;
  skipwhite();
  int c = advance();
  switch (c) {
    case -1:
      lastdol_ = false;
      t.type = Tok::eof;
      t.text = "EOF";
      return t;
    case '$':
      lastdol_ = true;
      if (nextis('#')) {
        t.type = Tok::count;
        t.text = "$#";
      } else if (nextis('"')) {
        t.type = Tok::flat;
        t.text = "$\"";
      } else {
        t.type = Tok::dollar;
        t.text = "$";
      }
      return t;
    case '&':
      lastdol_ = false;
      if (nextis('&')) {
        skipnl();
        t.type = Tok::andand;
        t.text = "&&";
        return t;
      }
      t.type = Tok::amp;
      t.text = "&";
      return t;
    case '|':
      lastdol_ = false;
      if (nextis('|')) {
        skipnl();
        t.type = Tok::oror;
        t.text = "||";
        return t;
      }
      return redirection(c);
    case '<':
    case '>':
      lastdol_ = false;
      return redirection(c);
    case '\'': {
      lastdol_ = false;
      lastword_ = true;
      inquote_ = true;
      for (;;) {
        c = advance();
        if (c == -1) break;
        if (c == '\'') {
          if (nextc() != '\'') break;
          advance();
        }
        t.text += static_cast<char>(c);
      }
      inquote_ = false;
      t.type = Tok::word;
      t.quoted = true;
      return t;
    }
    default:
      break;
  }
  if (!is_wordchr(c)) {
    lastdol_ = false;
    t.text = std::string(1, static_cast<char>(c));
    switch (c) {
      case '\n': t.type = Tok::newline; t.text = "\n"; break;
      case '^': t.type = Tok::caret; break;
      case '(': t.type = Tok::lparen; break;
      case ')': t.type = Tok::rparen; break;
      case '{': t.type = Tok::lbrace; break;
      case '}': t.type = Tok::rbrace; break;
      case '`': t.type = Tok::backquote; break;
      case '=': t.type = Tok::equals; break;
      case ';': t.type = Tok::semi; break;
      default: t.type = Tok::error; break;
    }
    return t;
  }
  for (;;) {
    if (c == '*' || c == '[' || c == '?' || c == kGlob) t.text += kGlob;
    t.text += static_cast<char>(c);
    c = nextc();
    if (lastdol_ ? !is_idchr(c) : !is_wordchr(c)) break;
    advance();
  }
  lastword_ = true;
  lastdol_ = false;
  t.type = Tok::word;
  static const char* const keywords[] = {"for", "in", "while", "if", "not", "switch", "fn", "~", "!", "@"};
  for (const char* k : keywords)
    if (t.text == k) lastword_ = false;
  return t;
}

}  // namespace rc
