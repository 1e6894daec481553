// git log [--oneline] [--format=fmt] [-p] [-n count] [revision]: the commits reachable from HEAD
// (or revision), newest first, -p with each one's patch.
#include <cstdlib>
#include <ctime>

#include "git.h"
#include "output.h"
#include "prog.h"

namespace web9::git {

namespace {

// git's default date: "Mon Jun 3 12:00:00 2024 +0200", in the signature's own zone.
std::string date(const git_time& when) {
  time_t t = static_cast<time_t>(when.time + static_cast<int64_t>(when.offset) * 60);
  struct tm tm;
  gmtime_r(&t, &tm);
  static const char* const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int off = when.offset < 0 ? -when.offset : when.offset;
  char buf[64];
  snprintf(buf, sizeof buf, "%s %s %d %02d:%02d:%02d %d %c%02d%02d", days[tm.tm_wday], months[tm.tm_mon], tm.tm_mday,
           tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_year + 1900, when.offset < 0 ? '-' : '+', off / 60, off % 60);
  return buf;
}

}  // namespace

void print_commit(git_commit* c, bool oneline) {
  const git_oid* id = git_commit_id(c);
  if (oneline) {
    const char* summary = git_commit_summary(c);
    out().printf("%s %s\n", hex(id, 7).c_str(), summary ? summary : "");
    return;
  }
  const git_signature* a = git_commit_author(c);
  out().printf("commit %s\n", hex(id).c_str());
  if (git_commit_parentcount(c) > 1) {
    out().put("Merge:");
    for (unsigned i = 0; i < git_commit_parentcount(c); i++)
      out().printf(" %s", hex(git_commit_parent_id(c, i), 7).c_str());
    out().put('\n');
  }
  out().printf("Author: %s <%s>\nDate:   %s\n\n", a->name, a->email, date(a->when).c_str());
  std::string_view msg = git_commit_message(c);
  while (msg.ends_with("\n"))
    msg.remove_suffix(1);
  while (!msg.empty()) {
    size_t nl = msg.find('\n');
    std::string_view line = msg.substr(0, nl);
    out().printf("    %.*s\n", static_cast<int>(line.size()), line.data());
    msg = nl == std::string_view::npos ? std::string_view() : msg.substr(nl + 1);
  }
}

namespace {

std::string body(git_commit* c) {
  const char* b = git_commit_body(c);
  std::string s = b ? b : "";
  while (s.ends_with("\n"))
    s.pop_back();
  return s.empty() ? s : s + "\n";
}

// --format: git's %H %h %T %t %P %p %an %ae %ad %cn %ce %cd %s %b %B %n %%; anything else as is.
void print_format(git_commit* c, std::string_view fmt) {
  std::string line;
  const git_signature* a = git_commit_author(c);
  const git_signature* m = git_commit_committer(c);
  for (size_t i = 0; i < fmt.size(); i++) {
    if (fmt[i] != '%' || i + 1 == fmt.size()) {
      line += fmt[i];
      continue;
    }
    char k = fmt[++i];
    char k2 = i + 1 < fmt.size() ? fmt[i + 1] : 0;
    auto parents = [&](size_t n) {
      std::string s;
      for (unsigned p = 0; p < git_commit_parentcount(c); p++)
        s += (p ? " " : "") + hex(git_commit_parent_id(c, p), n);
      return s;
    };
    if (k == 'H') line += hex(git_commit_id(c));
    else if (k == 'h') line += hex(git_commit_id(c), 7);
    else if (k == 'T') line += hex(git_commit_tree_id(c));
    else if (k == 't') line += hex(git_commit_tree_id(c), 7);
    else if (k == 'P') line += parents(GIT_OID_HEXSZ);
    else if (k == 'p') line += parents(7);
    else if (k == 's') line += git_commit_summary(c) ? git_commit_summary(c) : "";
    else if (k == 'b') line += body(c);
    else if (k == 'B') line += git_commit_message(c);
    else if (k == 'n') line += '\n';
    else if (k == '%') line += '%';
    else if ((k == 'a' || k == 'c') && (k2 == 'n' || k2 == 'e' || k2 == 'd')) {
      const git_signature* s = k == 'a' ? a : m;
      line += k2 == 'n' ? s->name : k2 == 'e' ? s->email : date(s->when);
      i++;
    } else {
      line += '%';
      line += k;
    }
  }
  out().put(line);
  out().put('\n');
}

}  // namespace

int cmd_log(int argc, char** argv) {
  // --format=F, --pretty=format:F or tformat:F, --pretty=oneline: taken out before the flags.
  std::string format;
  bool formatted = false;
  std::vector<char*> rest;
  for (int i = 0; i < argc; i++) {
    std::string_view a = argv[i];
    if (i > 0 && (a.starts_with("--format=") || a.starts_with("--pretty="))) {
      a.remove_prefix(a.find('=') + 1);
      if (a == "oneline")
        a = "%H %s";  // unlike --oneline, the whole id
      if (a.starts_with("format:") || a.starts_with("tformat:"))
        a.remove_prefix(a.find(':') + 1);
      format = a;
      formatted = true;
      continue;
    }
    rest.push_back(argv[i]);
  }
  std::vector<bool> seen;
  Flags flags = parse(static_cast<int>(rest.size()), rest.data(),
                      {"n:p", "[--oneline] [--format=fmt] [-p] [-n count] [revision]",
                       "Show the commits reachable from HEAD (or revision), newest first; -p with their patches."},
                      {"--oneline"}, &seen);
  if (flags.args().size() > 1)
    flags.usage();
  bool oneline = seen[0];
  bool patch = flags.has('p');
  long limit = flags.value('n') ? std::strtol(flags.value('n'), nullptr, 10) : -1;
  git_repository* repo = open_repo();

  git_revwalk* walk = nullptr;
  check(git_revwalk_new(&walk, repo), "log");
  git_revwalk_sorting(walk, GIT_SORT_TIME);
  if (!flags.args().empty()) {
    git_object* start = resolve(repo, flags.args()[0]);
    check(git_revwalk_push(walk, git_object_id(start)), "log");
    git_object_free(start);
  } else {
    if (git_repository_head_unborn(repo) == 1)
      die("log", "branch " + head_branch(repo) + " has no commits yet");
    check(git_revwalk_push_head(walk), "HEAD");
  }

  git_oid id;
  int err = 0;
  bool first = true;
  while (limit != 0 && (err = git_revwalk_next(&id, walk)) == 0) {
    git_commit* c = nullptr;
    check(git_commit_lookup(&c, repo, &id), hex(&id));
    if (formatted) {
      print_format(c, format);
    } else {
      if (!first && !oneline)
        out().put('\n');
      print_commit(c, oneline);
    }
    if (patch) {
      if (git_diff* diff = commit_diff(repo, c)) {
        if (git_diff_num_deltas(diff) > 0 && !oneline)
          out().put('\n');
        print_patch(diff);
        git_diff_free(diff);
      }
    }
    git_commit_free(c);
    first = false;
    if (limit > 0)
      limit--;
  }
  if (err != GIT_ITEROVER && limit != 0)
    check(err, "log");
  git_revwalk_free(walk);
  git_repository_free(repo);
  return 0;
}

}  // namespace web9::git
