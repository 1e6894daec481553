// The rc interpreter: variables, functions, the descriptor table commands see, and the
// execution of parsed trees. Builtins live in builtins.cpp, word evaluation in words.cpp.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "shell/lexer.h"
#include "shell/os.h"
#include "shell/tree.h"

namespace rc {

using List = std::vector<std::string>;

// How a command ended: normally (whatever its status), or unwinding after an rc error
// (a bad redirection, a null list in concatenation...), which aborts to the top level.
enum class Flow { next, error };

class Shell {
 public:
  Shell();
  // rc's main: parses flags, imports the environment and runs the input. Never returns.
  [[noreturn]] void main(int argc, char** argv);

  // Variables. Lookup sees the innermost local first, as rc's local assignments and $* do.
  const List* lookup(const std::string& name) const;
  List get(const std::string& name) const;
  void set(const std::string& name, List value);
  void set_global(const std::string& name, List value);
  // Sets a variable without the $path/$PATH mirroring.
  void assign(const std::string& name, List value);
  void push_locals() { locals_.emplace_back(); }
  void set_local(const std::string& name, List value) { locals_.back()[name] = std::move(value); }
  void pop_locals() { locals_.pop_back(); }
  void set_status(const std::string& s) { set("status", {s}); }
  std::string status() const;
  bool status_ok() const;

  // Reports an rc error ("rc: null list in concatenation"), sets $status and returns
  // Flow::error so the caller unwinds.
  Flow error(const std::string& msg);
  // Writes to one of the shell's own descriptors (0, 1, 2 as redirected now).
  void out(int fd, const std::string& s);
  void err(const std::string& s) { out(2, s); }

  // Runs rc source text (eval, ., -c) with $* unchanged.
  Flow run_input(Input& in, bool interactive);
  Flow exec(const Node* t);
  // Runs one command line: `line` must stay alive while it runs.
  Flow exec_line(const Node* t);

  // Word evaluation (words.cpp). `glob` expands patterns against the file system.
  Flow eval_word(const Node* w, List& out);
  Flow eval_words(const Node* parent, size_t from, List& out, bool glob);
  Flow eval_glob_word(const Node* w, List& out);
  std::string here_text(const Node* redir);

  // Looks a command up in $path; empty if not found.
  std::string search_path(const std::string& name) const;
  // Whether name is a builtin, and runs one (builtins.cpp).
  static bool is_builtin(const std::string& name);
  Flow run_builtin(const List& argv);

  bool flag(char c) const { return flags_[static_cast<unsigned char>(c)]; }
  void set_flag(char c, bool on) { flags_[static_cast<unsigned char>(c)] = on; }

  // Functions.
  const Node* function(const std::string& name) const;
  void define_function(const std::string& name, const Node* body);
  void delete_function(const std::string& name);

 private:
  friend struct Builtins;

  // The descriptors commands see, mapped to the shell's real descriptors.
  struct Redirect {
    int fd;
    int old;     // previous real fd, -1 if fd was closed
    int opened;  // real fd we opened and must close when undone, or -1
  };
  int real_fd(int fd) const;
  void redirect(int fd, int real, bool owned);
  void close_fd(int fd);
  void undo_redirects(size_t mark);
  std::vector<os::FdMap> fd_map() const;
  Flow apply_redir(const Node* r);

  Flow exec_simple(const Node* t);
  Flow exec_command(const List& argv, const Node* where);
  Flow exec_external(const List& argv);
  Flow exec_function(const Node* body, const List& argv);
  Flow exec_pipe(const Node* t);
  Flow exec_if(const Node* t);
  Flow exec_for(const Node* t);
  Flow exec_while(const Node* t);
  Flow exec_switch(const Node* t);
  Flow exec_match(const Node* t);
  Flow exec_fn(const Node* t);
  Flow exec_assign(const Node* t);
  Flow exec_redir(const Node* t);
  Flow exec_async(const Node* t);
  Flow exec_subshell(const Node* t);
  Flow exec_seq(const Node* t);

  // Starts `t` in a child process whose descriptors are ours with `extra` overriding them.
  // Returns its pid or -1.
  int start_child(const Node* t, const std::vector<os::FdMap>& extra);
  // Waits for pid, returning its status; an interrupt while waiting sets `interrupted_`.
  std::string wait_for(int pid);
  Flow backquote(const Node* t, List& out);
  std::vector<std::string> export_env() const;
  void import_env(const std::vector<std::string>& env);
  void trace(const List& argv);
  void maybe_exit_on_error();
  [[noreturn]] void exit_shell(const std::string& status);

  std::map<std::string, List> globals_;
  std::vector<std::map<std::string, List>> locals_;
  std::map<std::string, std::shared_ptr<Node>> fns_;
  std::map<int, int> fds_;
  std::vector<Redirect> redirects_;
  bool flags_[256] = {};
  bool interactive_ = false;
  bool interrupted_ = false;
  bool in_condition_ = false;
  bool is_child_ = false;
  std::string argv0_ = "rc";
  std::vector<int> pending_pids_;
  // The state of if/if not: whether the last if's condition failed.
  bool if_failed_ = false;
  bool after_if_ = false;
  int depth_ = 0;

};

// Pattern matching (glob.cpp): `pattern` carries kGlob before each special character.
bool match(const std::string& s, const std::string& pattern);
// Expands a pattern word against the file system: sorted matches, or the word itself.
List glob(const std::string& pattern);
std::string strip_glob(const std::string& s);
bool has_glob(const std::string& s);

NodePtr clone(const Node* t);

}  // namespace rc
