// test: evaluate a condition for rc's if (Plan 9 test): file tests -e -f -d -r -w -x -s,
// string tests -z -n = !=, integer comparisons -eq -ne -lt -le -gt -ge, -nt and -ot
// (newer/older than), with ! -a -o and parentheses. Exit 0 true, 1 false, 2 bad syntax.
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "flags.h"
#include "prog.h"

using namespace web9;

namespace {

std::vector<std::string> av;
size_t ap = 0;

[[noreturn]] void syntax(const std::string& why) {
  complain(why);
  std::exit(2);
}

bool more() { return ap < av.size(); }
const std::string& peek(size_t k = 0) {
  static const std::string none;
  return ap + k < av.size() ? av[ap + k] : none;
}

long long integer(const std::string& s) {
  char* end;
  const char* p = s.c_str();
  while (*p == ' ' || *p == '\t')
    p++;
  long long v = std::strtoll(p, &end, 10);
  if (end == p || *end)
    syntax(s + ": bad number");
  return v;
}

bool file_test(char op, const std::string& name) {
  struct stat st;
  if (::stat(name.c_str(), &st) != 0)
    return false;
  switch (op) {
    case 'e':
      return true;
    case 'f':
      return S_ISREG(st.st_mode);
    case 'd':
      return S_ISDIR(st.st_mode);
    case 's':
      return st.st_size > 0;
    case 'r':
      return ::access(name.c_str(), R_OK) == 0;
    case 'w':
      return ::access(name.c_str(), W_OK) == 0;
    case 'x':
      return ::access(name.c_str(), X_OK) == 0;
  }
  return false;
}

bool newer(const std::string& a, const std::string& b) {
  struct stat sa, sb;
  if (::stat(a.c_str(), &sa) != 0 || ::stat(b.c_str(), &sb) != 0)
    return false;
  if (sa.st_mtim.tv_sec != sb.st_mtim.tv_sec)
    return sa.st_mtim.tv_sec > sb.st_mtim.tv_sec;
  return sa.st_mtim.tv_nsec > sb.st_mtim.tv_nsec;
}

bool is_binary(const std::string& op) {
  static const char* ops[] = {"=", "!=", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-nt", "-ot", "-newer", "-older"};
  for (auto o : ops)
    if (op == o)
      return true;
  return false;
}

bool binary(const std::string& l, const std::string& op, const std::string& r) {
  if (op == "=")
    return l == r;
  if (op == "!=")
    return l != r;
  if (op == "-nt" || op == "-newer")
    return newer(l, r);
  if (op == "-ot" || op == "-older")
    return newer(r, l);
  long long a = integer(l), b = integer(r);
  if (op == "-eq")
    return a == b;
  if (op == "-ne")
    return a != b;
  if (op == "-lt")
    return a < b;
  if (op == "-le")
    return a <= b;
  if (op == "-gt")
    return a > b;
  return a >= b;
}

bool expr();

bool primary() {
  if (!more())
    syntax("argument expected");
  const std::string& t = av[ap];
  // A binary operator after this word makes it an operand, whatever it looks like.
  if (is_binary(peek(1)) && ap + 2 < av.size()) {
    ap += 3;
    return binary(av[ap - 3], av[ap - 2], av[ap - 1]);
  }
  if (t == "!") {
    ap++;
    return !primary();
  }
  if (t == "(") {
    ap++;
    bool v = expr();
    if (peek() != ")")
      syntax(") expected");
    ap++;
    return v;
  }
  if (t.size() == 2 && t[0] == '-' && std::strchr("efdrwxszn", t[1]) && ap + 1 < av.size()) {
    ap += 2;
    const std::string& arg = av[ap - 1];
    if (t[1] == 'z')
      return arg.empty();
    if (t[1] == 'n')
      return !arg.empty();
    return file_test(t[1], arg);
  }
  ap++;
  return !t.empty();  // a lone word is true when not empty
}

bool and_expr() {
  bool v = primary();
  while (peek() == "-a") {
    ap++;
    bool w = primary();
    v = v && w;
  }
  return v;
}

bool expr() {
  bool v = and_expr();
  while (peek() == "-o") {
    ap++;
    bool w = and_expr();
    v = v || w;
  }
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  set_progname(argv[0]);
  answer_help(argc, argv, "expression", "Evaluate a condition: exit status 0 if true, 1 if false.");
  for (int i = 1; i < argc; i++)
    av.emplace_back(argv[i]);
  // Invoked as [, the expression ends with ].
  if (std::strcmp(progname(), "[") == 0) {
    if (av.empty() || av.back() != "]")
      syntax("missing ]");
    av.pop_back();
  }
  if (av.empty())
    return 1;
  bool v = expr();
  if (more())
    syntax(av[ap] + ": unexpected operator");
  return v ? 0 : 1;
}
