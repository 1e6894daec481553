// /env: a directory of the caller's environment variables, one file each.
#include "fs/envfs.h"

#include <charconv>

namespace web9 {

class EnvFs::EnvFid : public Fid {
 public:
  std::unique_ptr<Fid> clone() const override {
    auto f = std::make_unique<EnvFid>(*this);
    f->open = false;
    f->mode = 0;
    f->listing.clear();
    f->index = 0;
    return f;
  }

  std::string uname;
  std::shared_ptr<Env> fixed;  // from an aname "N": always this environment
  std::shared_ptr<Env> seen;   // the caller's, when last known
  uint64_t id = 0;             // the variable; 0 for the directory
  std::vector<Dir> listing;    // a directory read's entries, taken at offset 0
  size_t index = 0;
};

namespace {

constexpr uint32_t dir_perm = DMDIR | 0775;
constexpr uint32_t file_perm = 0664;

Qid qid_of(const Env::Var& v) { return Qid{QTFILE, v.vers, v.id}; }

}  // namespace

Result<std::shared_ptr<Env>> EnvFs::env_of(EnvFid& f) const {
  if (f.fixed) return f.fixed;
  if (auto e = find_(0)) f.seen = std::move(e);
  if (!f.seen) return Error(Errc::srch, "no environment");
  return f.seen;
}

Result<const Env::Var*> EnvFs::var_of(EnvFid& f) const {
  auto env = TRY(env_of(f));
  const Env::Var* v = env->find(f.id);
  if (!v) return Error(Errc::noent, "environment variable removed");
  return v;
}

Dir EnvFs::dir_of(const EnvFid& f, const Env::Var* v) const {
  Dir d;
  d.uid = d.gid = d.muid = f.uname;
  if (!v) {
    d.qid = Qid{QTDIR, 0, 0};
    d.mode = dir_perm;
    d.name = std::string("/");  // (not = "/": GCC 12 -Wrestrict false positive)
    return d;
  }
  d.qid = qid_of(*v);
  d.mode = file_perm;
  d.name = v->name;
  d.length = v->value.size();
  d.atime = d.mtime = v->mtime;
  return d;
}

void EnvFs::attach(std::string_view uname, std::string_view aname, Reply<std::unique_ptr<Fid>> r) {
  auto f = std::make_unique<EnvFid>();
  f->uname = std::string(uname);
  f->qid = Qid{QTDIR, 0, 0};
  if (!aname.empty()) {
    int pid = 0;
    auto [end, ec] = std::from_chars(aname.data(), aname.data() + aname.size(), pid);
    if (ec != std::errc() || end != aname.data() + aname.size() || pid <= 0)
      return r(Error(Errc::inval, "env: aname must be a pid"));
    f->fixed = find_(pid);
    if (!f->fixed) return r(Error(Errc::srch, "env: no such process"));
  } else {
    f->seen = find_(0);
  }
  r(std::unique_ptr<Fid>(std::move(f)));
}

void EnvFs::walk1(Fid& fid, std::string_view name, Reply<Qid> r) {
  auto& f = static_cast<EnvFid&>(fid);
  if (f.id != 0) return r(Errc::notdir);
  auto env = env_of(f);
  if (!env) return r(env.error());
  const Env::Var* v = env.value()->find(name);
  if (!v) return r(Errc::noent);
  f.id = v->id;
  f.qid = qid_of(*v);
  r(f.qid);
}

void EnvFs::open(Fid& fid, uint8_t mode, Reply<void> r) {
  auto& f = static_cast<EnvFid&>(fid);
  if (f.id == 0) {
    if ((mode & 3) != OREAD) return r(Errc::isdir);
  } else {
    auto env = env_of(f);
    if (!env) return r(env.error());
    if (!env.value()->find(f.id)) return r(Errc::noent);
    if (mode & OTRUNC) {
      if (auto t = env.value()->truncate(f.id, 0); !t) return r(t.error());
    }
  }
  f.open = true;
  f.mode = mode;
  r(success());
}

void EnvFs::create(Fid& fid, std::string_view name, uint32_t perm, uint8_t mode, Reply<void> r) {
  auto& f = static_cast<EnvFid&>(fid);
  if (f.id != 0) return r(Errc::notdir);
  if (perm & DMDIR) return r(Error(Errc::perm, "env: no directories"));
  auto env = env_of(f);
  if (!env) return r(env.error());
  if (env.value()->find(name)) return r(Errc::exist);
  auto id = env.value()->create(name);
  if (!id) return r(id.error());
  f.id = id.value();
  f.qid = qid_of(*env.value()->find(f.id));
  f.open = true;
  f.mode = mode;
  r(success());
}

void EnvFs::read(Fid& fid, uint64_t offset, uint32_t count, Reply<Bytes> r) {
  auto& f = static_cast<EnvFid&>(fid);
  if (f.id == 0) {
    if (offset == 0) {
      auto env = env_of(f);
      if (!env) return r(env.error());
      f.listing.clear();
      f.index = 0;
      for (const Env::Var& v : env.value()->vars()) f.listing.push_back(dir_of(f, &v));
    }
    return r(pack_dir_entries(f.listing, &f.index, count));
  }
  auto v = var_of(f);
  if (!v) return r(v.error());
  const Bytes& value = v.value()->value;
  if (offset >= value.size()) return r(Bytes{});
  size_t n = std::min<uint64_t>(count, value.size() - offset);
  r(Bytes(value.begin() + static_cast<ptrdiff_t>(offset), value.begin() + static_cast<ptrdiff_t>(offset + n)));
}

void EnvFs::write(Fid& fid, uint64_t offset, std::span<const uint8_t> data, Reply<uint32_t> r) {
  auto& f = static_cast<EnvFid&>(fid);
  if (f.id == 0) return r(Errc::isdir);
  auto env = env_of(f);
  if (!env) return r(env.error());
  r(env.value()->write(f.id, offset, data));
}

void EnvFs::stat(Fid& fid, Reply<Dir> r) {
  auto& f = static_cast<EnvFid&>(fid);
  if (f.id == 0) return r(dir_of(f, nullptr));
  auto v = var_of(f);
  if (!v) return r(v.error());
  r(dir_of(f, v.value()));
}

void EnvFs::wstat(Fid& fid, const Dir& d, Reply<void> r) {
  auto& f = static_cast<EnvFid&>(fid);
  if (f.id == 0) return r(Error(Errc::perm, "env: the directory cannot be changed"));
  auto env = env_of(f);
  if (!env) return r(env.error());
  const Env::Var* v = env.value()->find(f.id);
  if (!v) return r(Errc::noent);
  const Dir keep = Dir::nochange();
  // Check both changes before making either, so a bad request changes nothing.
  if (!d.name.empty() && d.name != v->name) {
    if (!Env::valid_name(d.name)) return r(Error(Errc::inval, "bad environment variable name"));
    if (env.value()->find(d.name)) return r(Errc::exist);
  }
  if (d.length != keep.length && d.length > Env::max_value) return r(Errc::fbig);
  if (d.length != keep.length) (void)env.value()->truncate(f.id, d.length);
  if (!d.name.empty()) (void)env.value()->rename(f.id, d.name);
  // Mode, times and group have no meaning here and are accepted unchanged, as touch expects.
  r(success());
}

void EnvFs::remove(Fid& fid, Reply<void> r) {
  auto& f = static_cast<EnvFid&>(fid);
  if (f.id == 0) return r(Error(Errc::perm, "env: the directory cannot be removed"));
  auto env = env_of(f);
  if (!env) return r(env.error());
  r(env.value()->remove(f.id));
}

void EnvFs::clunk(Fid& fid) {
  auto& f = static_cast<EnvFid&>(fid);
  if (!f.open || !(f.mode & ORCLOSE) || f.id == 0) return;
  if (auto env = env_of(f)) (void)env.value()->remove(f.id);
}

}  // namespace web9
