// find: walk directory trees (depth first, names in byte order) and evaluate an
// expression on each file. A POSIX subset: -name pattern, -type f|d, -print, -depth,
// -maxdepth n, -mindepth n, ! (or -not), -a, -o and ( ).
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fnmatch.h>
#include <memory>
#include <sys/stat.h>

#include "dirlist.h"
#include "flags.h"
#include "output.h"
#include "path.h"
#include "prog.h"

using namespace web9;

namespace {

struct Node {
  enum Kind { name, type, print, true_, not_, and_, or_ } kind;
  std::string arg;
  std::unique_ptr<Node> left, right;
};

std::vector<std::string> toks;
size_t at = 0;
bool printed = false;  // an expression with -print prints only where it says
bool depth_first = false;
long maxdepth = -1, mindepth = 0;

[[noreturn]] void bad(const std::string& why) {
  complain(why);
  usage_exit("[path ...] [expression]");
}

std::unique_ptr<Node> parse_or();

std::unique_ptr<Node> make(Node::Kind k, std::string arg = "") {
  auto n = std::make_unique<Node>();
  n->kind = k;
  n->arg = std::move(arg);
  return n;
}

std::string operand(const std::string& flag) {
  if (at >= toks.size())
    bad("missing argument to " + flag);
  return toks[at++];
}

std::unique_ptr<Node> parse_primary() {
  if (at >= toks.size())
    bad("expression expected");
  std::string t = toks[at++];
  if (t == "!" || t == "-not") {
    auto n = make(Node::not_);
    n->left = parse_primary();
    return n;
  }
  if (t == "(") {
    auto n = parse_or();
    if (at >= toks.size() || toks[at] != ")")
      bad("missing )");
    at++;
    return n;
  }
  if (t == "-name")
    return make(Node::name, operand(t));
  if (t == "-type") {
    std::string ty = operand(t);
    if (ty != "f" && ty != "d")
      bad("-type: unknown type " + ty);
    return make(Node::type, ty);
  }
  if (t == "-print") {
    printed = true;
    return make(Node::print);
  }
  if (t == "-depth") {
    depth_first = true;
    return make(Node::true_);
  }
  if (t == "-maxdepth" || t == "-mindepth") {
    std::string v = operand(t);
    char* end;
    long d = std::strtol(v.c_str(), &end, 10);
    if (*end || v.empty() || d < 0)
      bad(t + ": bad number " + v);
    (t == "-maxdepth" ? maxdepth : mindepth) = d;
    return make(Node::true_);
  }
  bad("unknown primary " + t);
}

std::unique_ptr<Node> parse_and() {
  auto left = parse_primary();
  while (at < toks.size() && toks[at] != "-o" && toks[at] != ")") {
    if (toks[at] == "-a")
      at++;
    auto n = make(Node::and_);
    n->left = std::move(left);
    n->right = parse_primary();
    left = std::move(n);
  }
  return left;
}

std::unique_ptr<Node> parse_or() {
  auto left = parse_and();
  while (at < toks.size() && toks[at] == "-o") {
    at++;
    auto n = make(Node::or_);
    n->left = std::move(left);
    n->right = parse_and();
    left = std::move(n);
  }
  return left;
}

bool eval(const Node* n, const std::string& path, const struct stat& st) {
  switch (n->kind) {
    case Node::name:
      return fnmatch(n->arg.c_str(), basename_of(path).c_str(), 0) == 0;
    case Node::type:
      return n->arg == "d" ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode);
    case Node::print:
      out().put(path);
      out().put('\n');
      return true;
    case Node::true_:
      return true;
    case Node::not_:
      return !eval(n->left.get(), path, st);
    case Node::and_:
      return eval(n->left.get(), path, st) && eval(n->right.get(), path, st);
    case Node::or_:
      return eval(n->left.get(), path, st) || eval(n->right.get(), path, st);
  }
  return false;
}

const Node* expr;

void visit(const std::string& path, long depth) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    complain(path, errno);
    return;
  }
  auto consider = [&] {
    if (depth < mindepth)
      return;
    bool ok = !expr || eval(expr, path, st);
    if (ok && !printed) {
      out().put(path);
      out().put('\n');
    }
  };
  if (!depth_first)
    consider();
  if (S_ISDIR(st.st_mode) && (maxdepth < 0 || depth < maxdepth)) {
    std::vector<std::string> names;
    if (int err = list_dir(path, names); err != 0)
      complain(path, err);
    for (auto& n : names)
      visit(join_path(path == "." ? "./" : path, n), depth + 1);
  }
  if (depth_first)
    consider();
}

}  // namespace

int main(int argc, char** argv) {
  set_progname(argv[0]);
  answer_help(argc, argv, "[path ...] [expression]",
              "Walk directory trees; expression: -name pat, -type f|d, -print, -depth, -maxdepth n, -mindepth n, "
              "!, -a, -o, ( ).");
  std::vector<std::string> paths;
  int i = 1;
  for (; i < argc; i++) {
    if (argv[i][0] == '-' || std::strcmp(argv[i], "!") == 0 || std::strcmp(argv[i], "(") == 0)
      break;
    paths.emplace_back(argv[i]);
  }
  for (; i < argc; i++)
    toks.emplace_back(argv[i]);
  if (paths.empty())
    paths.push_back(".");
  std::unique_ptr<Node> tree;
  if (!toks.empty()) {
    tree = parse_or();
    if (at != toks.size())
      usage_exit("[path ...] [expression]");
  }
  expr = tree.get();
  for (auto& p : paths)
    visit(p, 0);
  return exit_status();
}
