// rc's built-in commands: the ones that must run inside the shell because they change or read
// its state (cd, ., eval, exec, exit, flag, shift, wait, whatis, builtin, finit, rfork).
#include <cstdlib>
#include <cstring>

#include "shell/shell.h"

namespace rc {

struct Builtins {
  static Flow cd(Shell& sh, const List& a) {
    if (a.size() > 2) {
      sh.err("Usage: cd [directory]\n");
      sh.set_status("cd usage");
      return Flow::next;
    }
    std::string dir;
    if (a.size() == 1) {
      List home = sh.get("home");
      if (home.empty()) {
        sh.err("Can't cd -- $home empty\n");
        sh.set_status("can't cd");
        return Flow::next;
      }
      dir = home[0];
    } else {
      dir = a[1];
    }
    List cdpath = sh.get("cdpath");
    if (dir.empty() || dir[0] == '/' || dir.rfind("./", 0) == 0 || dir.rfind("../", 0) == 0 || cdpath.empty())
      cdpath = {""};
    for (auto& p : cdpath) {
      std::string full = p.empty() ? dir : p + "/" + dir;
      if (os::chdir(full) == 0) {
        if (!p.empty() && p != ".") sh.out(1, full + "\n");
        sh.set_status("");
        return Flow::next;
      }
    }
    sh.err("Can't cd " + dir + ": " + os::errstr() + "\n");
    sh.set_status("can't cd");
    return Flow::next;
  }

  static Flow eval(Shell& sh, const List& a) {
    std::string text;
    for (size_t i = 1; i < a.size(); i++) text += (i > 1 ? " " : "") + a[i];
    text += '\n';  // as 9base does: an error at the end is at a newline, not at EOF
    auto in = string_input(text, "");
    return sh.run_input(*in, false);
  }

  static Flow dot(Shell& sh, const List& a_in) {
    List a = a_in;
    bool inter = false;
    if (a.size() > 1 && a[1] == "-i") {
      inter = true;
      a.erase(a.begin() + 1);
    }
    if (a.size() < 2) {
      sh.err("Usage: . [-i] file [arg ...]\n");
      sh.set_status(".: usage");
      return Flow::next;
    }
    std::string file = a[1];
    int fd = -1;
    if (file[0] == '/' || file.rfind("./", 0) == 0 || file.rfind("../", 0) == 0) {
      fd = os::open(file, os::read_only);
    } else {
      List path = sh.get("path");
      if (path.empty()) path = {""};
      for (auto& d : path) {
        std::string f = d.empty() ? file : d + "/" + file;
        fd = os::open(f, os::read_only);
        if (fd >= 0) break;
      }
    }
    if (fd < 0) {
      std::string why = os::errstr();
      sh.err(file + ": ");
      return sh.error(".: can't open: " + why);
    }
    fd = os::keep_private(fd);
    auto in = fd_input(fd, file);
    sh.push_locals();
    sh.set_local("*", List(a.begin() + 2, a.end()));
    Flow f = sh.run_input(*in, inter);
    sh.pop_locals();
    os::close(fd);
    return f;
  }

  static Flow exec(Shell& sh, const List& a) {
    List rest(a.begin() + 1, a.end());
    sh.exec_external(rest);
    sh.exit_shell(sh.status());
  }

  static Flow exit(Shell& sh, const List& a) {
    if (a.size() > 1) sh.set_status(a[1]);
    sh.exit_shell(sh.status());
  }

  static Flow flag(Shell& sh, const List& a) {
    if (a.size() < 2 || a[1].size() != 1 || a.size() > 3) {
      sh.err("Usage: flag [letter] [+-]\n");
      sh.set_status("flag usage");
      return Flow::next;
    }
    char c = a[1][0];
    if (a.size() == 3) {
      if (a[2] == "+")
        sh.set_flag(c, true);
      else if (a[2] == "-")
        sh.set_flag(c, false);
      else {
        sh.err("Usage: flag [letter] [+-]\n");
        sh.set_status("flag usage");
        return Flow::next;
      }
      sh.set_status("");
      return Flow::next;
    }
    sh.set_status(sh.flag(c) ? "" : "flag not set");
    return Flow::next;
  }

  static Flow shift(Shell& sh, const List& a) {
    long n = 1;
    if (a.size() > 2) {
      sh.err("Usage: shift [n]\n");
      sh.set_status("shift usage");
      return Flow::next;
    }
    if (a.size() == 2) n = atol(a[1].c_str());
    List star = sh.get("*");
    if (n < 0) n = 0;
    size_t k = std::min(star.size(), static_cast<size_t>(n));
    sh.set("*", List(star.begin() + static_cast<long>(k), star.end()));
    sh.set_status("");
    return Flow::next;
  }

  static Flow wait(Shell& sh, const List& a) {
    if (a.size() > 2) {
      sh.err("Usage: wait [pid]\n");
      sh.set_status("wait usage");
      return Flow::next;
    }
    if (a.size() == 2) {
      int pid = atoi(a[1].c_str());
      sh.set_status(sh.wait_for(pid));
      return Flow::next;
    }
    while (!sh.pending_pids_.empty()) {
      int pid = sh.pending_pids_.front();
      sh.set_status(sh.wait_for(pid));
      if (sh.interrupted_) break;
    }
    return Flow::next;
  }

  static Flow whatis(Shell& sh, const List& a) {
    if (a.size() < 2) {
      sh.err("Usage: whatis name ...\n");
      sh.set_status("whatis usage");
      return Flow::next;
    }
    std::string st;
    for (size_t i = 1; i < a.size(); i++) {
      const std::string& name = a[i];
      bool found = false;
      const List* v = sh.lookup(name);
      if (v && !v->empty()) {
        std::string s = quote_word(name) + "=";
        if (v->size() == 1) {
          s += quote_word((*v)[0]);
        } else {
          s += "(";
          for (size_t k = 0; k < v->size(); k++) s += (k ? " " : "") + quote_word((*v)[k]);
          s += ")";
        }
        sh.out(1, s + "\n");
        found = true;
      }
      if (const Node* f = sh.function(name)) {
        sh.out(1, "fn " + quote_word(name) + " " + unparse(f) + "\n");
        found = true;
      }
      if (found) continue;
      if (Shell::is_builtin(name)) {
        sh.out(1, "builtin " + name + "\n");
        continue;
      }
      std::string p = sh.search_path(name);
      if (!p.empty()) {
        sh.out(1, p + "\n");
        continue;
      }
      sh.err(name + ": not found\n");
      st = "not found";
    }
    sh.set_status(st);
    return Flow::next;
  }

  static Flow rfork(Shell& sh, const List&) {
    sh.set_status("");
    return Flow::next;
  }
};

static const char* const kBuiltins[] = {"cd", "whatis", "eval", "exec", "exit", "shift", "wait", ".", "finit", "flag", "rfork", "builtin"};

bool Shell::is_builtin(const std::string& name) {
  for (const char* b : kBuiltins)
    if (name == b) return true;
  return false;
}

Flow Shell::run_builtin(const List& a) {
  const std::string& n = a[0];
  if (n == "cd") return Builtins::cd(*this, a);
  if (n == "whatis") return Builtins::whatis(*this, a);
  if (n == "eval") return Builtins::eval(*this, a);
  if (n == "exec") return Builtins::exec(*this, a);
  if (n == "exit") return Builtins::exit(*this, a);
  if (n == "shift") return Builtins::shift(*this, a);
  if (n == "wait") return Builtins::wait(*this, a);
  if (n == ".") return Builtins::dot(*this, a);
  if (n == "flag") return Builtins::flag(*this, a);
  if (n == "rfork") return Builtins::rfork(*this, a);
  if (n == "finit") {
    set_status("");
    return Flow::next;
  }
  return error(n + ": not a builtin");
}

}  // namespace rc
