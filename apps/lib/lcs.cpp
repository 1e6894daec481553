// Myers' diff (see lcs.h). The trace keeps one frontier per edit distance, so memory
// grows with the number of differences, not with the file sizes multiplied.
#include "lcs.h"

#include <algorithm>

namespace web9 {

std::vector<Edit> shortest_edit(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  const long n = static_cast<long>(a.size()), m = static_cast<long>(b.size());
  const long max = n + m;
  const long off = max + 1;
  std::vector<long> v(static_cast<size_t>(2 * max + 3), 0);
  std::vector<std::vector<long>> trace;
  long dfinal = 0;
  for (long d = 0; d <= max; d++) {
    trace.push_back(v);
    bool done = false;
    for (long k = -d; k <= d; k += 2) {
      long x;
      if (k == -d || (k != d && v[static_cast<size_t>(off + k - 1)] < v[static_cast<size_t>(off + k + 1)]))
        x = v[static_cast<size_t>(off + k + 1)];  // step down: an insertion
      else
        x = v[static_cast<size_t>(off + k - 1)] + 1;  // step right: a deletion
      long y = x - k;
      while (x < n && y < m && a[static_cast<size_t>(x)] == b[static_cast<size_t>(y)])
        x++, y++;
      v[static_cast<size_t>(off + k)] = x;
      if (x >= n && y >= m) {
        done = true;
        break;
      }
    }
    if (done) {
      dfinal = d;
      break;
    }
  }
  // Walk the trace back from (n, m), collecting the edits in reverse.
  std::vector<Edit> edits;
  long x = n, y = m;
  for (long d = dfinal; d >= 0; d--) {
    const auto& vd = trace[static_cast<size_t>(d)];
    long k = x - y;
    long pk;
    if (d == 0)
      pk = 0;
    else if (k == -d || (k != d && vd[static_cast<size_t>(off + k - 1)] < vd[static_cast<size_t>(off + k + 1)]))
      pk = k + 1;
    else
      pk = k - 1;
    long px = d == 0 ? 0 : vd[static_cast<size_t>(off + pk)];
    long py = px - pk;
    while (x > px && y > py) {
      x--, y--;
      edits.push_back({Edit::same, static_cast<size_t>(x), static_cast<size_t>(y)});
    }
    if (d == 0)
      break;
    if (x == px)
      edits.push_back({Edit::ins, static_cast<size_t>(x), static_cast<size_t>(--y)});
    else
      edits.push_back({Edit::del, static_cast<size_t>(--x), static_cast<size_t>(y)});
  }
  std::reverse(edits.begin(), edits.end());
  return edits;
}

}  // namespace web9
