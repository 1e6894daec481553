// du: disk usage in kilobytes, Plan 9 style: each directory's total (children first),
// with -a every file too, with -s only each argument's total.
#include <cerrno>
#include <sys/stat.h>

#include "dirlist.h"
#include "flags.h"
#include "output.h"
#include "path.h"
#include "prog.h"
#include "quote.h"

using namespace web9;

namespace {

bool aflag, sflag;

long long kbytes(const struct stat& st) {
  if (S_ISDIR(st.st_mode))
    return 0;  // a Plan 9 directory has no length of its own
  return (static_cast<long long>(st.st_size) + 1023) / 1024;
}

void print(long long kb, const std::string& name) { out().printf("%lld\t%s\n", kb, quoted(name).c_str()); }

// The total under name; prints what the flags ask for on the way.
long long du(const std::string& name, const struct stat& st, bool top) {
  if (!S_ISDIR(st.st_mode)) {
    long long kb = kbytes(st);
    if (aflag || top)
      if (!sflag || top)
        print(kb, name);
    return kb;
  }
  std::vector<std::string> names;
  if (int err = list_dir(name, names); err != 0)
    complain(name, err);
  long long total = kbytes(st);
  for (auto& n : names) {
    std::string path = join_path(name, n);
    if (name == ".")
      path = "./" + n;
    struct stat sub;
    if (::lstat(path.c_str(), &sub) != 0) {
      complain(path, errno);
      continue;
    }
    if (sflag) {
      bool saved = aflag;
      aflag = false;
      total += du(path, sub, false);
      aflag = saved;
      continue;
    }
    total += du(path, sub, false);
  }
  if (!sflag || top)
    print(total, name);
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags(argc, argv, {"as", "[-as] [file ...]", "Print disk usage in kilobytes."});
  aflag = flags.has('a');
  sflag = flags.has('s');
  auto& args = flags.args();
  if (args.empty())
    args.push_back(".");
  for (auto& a : args) {
    struct stat st;
    if (::stat(a.c_str(), &st) != 0) {
      complain(a, errno);
      continue;
    }
    du(a, st, true);
  }
  return exit_status();
}
