// Building tree nodes, and printing a tree back as rc source in the compact form 9base's rc
// uses for whatis and for functions passed through the environment.
#include "shell/tree.h"

#include <cstring>

#include "shell/lexer.h"

namespace rc {

NodePtr make_node(Kind k) { return std::make_unique<Node>(k); }

NodePtr make_node(Kind k, NodePtr a) {
  auto n = make_node(k);
  n->kids.push_back(std::move(a));
  return n;
}

NodePtr make_node(Kind k, NodePtr a, NodePtr b) {
  auto n = make_node(k, std::move(a));
  n->kids.push_back(std::move(b));
  return n;
}

NodePtr make_word(std::string s, bool quoted) {
  auto n = make_node(Kind::word);
  n->str = std::move(s);
  n->quoted = quoted;
  return n;
}

std::string quote_word(const std::string& s) {
  bool need = s.empty();
  for (unsigned char c : s)
    if (c <= ' ' || std::strchr("`^#*[]=|\\?${}()'<>&;", c)) need = true;
  if (!need) return s;
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

namespace {

std::string deglob(const std::string& s) {
  std::string out;
  for (char c : s)
    if (c != kGlob) out += c;
  return out;
}

std::string p(const Node* t);

std::string words(const Node* t, size_t from) {
  std::string out;
  for (size_t i = from; i < t->kids.size(); i++) {
    if (i > from) out += ' ';
    out += p(t->kids[i].get());
  }
  return out;
}

std::string redir_op(const Node* t) {
  std::string out;
  switch (t->rtype) {
    case Rtype::here: out = "<<"; break;
    case Rtype::read: out = "<"; break;
    case Rtype::rdwr: out = "<>"; break;
    case Rtype::append: out = ">>"; break;
    case Rtype::write: out = ">"; break;
  }
  bool input = t->rtype == Rtype::here || t->rtype == Rtype::read || t->rtype == Rtype::rdwr;
  if (t->fd0 != (input ? 0 : 1)) out += "[" + std::to_string(t->fd0) + "]";
  return out;
}

// A redirection wrapped around `inner` (already printed), as rc's tree holds it.
std::string with_redir(const Node* r, const std::string& inner) {
  if (r->kind == Kind::dup) {
    std::string d = ">[" + std::to_string(r->fd0) + "=" + (r->fd1 >= 0 ? std::to_string(r->fd1) : "") + "]";
    return d + inner;
  }
  std::string s = redir_op(r) + p(r->kid(0));
  return inner.empty() ? s : s + " " + inner;
}

std::string simple(const Node* t) {
  std::vector<const Node*> redirs;
  std::string ws;
  for (auto& k : t->kids) {
    if (k->kind == Kind::redir || k->kind == Kind::dup) {
      redirs.push_back(k.get());
      continue;
    }
    if (!ws.empty()) ws += ' ';
    ws += p(k.get());
  }
  for (size_t i = redirs.size(); i-- > 0;) ws = with_redir(redirs[i], ws);
  return ws;
}

std::string p(const Node* t) {
  if (!t) return "";
  switch (t->kind) {
    case Kind::word: return t->quoted ? quote_word(t->str) : deglob(t->str);
    case Kind::dollar: return "$" + p(t->kid(0));
    case Kind::count: return "$#" + p(t->kid(0));
    case Kind::flat: return "$\"" + p(t->kid(0));
    case Kind::sub: return "$" + p(t->kid(0)) + "(" + words(t, 1) + ")";
    case Kind::concat: return p(t->kid(0)) + "^" + p(t->kid(1));
    case Kind::list: return "(" + words(t, 0) + ")";
    case Kind::backquote: return "`" + p(t->kid(0));
    case Kind::pipefd: return std::string(t->rtype == Rtype::read ? "<" : ">") + p(t->kid(0));
    case Kind::simple: return simple(t);
    case Kind::pipe: {
      std::string d;
      if (t->fd1 == 0) {
        if (t->fd0 != 1) d = "[" + std::to_string(t->fd0) + "]";
      } else {
        d = "[" + std::to_string(t->fd0) + "=" + std::to_string(t->fd1) + "]";
      }
      return p(t->kid(0)) + "|" + d + p(t->kid(1));
    }
    case Kind::andand: return p(t->kid(0)) + " && " + p(t->kid(1));
    case Kind::oror: return p(t->kid(0)) + " || " + p(t->kid(1));
    case Kind::bang: return "! " + p(t->kid(0));
    case Kind::subshell: return "@ " + p(t->kid(0));
    case Kind::brace: return "{" + p(t->kid(0)) + "}";
    case Kind::ifcmd: return "if(" + p(t->kid(0)) + ")" + p(t->kid(1));
    case Kind::ifnot: return "if not " + p(t->kid(0));
    case Kind::forcmd: {
      std::string s = "for(" + p(t->kid(1));
      if (t->has_in) s += " in " + words(t, 2);
      return s + ")" + p(t->kid(0));
    }
    case Kind::whilecmd: return "while (" + p(t->kid(0)) + ")" + p(t->kid(1));
    case Kind::switchcmd: {
      const Node* a = t->kid(0);
      std::string arg = a && a->kind == Kind::list ? p(a) : "(" + p(a) + ")";
      return "switch " + arg + " " + p(t->kid(1));
    }
    case Kind::match: return "~ " + words(t, 0);
    case Kind::fn: return "fn " + words(t, 1) + (t->kid(0) ? " " + p(t->kid(0)) : "");
    case Kind::seq: {
      std::string s;
      for (size_t i = 0; i < t->kids.size(); i++) {
        if (i) s += ';';
        s += p(t->kids[i].get());
      }
      return s;
    }
    case Kind::async: return p(t->kid(0)) + "&";
    case Kind::assign: {
      std::string s = p(t->kid(0)) + "=" + p(t->kid(1));
      if (t->kid(2)) s += " " + p(t->kid(2));
      return s;
    }
    case Kind::redir:
    case Kind::dup: return with_redir(t, p(t->kid(1)));
  }
  return "";
}

}  // namespace

std::string unparse(const Node* t) { return p(t); }

}  // namespace rc
