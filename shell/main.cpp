// rc's entry point: flags, the initial variables (from the environment and rc's defaults),
// and which input to run: -c text, a script file, or standard input (interactive at a terminal).
#include <cstdlib>
#include <cstring>

#include "shell/interactive.h"
#include "shell/shell.h"

namespace rc {

void Shell::main(int argc, char** argv) {
  argv0_ = argc > 0 ? argv[0] : "rc";
  bool login = !argv0_.empty() && argv0_[0] == '-';
  std::string ctext;
  bool have_c = false, subshell = false;
  if (argc == 2 && std::strcmp(argv[1], "--help") == 0) {
    out(1,
        "usage: rc [-srdiIlxepvV] [-c command] [file [arg ...]]\n"
        "Plan 9's shell. -c runs command, a file runs as a script with $* its args, else\n"
        "commands come from standard input (interactive at a terminal).\n"
        "  -e exit on a failing command   -x print commands as they run\n"
        "  -i interactive                 -I not interactive\n"
        "  -l login shell: run /lib/profile and $home/lib/profile first\n");
    os::exits("");
  }
  int i = 1;
  for (; i < argc; i++) {
    const char* a = argv[i];
    if (a[0] != '-' || a[1] == 0) break;
    if (std::strcmp(a, "--") == 0) {
      i++;
      break;
    }
    for (const char* p = a + 1; *p; p++) {
      if (*p == 'c') {
        if (i + 1 >= argc) {
          err("Usage: rc [-srdiIlxepvV] [-c arg] [file ...]\n");
          os::exits("usage");
        }
        ctext = argv[++i];
        have_c = true;
        break;
      }
      if (*p == 'Z') {
        subshell = true;  // our own: a subshell spawned with its state in the environment
        continue;
      }
      if (!std::strchr("srdiIlxepvV", *p)) {
        err("Usage: rc [-srdiIlxepvV] [-c arg] [file ...]\n");
        os::exits("usage");
      }
      set_flag(*p, true);
    }
  }
  if (flag('l')) login = true;

  import_env(os::environment());
  if (get("home").empty()) {
    List h = get("HOME");
    set("home", h.empty() ? List{"/"} : h);
  }
  if (!lookup("ifs")) set("ifs", {" \t\n"});
  List prompt = get("prompt");
  if (prompt.empty())
    set("prompt", {"% ", "\t"});
  else if (prompt.size() == 1)
    set("prompt", {prompt[0], "\t"});
  if (!lookup("path")) set("path", {".", "/bin"});
  if (!subshell) {
    set("pid", {std::to_string(os::getpid())});
    set("status", {""});
  } else {
    is_child_ = true;
  }
  delete_function("sigexit");

  List args;
  for (int k = i; k < argc; k++) args.push_back(argv[k]);
  std::string file;
  if (!have_c && !args.empty()) {
    file = args[0];
    args.erase(args.begin());
  }
  if (!subshell) set("*", args);
  // A subshell keeps its parent's $0 and $*, which came in the environment.
  if (!subshell) set("0", {file.empty() ? argv0_ : file});

  interactive_ = !flag('I') && (flag('i') || (!have_c && file.empty() && os::isatty(0)));
  if (interactive_) set_flag('i', true);
  os::catch_interrupts(interactive_);

  if (login) {
    // The system's profile first (web9's boot image has /lib/profile), then the user's.
    if (os::exists("/lib/profile") && run_builtin({".", "/lib/profile"}) == Flow::error && !interactive_)
      exit_shell(status());
    List home = get("home");
    std::string profile = (home.empty() ? std::string("/") : home[0]) + "/lib/profile";
    if (os::exists(profile)) {
      if (run_builtin({".", profile}) == Flow::error && !interactive_) exit_shell(status());
    }
  }

  if (have_c) {
    auto in = string_input(ctext + "\n", "");  // 9base reads -c text as a line
    run_input(*in, false);
    exit_shell(status());
  }
  if (!file.empty()) {
    List dot = {".", file};
    for (auto& a : args) dot.push_back(a);
    run_builtin(dot);
    exit_shell(status());
  }
  if (interactive_) {
    auto in = interactive_input(*this);
    for (;;) {
      run_input(*in, true);
      if (in->eof()) break;
    }
    exit_shell(status());
  }
  auto in = fd_input(0, "/dev/stdin");
  run_input(*in, false);
  exit_shell(status());
}

}  // namespace rc

int main(int argc, char** argv) {
  rc::Shell sh;
  sh.main(argc, argv);
}
