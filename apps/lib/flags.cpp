// Flag parsing shared by the guest programs (see flags.h).
#include "flags.h"

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

#include "prog.h"

namespace web9 {

namespace {

void write_all(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n <= 0)
      return;
    off += static_cast<size_t>(n);
  }
}

std::string usage_line(const char* usage) {
  std::string line = "usage: ";
  line += progname();
  if (usage && *usage) {
    line += ' ';
    line += usage;
  }
  line += '\n';
  return line;
}

bool looks_numeric(const char* s) {
  // "-5", "-.5", "-5e3": a negative number rather than a flag.
  return s[0] == '-' && (std::isdigit(static_cast<unsigned char>(s[1])) ||
                         (s[1] == '.' && std::isdigit(static_cast<unsigned char>(s[2]))));
}

bool all_digits(const char* s) {
  if (!*s)
    return false;
  for (; *s; s++)
    if (!std::isdigit(static_cast<unsigned char>(*s)))
      return false;
  return true;
}

}  // namespace

void usage_exit(const char* usage) {
  write_all(2, usage_line(usage));
  std::exit(1);
}

void answer_help(int argc, char** argv, const char* usage, const char* about) {
  if (argc > 1 && std::strcmp(argv[1], "--help") == 0) {
    std::string text = usage_line(usage);
    if (about && *about) {
      text += about;
      text += '\n';
    }
    write_all(1, text);
    std::exit(0);
  }
}

Flags::Flags(int argc, char** argv, const FlagSpec& spec) : spec_(spec) {
  set_progname(argc > 0 ? argv[0] : nullptr);
  answer_help(argc, argv, spec.usage, spec.about);
  int i = 1;
  for (; i < argc; i++) {
    const char* a = argv[i];
    if (a[0] != '-' || a[1] == '\0')
      break;
    if (std::strcmp(a, "--") == 0) {
      i++;
      break;
    }
    if (spec.numbers_are_operands && looks_numeric(a))
      break;
    if (spec.digit_flag && all_digits(a + 1)) {
      seen_.push_back({spec.digit_flag, a + 1});
      continue;
    }
    for (const char* p = a + 1; *p; p++) {
      const char* at = std::strchr(spec.letters, *p);
      if (!at || *p == ':')
        usage();
      if (at[1] != ':') {
        seen_.push_back({*p, ""});
        continue;
      }
      // The value is the rest of this word, or else the next word.
      if (p[1]) {
        seen_.push_back({*p, p + 1});
      } else if (i + 1 < argc) {
        seen_.push_back({*p, argv[++i]});
      } else {
        usage();
      }
      break;
    }
  }
  for (; i < argc; i++)
    args_.emplace_back(argv[i]);
}

int Flags::count(char c) const {
  int n = 0;
  for (auto& s : seen_)
    if (s.letter == c)
      n++;
  return n;
}

const char* Flags::value(char c, const char* fallback) const {
  for (auto it = seen_.rbegin(); it != seen_.rend(); ++it)
    if (it->letter == c)
      return it->value.c_str();
  return fallback;
}

std::vector<std::string> Flags::values(char c) const {
  std::vector<std::string> v;
  for (auto& s : seen_)
    if (s.letter == c)
      v.push_back(s.value);
  return v;
}

void Flags::usage() const { usage_exit(spec_.usage); }

}  // namespace web9
