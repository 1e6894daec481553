// git show [--stat] [object]: a commit (HEAD by default) as `git log` prints it, then its patch
// (or diffstat) against its parent; rev:path names a blob, printed as it is, or a tree, listed.
#include "git.h"
#include "output.h"

namespace web9::git {

int cmd_show(int argc, char** argv) {
  std::vector<bool> seen;
  Flags flags = parse(argc, argv,
                      {"", "[--stat] [commit | commit:path]",
                       "Show a commit and its patch, or a file or directory as a commit has it."},
                      {"--stat"}, &seen);
  if (flags.args().size() > 1)
    flags.usage();
  std::string rev = flags.args().empty() ? "HEAD" : flags.args()[0];
  git_repository* repo = open_repo();
  git_object* obj = resolve(repo, rev, GIT_OBJECT_ANY);
  if (git_object_type(obj) == GIT_OBJECT_TAG) {
    git_object* target = nullptr;
    check(git_object_peel(&target, obj, GIT_OBJECT_COMMIT), rev);
    git_object_free(obj);
    obj = target;
  }
  switch (git_object_type(obj)) {
    case GIT_OBJECT_BLOB: {
      auto* blob = reinterpret_cast<git_blob*>(obj);
      out().write(git_blob_rawcontent(blob), static_cast<size_t>(git_blob_rawsize(blob)));
      break;
    }
    case GIT_OBJECT_TREE: {
      auto* tree = reinterpret_cast<git_tree*>(obj);
      out().printf("tree %s\n\n", rev.c_str());
      for (size_t i = 0; i < git_tree_entrycount(tree); i++) {
        const git_tree_entry* e = git_tree_entry_byindex(tree, i);
        out().printf("%s%s\n", git_tree_entry_name(e), git_tree_entry_type(e) == GIT_OBJECT_TREE ? "/" : "");
      }
      break;
    }
    default: {
      auto* c = reinterpret_cast<git_commit*>(obj);
      print_commit(c, false);
      if (git_diff* diff = commit_diff(repo, c)) {
        if (git_diff_num_deltas(diff) > 0)
          out().put('\n');
        if (seen[0])
          print_stat(diff);
        else
          print_patch(diff);
        git_diff_free(diff);
      }
      break;
    }
  }
  git_object_free(obj);
  git_repository_free(repo);
  return 0;
}

}  // namespace web9::git
