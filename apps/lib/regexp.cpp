// Regular expressions over wasi-libc's POSIX regex (see regexp.h).
#include "regexp.h"

#include <clocale>

namespace web9 {

namespace {

// Length of the valid UTF-8 sequence at s[i] (as strict as libc's mbrtowc: no overlong
// forms, surrogates or values past U+10FFFF), or 0 if the byte there starts none.
size_t utf8_length(const std::string& s, size_t i) {
  auto byte = [&](size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
  unsigned c = byte(0);
  if (c < 0x80)
    return 1;
  size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
  if (n == 0 || c > 0xf4)
    return 0;
  for (size_t k = 1; k < n; k++)
    if ((byte(k) & 0xc0) != 0x80)
      return 0;
  unsigned c1 = byte(1);
  if ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 >= 0xa0) || (c == 0xf0 && c1 < 0x90) || (c == 0xf4 && c1 >= 0x90))
    return 0;
  return n;
}

// The regex library stops at a NUL and matches nothing past a byte that is not UTF-8, where
// Plan 9 sees one rune each (Runeerror). Stand a SUB character in for each such byte: '.'
// matches it, offsets stay the same.
const char* matchable(const std::string& subject, std::string& copy) {
  for (size_t i = 0; i < subject.size();) {
    size_t n = subject[i] == '\0' ? 0 : utf8_length(subject, i);
    if (n > 0) {
      i += n;
      continue;
    }
    if (copy.empty())
      copy = subject;
    copy[i++] = '\x1a';
  }
  return copy.empty() ? subject.c_str() : copy.c_str();
}

}  // namespace

bool Regexp::compile(const std::string& pattern, Case c, std::string& error) {
  // Match runes, not bytes: the C locale would make . match half a character.
  static bool utf8 = std::setlocale(LC_CTYPE, "C.UTF-8") != nullptr;
  (void)utf8;
  auto re = std::make_unique<regex_t>();
  int flags = REG_EXTENDED | (c == Case::ignore ? REG_ICASE : 0);
  if (int err = regcomp(re.get(), pattern.c_str(), flags); err != 0) {
    char buf[128];
    regerror(err, re.get(), buf, sizeof buf);
    error = buf;
    return false;  // a failed regcomp leaves nothing for regfree
  }
  re_.reset(re.release());
  return true;
}

bool Regexp::search(const std::string& subject, size_t start, std::vector<Span>& groups) const {
  if (!re_ || start > subject.size())
    return false;
  std::vector<regmatch_t> m(re_->re_nsub + 1);
  int flags = start > 0 ? REG_NOTBOL : 0;
  std::string copy;
  if (regexec(re_.get(), matchable(subject, copy) + start, m.size(), m.data(), flags) != 0)
    return false;
  groups.assign(m.size(), Span{});
  for (size_t i = 0; i < m.size(); i++) {
    if (m[i].rm_so < 0)
      continue;
    groups[i] = {start + static_cast<size_t>(m[i].rm_so), start + static_cast<size_t>(m[i].rm_eo), true};
  }
  return true;
}

bool Regexp::matches(const std::string& subject) const {
  std::string copy;
  return re_ && regexec(re_.get(), matchable(subject, copy), 0, nullptr, 0) == 0;
}

}  // namespace web9
