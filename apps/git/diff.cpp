// Patches and diffstats as git prints them, for diff, show and log -p (git.h).
#include <algorithm>
#include <cstdint>

#include "git.h"
#include "output.h"

namespace web9::git {

namespace {

// git (diff.renames, on by default since 2.9) reports a moved file as a rename.
void find_renames(git_diff* diff) {
  git_diff_find_options opts = GIT_DIFF_FIND_OPTIONS_INIT;
  opts.flags = GIT_DIFF_FIND_RENAMES;
  check(git_diff_find_similar(diff, &opts), "diff");
}

int print_line(const git_diff_delta*, const git_diff_hunk*, const git_diff_line* line, void*) {
  switch (line->origin) {
    case GIT_DIFF_LINE_CONTEXT:
    case GIT_DIFF_LINE_ADDITION:
    case GIT_DIFF_LINE_DELETION:
      out().put(line->origin);
      break;
    default:
      break;
  }
  out().write(line->content, line->content_len);
  return 0;
}

}  // namespace

git_diff* commit_diff(git_repository* repo, git_commit* c) {
  if (git_commit_parentcount(c) > 1)
    return nullptr;
  git_tree* tree = nullptr;
  git_tree* parent_tree = nullptr;
  check(git_commit_tree(&tree, c), hex(git_commit_id(c)));
  if (git_commit_parentcount(c) == 1) {
    git_commit* parent = nullptr;
    check(git_commit_parent(&parent, c, 0), hex(git_commit_id(c)));
    check(git_commit_tree(&parent_tree, parent), hex(git_commit_id(parent)));
    git_commit_free(parent);
  }
  git_diff* diff = nullptr;
  check(git_diff_tree_to_tree(&diff, repo, parent_tree, tree, nullptr), "diff");
  git_tree_free(tree);
  git_tree_free(parent_tree);
  return diff;
}

void print_patch(git_diff* diff) {
  find_renames(diff);
  check(git_diff_print(diff, GIT_DIFF_FORMAT_PATCH, print_line, nullptr), "diff");
}

namespace {

// git's name for a rename in a diffstat: the common leading and trailing directories kept once,
// "src/{a.c => b.c}" (diff.c's pprint_rename).
std::string rename_name(std::string_view a, std::string_view b) {
  size_t pfx = 0;
  for (size_t i = 0; i < a.size() && i < b.size() && a[i] == b[i]; i++)
    if (a[i] == '/')
      pfx = i + 1;
  // Walk back from the ends (the terminators match too), at most one character into the prefix.
  size_t sfx = 0;
  long ia = static_cast<long>(a.size()), ib = static_cast<long>(b.size());
  long floor = static_cast<long>(pfx) - (pfx ? 1 : 0);
  while (ia >= floor && ib >= floor) {
    char ca = ia < static_cast<long>(a.size()) ? a[ia] : 0;
    char cb = ib < static_cast<long>(b.size()) ? b[ib] : 0;
    if (ca != cb)
      break;
    if (ca == '/')
      sfx = a.size() - ia;
    ia--, ib--;
  }
  long amid = static_cast<long>(a.size()) - static_cast<long>(pfx + sfx);
  long bmid = static_cast<long>(b.size()) - static_cast<long>(pfx + sfx);
  std::string name;
  if (pfx + sfx)
    name += std::string(a.substr(0, pfx)) + "{";
  name += std::string(a.substr(pfx, amid > 0 ? amid : 0)) + " => " + std::string(b.substr(pfx, bmid > 0 ? bmid : 0));
  if (pfx + sfx)
    name += "}" + std::string(a.substr(a.size() - sfx));
  return name;
}

int digits(uint64_t n) {
  int d = 1;
  while (n >= 10)
    n /= 10, d++;
  return d;
}

uint64_t scale(uint64_t n, uint64_t width, uint64_t max) { return n ? 1 + n * (width - 1) / max : 0; }

uint64_t blob_size(git_repository* repo, const git_diff_file& f) {
  if (f.size || git_oid_is_zero(&f.id))
    return f.size;
  git_blob* blob = nullptr;
  uint64_t size = 0;
  if (git_blob_lookup(&blob, repo, &f.id) == 0)
    size = static_cast<uint64_t>(git_blob_rawsize(blob));
  git_error_clear();
  git_blob_free(blob);
  return size;
}

}  // namespace

// As git's show_stats (diff.c) with an 80-column width: names cut to "..." on the left, the
// +/- graph scaled to the room left, binary files as "Bin old -> new bytes".
void print_stat(git_diff* diff) {
  find_renames(diff);
  struct File {
    std::string name;
    uint64_t added = 0, deleted = 0;
    bool binary = false;
  };
  std::vector<File> files;
  uint64_t max_change = 0, max_len = 0, insertions = 0, deletions = 0;
  int number_width = 0, bin_width = 0;
  for (size_t i = 0; i < git_diff_num_deltas(diff); i++) {
    git_patch* patch = nullptr;
    check(git_patch_from_diff(&patch, diff, i), "diff");
    const git_diff_delta* d = git_patch_get_delta(patch);
    File f;
    std::string_view from = d->old_file.path, to = d->new_file.path;
    f.name = from == to ? std::string(to) : rename_name(from, to);
    max_len = std::max<uint64_t>(max_len, f.name.size());
    if (d->flags & GIT_DIFF_FLAG_BINARY) {
      f.binary = true;
      git_repository* repo = git_patch_owner(patch);
      f.deleted = blob_size(repo, d->old_file);
      f.added = blob_size(repo, d->new_file);
      bin_width = std::max(bin_width, 14 + digits(f.added) + digits(f.deleted));
      number_width = 3;
    } else {
      size_t context, adds, dels;
      check(git_patch_line_stats(&context, &adds, &dels, patch), "diff");
      f.added = adds;
      f.deleted = dels;
      insertions += adds;
      deletions += dels;
      max_change = std::max<uint64_t>(max_change, adds + dels);
    }
    files.push_back(f);
    git_patch_free(patch);
  }
  if (files.empty())
    return;

  int width = 80;
  number_width = std::max(number_width, digits(max_change));
  if (width < 16 + 6 + number_width)
    width = 16 + 6 + number_width;
  long graph_width = static_cast<long>(max_change) + 4 > bin_width ? static_cast<long>(max_change) : bin_width - 4;
  long name_width = static_cast<long>(max_len);
  if (name_width + number_width + 6 + graph_width > width) {
    if (graph_width > width * 3 / 8 - number_width - 6) {
      graph_width = width * 3 / 8 - number_width - 6;
      if (graph_width < 6)
        graph_width = 6;
    }
    if (name_width > width - number_width - 6 - graph_width)
      name_width = width - number_width - 6 - graph_width;
    else
      graph_width = width - number_width - 6 - name_width;
  }

  for (auto& f : files) {
    std::string_view name = f.name;
    std::string prefix;
    long len = name_width;
    if (name_width < static_cast<long>(name.size())) {
      prefix = "...";
      len = std::max(0L, len - 3);
      name.remove_prefix(name.size() - static_cast<size_t>(len));
      if (size_t slash = name.find('/'); slash != std::string_view::npos)
        name.remove_prefix(slash);
    }
    int padding = static_cast<int>(std::max(0L, len - static_cast<long>(name.size())));
    out().printf(" %s%.*s%*s | ", prefix.c_str(), static_cast<int>(name.size()), name.data(), padding, "");
    if (f.binary) {
      out().printf("%*s", number_width, "Bin");
      if (f.added || f.deleted)
        out().printf(" %llu -> %llu bytes", static_cast<unsigned long long>(f.deleted),
                     static_cast<unsigned long long>(f.added));
      out().put('\n');
      continue;
    }
    uint64_t add = f.added, del = f.deleted;
    if (static_cast<uint64_t>(graph_width) <= max_change) {
      uint64_t total = scale(add + del, graph_width, max_change);
      if (total < 2 && add && del)
        total = 2;
      if (add < del) {
        add = scale(add, graph_width, max_change);
        del = total - add;
      } else {
        del = scale(del, graph_width, max_change);
        add = total - del;
      }
    }
    out().printf("%*llu%s%s%s\n", number_width, static_cast<unsigned long long>(f.added + f.deleted),
                 f.added + f.deleted ? " " : "", std::string(add, '+').c_str(), std::string(del, '-').c_str());
  }
  out().printf(" %zu file%s changed", files.size(), files.size() == 1 ? "" : "s");
  if (insertions || !deletions)
    out().printf(", %llu insertion%s(+)", static_cast<unsigned long long>(insertions), insertions == 1 ? "" : "s");
  if (deletions || !insertions)
    out().printf(", %llu deletion%s(-)", static_cast<unsigned long long>(deletions), deletions == 1 ? "" : "s");
  out().put('\n');
}

}  // namespace web9::git
