// Regular expressions over wasi-libc's POSIX regex (see regexp.h).
#include "regexp.h"

#include <clocale>

namespace web9 {

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
  if (regexec(re_.get(), subject.c_str() + start, m.size(), m.data(), flags) != 0)
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
  return re_ && regexec(re_.get(), subject.c_str(), 0, nullptr, 0) == 0;
}

}  // namespace web9
