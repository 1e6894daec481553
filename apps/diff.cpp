// diff: show how two files differ, as ed-like "1c1,2" blocks (the default, as Plan 9
// and POSIX print them) or as a unified diff with -u. Exit 0 same, 1 different, 2 trouble.
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sys/stat.h>
#include <vector>

#include "flags.h"
#include "input.h"
#include "lcs.h"
#include "output.h"
#include "path.h"
#include "prog.h"

using namespace web9;

namespace {

using Lines = std::vector<std::string>;

Lines split(const std::string& data) {
  Lines l;
  size_t pos = 0;
  while (pos < data.size()) {
    size_t nl = data.find('\n', pos);
    size_t end = nl == std::string::npos ? data.size() : nl + 1;
    l.push_back(data.substr(pos, end - pos));
    pos = end;
  }
  return l;
}

// A line keeps its newline; one without is the file's unterminated last line.
void print_line(const char* prefix, const std::string& line) {
  out().put(prefix);
  out().put(line);
  if (line.empty() || line.back() != '\n')
    out().put("\n\\ No newline at end of file\n");
}

// A run of changes: old lines [a0, a1) replaced by new lines [b0, b1).
struct Block {
  size_t a0, a1, b0, b1;
};

std::vector<Block> blocks(const std::vector<Edit>& edits) {
  std::vector<Block> r;
  size_t i = 0;
  size_t a = 0, b = 0;
  while (i < edits.size()) {
    if (edits[i].kind == Edit::same) {
      a = edits[i].a + 1, b = edits[i].b + 1;
      i++;
      continue;
    }
    Block blk{a, a, b, b};
    while (i < edits.size() && edits[i].kind != Edit::same) {
      if (edits[i].kind == Edit::del)
        blk.a1 = edits[i].a + 1;
      else
        blk.b1 = edits[i].b + 1;
      i++;
    }
    if (blk.a1 < blk.a0)
      blk.a1 = blk.a0;
    if (blk.b1 < blk.b0)
      blk.b1 = blk.b0;
    a = blk.a1, b = blk.b1;
    r.push_back(blk);
  }
  return r;
}

std::string range(size_t from, size_t to) {
  // Lines from+1..to, 1-based; a single line is just its number.
  if (to <= from + 1)
    return std::to_string(to <= from ? from : to);
  return std::to_string(from + 1) + "," + std::to_string(to);
}

void normal(const Lines& a, const Lines& b, const std::vector<Block>& bl) {
  for (auto& k : bl) {
    if (k.b0 == k.b1)
      out().printf("%sd%zu\n", range(k.a0, k.a1).c_str(), k.b0);
    else if (k.a0 == k.a1)
      out().printf("%zua%s\n", k.a0, range(k.b0, k.b1).c_str());
    else
      out().printf("%sc%s\n", range(k.a0, k.a1).c_str(), range(k.b0, k.b1).c_str());
    for (size_t i = k.a0; i < k.a1; i++)
      print_line("< ", a[i]);
    if (k.a0 != k.a1 && k.b0 != k.b1)
      out().put("---\n");
    for (size_t i = k.b0; i < k.b1; i++)
      print_line("> ", b[i]);
  }
}

std::string hunk_range(size_t start, size_t len) {
  // An empty range names the line before it, as GNU diff does.
  if (len == 1)
    return std::to_string(start + 1);
  return std::to_string(len == 0 ? start : start + 1) + "," + std::to_string(len);
}

void unified(const std::string& na, const std::string& nb, const Lines& a, const Lines& b,
             const std::vector<Block>& bl, size_t ctx) {
  out().printf("--- %s\n+++ %s\n", na.c_str(), nb.c_str());
  size_t i = 0;
  while (i < bl.size()) {
    // Gather blocks whose context would touch or overlap into one hunk.
    size_t j = i;
    while (j + 1 < bl.size() && bl[j + 1].a0 - bl[j].a1 <= 2 * ctx)
      j++;
    size_t a0 = bl[i].a0 >= ctx ? bl[i].a0 - ctx : 0;
    size_t b0 = bl[i].b0 - (bl[i].a0 - a0);
    size_t a1 = std::min(a.size(), bl[j].a1 + ctx);
    size_t b1 = bl[j].b1 + (a1 - bl[j].a1);
    out().printf("@@ -%s +%s @@\n", hunk_range(a0, a1 - a0).c_str(), hunk_range(b0, b1 - b0).c_str());
    size_t pa = a0;
    for (size_t k = i; k <= j; k++) {
      for (; pa < bl[k].a0; pa++)
        print_line(" ", a[pa]);
      for (size_t x = bl[k].a0; x < bl[k].a1; x++)
        print_line("-", a[x]);
      for (size_t x = bl[k].b0; x < bl[k].b1; x++)
        print_line("+", b[x]);
      pa = bl[k].a1;
    }
    for (; pa < a1; pa++)
      print_line(" ", a[pa]);
    i = j + 1;
  }
}

bool binary(const std::string& data) { return std::memchr(data.data(), '\0', std::min<size_t>(data.size(), 8192)); }

}  // namespace

int main(int argc, char** argv) {
  Flags flags(argc, argv, {"uU:", "[-u] [-U lines] file1 file2", "Show the differences between two files."});
  auto& args = flags.args();
  if (args.size() != 2)
    flags.usage();
  std::string na = args[0], nb = args[1];
  // diff file dir compares with the file of the same name in dir.
  struct stat st;
  if (::stat(nb.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && na != "-")
    nb = join_path(nb, basename_of(na));
  else if (::stat(na.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && nb != "-")
    na = join_path(na, basename_of(nb));
  std::string da, db;
  if (!read_file(na, da) || !read_file(nb, db))
    return 2;
  if (da == db)
    return 0;
  if (binary(da) || binary(db)) {
    out().printf("Binary files %s and %s differ\n", na.c_str(), nb.c_str());
    return 1;
  }
  Lines a = split(da), b = split(db);
  auto bl = blocks(shortest_edit(a, b));
  if (flags.has('u') || flags.has('U')) {
    long ctx = std::strtol(flags.value('U', "3"), nullptr, 10);
    unified(na, nb, a, b, bl, static_cast<size_t>(ctx < 0 ? 0 : ctx));
  } else {
    normal(a, b, bl);
  }
  if (!out().flush()) {
    complain("write error", errno);
    return 2;
  }
  return 1;
}
