// Sync logic for /n/github trees (sync.h). Every step works on the repository on disk and the
// small state file .git/web9-sync, so a reload or a killed tab resumes where it stopped.
#include "sync.h"

#include "git.h"

#include <sys/stat.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <memory>
#include <sstream>

namespace web9::git {
namespace {

template <class T, void (*F)(T*)>
struct Free {
  void operator()(T* p) const {
    if (p) F(p);
  }
};
template <class T, void (*F)(T*)>
using Own = std::unique_ptr<T, Free<T, F>>;
using Ref = Own<git_reference, git_reference_free>;
using Commit = Own<git_commit, git_commit_free>;
using Tree = Own<git_tree, git_tree_free>;
using Index = Own<git_index, git_index_free>;
using Remote = Own<git_remote, git_remote_free>;
using Sig = Own<git_signature, git_signature_free>;
using Blob = Own<git_blob, git_blob_free>;
using StatusList = Own<git_status_list, git_status_list_free>;
using Conflicts = Own<git_index_conflict_iterator, git_index_conflict_iterator_free>;

std::string state_file(git_repository* repo) { return std::string(git_repository_path(repo)) + "web9-sync"; }
std::string workdir(git_repository* repo) {
  const char* w = git_repository_workdir(repo);
  return w ? w : "";
}
bool exists(const std::string& path) {
  struct stat sb;
  return ::stat(path.c_str(), &sb) == 0;
}
bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
bool is_sidecar(const SyncState& st, const std::string& path) {
  if (!ends_with(path, kRemoteSuffix)) return false;
  std::string base = path.substr(0, path.size() - std::string(kRemoteSuffix).size());
  for (const auto& c : st.conflicts)
    if (c == base) return true;
  return false;
}

// The checked-out branch, "" when HEAD is detached (git.h's head_branch says "HEAD" then).
std::string current_branch(git_repository* repo) {
  std::string b = head_branch(repo);
  return b == "HEAD" ? "" : b;
}

Sig author(git_repository* repo) { return Sig(signature(repo, "AUTHOR")); }

int lookup_commit(git_repository* repo, const git_oid& id, Commit& out) {
  git_commit* c = nullptr;
  int e = git_commit_lookup(&c, repo, &id);
  out.reset(c);
  return e;
}

void (*g_progress)(const std::string&) = nullptr;
void say(const std::string& line) {
  if (g_progress) g_progress(line);
}

int sideband(const char* str, int len, void*) {
  std::string s(str, static_cast<size_t>(len));
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  if (!s.empty()) say("remote: " + s);
  return 0;
}
int transfer(const git_indexer_progress* p, void*) {
  if (p->total_objects && p->received_objects == p->total_objects && p->indexed_deltas == p->total_deltas)
    say("received " + std::to_string(p->received_objects) + " objects, " +
        std::to_string(p->received_bytes) + " bytes");
  return 0;
}

int add_filter(const char* path, const char*, void* payload) {
  return is_sidecar(*static_cast<const SyncState*>(payload), path) ? 1 : 0;
}

std::string push_rejection;
int push_ref_status(const char* ref, const char* status, void*) {
  if (status) push_rejection = std::string(ref) + ": " + status;
  return 0;
}

int fetch(git_repository* repo) {
  git_remote* r = nullptr;
  if (git_remote_lookup(&r, repo, "origin") < 0) return -1;
  Remote remote(r);
  git_fetch_options opts = GIT_FETCH_OPTIONS_INIT;
  opts.callbacks.sideband_progress = sideband;
  opts.callbacks.transfer_progress = transfer;
  return git_remote_fetch(r, nullptr, &opts, "web9 sync: fetch");
}

int push(git_repository* repo, const std::string& branch) {
  git_remote* r = nullptr;
  if (git_remote_lookup(&r, repo, "origin") < 0) return -1;
  Remote remote(r);
  git_push_options opts = GIT_PUSH_OPTIONS_INIT;
  opts.callbacks.sideband_progress = sideband;
  opts.callbacks.push_update_reference = push_ref_status;
  std::string spec = "refs/heads/" + branch + ":refs/heads/" + branch;
  char* specs[] = {spec.data()};
  git_strarray refspecs = {specs, 1};
  push_rejection.clear();
  if (int e = git_remote_push(r, &refspecs, &opts); e < 0) return e;
  if (!push_rejection.empty()) {
    git_error_set_str(GIT_ERROR_NET, ("push rejected: " + push_rejection).c_str());
    return -1;
  }
  return 0;
}

// Writes blob `id` to the working-tree file rel + suffix.
int write_blob(git_repository* repo, const git_oid& id, const std::string& rel) {
  git_blob* b = nullptr;
  if (int e = git_blob_lookup(&b, repo, &id); e < 0) return e;
  Blob blob(b);
  std::string path = workdir(repo) + rel;
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) {
    git_error_set_str(GIT_ERROR_OS, ("cannot write " + path).c_str());
    return -1;
  }
  size_t n = static_cast<size_t>(git_blob_rawsize(b));
  bool ok = std::fwrite(git_blob_rawcontent(b), 1, n, f) == n;
  ok = std::fclose(f) == 0 && ok;
  if (!ok) {
    git_error_set_str(GIT_ERROR_OS, ("cannot write " + path).c_str());
    return -1;
  }
  return 0;
}

}  // namespace

std::string last_error(const char* fallback) {
  const git_error* e = git_error_last();
  return e && e->message ? e->message : fallback;
}

void load_state(git_repository* repo, SyncState& st) {
  st.conflicts.clear();
  st.merging.clear();
  st.error.clear();
  st.last_sync = 0;
  st.autosync = false;
  std::ifstream in(state_file(repo));
  std::string line;
  while (std::getline(in, line)) {
    size_t sp = line.find(' ');
    std::string key = line.substr(0, sp), val = sp == std::string::npos ? "" : line.substr(sp + 1);
    if (key == "conflict") st.conflicts.push_back(val);
    else if (key == "merging") st.merging = val;
    else if (key == "last_sync") st.last_sync = std::atoll(val.c_str());
    else if (key == "error") st.error = val;
    else if (key == "auto") st.autosync = val == "on";
  }
}

int save_state(git_repository* repo, const SyncState& st) {
  std::string path = state_file(repo), tmp = path + ".new";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!st.merging.empty()) out << "merging " << st.merging << "\n";
    out << "last_sync " << st.last_sync << "\n";
    out << "auto " << (st.autosync ? "on" : "off") << "\n";
    for (const auto& c : st.conflicts) out << "conflict " << c << "\n";
    if (!st.error.empty()) {
      std::string one = st.error;
      for (char& c : one)
        if (c == '\n') c = ' ';
      out << "error " << one << "\n";
    }
    if (!out.flush()) return -1;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0 ? 0 : -1;
}

int refresh(git_repository* repo, SyncState& st) {
  st.branch = current_branch(repo);
  st.ahead = st.behind = 0;
  git_oid local, upstream;
  bool have_local = git_reference_name_to_id(&local, repo, ("refs/heads/" + st.branch).c_str()) == 0;
  bool have_up = git_reference_name_to_id(&upstream, repo, ("refs/remotes/origin/" + st.branch).c_str()) == 0;
  if (have_local && have_up) {
    size_t a = 0, b = 0;
    if (git_graph_ahead_behind(&a, &b, repo, &local, &upstream) == 0) {
      st.ahead = static_cast<int>(a);
      st.behind = static_cast<int>(b);
    }
  } else if (have_local) {
    st.ahead = 1;  // the remote has no such branch yet: everything is ahead
  }
  // A conflict is resolved once its PATH.remote is gone.
  std::vector<std::string> still;
  for (const auto& c : st.conflicts)
    if (exists(workdir(repo) + c + kRemoteSuffix)) still.push_back(c);
  st.conflicts.swap(still);
  if (st.conflicts.empty()) st.merging.clear();

  st.changed.clear();
  git_status_options so = GIT_STATUS_OPTIONS_INIT;
  so.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
  so.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS;
  git_status_list* list = nullptr;
  if (int e = git_status_list_new(&list, repo, &so); e < 0) return e;
  StatusList sl(list);
  for (size_t i = 0, n = git_status_list_entrycount(list); i < n; i++) {
    const git_status_entry* e = git_status_byindex(list, i);
    const git_diff_delta* d = e->index_to_workdir ? e->index_to_workdir : e->head_to_index;
    if (!d) continue;
    std::string path = d->new_file.path ? d->new_file.path : d->old_file.path;
    if (is_sidecar(st, path)) continue;
    char code = 'M';
    if (e->status & (GIT_STATUS_WT_NEW | GIT_STATUS_INDEX_NEW)) code = 'A';
    if (e->status & (GIT_STATUS_WT_DELETED | GIT_STATUS_INDEX_DELETED)) code = 'D';
    st.changed.push_back(std::string(1, code) + " " + path);
  }
  return 0;
}

int commit_all(git_repository* repo, const SyncState& st, bool* made) {
  *made = false;
  git_index* ix = nullptr;
  if (int e = git_repository_index(&ix, repo); e < 0) return e;
  Index index(ix);
  void* payload = const_cast<SyncState*>(&st);
  if (int e = git_index_add_all(ix, nullptr, GIT_INDEX_ADD_DEFAULT, add_filter, payload); e < 0) return e;
  if (int e = git_index_update_all(ix, nullptr, add_filter, payload); e < 0) return e;
  if (int e = git_index_write(ix); e < 0) return e;
  git_oid tree_id;
  if (int e = git_index_write_tree(&tree_id, ix); e < 0) return e;

  Commit parent;
  git_oid head;
  bool have_head = git_reference_name_to_id(&head, repo, "HEAD") == 0;
  if (have_head) {
    if (int e = lookup_commit(repo, head, parent); e < 0) return e;
    if (git_oid_equal(git_commit_tree_id(parent.get()), &tree_id)) return 0;  // nothing changed
  }
  git_tree* t = nullptr;
  if (int e = git_tree_lookup(&t, repo, &tree_id); e < 0) return e;
  Tree tree(t);

  // The message lists the files: a subject naming the first few, the whole list below.
  std::vector<std::string> files;
  for (const auto& c : st.changed) files.push_back(c.substr(2));
  std::string subject = "web9 sync: ";
  for (size_t i = 0; i < files.size() && i < 3; i++) subject += (i ? ", " : "") + files[i];
  if (files.size() > 3) subject += " and " + std::to_string(files.size() - 3) + " more";
  if (files.empty()) subject += "changes";
  std::string msg = subject + "\n\n";
  for (const auto& c : st.changed) msg += c + "\n";

  Sig sig = author(repo);
  const git_commit* parents[] = {parent.get()};
  git_oid id;
  if (int e = git_commit_create(&id, repo, "HEAD", sig.get(), sig.get(), nullptr, msg.c_str(), t,
                                have_head ? 1 : 0, parents);
      e < 0)
    return e;
  *made = true;
  say("committed " + std::to_string(files.size()) + " file(s): " + subject.substr(11));
  return 0;
}

int merge_remote(git_repository* repo, SyncState& st) {
  std::string branch = current_branch(repo);
  if (branch.empty()) {
    git_error_set_str(GIT_ERROR_REFERENCE, "HEAD is detached: check out a branch to sync");
    return -1;
  }
  git_oid theirs_id, ours_id;
  if (git_reference_name_to_id(&theirs_id, repo, ("refs/remotes/origin/" + branch).c_str()) < 0) return 0;
  Commit theirs;
  if (int e = lookup_commit(repo, theirs_id, theirs); e < 0) return e;
  git_checkout_options co = GIT_CHECKOUT_OPTIONS_INIT;
  co.checkout_strategy = GIT_CHECKOUT_SAFE;

  if (git_reference_name_to_id(&ours_id, repo, "HEAD") < 0) {
    // Nothing local yet: take the remote branch as it is.
    if (int e = git_checkout_tree(repo, reinterpret_cast<git_object*>(theirs.get()), &co); e < 0) return e;
    git_reference* r = nullptr;
    int e = git_reference_create(&r, repo, ("refs/heads/" + branch).c_str(), &theirs_id, 1, "web9 sync: initial");
    git_reference_free(r);
    return e;
  }
  if (git_oid_equal(&ours_id, &theirs_id) || git_graph_descendant_of(repo, &ours_id, &theirs_id) == 1) return 0;

  Commit ours;
  if (int e = lookup_commit(repo, ours_id, ours); e < 0) return e;
  git_reference* head_ref = nullptr;
  if (int e = git_reference_lookup(&head_ref, repo, ("refs/heads/" + branch).c_str()); e < 0) return e;
  Ref branch_ref(head_ref);

  if (git_graph_descendant_of(repo, &theirs_id, &ours_id) == 1) {
    // Fast-forward: every local change is committed already, so a safe checkout loses nothing.
    if (int e = git_checkout_tree(repo, reinterpret_cast<git_object*>(theirs.get()), &co); e < 0) return e;
    git_reference* moved = nullptr;
    int e = git_reference_set_target(&moved, head_ref, &theirs_id, "web9 sync: fast-forward");
    git_reference_free(moved);
    if (e == 0) say("fast-forwarded " + branch + " to " + std::string(git_oid_tostr_s(&theirs_id)).substr(0, 7));
    return e;
  }

  git_merge_options mo = GIT_MERGE_OPTIONS_INIT;
  git_index* mi = nullptr;
  if (int e = git_merge_commits(&mi, repo, ours.get(), theirs.get(), &mo); e < 0) return e;
  Index merged(mi);
  std::vector<std::string> conflicted;
  if (git_index_has_conflicts(mi)) {
    struct Side {
      std::string path;
      bool have_ours, have_theirs;
      git_index_entry ours, theirs;
    };
    std::vector<Side> sides;
    git_index_conflict_iterator* it = nullptr;
    if (int e = git_index_conflict_iterator_new(&it, mi); e < 0) return e;
    Conflicts iter(it);
    const git_index_entry *anc, *o, *t;
    while (git_index_conflict_next(&anc, &o, &t, it) == 0) {
      Side s{};
      s.path = o ? o->path : t->path;
      s.have_ours = o != nullptr;
      s.have_theirs = t != nullptr;
      if (o) s.ours = *o;
      if (t) s.theirs = *t;
      sides.push_back(s);
    }
    for (auto& s : sides) {
      // The local version stays in the tree; the remote one waits beside it.
      git_index_conflict_remove(mi, s.path.c_str());
      if (s.have_ours) {
        git_index_entry e = s.ours;
        e.path = s.path.c_str();
        e.flags &= static_cast<uint16_t>(~GIT_INDEX_ENTRY_STAGEMASK);
        if (int err = git_index_add(mi, &e); err < 0) return err;
      }
      if (s.have_theirs) {
        if (int err = write_blob(repo, s.theirs.id, s.path + kRemoteSuffix); err < 0) return err;
        conflicted.push_back(s.path);
      } else {
        say("kept " + s.path + ": changed here, deleted on the remote");
      }
    }
  }
  git_oid tree_id;
  if (int e = git_index_write_tree_to(&tree_id, mi, repo); e < 0) return e;
  git_tree* t = nullptr;
  if (int e = git_tree_lookup(&t, repo, &tree_id); e < 0) return e;
  Tree tree(t);
  std::string msg = "Merge remote-tracking branch 'origin/" + branch + "'\n";
  if (!conflicted.empty()) {
    msg += "\nBoth sides changed these; the local version is kept, the remote one is in FILE" +
           std::string(kRemoteSuffix) + ":\n";
    for (const auto& c : conflicted) msg += "\t" + c + "\n";
  }
  if (int e = git_checkout_tree(repo, reinterpret_cast<git_object*>(t), &co); e < 0) return e;
  Sig sig = author(repo);
  const git_commit* parents[] = {ours.get(), theirs.get()};
  git_oid id;
  if (int e = git_commit_create(&id, repo, nullptr, sig.get(), sig.get(), nullptr, msg.c_str(), t, 2, parents); e < 0)
    return e;
  git_reference* moved = nullptr;
  int e = git_reference_set_target(&moved, head_ref, &id, "web9 sync: merge");
  git_reference_free(moved);
  if (e < 0) return e;
  // The index must describe the new HEAD's tree, or the next status shows phantom changes.
  git_index* ix = nullptr;
  if (git_repository_index(&ix, repo) == 0) {
    Index index(ix);
    git_index_read_tree(ix, t);
    git_index_write(ix);
  }
  for (const auto& c : conflicted) {
    bool known = false;
    for (const auto& k : st.conflicts) known = known || k == c;
    if (!known) st.conflicts.push_back(c);
    say("conflict in " + c + ": local version kept, remote version in " + c + kRemoteSuffix);
  }
  if (!conflicted.empty()) st.merging = git_oid_tostr_s(&theirs_id);
  say(conflicted.empty() ? "merged origin/" + branch : "merged origin/" + branch + " with conflicts");
  return 0;
}

int pull(git_repository* repo, SyncState& st, void (*progress)(const std::string&)) {
  g_progress = progress;
  if (int e = refresh(repo, st); e < 0) return st.error = last_error(), e;
  bool made = false;
  if (int e = commit_all(repo, st, &made); e < 0) return st.error = "commit: " + last_error(), e;
  if (int e = fetch(repo); e < 0) return st.error = "fetch: " + last_error(), e;
  if (int e = merge_remote(repo, st); e < 0) return st.error = "merge: " + last_error(), e;
  st.error.clear();
  return refresh(repo, st);
}

int sync(git_repository* repo, SyncState& st, void (*progress)(const std::string&)) {
  if (int e = pull(repo, st, progress); e < 0) {
    save_state(repo, st);
    return e;
  }
  if (!st.conflicts.empty()) {
    say("not pushing: resolve the conflicts first (edit the file, then remove FILE" + std::string(kRemoteSuffix) + ")");
    save_state(repo, st);
    return 0;
  }
  if (st.ahead > 0) {
    if (int e = push(repo, st.branch); e < 0) {
      st.error = "push: " + last_error();
      save_state(repo, st);
      return e;
    }
    say("pushed " + st.branch + " to origin");
  }
  st.last_sync = static_cast<int64_t>(std::time(nullptr));
  st.error.clear();
  refresh(repo, st);
  return save_state(repo, st);
}

std::string format_status(const SyncState& st) {
  std::ostringstream o;
  o << "branch " << (st.branch.empty() ? "(detached)" : st.branch) << "\n";
  o << "ahead " << st.ahead << "\nbehind " << st.behind << "\n";
  o << "changed " << st.changed.size() << "\n";
  for (const auto& c : st.changed) o << "\t" << c << "\n";
  o << "conflicts " << st.conflicts.size() << "\n";
  for (const auto& c : st.conflicts) o << "\t" << c << " (remote version in " << c << kRemoteSuffix << ")\n";
  if (st.last_sync) {
    char buf[64];
    std::time_t t = static_cast<std::time_t>(st.last_sync);
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&t));
    o << "last-sync " << buf << "\n";
  } else {
    o << "last-sync never\n";
  }
  o << "auto " << (st.autosync ? "on" : "off") << "\n";
  o << "error " << (st.error.empty() ? "none" : st.error) << "\n";
  return o.str();
}

}  // namespace web9::git
