// help: list the programs with a line on what each does. Each program's own --help
// says how to call it.
#include <cstring>

#include "flags.h"
#include "output.h"
#include "prog.h"

using namespace web9;

namespace {

struct Program {
  const char* name;
  const char* about;
};

constexpr Program programs[] = {
    {"basename", "strip the directory (or, -d, keep only it) from a path"},
    {"bind", "bind a file or directory onto another in the namespace (-a -b -c)"},
    {"cat", "concatenate files to standard output"},
    {"cleanname", "lexically clean up path names"},
    {"clear", "clear the terminal screen"},
    {"cmp", "compare two files byte by byte"},
    {"cp", "copy files and (-r) directories"},
    {"date", "print the date, or (-n) seconds since the epoch"},
    {"diff", "show how two files differ (-u unified)"},
    {"dirname", "print a path without its last element"},
    {"download", "save files (a directory as a tar) outside web9: the browser's downloads"},
    {"du", "disk usage in kilobytes"},
    {"echo", "print the arguments"},
    {"env", "print the environment"},
    {"false", "fail"},
    {"find", "walk directory trees (-name, -type, -print)"},
    {"git", "version control on libgit2: clone, commit, push, pull, ... (git --help)"},
    {"github", "clone OWNER/REPO into the home, bind it at /n/github, keep it in sync"},
    {"grep", "print lines matching regular expressions"},
    {"head", "print the first lines of files"},
    {"help", "this list"},
    {"hget", "make an HTTP request through /net/web and print the body"},
    {"kill", "post a note (kill, or -note) to processes by pid or name"},
    {"ls", "list files and directories"},
    {"mkdir", "make directories"},
    {"mount", "mount a 9P server from a /srv file or fd (-a -b -c)"},
    {"mv", "move or rename files"},
    {"ns", "print the namespace as bind and mount commands"},
    {"ps", "list the processes"},
    {"pwd", "print the working directory"},
    {"ramfs", "serve a file system in memory over 9P: mount it (-m) or post it in /srv (-s)"},
    {"rc", "the shell"},
    {"rm", "remove files and (-r) directories"},
    {"sed", "stream editor"},
    {"seq", "print a sequence of numbers"},
    {"sleep", "pause for some seconds"},
    {"sort", "sort lines"},
    {"tail", "print the last lines of a file, or (-f) follow it"},
    {"tee", "copy standard input to standard output and files"},
    {"test", "evaluate a condition"},
    {"time", "run a command and print the real time it took"},
    {"touch", "update modification times, creating files"},
    {"tr", "translate or delete characters"},
    {"true", "succeed"},
    {"uniq", "filter repeated adjacent lines"},
    {"unmount", "undo a bind or mount"},
    {"upload", "copy files from outside web9 (a file chooser, or host paths) into a directory"},
    {"wc", "count lines, words and bytes"},
    {"xargs", "run a command with arguments from standard input"},
};

}  // namespace

int main(int argc, char** argv) {
  Flags flags(argc, argv, {"", "[program ...]", "List the programs and what they do."});
  auto& want = flags.args();
  for (auto& w : want) {
    bool known = false;
    for (auto& p : programs)
      known |= w == p.name;
    if (!known)
      complain(w, "no such program");
  }
  for (auto& p : programs) {
    bool show = want.empty();
    for (auto& w : want)
      show |= w == p.name;
    if (show)
      out().printf("%-10s %s\n", p.name, p.about);
  }
  out().put(want.empty() ? "\nNAME --help says how to use a program.\n" : "");
  return exit_status();
}
