// Regular expressions for grep and sed: POSIX extended syntax (which covers Plan 9's
// regexp(7): . * + ? | () [] ^ $), matched over UTF-8 text by wasi-libc's regcomp.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <regex.h>

namespace web9 {

struct Span {
  size_t begin = 0;
  size_t end = 0;
  bool matched = false;
};

class Regexp {
 public:
  enum class Case { sensitive, ignore };

  // Compiles pattern; on failure returns false and sets error to a short reason.
  bool compile(const std::string& pattern, Case c, std::string& error);
  // Finds the leftmost-longest match in subject at or after start. groups[0] is the
  // whole match, groups[i] the i'th parenthesis. A match is never found at start when
  // start > 0 and the pattern is anchored with ^ (the subject is one line).
  bool search(const std::string& subject, size_t start, std::vector<Span>& groups) const;
  bool matches(const std::string& subject) const;
  size_t group_count() const { return re_ ? re_->re_nsub : 0; }

 private:
  struct Free {
    void operator()(regex_t* r) const {
      regfree(r);
      std::default_delete<regex_t>()(r);
    }
  };
  std::unique_ptr<regex_t, Free> re_;
};

}  // namespace web9
