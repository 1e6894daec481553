// Pattern matching (*, ?, [class], [~class]) and file-name globbing. Only characters the lexer
// marked with kGlob are special, so quoted or substituted text always stands for itself.
#include <algorithm>

#include "shell/os.h"
#include "shell/shell.h"

namespace rc {

namespace {

// Length of the UTF-8 sequence starting at s[i].
size_t rune_len(const std::string& s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  return std::min(n, s.size() - i);
}

// Decodes the rune at s[i] (bytes as they are if not valid UTF-8).
unsigned rune_at(const std::string& s, size_t i, size_t& len) {
  len = rune_len(s, i);
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (len == 1) return c;
  unsigned r = c & (0xFF >> (len + 1));
  for (size_t k = 1; k < len; k++) r = (r << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return r;
}

// Matches one rune `r` against the class starting after "[" at p[pi]; sets pi past the "]".
bool match_class(unsigned r, const std::string& p, size_t& pi, bool& ok) {
  auto next = [&](unsigned& out) {
    if (pi < p.size() && p[pi] == kGlob) pi++;
    if (pi >= p.size()) return false;
    size_t len;
    out = rune_at(p, pi, len);
    pi += len;
    return true;
  };
  bool compl_ = false;
  if (pi < p.size() && p[pi] == '~') {
    compl_ = true;
    pi++;
  }
  bool hit = false;
  unsigned lo;
  for (;;) {
    if (!next(lo)) return false;
    if (lo == ']') break;
    unsigned hi = lo;
    if (pi < p.size() && p[pi] == '-') {
      pi++;
      if (!next(hi)) return false;
    }
    if (lo <= r && r <= hi) hit = true;
  }
  ok = hit != compl_;
  return true;
}

bool match_at(const std::string& s, size_t si, const std::string& p, size_t pi) {
  while (pi < p.size()) {
    if (p[pi] != kGlob) {
      if (si >= s.size() || s[si] != p[pi]) return false;
      si++;
      pi++;
      continue;
    }
    pi++;
    if (pi >= p.size()) return si == s.size();
    char c = p[pi++];
    if (c == '*') {
      for (size_t k = si;; k += rune_len(s, k)) {
        if (match_at(s, k, p, pi)) return true;
        if (k >= s.size()) return false;
      }
    }
    if (si >= s.size()) return false;
    size_t len;
    unsigned r = rune_at(s, si, len);
    if (c == '?') {
      si += len;
      continue;
    }
    if (c == '[') {
      bool ok = false;
      if (!match_class(r, p, pi, ok)) return false;
      if (!ok) return false;
      si += len;
      continue;
    }
    // A marked character that is not special (the marker byte itself) matches literally.
    if (s[si] != c) return false;
    si++;
  }
  return si == s.size();
}

std::vector<std::string> split_path(const std::string& p) {
  std::vector<std::string> parts;
  std::string cur;
  for (char c : p) {
    if (c == '/') {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  parts.push_back(cur);
  return parts;
}

// Extends each prefix in `in` by the entries of that directory matching `comp`.
void glob_component(const std::vector<std::string>& in, const std::string& comp, bool last,
                    std::vector<std::string>& out) {
  if (!has_glob(comp)) {
    std::string lit = strip_glob(comp);
    for (auto& pre : in) {
      std::string path = pre + lit;
      if (last ? os::exists(path) : os::is_dir(path)) out.push_back(last ? path : path + "/");
    }
    return;
  }
  for (auto& pre : in) {
    std::vector<std::string> names;
    if (!os::readdir(pre.empty() ? "." : pre, names)) continue;
    std::sort(names.begin(), names.end());
    for (auto& n : names) {
      // Unlike Unix shells, rc's * matches a leading dot (only . and .. are never listed).
      if (!match(n, comp)) continue;
      std::string path = pre + n;
      if (last)
        out.push_back(path);
      else if (os::is_dir(path))
        out.push_back(path + "/");
    }
  }
}

}  // namespace

bool match(const std::string& s, const std::string& pattern) { return match_at(s, 0, pattern, 0); }

bool has_glob(const std::string& s) {
  for (size_t i = 0; i + 1 < s.size(); i++)
    if (s[i] == kGlob) return true;
  return false;
}

std::string strip_glob(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] == kGlob && i + 1 < s.size()) continue;
    out += s[i];
  }
  return out;
}

List glob(const std::string& pattern) {
  if (!has_glob(pattern)) return {strip_glob(pattern)};
  auto parts = split_path(pattern);
  std::vector<std::string> cur = {""};
  size_t i = 0;
  if (parts.size() > 1 && parts[0].empty()) {
    cur = {"/"};
    i = 1;
  }
  for (; i < parts.size(); i++) {
    bool last = i + 1 == parts.size();
    if (parts[i].empty() && !last) continue;  // "a//b"
    std::vector<std::string> next;
    glob_component(cur, parts[i], last, next);
    cur = std::move(next);
    if (cur.empty()) break;
  }
  if (cur.empty()) return {strip_glob(pattern)};
  std::sort(cur.begin(), cur.end());
  return cur;
}

}  // namespace rc
