// grep: print lines matching regular expressions (Plan 9 grep's flags and output).
// Exit status 0 when a line was selected, 1 when none was, 2 on an error.
#include <cerrno>
#include <vector>

#include "flags.h"
#include "input.h"
#include "output.h"
#include "prog.h"
#include "regexp.h"

using namespace web9;

namespace {

std::vector<Regexp> res;
bool cflag, hflag, lflag, Lflag, nflag, sflag, vflag, xflag;
bool errors = false;

bool selected(const std::string& line) {
  for (auto& re : res) {
    if (!xflag) {
      if (re.matches(line))
        return !vflag;
      continue;
    }
    std::vector<Span> g;
    if (re.search(line, 0, g) && g[0].begin == 0 && g[0].end == line.size())
      return !vflag;
  }
  return vflag;
}

// Greps one stream; true if a line was selected.
bool grep(int fd, const std::string& name, bool show_name) {
  LineReader in(fd);
  std::string line;
  long long lineno = 0, count = 0;
  while (in.next(line)) {
    lineno++;
    bool nl = !line.empty() && line.back() == '\n';
    if (nl)
      line.pop_back();
    if (!selected(line))
      continue;
    count++;
    if (sflag || lflag || Lflag)
      break;  // the answer is known
    if (cflag)
      continue;
    if (show_name)
      out().printf("%s:", name.c_str());
    if (nflag)
      out().printf("%lld: ", lineno);
    out().put(line);
    out().put('\n');
  }
  if (in.error()) {
    complain(name, in.error());
    errors = true;
  }
  if (sflag)
    return count > 0;
  if (cflag) {
    if (show_name)
      out().printf("%s:", name.c_str());
    out().printf("%lld\n", count);
  }
  if ((lflag && count > 0) || (Lflag && count == 0)) {
    out().put(name);
    out().put('\n');
  }
  return count > 0;
}

bool add_pattern(const std::string& p, Regexp::Case c) {
  Regexp re;
  std::string err;
  if (!re.compile(p, c, err)) {
    complain(p, err);
    return false;
  }
  res.push_back(std::move(re));
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags(argc, argv, {"chiLlnsqvxe:f:", "[-chiLlnsvx] [-e expr] [-f file] [expr] [file ...]",
                           "Search files for lines matching regular expressions."});
  cflag = flags.has('c'), hflag = flags.has('h'), lflag = flags.has('l'), Lflag = flags.has('L');
  nflag = flags.has('n'), sflag = flags.has('s') || flags.has('q'), vflag = flags.has('v'), xflag = flags.has('x');
  auto c = flags.has('i') ? Regexp::Case::ignore : Regexp::Case::sensitive;
  auto& args = flags.args();
  std::vector<std::string> patterns = flags.values('e');
  for (auto& f : flags.values('f')) {
    std::string data;
    if (!read_file(f, data))
      return 2;
    size_t pos = 0;
    while (pos < data.size()) {
      size_t nl = data.find('\n', pos);
      if (nl == std::string::npos)
        nl = data.size();
      patterns.push_back(data.substr(pos, nl - pos));
      pos = nl + 1;
    }
  }
  if (patterns.empty()) {
    if (args.empty())
      flags.usage();
    patterns.push_back(args[0]);
    args.erase(args.begin());
  }
  for (auto& p : patterns)
    if (!add_pattern(p, c))
      return 2;
  bool any = false;
  if (args.empty()) {
    any = grep(0, "stdin", false);
  } else {
    bool show = args.size() > 1 && !hflag;
    for (auto& f : args) {
      int fd = open_input(f);
      if (fd < 0) {
        errors = true;
        continue;
      }
      any |= grep(fd, f, show);
      close_input(fd);
    }
  }
  if (!out().flush()) {
    complain("write error", errno);
    return 2;
  }
  if (errors)
    return 2;
  return any ? 0 : 1;
}
