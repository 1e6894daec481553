// sed: stream editor. Commands s (flags g, p, N), d, p, q, =, n, y, a, i, c, g, G, h, H, x,
// { }, with
// ! to negate; addresses are line numbers, $, /re/ and ranges a1,a2. Scripts come from
// -e (several join with newlines), -f, or the first argument; ; or newline separates
// commands. Regular expressions are extended ones, as in Plan 9 sed.
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "flags.h"
#include "input.h"
#include "output.h"
#include "prog.h"
#include "regexp.h"

using namespace web9;

namespace {

struct Address {
  enum Kind { none, number, last, regex } kind = none;
  long long line = 0;
  int re = -1;  // index into regexps, or -1 for "the last regex used"
};

struct Command {
  Address a1, a2;
  bool negate = false;
  char cmd = 0;
  bool active = false;  // a range that has begun
  // s
  int re = -1;
  std::string replacement;
  bool global = false, print = false;
  long long nth = 1;
  // a, i, c text; y's two sets
  std::string text, from, to;
  size_t block_end = 0;  // for {, the index of its }
};

std::vector<Regexp> regexps;
std::vector<Command> prog;
int last_re = -1;

[[noreturn]] void syntax(const std::string& why) {
  complain(why);
  std::exit(1);
}

class Parser {
 public:
  explicit Parser(const std::string& s) : s_(s) {}

  void parse() {
    std::vector<size_t> opens;
    for (;;) {
      skip_space_and(";\n");
      if (at_end())
        break;
      Command c;
      parse_address(c);
      skip_space();
      if (peek() == '!') {
        c.negate = true;
        i_++;
        skip_space();
      }
      if (at_end())
        syntax("missing command");
      c.cmd = s_[i_++];
      switch (c.cmd) {
        case '{':
          opens.push_back(prog.size());
          prog.push_back(std::move(c));
          continue;
        case '}':
          if (opens.empty())
            syntax("unexpected }");
          prog[opens.back()].block_end = prog.size();
          opens.pop_back();
          break;
        case 's':
          parse_s(c);
          break;
        case 'y':
          parse_y(c);
          break;
        case 'a':
        case 'i':
        case 'c':
          c.text = parse_text();
          break;
        case 'd':
        case 'p':
        case 'q':
        case '=':
        case 'n':
        case 'g':
        case 'G':
        case 'h':
        case 'H':
        case 'x':
          break;
        default:
          syntax(std::string("unknown command: ") + c.cmd);
      }
      prog.push_back(std::move(c));
      skip_space();
      if (!at_end() && peek() != ';' && peek() != '\n' && peek() != '}')
        syntax("extra characters after command");
    }
    if (!opens.empty())
      syntax("missing }");
  }

 private:
  bool at_end() const { return i_ >= s_.size(); }
  char peek() const { return at_end() ? '\0' : s_[i_]; }
  void skip_space() {
    while (!at_end() && (s_[i_] == ' ' || s_[i_] == '\t'))
      i_++;
  }
  void skip_space_and(const char* also) {
    while (!at_end() && (s_[i_] == ' ' || s_[i_] == '\t' || std::strchr(also, s_[i_])))
      i_++;
  }

  // Text up to an unescaped delim; \delim stands for delim, \n for newline. In a regex,
  // other escapes are kept for regcomp; in a replacement, kept for substitute().
  std::string delimited(char delim, bool regex) {
    std::string r;
    for (;;) {
      if (at_end() || s_[i_] == '\n')
        syntax("unterminated command: " + s_);
      char ch = s_[i_++];
      if (ch == delim)
        return r;
      if (ch == '\\' && !at_end()) {
        char e = s_[i_++];
        if (e == delim) {
          r += delim;
        } else if (e == 'n' && regex) {
          r += '\n';
        } else {
          r += '\\';
          r += e;
        }
        continue;
      }
      r += ch;
    }
  }

  int compile(const std::string& pattern) {
    if (pattern.empty())
      return -1;  // the empty regex reuses the last one
    Regexp re;
    std::string err;
    if (!re.compile(pattern, Regexp::Case::sensitive, err))
      syntax(pattern + ": " + err);
    regexps.push_back(std::move(re));
    return static_cast<int>(regexps.size() - 1);
  }

  bool parse_one_address(Address& a) {
    if (peek() == '$') {
      i_++;
      a.kind = Address::last;
      return true;
    }
    if (std::isdigit(static_cast<unsigned char>(peek()))) {
      a.kind = Address::number;
      while (std::isdigit(static_cast<unsigned char>(peek())))
        a.line = a.line * 10 + (s_[i_++] - '0');
      return true;
    }
    if (peek() == '/' || peek() == '\\') {
      char delim = s_[i_++];
      if (delim == '\\') {
        if (at_end())
          syntax("bad address");
        delim = s_[i_++];
      }
      a.kind = Address::regex;
      a.re = compile(delimited(delim, true));
      return true;
    }
    return false;
  }

  void parse_address(Command& c) {
    if (!parse_one_address(c.a1))
      return;
    skip_space();
    if (peek() == ',') {
      i_++;
      skip_space();
      if (!parse_one_address(c.a2))
        syntax("bad address after ,");
    }
  }

  void parse_s(Command& c) {
    if (at_end())
      syntax("missing delimiter in s");
    char delim = s_[i_++];
    c.re = compile(delimited(delim, true));
    c.replacement = delimited(delim, false);
    for (;;) {
      char f = peek();
      if (f == 'g') {
        c.global = true;
        i_++;
      } else if (f == 'p') {
        c.print = true;
        i_++;
      } else if (std::isdigit(static_cast<unsigned char>(f))) {
        c.nth = 0;
        while (std::isdigit(static_cast<unsigned char>(peek())))
          c.nth = c.nth * 10 + (s_[i_++] - '0');
        if (c.nth == 0)
          syntax("s: number must be positive");
      } else {
        break;
      }
    }
  }

  void parse_y(Command& c) {
    if (at_end())
      syntax("missing delimiter in y");
    char delim = s_[i_++];
    c.from = delimited(delim, true);
    c.to = delimited(delim, true);
    if (c.from.size() != c.to.size())
      syntax("y: strings differ in length");
  }

  // "a\" newline text, "a\text" or GNU's "a text": the rest of the line.
  std::string parse_text() {
    skip_space();
    if (peek() == '\\') {
      i_++;
      if (peek() == '\n')
        i_++;
    }
    std::string t;
    while (!at_end() && s_[i_] != '\n') {
      if (s_[i_] == '\\' && i_ + 1 < s_.size()) {
        i_++;
      }
      t += s_[i_++];
    }
    return t;
  }

  const std::string& s_;
  size_t i_ = 0;
};

// The stream of input lines across all files, one line ahead so $ is known.
class Input {
 public:
  explicit Input(std::vector<std::string> files) : files_(std::move(files)) { advance(); }
  ~Input() { close_input(fd_); }

  bool next(std::string& line, bool& newline) {
    if (!have_)
      return false;
    line = std::move(ahead_);
    newline = !line.empty() && line.back() == '\n';
    if (newline)
      line.pop_back();
    lineno_++;
    advance();
    return true;
  }
  bool last() const { return !have_; }
  long long lineno() const { return lineno_; }

 private:
  void advance() {
    have_ = false;
    for (;;) {
      if (!reader_) {
        if (next_file_ >= files_.size())
          return;
        close_input(fd_);
        fd_ = open_input(files_[next_file_]);
        name_ = files_[next_file_++];
        if (fd_ < 0)
          continue;
        reader_ = std::make_unique<LineReader>(fd_);
      }
      if (reader_->next(ahead_)) {
        have_ = true;
        return;
      }
      if (reader_->error())
        complain(name_, reader_->error());
      reader_.reset();
    }
  }

  std::vector<std::string> files_;
  size_t next_file_ = 0;
  int fd_ = -1;
  std::string name_;
  std::unique_ptr<LineReader> reader_;
  std::string ahead_;
  bool have_ = false;
  long long lineno_ = 0;
};

bool nflag;

const Regexp* regexp_for(int index) {
  if (index >= 0)
    last_re = index;
  if (last_re < 0)
    syntax("no previous regular expression");
  return &regexps[static_cast<size_t>(last_re)];
}

bool match_address(const Address& a, const std::string& ps, const Input& in) {
  switch (a.kind) {
    case Address::none:
      return true;
    case Address::number:
      return in.lineno() == a.line;
    case Address::last:
      return in.last();
    case Address::regex:
      return regexp_for(a.re)->matches(ps);
  }
  return false;
}

bool selected(Command& c, const std::string& ps, const Input& in) {
  bool yes;
  if (c.a1.kind == Address::none) {
    yes = true;
  } else if (c.a2.kind == Address::none) {
    yes = match_address(c.a1, ps, in);
  } else if (c.active) {
    yes = true;
    if (c.a2.kind == Address::number ? in.lineno() >= c.a2.line : match_address(c.a2, ps, in))
      c.active = false;
  } else if (match_address(c.a1, ps, in)) {
    yes = true;
    // A line-number end already passed closes the range at once.
    c.active = !(c.a2.kind == Address::number && c.a2.line <= in.lineno()) && !(c.a2.kind == Address::last && in.last());
  } else {
    yes = false;
  }
  return yes != c.negate;
}

void expand(const std::string& repl, const std::string& ps, const std::vector<Span>& g, std::string& out) {
  for (size_t i = 0; i < repl.size(); i++) {
    char ch = repl[i];
    if (ch == '&') {
      out.append(ps, g[0].begin, g[0].end - g[0].begin);
    } else if (ch == '\\' && i + 1 < repl.size()) {
      char e = repl[++i];
      if (e >= '0' && e <= '9') {
        size_t k = static_cast<size_t>(e - '0');
        if (k < g.size() && g[k].matched)
          out.append(ps, g[k].begin, g[k].end - g[k].begin);
      } else if (e == 'n') {
        out += '\n';
      } else {
        out += e;
      }
    } else {
      out += ch;
    }
  }
}

bool substitute(const Command& c, std::string& ps) {
  const Regexp* re = regexp_for(c.re);
  std::string result;
  std::vector<Span> g;
  size_t pos = 0, copied = 0;
  long long count = 0;
  bool did = false;
  while (pos <= ps.size() && re->search(ps, pos, g)) {
    count++;
    size_t b = g[0].begin, e = g[0].end;
    if (count >= c.nth) {
      result.append(ps, copied, b - copied);
      expand(c.replacement, ps, g, result);
      copied = e;
      did = true;
      if (!c.global)
        break;
    }
    // An empty match moves on by one character so the loop ends.
    pos = e > b ? e : e + 1;
  }
  if (!did)
    return false;
  result.append(ps, std::min(copied, ps.size()), std::string::npos);
  ps = std::move(result);
  return true;
}

void print_line(const std::string& s, bool newline) {
  out().put(s);
  if (newline)
    out().put('\n');
}

int run(Input& in) {
  std::string ps, hold;
  bool newline;
  while (in.next(ps, newline)) {
    std::vector<std::string> appends;
    bool deleted = false, quit = false;
    for (size_t pc = 0; pc < prog.size() && !deleted && !quit; pc++) {
      Command& c = prog[pc];
      if (c.cmd == '}')
        continue;
      if (!selected(c, ps, in)) {
        if (c.cmd == '{')
          pc = c.block_end;
        continue;
      }
      switch (c.cmd) {
        case 's':
          if (substitute(c, ps) && c.print)
            print_line(ps, true);
          break;
        case 'd':
          deleted = true;
          break;
        case 'p':
          print_line(ps, true);
          break;
        case 'q':
          quit = true;
          break;
        case '=':
          out().printf("%lld\n", in.lineno());
          break;
        case 'n':
          if (!nflag)
            print_line(ps, newline);
          if (!in.next(ps, newline)) {
            out().flush();
            return exit_status();
          }
          break;
        case 'y':
          for (auto& ch : ps)
            if (auto k = c.from.find(ch); k != std::string::npos)
              ch = c.to[k];
          break;
        case 'g':
          ps = hold;
          break;
        case 'G':
          ps += '\n' + hold;
          break;
        case 'h':
          hold = ps;
          break;
        case 'H':
          hold += '\n' + ps;
          break;
        case 'x':
          std::swap(ps, hold);
          break;
        case 'a':
          appends.push_back(c.text);
          break;
        case 'i':
          print_line(c.text, true);
          break;
        case 'c':
          if (!c.active)
            print_line(c.text, true);
          deleted = true;
          break;
      }
    }
    if (!deleted && !nflag)
      print_line(ps, newline);
    for (auto& a : appends)
      print_line(a, true);
    if (quit)
      break;
  }
  return exit_status();
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags(argc, argv, {"ne:f:", "[-n] [-e script] [-f file] [script] [file ...]", "Stream editor."});
  nflag = flags.has('n');
  auto& args = flags.args();
  std::string script;
  for (auto& e : flags.values('e'))
    script += e + "\n";
  for (auto& f : flags.values('f')) {
    std::string data;
    if (!read_file(f, data))
      return 1;
    script += data + "\n";
  }
  if (!flags.has('e') && !flags.has('f')) {
    if (args.empty())
      flags.usage();
    script = args[0];
    args.erase(args.begin());
  }
  Parser(script).parse();
  if (args.empty())
    args.push_back("-");
  Input in(args);
  int status = run(in);
  if (!out().flush()) {
    complain("write error", errno);
    return 1;
  }
  return status ? status : exit_status();
}
