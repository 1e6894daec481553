// rc's interpreter core: variables, the descriptor table, and the execution of each kind of
// command. Subshells (pipeline stages, @, &, `{}) run in a child: forked where the system can
// fork, else a fresh rc spawned with the command's text and our variables in its environment.
#include "shell/shell.h"

#include <algorithm>
#include <cstring>

#include "shell/parser.h"

namespace rc {

Shell::Shell() {
  fds_ = {{0, 0}, {1, 1}, {2, 2}};
}

// ---- variables ----

const List* Shell::lookup(const std::string& name) const {
  for (auto it = locals_.rbegin(); it != locals_.rend(); ++it) {
    auto v = it->find(name);
    if (v != it->end()) return &v->second;
  }
  auto g = globals_.find(name);
  return g == globals_.end() ? nullptr : &g->second;
}

static List split(const std::string& s, char sep) {
  List out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

void Shell::set(const std::string& name, List value) {
  // $path and $PATH mirror each other, as in 9base.
  if (name == "PATH") {
    List p;
    for (auto& d : split(value.empty() ? "" : value[0], ':')) p.push_back(d.empty() ? "." : d);
    assign(name, std::move(value));
    assign("path", std::move(p));
    return;
  }
  if (name == "path") {
    std::string joined;
    for (size_t i = 0; i < value.size(); i++) joined += (i ? ":" : "") + value[i];
    assign("PATH", {joined});
  }
  assign(name, std::move(value));
}

void Shell::assign(const std::string& name, List value) {
  for (auto it = locals_.rbegin(); it != locals_.rend(); ++it) {
    auto v = it->find(name);
    if (v != it->end()) {
      v->second = std::move(value);
      return;
    }
  }
  globals_[name] = std::move(value);
}

void Shell::set_global(const std::string& name, List value) { globals_[name] = std::move(value); }

std::string Shell::status() const {
  const List* s = lookup("status");
  if (!s) return "";
  std::string out;
  for (size_t i = 0; i < s->size(); i++) out += (i ? " " : "") + (*s)[i];
  return out;
}

// A status is true when every |-separated part is empty or 0, as rc's truestatus says.
bool Shell::status_ok() const {
  for (char c : status())
    if (c != '|' && c != '0') return false;
  return true;
}

const Node* Shell::function(const std::string& name) const {
  auto f = fns_.find(name);
  return f == fns_.end() ? nullptr : f->second.get();
}

void Shell::define_function(const std::string& name, const Node* body) {
  fns_[name] = std::shared_ptr<Node>(clone(body));
}

void Shell::delete_function(const std::string& name) { fns_.erase(name); }

NodePtr clone(const Node* t) {
  if (!t) return nullptr;
  auto n = std::make_unique<Node>(t->kind);
  n->str = t->str;
  n->quoted = t->quoted;
  n->has_in = t->has_in;
  n->rtype = t->rtype;
  n->fd0 = t->fd0;
  n->fd1 = t->fd1;
  n->line = t->line;
  for (auto& k : t->kids) n->kids.push_back(clone(k.get()));
  return n;
}

// ---- errors and output ----

Flow Shell::error(const std::string& msg) {
  if (argv0_ == "rc" || argv0_ == "/bin/rc")
    err("rc: " + msg + "\n");
  else
    err("rc (" + argv0_ + "): " + msg + "\n");
  set_status("error");
  return Flow::error;
}

void Shell::out(int fd, const std::string& s) {
  int real = real_fd(fd);
  if (real < 0) return;
  size_t off = 0;
  while (off < s.size()) {
    long n = os::write(real, s.data() + off, s.size() - off);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

// ---- descriptors ----

int Shell::real_fd(int fd) const {
  auto it = fds_.find(fd);
  return it == fds_.end() ? -1 : it->second;
}

void Shell::redirect(int fd, int real, bool owned) {
  redirects_.push_back({fd, real_fd(fd), owned ? real : -1});
  fds_[fd] = real;
}

void Shell::close_fd(int fd) {
  redirects_.push_back({fd, real_fd(fd), -1});
  fds_.erase(fd);
}

void Shell::undo_redirects(size_t mark) {
  while (redirects_.size() > mark) {
    Redirect r = redirects_.back();
    redirects_.pop_back();
    if (r.old < 0)
      fds_.erase(r.fd);
    else
      fds_[r.fd] = r.old;
    if (r.opened >= 0) {
      bool still_used = false;
      for (auto& [k, v] : fds_)
        if (v == r.opened) still_used = true;
      if (!still_used) os::close(r.opened);
    }
  }
}

std::vector<os::FdMap> Shell::fd_map() const {
  std::vector<os::FdMap> m;
  for (auto& [k, v] : fds_) m.push_back({k, v});
  return m;
}

Flow Shell::apply_redir(const Node* r) {
  if (r->kind == Kind::dup) {
    if (r->fd1 < 0) {
      close_fd(r->fd0);
      return Flow::next;
    }
    int real = real_fd(r->fd1);
    if (real < 0) {
      close_fd(r->fd0);
      return Flow::next;
    }
    redirect(r->fd0, real, false);
    return Flow::next;
  }
  if (r->rtype == Rtype::here) {
    std::string path;
    int fd = os::temp_file(path);
    if (fd < 0) return error("can't make here document: " + os::errstr());
    std::string text = here_text(r);
    os::write(fd, text.data(), text.size());
    os::close(fd);
    fd = os::open(path, os::read_only);
    os::unlink(path);
    if (fd < 0) return error("can't open here document: " + os::errstr());
    redirect(r->fd0, os::keep_private(fd), true);
    return Flow::next;
  }
  List l;
  if (eval_glob_word(r->kid(0), l) == Flow::error) return Flow::error;
  if (l.size() != 1) {
    const char* op = r->rtype == Rtype::read ? "<" : r->rtype == Rtype::append ? ">>" : r->rtype == Rtype::rdwr ? "<>" : ">";
    // 9base's own text: all but >> end with a newline of their own, so a blank line follows.
    return error(std::string(op) + " requires singleton" + (r->rtype == Rtype::append ? "" : "\n"));
  }
  os::OpenMode mode = os::read_only;
  switch (r->rtype) {
    case Rtype::read: mode = os::read_only; break;
    case Rtype::write: mode = os::write_trunc; break;
    case Rtype::append: mode = os::write_append; break;
    case Rtype::rdwr: mode = os::read_write; break;
    case Rtype::here: break;
  }
  int fd = os::open(l[0], mode);
  if (fd < 0) {
    std::string why = os::errstr();
    err(l[0] + ": ");
    return error("can't open: " + why);
  }
  redirect(r->fd0, os::keep_private(fd), true);
  return Flow::next;
}

// ---- execution ----

Flow Shell::exec_line(const Node* t) {
  Flow f = exec(t);
  return f;
}

Flow Shell::exec(const Node* t) {
  if (!t) return Flow::next;
  if (interrupted_) return Flow::error;
  bool was_if = false;
  Flow f = Flow::next;
  switch (t->kind) {
    case Kind::simple: f = exec_simple(t); break;
    case Kind::pipe: f = exec_pipe(t); break;
    case Kind::andand:
    case Kind::oror: {
      bool saved = in_condition_;
      in_condition_ = true;
      f = exec(t->kid(0));
      in_condition_ = saved;
      if (f == Flow::error) return f;
      if (status_ok() == (t->kind == Kind::andand)) f = exec(t->kid(1));
      break;
    }
    case Kind::bang: {
      bool saved = in_condition_;
      in_condition_ = true;
      f = exec(t->kid(0));
      in_condition_ = saved;
      if (f == Flow::error) return f;
      set_status(status_ok() ? "false" : "");
      break;
    }
    case Kind::subshell: f = exec_subshell(t); break;
    case Kind::brace: f = exec(t->kid(0)); break;
    case Kind::ifcmd: f = exec_if(t); was_if = true; break;
    case Kind::ifnot:
      if (if_failed_) f = exec(t->kid(0));
      break;
    case Kind::forcmd: f = exec_for(t); break;
    case Kind::whilecmd: f = exec_while(t); break;
    case Kind::switchcmd: f = exec_switch(t); break;
    case Kind::match: f = exec_match(t); break;
    case Kind::fn: f = exec_fn(t); break;
    case Kind::seq: f = exec_seq(t); break;
    case Kind::async: f = exec_async(t); break;
    case Kind::assign: f = exec_assign(t); break;
    case Kind::redir:
    case Kind::dup: f = exec_redir(t); break;
    default: return error("can't execute a word");
  }
  (void)was_if;
  if (f == Flow::next && interrupted_) return Flow::error;
  return f;
}

Flow Shell::exec_seq(const Node* t) {
  for (auto& k : t->kids)
    if (exec(k.get()) == Flow::error) return Flow::error;
  return Flow::next;
}

void Shell::maybe_exit_on_error() {
  if (flag('e') && !in_condition_ && !status_ok()) exit_shell(status());
}

Flow Shell::exec_simple(const Node* t) {
  size_t mark = redirects_.size();
  for (auto& k : t->kids) {
    if (k->kind != Kind::redir && k->kind != Kind::dup) continue;
    if (apply_redir(k.get()) == Flow::error) {
      undo_redirects(mark);
      return Flow::error;
    }
  }
  List argv;
  if (eval_words(t, 0, argv, true) == Flow::error) {
    undo_redirects(mark);
    return Flow::error;
  }
  if (argv.size() == 1 && argv[0] == "exec") {
    // Plan 9's rc has no Bourne-style "exec >file": exec needs a command, and it says so
    // before the redirections take effect.
    undo_redirects(mark);
    return error("empty argument list");
  }
  Flow f = exec_command(argv, t);
  undo_redirects(mark);
  if (f == Flow::next) maybe_exit_on_error();
  return f;
}

void Shell::trace(const List& argv) {
  std::string s;
  for (size_t i = 0; i < argv.size(); i++) s += (i ? " " : "") + quote_word(argv[i]);
  err(s + "\n");
}

Flow Shell::exec_command(const List& argv_in, const Node*) {
  if (argv_in.empty()) return error("empty argument list");
  const List* argv = &argv_in;
  List rest;
  if (flag('x')) trace(argv_in);
  if (argv_in[0] == "builtin") {
    rest.assign(argv_in.begin() + 1, argv_in.end());
    if (rest.empty()) {
      err("builtin: empty argument list\n");
      set_status("empty arg list");
      return Flow::next;
    }
    argv = &rest;
  } else if (const Node* body = function(argv_in[0])) {
    return exec_function(body, argv_in);
  }
  if (is_builtin((*argv)[0])) return run_builtin(*argv);
  return exec_external(*argv);
}

Flow Shell::exec_function(const Node* body, const List& argv) {
  // Keep the definition alive even if the function redefines itself.
  std::shared_ptr<Node> keep = fns_[argv[0]];
  push_locals();
  set_local("*", List(argv.begin() + 1, argv.end()));
  depth_++;
  Flow f = exec(keep.get());
  depth_--;
  pop_locals();
  return f;
}

std::string Shell::search_path(const std::string& name) const {
  if (name.empty()) return "";
  List dirs;
  if (name[0] == '/' || name.rfind("./", 0) == 0 || name.rfind("../", 0) == 0) {
    dirs = {""};
  } else {
    const List* p = lookup("path");
    dirs = p && !p->empty() ? *p : List{""};
  }
  for (auto& d : dirs) {
    std::string file = d.empty() ? name : d + "/" + name;
    if (os::is_executable(file)) return file;
  }
  return "";
}

Flow Shell::exec_external(const List& argv) {
  std::string path = search_path(argv[0]);
  if (path.empty()) {
    err(argv[0] + ": No such file or directory\n");
    set_status("1");
    return Flow::next;
  }
  int pid = os::spawn(path, argv, export_env(), fd_map(), os::Namespace::share);
  if (pid < 0) {
    err(argv[0] + ": " + os::errstr() + "\n");
    set_status("1");
    return Flow::next;
  }
  set_status(wait_for(pid));
  return Flow::next;
}

std::string Shell::wait_for(int pid) {
  std::string st;
  for (;;) {
    int r = os::wait(pid, st);
    if (r == -2) {
      interrupted_ = true;
      continue;
    }
    if (r < 0) return "";
    if (r == pid) break;
  }
  pending_pids_.erase(std::remove(pending_pids_.begin(), pending_pids_.end(), pid), pending_pids_.end());
  if (st.rfind("sys: ", 0) == 0 && st != "sys: Broken pipe") err(std::to_string(pid) + ": " + st + "\n");
  return st;
}

// Collects here documents in the order the lexer reads them, so a subshell's text can carry them.
static void here_docs(const Node* t, std::string& out) {
  if (!t) return;
  if (t->kind == Kind::redir && t->rtype == Rtype::here) {
    std::string marker;
    for (char c : t->kid(0)->str)
      if (c != kGlob) marker += c;
    out += t->str + marker + "\n";
  }
  for (auto& k : t->kids) here_docs(k.get(), out);
}

int Shell::start_child(const Node* t, const std::vector<os::FdMap>& extra) {
  if (os::can_fork()) {
    int pid = os::fork();
    if (pid != 0) return pid;
    is_child_ = true;
    interactive_ = false;
    for (auto& m : extra) fds_[m.child] = m.parent;
    std::vector<int> keep;
    for (auto& [k, v] : fds_) keep.push_back(v);
    os::close_all_but(keep);
    exec(t);
    exit_shell(status());
  }
  // No fork: run the command's text in a new rc that inherits our variables and functions.
  std::string text = unparse(t);
  std::string docs;
  here_docs(t, docs);
  if (!docs.empty()) text += "\n" + docs;
  std::string fl = "-Z";
  for (char c : std::string("exv"))
    if (flag(c)) fl += c;
  List argv = {"rc", fl, "-c", text};
  std::map<int, int> m = fds_;
  for (auto& e : extra) m[e.child] = e.parent;
  std::vector<os::FdMap> fds;
  for (auto& [k, v] : m) fds.push_back({k, v});
  int pid = os::spawn(os::self_path(), argv, export_env(), fds, os::Namespace::share);
  if (pid < 0) err("rc: can't start subshell: " + os::errstr() + "\n");
  return pid;
}

Flow Shell::exec_pipe(const Node* t) {
  int p[2];
  if (os::pipe(p) < 0) return error("can't make pipe: " + os::errstr());
  int lpid = start_child(t->kid(0), {{t->fd0, p[1]}});
  int rpid = start_child(t->kid(1), {{t->fd1, p[0]}});
  os::close(p[0]);
  os::close(p[1]);
  std::string ls = lpid >= 0 ? wait_for(lpid) : "1";
  std::string rs = rpid >= 0 ? wait_for(rpid) : "1";
  set_status(ls + "|" + rs);
  if (!in_condition_) maybe_exit_on_error();
  return Flow::next;
}

Flow Shell::exec_subshell(const Node* t) {
  int pid = start_child(t->kid(0), {});
  set_status(pid >= 0 ? wait_for(pid) : "1");
  return Flow::next;
}

Flow Shell::exec_async(const Node* t) {
  int devnull = os::open("/dev/null", os::read_only);
  std::vector<os::FdMap> extra;
  if (devnull >= 0 && !interactive_) extra.push_back({0, devnull});
  int pid = start_child(t->kid(0), extra);
  if (devnull >= 0) os::close(devnull);
  if (pid >= 0) {
    pending_pids_.push_back(pid);
    set("apid", {std::to_string(pid)});
  }
  return Flow::next;
}

Flow Shell::exec_if(const Node* t) {
  bool saved = in_condition_;
  in_condition_ = true;
  Flow f = exec(t->kid(0));
  in_condition_ = saved;
  if (f == Flow::error) return f;
  bool ok = status_ok();
  if (ok && exec(t->kid(1)) == Flow::error) return Flow::error;
  if_failed_ = !ok;
  return Flow::next;
}

Flow Shell::exec_while(const Node* t) {
  for (;;) {
    bool saved = in_condition_;
    in_condition_ = true;
    Flow f = exec(t->kid(0));
    in_condition_ = saved;
    if (f == Flow::error) return f;
    if (!status_ok()) break;
    if (exec(t->kid(1)) == Flow::error) return Flow::error;
  }
  return Flow::next;
}

Flow Shell::exec_for(const Node* t) {
  List name;
  if (eval_word(t->kid(1), name) == Flow::error) return Flow::error;
  if (name.size() != 1) return error("variable name must be singleton\n");
  List vals;
  if (t->has_in) {
    if (eval_words(t, 2, vals, true) == Flow::error) return Flow::error;
  } else {
    vals = get("*");
  }
  // The loop variable is local to the loop, as in 9base: its old value comes back after.
  std::string var = strip_glob(name[0]);
  push_locals();
  set_local(var, {});
  Flow f = Flow::next;
  for (auto& v : vals) {
    set_local(var, {v});
    if (exec(t->kid(0)) == Flow::error) {
      f = Flow::error;
      break;
    }
  }
  pop_locals();
  return f;
}

static bool is_case(const Node* c) {
  return c && c->kind == Kind::simple && !c->kids.empty() && c->kids[0]->kind == Kind::word &&
         !c->kids[0]->quoted && c->kids[0]->str == "case";
}

Flow Shell::exec_switch(const Node* t) {
  List subj;
  if (eval_word(t->kid(0), subj) == Flow::error) return Flow::error;
  // Like ~, the subject is the whole list joined with spaces.
  std::string s;
  for (size_t i = 0; i < subj.size(); i++) s += (i ? " " : "") + strip_glob(subj[i]);
  const Node* body = t->kid(1)->kid(0);
  bool matched = false;
  for (auto& c : body->kids) {
    if (is_case(c.get())) {
      if (matched) break;
      List pats;
      if (eval_words(c.get(), 1, pats, false) == Flow::error) return Flow::error;
      for (auto& p : pats)
        if (match(s, p)) matched = true;
      continue;
    }
    if (matched && exec(c.get()) == Flow::error) return Flow::error;
  }
  return Flow::next;
}

Flow Shell::exec_match(const Node* t) {
  List subj, pats;
  if (eval_word(t->kid(0), subj) == Flow::error) return Flow::error;
  if (eval_words(t, 1, pats, false) == Flow::error) return Flow::error;
  if (flag('x')) {
    List tr = {"~"};
    for (auto& s : subj) tr.push_back(strip_glob(s));
    for (auto& p : pats) tr.push_back(strip_glob(p));
    trace(tr);
  }
  // rc matches the subject list joined with spaces (list2str), not each element.
  std::string subject;
  for (size_t i = 0; i < subj.size(); i++) subject += (i ? " " : "") + strip_glob(subj[i]);
  bool hit = false;
  for (auto& p : pats)
    if (match(subject, p)) hit = true;
  set_status(hit ? "" : "no match");
  return Flow::next;
}

Flow Shell::exec_fn(const Node* t) {
  List names;
  if (eval_words(t, 1, names, false) == Flow::error) return Flow::error;
  for (auto& n : names) {
    if (t->kid(0))
      define_function(strip_glob(n), t->kid(0));
    else
      delete_function(strip_glob(n));
  }
  return Flow::next;
}

Flow Shell::exec_assign(const Node* t) {
  std::vector<const Node*> chain;
  const Node* cmd = t;
  while (cmd && cmd->kind == Kind::assign) {
    chain.push_back(cmd);
    cmd = cmd->kid(2);
  }
  bool local = cmd != nullptr;
  if (local) push_locals();
  for (const Node* a : chain) {
    List name, val;
    Flow f = eval_word(a->kid(0), name);
    if (f == Flow::next && name.size() != 1) f = error("variable name not singleton!");
    if (f == Flow::next) f = eval_glob_word(a->kid(1), val);
    if (f == Flow::error) {
      if (local) pop_locals();
      return f;
    }
    std::string n = strip_glob(name[0]);
    if (local) {
      if (n == "PATH") {
        List p;
        for (auto& d : split(val.empty() ? "" : val[0], ':')) p.push_back(d.empty() ? "." : d);
        set_local("path", std::move(p));
      } else if (n == "path") {
        std::string joined;
        for (size_t i = 0; i < val.size(); i++) joined += (i ? ":" : "") + val[i];
        set_local("PATH", {joined});
      }
      set_local(n, std::move(val));
    } else {
      set(n, std::move(val));
    }
  }
  if (!local) return Flow::next;
  Flow f = exec(cmd);
  pop_locals();
  return f;
}

Flow Shell::exec_redir(const Node* t) {
  size_t mark = redirects_.size();
  if (apply_redir(t) == Flow::error) {
    undo_redirects(mark);
    return Flow::error;
  }
  Flow f = exec(t->kid(1));
  undo_redirects(mark);
  return f;
}

// ---- environment ----

std::vector<std::string> Shell::export_env() const {
  std::map<std::string, const List*> vis;
  for (auto& [k, v] : globals_) vis[k] = &v;
  for (auto& scope : locals_)
    for (auto& [k, v] : scope) vis[k] = &v;
  std::vector<std::string> env;
  for (auto& [k, v] : vis) {
    if (v->empty() || k == "PATH") continue;
    std::string e = k + "=";
    for (size_t i = 0; i < v->size(); i++) e += (i ? "\001" : "") + (*v)[i];
    env.push_back(e);
  }
  auto path = vis.find("path");
  if (path != vis.end()) {
    std::string e = "PATH=";
    for (size_t i = 0; i < path->second->size(); i++) e += (i ? ":" : "") + (*path->second)[i];
    env.push_back(e);
  } else if (auto P = vis.find("PATH"); P != vis.end() && !P->second->empty()) {
    env.push_back("PATH=" + (*P->second)[0]);
  }
  for (auto& [name, body] : fns_) {
    std::string docs;
    here_docs(body.get(), docs);
    env.push_back("fn#" + name + "=" + unparse(body.get()) + "\n" + docs);
  }
  std::sort(env.begin(), env.end());
  return env;
}

void Shell::import_env(const std::vector<std::string>& env) {
  for (auto& e : env) {
    size_t eq = e.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    std::string name = e.substr(0, eq), val = e.substr(eq + 1);
    if (name.rfind("fn#", 0) == 0) {
      std::string text = "fn " + name.substr(3) + " " + val;
      auto in = string_input(text, "");
      Lexer lex(*in);
      Parser p(lex);
      NodePtr t = p.parse_line();
      if (t && t->kind == Kind::fn) exec(t.get());
      continue;
    }
    if (name.find('(') != std::string::npos) continue;
    // set() keeps $path and $PATH in step; "path" (ours, \001-separated) sorts after "PATH".
    if (name == "PATH")
      set("PATH", {val});
    else
      set(name, val.empty() ? List{""} : split(val, '\001'));
  }
}

void Shell::exit_shell(const std::string& st) {
  if (!is_child_) {
    if (function("sigexit")) {
      std::shared_ptr<Node> keep = fns_["sigexit"];
      fns_.erase("sigexit");
      exec(keep.get());
    }
  }
  if (flag('x') && !is_child_) trace({"exit", st});
  // A true status ("", "0", "|", ...) exits 0, as 9base's Exit does with truestatus().
  set_status(st);
  os::exits(status_ok() ? "" : st);
}

// ---- reading commands ----

Flow Shell::run_input(Input& in, bool interactive) {
  Lexer lex(in);
  Parser parser(lex);
  for (;;) {
    NodePtr t = parser.parse_line();
    if (parser.failed()) {
      err(parser.error() + "\n");
      set_status("syntax error");
      // As in 9base, a syntax error ends this input (the script, the eval, the . file) but
      // is not an error that unwinds whoever ran it.
      if (!interactive) return Flow::next;
      if (parser.at_eof()) break;
      continue;
    }
    Flow f = exec_line(t.get());
    if (interrupted_) {
      interrupted_ = false;
      if (const Node* h = function("sigint")) {
        (void)h;
        std::shared_ptr<Node> keep = fns_["sigint"];
        exec(keep.get());
      } else if (!interactive) {
        exit_shell("interrupted");
      } else {
        err("\n");
      }
      if (parser.at_eof()) break;
      continue;
    }
    if (f == Flow::error && !interactive) return f;
    if (parser.at_eof()) break;
  }
  return Flow::next;
}

}  // namespace rc
