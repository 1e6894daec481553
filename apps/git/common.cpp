// What the git commands share (git.h).
#include <cstdlib>
#include <cstring>

#include <unistd.h>

#include "git.h"
#include "prog.h"

namespace web9::git {

Flags parse(int argc, char** argv, const FlagSpec& spec, const std::vector<const char*>& longs,
            std::vector<bool>* seen) {
  std::vector<char*> rest;
  if (seen)
    seen->assign(longs.size(), false);
  bool flags_done = false;
  for (int i = 0; i < argc; i++) {
    bool taken = false;
    if (i > 0 && !flags_done) {
      if (std::strcmp(argv[i], "--") == 0)
        flags_done = true;
      for (size_t k = 0; k < longs.size() && !flags_done; k++) {
        if (std::strcmp(argv[i], longs[k]) == 0) {
          if (seen)
            (*seen)[k] = true;
          taken = true;
        }
      }
    }
    if (!taken)
      rest.push_back(argv[i]);
  }
  rest.push_back(nullptr);
  Flags flags(static_cast<int>(rest.size() - 1), rest.data(), spec);
  set_progname("git");
  return flags;
}

std::string lasterr() {
  const git_error* e = git_error_last();
  return e && e->message ? e->message : "";
}

bool failed(int err, std::string_view what) {
  if (err >= 0)
    return false;
  std::string why = lasterr();
  complain(what, why.empty() ? "failed" : why);
  return true;
}

void check(int err, std::string_view what) {
  if (failed(err, what))
    std::exit(1);
}

void die(std::string_view what, std::string_view why) {
  complain(what, why);
  std::exit(1);
}

git_repository* open_repo() {
  git_repository* repo = nullptr;
  int err = git_repository_open_ext(&repo, ".", 0, nullptr);
  if (err == GIT_ENOTFOUND) {
    char cwd[4096];
    die(getcwd(cwd, sizeof cwd) ? cwd : ".", "not a git repository (or any of the parent directories)");
  }
  check(err, "repository");
  return repo;
}

git_signature* signature(git_repository* repo, const char* role) {
  std::string var = std::string("GIT_") + role;
  const char* name = std::getenv((var + "_NAME").c_str());
  const char* email = std::getenv((var + "_EMAIL").c_str());
  // Each of user.name and user.email on its own (git_signature_default wants both).
  auto configured = [&](const char* key, const char* fallback) {
    std::string value = fallback;
    git_config* cfg = nullptr;
    git_buf buf = GIT_BUF_INIT;
    if (git_repository_config_snapshot(&cfg, repo) == 0 && git_config_get_string_buf(&buf, cfg, key) == 0 &&
        buf.size > 0)
      value = buf.ptr;
    git_error_clear();
    git_buf_dispose(&buf);
    git_config_free(cfg);
    return value;
  };
  std::string n = name ? name : configured("user.name", "web9");
  std::string e = email ? email : configured("user.email", "web9@localhost");
  git_signature* sig = nullptr;
  check(git_signature_now(&sig, n.c_str(), e.c_str()), "signature");
  return sig;
}

std::string head_branch(git_repository* repo) {
  git_reference* head = nullptr;
  // An unborn HEAD still names its branch: read the symbolic reference itself.
  if (git_reference_lookup(&head, repo, "HEAD") < 0) {
    git_error_clear();
    return "HEAD";
  }
  std::string name = "HEAD";
  if (git_reference_type(head) == GIT_REFERENCE_SYMBOLIC) {
    std::string_view target = git_reference_symbolic_target(head);
    if (target.starts_with("refs/heads/"))
      target.remove_prefix(11);
    name = target;
  }
  git_reference_free(head);
  return name;
}

std::string hex(const git_oid* id, size_t n) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, id);
  return std::string(buf, n < GIT_OID_HEXSZ ? n : GIT_OID_HEXSZ);
}

std::string here(git_repository* repo) {
  const char* wd = git_repository_workdir(repo);
  char cwd[4096];
  if (!wd || !getcwd(cwd, sizeof cwd))
    return "";
  std::string dir = cwd;
  if (!dir.ends_with("/"))
    dir += '/';
  return dir.starts_with(wd) ? dir.substr(std::strlen(wd)) : "";
}

std::string repo_path(git_repository* repo, std::string_view path) {
  std::string full = path.starts_with("/") ? std::string(path) : here(repo) + std::string(path);
  if (path.starts_with("/")) {
    const char* wd = git_repository_workdir(repo);
    std::string top = wd ? wd : "/";
    if ((full + "/").starts_with(top))
      full = full.size() >= top.size() ? full.substr(top.size()) : "";
  }
  // Drop "." and empty components, fold "..".
  std::vector<std::string> parts;
  size_t at = 0;
  while (at <= full.size()) {
    size_t slash = full.find('/', at);
    if (slash == std::string::npos)
      slash = full.size();
    std::string part = full.substr(at, slash - at);
    if (part == "..") {
      if (!parts.empty())
        parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    at = slash + 1;
  }
  std::string out;
  for (auto& p : parts)
    out += (out.empty() ? "" : "/") + p;
  return out;
}

git_object* resolve(git_repository* repo, const std::string& rev, git_object_t type) {
  git_object* obj = nullptr;
  if (git_revparse_single(&obj, repo, rev.c_str()) < 0) {
    git_error_clear();
    die(rev, "unknown revision");
  }
  if (type == GIT_OBJECT_ANY)
    return obj;
  git_object* peeled = nullptr;
  if (git_object_peel(&peeled, obj, type) < 0) {
    git_error_clear();
    die(rev, std::string("not a ") + git_object_type2string(type));
  }
  git_object_free(obj);
  return peeled;
}

}  // namespace web9::git
