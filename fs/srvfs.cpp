// /srv: names for posted channels.
#include "fs/srvfs.h"

#include <algorithm>
#include <charconv>
#include <ctime>

namespace web9 {

class SrvFs::SrvFid : public Fid {
 public:
  std::unique_ptr<Fid> clone() const override {
    auto f = std::make_unique<SrvFid>();
    f->qid = qid;
    f->uname = uname;
    f->path = path;
    return f;
  }

  std::string uname;
  uint64_t path = 0;  // the entry; 0 for the directory
  std::vector<Dir> listing;
  size_t index = 0;
};

SrvFs::Entry* SrvFs::find(uint64_t path) {
  return const_cast<Entry*>(std::as_const(*this).find(path));
}

const SrvFs::Entry* SrvFs::find(uint64_t path) const {
  for (const Entry& e : entries_) {
    if (e.path == path) return &e;
  }
  return nullptr;
}

SrvFs::Entry* SrvFs::find(std::string_view name) {
  for (Entry& e : entries_) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

Dir SrvFs::dir_of(const Entry* e, const std::string& uname) const {
  Dir d;
  if (!e) {
    d.qid = Qid{QTDIR, 0, 0};
    d.mode = DMDIR | 0777;
    d.name = std::string("/");  // (not = "/": GCC 12 -Wrestrict false positive)
    d.uid = d.gid = d.muid = uname;
    return d;
  }
  d.qid = Qid{QTFILE, 0, e->path};
  d.mode = e->perm;
  d.name = e->name;
  d.uid = d.gid = d.muid = e->owner;
  d.atime = d.mtime = e->mtime;
  return d;
}

void SrvFs::unpost(uint64_t path) {
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.path == path; });
  if (it == entries_.end()) return;
  // Drop the channel after the entry is gone: its clunk may reach back into /srv.
  ChanRef chan = std::move(it->chan);
  entries_.erase(it);
}

void SrvFs::attach(std::string_view uname, std::string_view, Reply<std::unique_ptr<Fid>> r) {
  auto f = std::make_unique<SrvFid>();
  f->uname = std::string(uname);
  f->qid = Qid{QTDIR, 0, 0};
  r(std::unique_ptr<Fid>(std::move(f)));
}

void SrvFs::walk1(Fid& fid, std::string_view name, Reply<Qid> r) {
  auto& f = static_cast<SrvFid&>(fid);
  if (f.path != 0) return r(Errc::notdir);
  const Entry* e = find(name);
  if (!e) return r(Errc::noent);
  f.path = e->path;
  f.qid = Qid{QTFILE, 0, e->path};
  r(f.qid);
}

void SrvFs::open(Fid& fid, uint8_t mode, Reply<void> r) {
  auto& f = static_cast<SrvFid&>(fid);
  if (f.path == 0) {
    if ((mode & 3) != OREAD) return r(Errc::isdir);
  } else {
    const Entry* e = find(f.path);
    if (!e) return r(Errc::noent);
    if (!e->chan) return r(Error(Errc::connrefused, "srv: nothing posted yet"));
    if (mode & OTRUNC) return r(Error(Errc::perm, "srv: cannot truncate a posted channel"));
    uint8_t has = e->chan->fid().mode & 3;
    if (has != ORDWR && has != (mode & 3)) return r(Error(Errc::perm, "srv: posted channel has another mode"));
  }
  f.open = true;
  f.mode = mode;
  r(success());
}

void SrvFs::create(Fid& fid, std::string_view name, uint32_t perm, uint8_t mode, Reply<void> r) {
  auto& f = static_cast<SrvFid&>(fid);
  if (f.path != 0) return r(Errc::notdir);
  if (perm & DMDIR) return r(Error(Errc::perm, "srv: no directories"));
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string_view::npos)
    return r(Error(Errc::inval, "srv: bad name"));
  if (find(name)) return r(Errc::exist);
  Entry e;
  e.name = std::string(name);
  e.path = next_path_++;
  e.perm = perm & 0777;
  e.owner = caller_user ? caller_user() : std::string();
  if (e.owner.empty()) e.owner = f.uname;
  e.mtime = static_cast<uint32_t>(std::time(nullptr));
  f.path = e.path;
  f.qid = Qid{QTFILE, 0, e.path};
  entries_.push_back(std::move(e));
  f.open = true;
  f.mode = mode;
  r(success());
}

void SrvFs::read(Fid& fid, uint64_t offset, uint32_t count, Reply<Bytes> r) {
  auto& f = static_cast<SrvFid&>(fid);
  if (f.path != 0) return r(Error(Errc::perm, "srv: open the posted channel through the kernel"));
  if (offset == 0) {
    f.listing.clear();
    f.index = 0;
    for (const Entry& e : entries_) f.listing.push_back(dir_of(&e, f.uname));
  }
  r(pack_dir_entries(f.listing, &f.index, count));
}

void SrvFs::write(Fid& fid, uint64_t, std::span<const uint8_t> data, Reply<uint32_t> r) {
  auto& f = static_cast<SrvFid&>(fid);
  if (f.path == 0) return r(Errc::isdir);
  Entry* e = find(f.path);
  if (!e) return r(Errc::noent);
  if (e->chan) return r(Error(Errc::busy, "srv: a channel is already posted"));
  std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  int fd = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), fd);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || fd < 0)
    return r(Error(Errc::inval, "srv: write a file descriptor number"));
  auto chan = lookup_(fd);
  if (!chan) return r(chan.error());
  if (!chan.value()->is_open()) return r(Error(Errc::badf, "srv: fd is not open"));
  e->chan = std::move(chan.value());
  r(static_cast<uint32_t>(data.size()));
}

void SrvFs::stat(Fid& fid, Reply<Dir> r) {
  auto& f = static_cast<SrvFid&>(fid);
  if (f.path == 0) return r(dir_of(nullptr, f.uname));
  const Entry* e = find(f.path);
  if (!e) return r(Errc::noent);
  r(dir_of(e, f.uname));
}

void SrvFs::wstat(Fid& fid, const Dir& d, Reply<void> r) {
  auto& f = static_cast<SrvFid&>(fid);
  if (f.path == 0) return r(Error(Errc::perm, "srv: the directory cannot be changed"));
  Entry* e = find(f.path);
  if (!e) return r(Errc::noent);
  const Dir keep = Dir::nochange();
  if (d.length != keep.length && d.length != 0) return r(Errc::inval);
  if (d.mode != keep.mode && (d.mode & DMDIR)) return r(Errc::perm);
  if (!d.name.empty() && d.name != e->name) {
    if (d.name == "." || d.name == ".." || d.name.find('/') != std::string::npos) return r(Errc::inval);
    if (find(d.name)) return r(Errc::exist);
    e->name = d.name;
  }
  if (d.mode != keep.mode) e->perm = d.mode & 0777;
  r(success());
}

void SrvFs::remove(Fid& fid, Reply<void> r) {
  auto& f = static_cast<SrvFid&>(fid);
  if (f.path == 0) return r(Error(Errc::perm, "srv: the directory cannot be removed"));
  if (!find(f.path)) return r(Errc::noent);
  unpost(f.path);
  r(success());
}

void SrvFs::clunk(Fid& fid) {
  auto& f = static_cast<SrvFid&>(fid);
  if (f.open && (f.mode & ORCLOSE) && f.path != 0) unpost(f.path);
}

Result<ChanRef> SrvFs::posted(const Fid& fid) const {
  const auto& f = static_cast<const SrvFid&>(fid);
  const Entry* e = find(f.path);
  if (!e) return Errc::noent;
  if (!e->chan) return Error(Errc::connrefused, "srv: nothing posted yet");
  return e->chan;
}

std::vector<std::string> SrvFs::names() const {
  std::vector<std::string> out;
  for (const Entry& e : entries_) out.push_back(e.name);
  return out;
}

}  // namespace web9
