// rc's grammar by recursive descent. Each parse_* function owns one production; a syntax
// error is recorded once, the rest of the line is skipped, and null is passed up.
#include "shell/parser.h"

#include <cstring>

namespace rc {

const Token& Parser::peek() {
  if (!have_tok_) {
    tok_ = lex_.next();
    have_tok_ = true;
  }
  return tok_;
}

Token Parser::take() {
  peek();
  have_tok_ = false;
  return std::move(tok_);
}

bool Parser::peek_is_keyword(const char* k) {
  const Token& t = peek();
  return t.type == Tok::word && !t.quoted && t.text == k;
}

static bool is_keyword(const Token& t) {
  if (t.type != Tok::word || t.quoted) return false;
  static const char* const kw[] = {"for", "in", "while", "if", "not", "switch", "fn", "~", "!", "@"};
  for (const char* k : kw)
    if (t.text == k) return true;
  return false;
}

bool Parser::word_start() {
  switch (peek().type) {
    case Tok::word:
    case Tok::dollar:
    case Tok::count:
    case Tok::flat:
    case Tok::backquote:
    case Tok::lparen:
      return true;
    default:
      return false;
  }
}

NodePtr Parser::fail() {
  if (bad_) return nullptr;
  bad_ = true;
  const Token& t = peek();
  std::string where = lex_.input().name.empty() ? "line " + std::to_string(lex_.error_line())
                                                : lex_.input().name + ":" + std::to_string(lex_.error_line());
  // 9base names the token, except a newline.
  std::string token = t.type == Tok::newline ? ""
                      : t.type == Tok::eof   ? "token EOF: "
                                             : "token " + quote_word(t.text) + ": ";
  error_ = "rc: " + where + ": " + token + "syntax error";
  // The lexer reported its own error first ("redirection syntax"), and then the parser's.
  if (t.type == Tok::error && !lex_.error.empty())
    error_ = "rc: " + where + ": " + token + lex_.error + "\n" + error_;
  // Skip the rest of the line, as rc does, so the next command starts afresh.
  Token cur = take();
  while (cur.type != Tok::newline && cur.type != Tok::eof) cur = take();
  if (cur.type == Tok::eof) eof_ = true;
  return nullptr;
}

NodePtr Parser::parse_line() {
  bad_ = false;
  error_.clear();
  lex_.begin_command();
  auto seq = make_node(Kind::seq);
  for (;;) {
    NodePtr c = parse_cmd();
    if (bad_) return nullptr;
    Tok t = peek().type;
    if (t == Tok::semi) {
      take();
      if (c) seq->kids.push_back(std::move(c));
      continue;
    }
    if (t == Tok::amp) {
      take();
      seq->kids.push_back(make_node(Kind::async, std::move(c)));
      continue;
    }
    if (t == Tok::newline || t == Tok::eof) {
      take();
      if (t == Tok::eof) eof_ = true;
      if (c) seq->kids.push_back(std::move(c));
      break;
    }
    return fail();
  }
  if (seq->kids.empty()) return nullptr;
  if (seq->kids.size() == 1 && seq->kids[0]->kind != Kind::async) return std::move(seq->kids[0]);
  return seq;
}

// A list of commands inside { } or ( ), separated by ; & or newlines.
NodePtr Parser::parse_body(Tok close) {
  auto seq = make_node(Kind::seq);
  for (;;) {
    NodePtr c = parse_cmd();
    if (bad_) return nullptr;
    Tok t = peek().type;
    if (t == Tok::semi || t == Tok::newline) {
      take();
      if (c) seq->kids.push_back(std::move(c));
      continue;
    }
    if (t == Tok::amp) {
      take();
      seq->kids.push_back(make_node(Kind::async, std::move(c)));
      continue;
    }
    if (t == close) {
      take();
      if (c) seq->kids.push_back(std::move(c));
      break;
    }
    return fail();
  }
  return seq;
}

NodePtr Parser::parse_cmd() {
  NodePtr left = parse_pipe();
  for (;;) {
    if (bad_) return nullptr;
    Tok t = peek().type;
    if (t != Tok::andand && t != Tok::oror) return left;
    take();
    NodePtr right = parse_pipe();
    if (bad_) return nullptr;
    left = make_node(t == Tok::andand ? Kind::andand : Kind::oror, std::move(left), std::move(right));
  }
}

NodePtr Parser::parse_pipe() {
  NodePtr left = parse_primary();
  while (!bad_ && peek().type == Tok::pipe) {
    Token p = take();
    NodePtr right = parse_primary();
    if (bad_) return nullptr;
    if (!left || !right) return fail();
    auto n = make_node(Kind::pipe, std::move(left), std::move(right));
    n->fd0 = p.fd0;
    n->fd1 = p.fd1;
    left = std::move(n);
  }
  return bad_ ? nullptr : std::move(left);
}

NodePtr Parser::parse_primary() {
  const Token& t = peek();
  if (t.type == Tok::error) return fail();
  if (is_keyword(t)) {
    std::string k = t.text;
    if (k == "!" || k == "@") {
      take();
      NodePtr c = parse_pipe();
      if (bad_) return nullptr;
      return make_node(k == "!" ? Kind::bang : Kind::subshell, std::move(c));
    }
    if (k == "if") return parse_if();
    if (k == "for") return parse_for();
    if (k == "while") return parse_while();
    if (k == "switch") return parse_switch();
    if (k == "fn") return parse_fn();
    if (k == "~") return parse_match();
    return fail();  // "in" or "not" cannot start a command
  }
  if (t.type == Tok::lbrace) {
    NodePtr b = parse_brace();
    if (bad_) return nullptr;
    // Redirections after a brace apply to the whole block; the first is outermost.
    std::vector<NodePtr> redirs;
    while (peek().type == Tok::redir || peek().type == Tok::dup) {
      NodePtr r = parse_redir();
      if (bad_) return nullptr;
      redirs.push_back(std::move(r));
    }
    for (size_t i = redirs.size(); i-- > 0;) {
      redirs[i]->kids.resize(2);
      redirs[i]->kids[1] = std::move(b);
      b = std::move(redirs[i]);
    }
    return b;
  }
  if (t.type == Tok::redir || t.type == Tok::dup) {
    NodePtr r = parse_redir();
    if (bad_) return nullptr;
    if (r->kind == Kind::pipefd) return parse_simple(std::move(r));
    NodePtr c = parse_pipe();
    if (bad_) return nullptr;
    r->kids.resize(2);
    r->kids[1] = std::move(c);
    return r;
  }
  if (word_start()) {
    NodePtr w = parse_word();
    if (bad_) return nullptr;
    if (peek().type == Tok::equals) {
      take();
      NodePtr val = parse_word();
      if (bad_) return nullptr;
      if (!val) return fail();
      NodePtr c = parse_pipe();
      if (bad_) return nullptr;
      auto n = make_node(Kind::assign, std::move(w), std::move(val));
      n->kids.push_back(std::move(c));
      return n;
    }
    return parse_simple(std::move(w));
  }
  return nullptr;  // an empty command
}

NodePtr Parser::parse_simple(NodePtr first) {
  auto n = make_node(Kind::simple);
  n->line = lex_.line();
  n->kids.push_back(std::move(first));
  for (;;) {
    if (peek().type == Tok::redir || peek().type == Tok::dup) {
      NodePtr r = parse_redir();
      if (bad_) return nullptr;
      n->kids.push_back(std::move(r));
      continue;
    }
    if (!word_start()) break;
    NodePtr w = parse_word();
    if (bad_) return nullptr;
    n->kids.push_back(std::move(w));
  }
  return n;
}

NodePtr Parser::parse_brace() {
  if (peek().type != Tok::lbrace) return fail();
  take();
  NodePtr body = parse_body(Tok::rbrace);
  if (bad_) return nullptr;
  return make_node(Kind::brace, std::move(body));
}

// ( list ) after if and while: the condition.
NodePtr Parser::parse_paren_list() {
  if (peek().type != Tok::lparen) return fail();
  take();
  return parse_body(Tok::rparen);
}

NodePtr Parser::parse_redir() {
  Token r = take();
  if (r.type == Tok::dup) {
    auto n = make_node(Kind::dup);
    n->fd0 = r.fd0;
    n->fd1 = r.fd1;
    return n;
  }
  if (peek().type == Tok::lbrace && (r.rtype == Rtype::read || r.rtype == Rtype::write)) {
    NodePtr b = parse_brace();
    if (bad_) return nullptr;
    auto n = make_node(Kind::pipefd, std::move(b));
    n->rtype = r.rtype;
    n->fd0 = r.fd0;
    return n;
  }
  auto n = make_node(Kind::redir);
  n->rtype = r.rtype;
  n->fd0 = r.fd0;
  if (!word_start()) return fail();
  // A here document's marker is one word: looking further for a ^ would lex the newline
  // before the document is registered, and its body would be read as commands.
  NodePtr target = r.rtype == Rtype::here ? parse_comword() : parse_word();
  if (bad_) return nullptr;
  if (r.rtype == Rtype::here) {
    if (target->kind != Kind::word) return fail();
    std::string marker;
    for (char c : target->str)
      if (c != kGlob) marker += c;
    n->quoted = target->quoted;
    lex_.add_here_doc(n.get(), marker);
  }
  n->kids.push_back(std::move(target));
  return n;
}

NodePtr Parser::parse_word() {
  NodePtr w = parse_comword();
  while (!bad_ && w && peek().type == Tok::caret) {
    take();
    NodePtr r = parse_comword();
    if (bad_) return nullptr;
    if (!r) return fail();
    w = make_node(Kind::concat, std::move(w), std::move(r));
  }
  return bad_ ? nullptr : std::move(w);
}

NodePtr Parser::parse_comword() {
  const Token& t = peek();
  switch (t.type) {
    case Tok::word: {
      Token w = take();
      return make_word(std::move(w.text), w.quoted);
    }
    case Tok::dollar:
    case Tok::count:
    case Tok::flat: {
      Tok which = take().type;
      NodePtr name = parse_comword();
      if (bad_) return nullptr;
      if (!name) return fail();
      if (which == Tok::count) return make_node(Kind::count, std::move(name));
      if (which == Tok::flat) return make_node(Kind::flat, std::move(name));
      if (peek().type == Tok::sub) {
        take();
        auto n = make_node(Kind::sub, std::move(name));
        if (!parse_words(*n)) return nullptr;
        if (peek().type != Tok::rparen) return fail();
        take();
        return n;
      }
      return make_node(Kind::dollar, std::move(name));
    }
    case Tok::backquote: {
      take();
      NodePtr b = parse_brace();
      if (bad_) return nullptr;
      return make_node(Kind::backquote, std::move(b));
    }
    case Tok::lparen: {
      take();
      auto n = make_node(Kind::list);
      if (!parse_words(*n)) return nullptr;
      if (peek().type != Tok::rparen) return fail();
      take();
      return n;
    }
    default:
      return nullptr;
  }
}

bool Parser::parse_words(Node& into) {
  while (word_start()) {
    NodePtr w = parse_word();
    if (bad_) return false;
    into.kids.push_back(std::move(w));
  }
  return !bad_;
}

NodePtr Parser::parse_if() {
  take();
  if (peek_is_keyword("not")) {
    take();
    lex_.skipnl();
    NodePtr c = parse_cmd();
    if (bad_) return nullptr;
    return make_node(Kind::ifnot, std::move(c));
  }
  NodePtr cond = parse_paren_list();
  if (bad_) return nullptr;
  lex_.skipnl();
  NodePtr c = parse_cmd();
  if (bad_) return nullptr;
  return make_node(Kind::ifcmd, std::move(cond), std::move(c));
}

NodePtr Parser::parse_while() {
  take();
  NodePtr cond = parse_paren_list();
  if (bad_) return nullptr;
  lex_.skipnl();
  NodePtr c = parse_cmd();
  if (bad_) return nullptr;
  return make_node(Kind::whilecmd, std::move(cond), std::move(c));
}

NodePtr Parser::parse_for() {
  take();
  if (peek().type != Tok::lparen) return fail();
  take();
  NodePtr var = parse_word();
  if (bad_) return nullptr;
  if (!var) return fail();
  auto n = make_node(Kind::forcmd);
  n->kids.push_back(nullptr);  // body, filled below
  n->kids.push_back(std::move(var));
  if (peek_is_keyword("in")) {
    take();
    n->has_in = true;
    if (!parse_words(*n)) return nullptr;
  }
  if (peek().type != Tok::rparen) return fail();
  take();
  lex_.skipnl();
  NodePtr body = parse_cmd();
  if (bad_) return nullptr;
  n->kids[0] = std::move(body);
  return n;
}

NodePtr Parser::parse_switch() {
  take();
  NodePtr arg = parse_word();
  if (bad_) return nullptr;
  if (!arg) return fail();
  lex_.skipnl();
  NodePtr b = parse_brace();
  if (bad_) return nullptr;
  return make_node(Kind::switchcmd, std::move(arg), std::move(b));
}

NodePtr Parser::parse_fn() {
  take();
  auto n = make_node(Kind::fn);
  n->kids.push_back(nullptr);
  if (!parse_words(*n)) return nullptr;
  if (peek().type == Tok::lbrace) {
    NodePtr b = parse_brace();
    if (bad_) return nullptr;
    n->kids[0] = std::move(b);
  }
  return n;
}

NodePtr Parser::parse_match() {
  take();
  auto n = make_node(Kind::match);
  NodePtr subject = parse_word();
  if (bad_) return nullptr;
  if (!subject) return fail();
  n->kids.push_back(std::move(subject));
  if (!parse_words(*n)) return nullptr;
  return n;
}

}  // namespace rc
