// rc's parser: a recursive-descent rendering of rc's yacc grammar with the same operator
// precedence (| binds tightest, then ! @ and prefix assignments/redirections, then && ||,
// and if/for/while/switch bodies extend as far as a command goes).
#pragma once

#include <string>

#include "shell/lexer.h"
#include "shell/tree.h"

namespace rc {

class Parser {
 public:
  explicit Parser(Lexer& lex) : lex_(lex) {}

  // Parses one command line: commands separated by ; or & up to a newline or end of input.
  // Returns null for an empty line. On a syntax error sets error() and skips the rest of the line.
  NodePtr parse_line();
  bool at_eof() const { return eof_; }
  bool failed() const { return !error_.empty(); }
  // "rc: file:3: token '}': syntax error" as 9base prints it (without the newline).
  const std::string& error() const { return error_; }

 private:
  const Token& peek();
  Token take();
  bool peek_is_keyword(const char* k);
  bool word_start();
  NodePtr fail();

  NodePtr parse_body(Tok close);
  NodePtr parse_cmd();
  NodePtr parse_pipe();
  NodePtr parse_primary();
  NodePtr parse_simple(NodePtr first);
  NodePtr parse_brace();
  NodePtr parse_paren_list();
  NodePtr parse_redir();
  NodePtr parse_word();
  NodePtr parse_comword();
  bool parse_words(Node& into);
  NodePtr parse_if();
  NodePtr parse_for();
  NodePtr parse_while();
  NodePtr parse_switch();
  NodePtr parse_fn();
  NodePtr parse_match();

  Lexer& lex_;
  Token tok_;
  bool have_tok_ = false;
  bool eof_ = false;
  bool bad_ = false;
  std::string error_;
};

}  // namespace rc
