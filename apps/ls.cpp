// ls: list files and directories in Plan 9 ls's formats: names one per line, or with
// -l "mode type dev user group length time name". Sorted by name; -t by time, newest
// first; -r reverses; -n leaves the order as read. -d lists directories themselves,
// -p prints only the last path element, -s gives sizes in KB, -F marks directories.
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <sys/stat.h>

#include "dirlist.h"
#include "flags.h"
#include "output.h"
#include "path.h"
#include "prog.h"
#include "quote.h"

using namespace web9;

namespace {

struct Entry {
  std::string name;    // as stat found it, or the last element of the argument
  std::string prefix;  // the directory it was listed from, when that is printed
  bool has_prefix = false;
  struct stat st;
};

bool dflag, lflag, nflag, pflag, rflag, sflag, tflag, Fflag;
time_t now;
std::vector<Entry> pending;

// No WASI host reports permissions; show the usual ones when the mode bits are empty.
mode_t perms(const struct stat& st) {
  mode_t p = st.st_mode & 0777;
  if (p == 0)
    p = S_ISDIR(st.st_mode) ? 0755 : 0644;
  return p;
}

std::string mode_string(const struct stat& st) {
  std::string m = S_ISDIR(st.st_mode) ? "d-" : "--";
  mode_t p = perms(st);
  const char* rwx = "rwx";
  for (int shift = 6; shift >= 0; shift -= 3)
    for (int bit = 0; bit < 3; bit++)
      m += (p >> (shift + 2 - bit)) & 1 ? rwx[bit] : '-';
  return m;
}

// "Nov 25 13:28" within six months, "Nov 25  2025" outside them (Plan 9's asciitime).
std::string ascii_time(time_t t) {
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  if (t < now - 180L * 24 * 60 * 60 || now + 24L * 60 * 60 < t)
    strftime(buf, sizeof buf, "%b %e  %Y", &tm);
  else
    strftime(buf, sizeof buf, "%b %e %H:%M", &tm);
  // strftime's %e pads with a blank, as ctime does.
  return buf;
}

const char* user() {
  const char* u = std::getenv("user");
  if (!u || !*u)
    u = std::getenv("USER");
  return u && *u ? u : "none";
}

int compare(const Entry& a, const Entry& b) {
  int i = 0;
  if (tflag) {
    i = a.st.st_mtime > b.st.st_mtime ? -1 : a.st.st_mtime < b.st.st_mtime ? 1 : 0;
  } else if (a.has_prefix && b.has_prefix) {
    i = a.prefix.compare(b.prefix);
    if (i == 0)
      i = a.name.compare(b.name);
  } else if (a.has_prefix) {
    i = a.prefix.compare(b.name);
    if (i == 0)
      i = 1;
  } else if (b.has_prefix) {
    i = a.name.compare(b.prefix);
    if (i == 0)
      i = -1;
  } else {
    i = a.name.compare(b.name);
  }
  return rflag ? -i : i;
}

// Plan 9 directories have length 0; hosts that report a block size for them would
// make every listing differ from Plan 9's.
long long length(const struct stat& st) { return S_ISDIR(st.st_mode) ? 0 : static_cast<long long>(st.st_size); }
long long kbytes(const struct stat& st) { return (length(st) + 1023) / 1024; }

void output() {
  if (!nflag)
    std::stable_sort(pending.begin(), pending.end(), [](const Entry& a, const Entry& b) { return compare(a, b) < 0; });
  size_t swidth = 0, uwidth = 0, glwidth = 0;
  const char* uid = user();
  for (auto& e : pending) {
    swidth = std::max(swidth, std::to_string(kbytes(e.st)).size());
    uwidth = std::max(uwidth, std::string_view(uid).size());
    glwidth = std::max(glwidth, std::to_string(length(e.st)).size() + std::string_view(uid).size());
  }
  for (auto& e : pending) {
    std::string name = e.name;
    if (!pflag && e.has_prefix)
      name = (e.prefix == "/" ? "" : e.prefix) + "/" + e.name;
    if (sflag)
      out().printf("%*lld ", static_cast<int>(swidth), kbytes(e.st));
    if (lflag) {
      out().printf("%s M 0 %-*s %s %*lld %s %s\n", mode_string(e.st).c_str(), static_cast<int>(uwidth), uid, uid,
                   static_cast<int>(glwidth - std::string_view(uid).size()), length(e.st),
                   ascii_time(e.st.st_mtime).c_str(), quoted(name).c_str());
      continue;
    }
    out().put(quoted(name));
    if (Fflag && S_ISDIR(e.st.st_mode))
      out().put('/');
    else if (Fflag && (e.st.st_mode & 0111))
      out().put('*');
    out().put('\n');
  }
  pending.clear();
}

void ls(std::string s, bool multi) {
  while (s.size() > 1 && s.back() == '/')
    s.pop_back();
  Entry e;
  if (::stat(s.c_str(), &e.st) != 0) {
    complain(s, errno);
    return;
  }
  if (S_ISDIR(e.st.st_mode) && !dflag) {
    output();
    std::vector<std::string> names;
    if (int err = list_dir(s, names); err != 0) {
      complain(s, err);
      return;
    }
    for (auto& n : names) {
      Entry d;
      if (::lstat(join_path(s, n).c_str(), &d.st) != 0 && ::stat(join_path(s, n).c_str(), &d.st) != 0) {
        complain(join_path(s, n), errno);
        continue;
      }
      d.name = n;
      d.prefix = s;
      d.has_prefix = multi;
      pending.push_back(std::move(d));
    }
    output();
    return;
  }
  auto slash = s.rfind('/');
  if (slash != std::string::npos && s != "/") {
    e.prefix = slash == 0 ? "/" : s.substr(0, slash);
    e.has_prefix = true;
    e.name = s.substr(slash + 1);
  } else {
    e.name = s;
  }
  pending.push_back(std::move(e));
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags(argc, argv, {"dlnprstF", "[-dlnprstF] [file ...]", "List files and directories."});
  dflag = flags.has('d'), lflag = flags.has('l'), nflag = flags.has('n'), pflag = flags.has('p');
  rflag = flags.has('r'), sflag = flags.has('s'), tflag = flags.has('t'), Fflag = flags.has('F');
  now = time(nullptr);
  auto& args = flags.args();
  if (args.empty())
    ls(".", false);
  for (auto& a : args)
    ls(a, true);
  output();
  if (!out().flush())
    complain("write error", errno);
  return exit_status();
}
