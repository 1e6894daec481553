// seq: print a sequence of numbers, first [incr] last (Plan 9 seq): -w pads them to
// equal width with zeros, -f sets a printf format.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

#include "flags.h"
#include "output.h"
#include "prog.h"

using namespace web9;

namespace {

bool number(const std::string& s, double& v) {
  char* end;
  v = std::strtod(s.c_str(), &end);
  return !s.empty() && *end == '\0' && std::isfinite(v);
}

// Digits after the decimal point: -w pads to the widest precision of the arguments.
int decimals(const std::string& s) {
  auto dot = s.find('.');
  if (dot == std::string::npos)
    return 0;
  size_t e = s.find_first_of("eE", dot);
  return static_cast<int>((e == std::string::npos ? s.size() : e) - dot - 1);
}

// A -f format must hold exactly one floating conversion.
bool good_format(const char* f) {
  int convs = 0;
  for (const char* p = f; *p; p++) {
    if (*p != '%')
      continue;
    if (p[1] == '%') {
      p++;
      continue;
    }
    p++;
    while (*p && std::strchr("-+ #0123456789.", *p))
      p++;
    if (!*p || !std::strchr("eEfgG", *p))
      return false;
    convs++;
  }
  return convs == 1;
}

}  // namespace

int main(int argc, char** argv) {
  FlagSpec spec{"wf:", "[-w] [-f format] [first [incr]] last", "Print a sequence of numbers."};
  spec.numbers_are_operands = true;
  Flags flags(argc, argv, spec);
  auto& a = flags.args();
  if (a.empty() || a.size() > 3)
    flags.usage();
  double first = 1, incr = 1, last;
  bool ok = number(a.back(), last);
  if (a.size() >= 2)
    ok = ok && number(a[0], first);
  if (a.size() == 3)
    ok = ok && number(a[1], incr);
  if (!ok) {
    complain("bad number");
    return 1;
  }
  if (incr == 0) {
    complain("zero increment");
    return 1;
  }
  int prec = 0;
  for (auto& s : a)
    prec = std::max(prec, decimals(s));
  // Like Plan 9's %g, but with enough digits that a million is not 1e+06.
  std::string fmt = "%.15g";
  if (const char* f = flags.value('f')) {
    if (!good_format(f)) {
      complain(std::string(f), "bad format");
      return 1;
    }
    fmt = f;
  }
  if (flags.has('w') && !flags.has('f')) {
    char b1[64], b2[64];
    snprintf(b1, sizeof b1, fmt.c_str(), first);
    snprintf(b2, sizeof b2, fmt.c_str(), last);
    size_t width = std::max(std::strlen(b1), std::strlen(b2));
    fmt = "%0" + std::to_string(width) + "." + std::to_string(prec) + "f";
  }
  fmt += '\n';
  // Count steps rather than adding, so 0.1 steps do not drift past the end.
  double span = (last - first) / incr;
  if (span < 0)
    return 0;
  long long n = static_cast<long long>(std::floor(span + 1e-9));
  for (long long i = 0; i <= n; i++)
    out().printf(fmt.c_str(), first + static_cast<double>(i) * incr);
  return 0;
}
