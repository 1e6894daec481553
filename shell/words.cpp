// Evaluating words to lists: variables, subscripts, $# and $", concatenation with rc's
// pairwise/distributive rule, command substitution, and here-document substitution.
#include <cstdlib>

#include "shell/shell.h"

namespace rc {

namespace {

bool all_digits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// $x(subs): each subscript is n, n-m or n-; others are ignored, as in rc.
List subscript(const List& val, const List& subs) {
  List out;
  long n = static_cast<long>(val.size());
  for (auto& s : subs) {
    size_t dash = s.find('-');
    std::string a = dash == std::string::npos ? s : s.substr(0, dash);
    if (!all_digits(a)) continue;
    long lo = atol(a.c_str());
    long hi = lo;
    if (dash != std::string::npos) {
      std::string b = s.substr(dash + 1);
      if (b.empty())
        hi = n;
      else if (all_digits(b))
        hi = atol(b.c_str());
      else
        continue;
    }
    for (long i = lo; i <= hi && i <= n; i++)
      if (i >= 1) out.push_back(val[static_cast<size_t>(i - 1)]);
  }
  return out;
}

std::string join(const List& l, const char* sep) {
  std::string s;
  for (size_t i = 0; i < l.size(); i++) {
    if (i) s += sep;
    s += l[i];
  }
  return s;
}

}  // namespace

List Shell::get(const std::string& name) const {
  if (all_digits(name)) {
    const List* star = lookup("*");
    size_t n = static_cast<size_t>(atol(name.c_str()));
    if (star && n >= 1 && n <= star->size()) return {(*star)[n - 1]};
    if (n == 0) {
      const List* zero = lookup("0");
      return zero ? *zero : List{};
    }
    return {};
  }
  const List* v = lookup(name);
  return v ? *v : List{};
}

Flow Shell::eval_word(const Node* w, List& out) {
  switch (w->kind) {
    case Kind::word:
      out.push_back(w->quoted ? w->str : w->str);
      if (w->quoted) {
        // A quoted word never globs: drop markers the lexer could not have put there.
      }
      return Flow::next;
    case Kind::dollar:
    case Kind::count:
    case Kind::flat:
    case Kind::sub: {
      List name;
      if (eval_word(w->kid(0), name) == Flow::error) return Flow::error;
      if (name.size() != 1) return error("variable name not singleton!");
      List val = get(strip_glob(name[0]));
      if (w->kind == Kind::count) {
        out.push_back(std::to_string(val.size()));
      } else if (w->kind == Kind::flat) {
        out.push_back(join(val, " "));
      } else if (w->kind == Kind::sub) {
        List subs;
        if (eval_words(w, 1, subs, false) == Flow::error) return Flow::error;
        for (auto& s : subs) s = strip_glob(s);
        for (auto& v : subscript(val, subs)) out.push_back(v);
      } else {
        for (auto& v : val) out.push_back(v);
      }
      return Flow::next;
    }
    case Kind::concat: {
      List a, b;
      if (eval_word(w->kid(0), a) == Flow::error || eval_word(w->kid(1), b) == Flow::error)
        return Flow::error;
      if (a.empty() || b.empty()) return error("null list in concatenation");
      if (a.size() != b.size() && a.size() != 1 && b.size() != 1)
        return error("mismatched list lengths in concatenation");
      size_t n = std::max(a.size(), b.size());
      for (size_t i = 0; i < n; i++)
        out.push_back(a[a.size() == 1 ? 0 : i] + b[b.size() == 1 ? 0 : i]);
      return Flow::next;
    }
    case Kind::list:
      return eval_words(w, 0, out, false);
    case Kind::backquote:
      return backquote(w, out);
    case Kind::pipefd:
      return error("<{...} is not supported here");
    default:
      return error("bad word");
  }
}

Flow Shell::eval_words(const Node* parent, size_t from, List& out, bool do_glob) {
  for (size_t i = from; i < parent->kids.size(); i++) {
    const Node* k = parent->kids[i].get();
    if (k->kind == Kind::redir || k->kind == Kind::dup) continue;
    if (do_glob) {
      if (eval_glob_word(k, out) == Flow::error) return Flow::error;
    } else if (eval_word(k, out) == Flow::error) {
      return Flow::error;
    }
  }
  return Flow::next;
}

Flow Shell::eval_glob_word(const Node* w, List& out) {
  List l;
  if (eval_word(w, l) == Flow::error) return Flow::error;
  for (auto& s : l)
    for (auto& g : glob(s)) out.push_back(std::move(g));
  return Flow::next;
}

Flow Shell::backquote(const Node* t, List& out) {
  int p[2];
  if (os::pipe(p) < 0) return error("can't make pipe: " + os::errstr());
  int pid = start_child(t->kid(0)->kid(0), {{1, p[1]}});
  os::close(p[1]);
  std::string text;
  char buf[4096];
  for (;;) {
    long n = os::read(p[0], buf, sizeof buf);
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  os::close(p[0]);
  if (pid >= 0) wait_for(pid);
  const List* ifsv = lookup("ifs");
  std::string ifs = ifsv ? join(*ifsv, "") : " \t\n";
  std::string cur;
  bool in_word = false;
  for (char c : text) {
    if (ifs.find(c) != std::string::npos) {
      if (in_word) out.push_back(cur);
      cur.clear();
      in_word = false;
    } else {
      cur += c;
      in_word = true;
    }
  }
  if (in_word) out.push_back(cur);
  return Flow::next;
}

// A here document's text: with an unquoted marker, $name (and $name^) are replaced by the
// variable's value with elements separated by spaces.
std::string Shell::here_text(const Node* r) {
  const std::string& s = r->str;
  if (r->quoted) return s;
  std::string out;
  for (size_t i = 0; i < s.size();) {
    if (s[i] != '$') {
      out += s[i++];
      continue;
    }
    i++;
    size_t j = i;
    while (j < s.size() && is_idchr(static_cast<unsigned char>(s[j]))) j++;
    std::string name = s.substr(i, j - i);
    out += join(get(name), " ");
    i = j;
    if (i < s.size() && s[i] == '^') i++;
  }
  return out;
}

}  // namespace rc
