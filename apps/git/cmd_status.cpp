// git status [-s | --short]: what is staged, what is changed in the work tree, what is untracked.
#include "git.h"
#include "output.h"

namespace web9::git {

namespace {

char index_code(unsigned s) {
  if (s & GIT_STATUS_INDEX_NEW)
    return 'A';
  if (s & GIT_STATUS_INDEX_RENAMED)
    return 'R';
  if (s & GIT_STATUS_INDEX_MODIFIED)
    return 'M';
  if (s & GIT_STATUS_INDEX_DELETED)
    return 'D';
  if (s & GIT_STATUS_INDEX_TYPECHANGE)
    return 'T';
  return ' ';
}

char worktree_code(unsigned s) {
  if (s & GIT_STATUS_WT_MODIFIED)
    return 'M';
  if (s & GIT_STATUS_WT_DELETED)
    return 'D';
  if (s & GIT_STATUS_WT_RENAMED)
    return 'R';
  if (s & GIT_STATUS_WT_TYPECHANGE)
    return 'T';
  return ' ';
}

const char* index_words(unsigned s) {
  switch (index_code(s)) {
    case 'A': return "new file:   ";
    case 'M': return "modified:   ";
    case 'D': return "deleted:    ";
    case 'R': return "renamed:    ";
    default: return "typechange: ";
  }
}

const char* worktree_words(unsigned s) {
  switch (worktree_code(s)) {
    case 'M': return "modified:   ";
    case 'D': return "deleted:    ";
    case 'R': return "renamed:    ";
    default: return "typechange: ";
  }
}

std::string path_of(const git_status_entry* e) {
  const git_diff_delta* d = e->head_to_index ? e->head_to_index : e->index_to_workdir;
  return d->new_file.path ? d->new_file.path : d->old_file.path;
}

// A staged rename reads "old -> new", as git prints it.
std::string staged_path(const git_status_entry* e) {
  const git_diff_delta* d = e->head_to_index;
  if ((e->status & GIT_STATUS_INDEX_RENAMED) && d && d->old_file.path && d->new_file.path)
    return std::string(d->old_file.path) + " -> " + d->new_file.path;
  return path_of(e);
}

}  // namespace

int cmd_status(int argc, char** argv) {
  std::vector<bool> seen;
  Flags flags = parse(argc, argv, {"s", "[-s | --short]", "Show what is staged, changed and untracked."}, {"--short"}, &seen);
  if (!flags.args().empty())
    flags.usage();
  bool brief = flags.has('s') || seen[0];
  git_repository* repo = open_repo();

  git_status_options opts = GIT_STATUS_OPTIONS_INIT;
  opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
  opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
               GIT_STATUS_OPT_SORT_CASE_SENSITIVELY | GIT_STATUS_OPT_RENAMES_HEAD_TO_INDEX;
  git_status_list* list = nullptr;
  check(git_status_list_new(&list, repo, &opts), "status");
  size_t n = git_status_list_entrycount(list);

  if (brief) {
    // As git does: changes to tracked files first, then the untracked ones, each by path.
    for (int pass = 0; pass < 2; pass++) {
      for (size_t i = 0; i < n; i++) {
        const git_status_entry* e = git_status_byindex(list, i);
        if (e->status == GIT_STATUS_CURRENT || (e->status & GIT_STATUS_IGNORED))
          continue;
        bool untracked = e->status == GIT_STATUS_WT_NEW;
        if (pass == 0 && !untracked)
          out().printf("%c%c %s\n", index_code(e->status), worktree_code(e->status), staged_path(e).c_str());
        else if (pass == 1 && untracked)
          out().printf("?? %s\n", path_of(e).c_str());
      }
    }
  } else {
    out().printf("On branch %s\n", head_branch(repo).c_str());
    if (git_repository_head_unborn(repo) == 1)
      out().put("\nNo commits yet\n");
    const char* titles[] = {"Changes to be committed:", "Changes not staged for commit:", "Untracked files:"};
    bool any = false;
    for (int section = 0; section < 3; section++) {
      bool titled = false;
      for (size_t i = 0; i < n; i++) {
        const git_status_entry* e = git_status_byindex(list, i);
        unsigned s = e->status;
        std::string line;
        if (section == 0 && index_code(s) != ' ')
          line = std::string(index_words(s)) + staged_path(e);
        else if (section == 1 && worktree_code(s) != ' ')
          line = std::string(worktree_words(s)) + path_of(e);
        else if (section == 2 && (s & GIT_STATUS_WT_NEW))
          line = path_of(e);
        else
          continue;
        if (!titled)
          out().printf("\n%s\n", titles[section]);
        titled = any = true;
        out().printf("\t%s\n", line.c_str());
      }
    }
    if (!any)
      out().put("\nnothing to commit, working tree clean\n");
  }
  git_status_list_free(list);
  git_repository_free(repo);
  return 0;
}

}  // namespace web9::git
