// lib9p for guests: the message loop, the fid table, and the in-memory Tree's callbacks.
#include "lib9p.h"

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <unistd.h>

namespace web9::p9 {
namespace {

Fcall answer(FcallType type) {
  Fcall r;
  r.type = type;
  return r;
}

bool readable(uint8_t mode) { return (mode & 3) != OWRITE; }
bool writable(uint8_t mode) { return (mode & 3) == OWRITE || (mode & 3) == ORDWR; }

}  // namespace

FileRef File::child(std::string_view name) const {
  for (const auto& c : children)
    if (c->dir.name == name) return c;
  return nullptr;
}

// --- Tree ---

Tree::Tree(std::string owner, uint32_t root_mode) : owner_(std::move(owner)) {
  now = [] { return static_cast<uint32_t>(::time(nullptr)); };
  root_ = std::make_shared<File>();
  root_->dir.name = "/";
  root_->dir.mode = root_mode | DMDIR;
  root_->dir.qid = Qid{QTDIR, 0, 0};
  root_->dir.uid = root_->dir.gid = root_->dir.muid = owner_;
  root_->dir.mtime = root_->dir.atime = now();
}

Result<FileRef> Tree::add(const FileRef& dir, std::string_view name, uint32_t mode) {
  if (!dir || !dir->is_dir()) return Errc::notdir;
  TRY(check_file_name(name));
  if (dir->child(name)) return Errc::exist;
  auto f = std::make_shared<File>();
  f->dir.name = std::string(name);
  f->dir.mode = mode;
  f->dir.qid = Qid{qid_type_of(mode), 0, next_path_++};
  f->dir.uid = f->dir.gid = f->dir.muid = owner_;
  f->dir.mtime = f->dir.atime = now();
  f->parent = dir;
  dir->children.push_back(f);
  dir->dir.mtime = f->dir.mtime;
  dir->dir.qid.vers++;
  return f;
}

Result<void> Tree::remove(const FileRef& f) {
  auto dir = f->parent.lock();
  if (!dir) return Error(Errc::perm, "cannot remove the root");
  auto& kids = dir->children;
  kids.erase(std::remove(kids.begin(), kids.end(), f), kids.end());
  f->parent.reset();
  dir->dir.mtime = now();
  dir->dir.qid.vers++;
  return success();
}

Dir Tree::stat(const File& f) const {
  Dir d = f.dir;
  d.length = f.is_dir() || f.read ? 0 : f.data.size();
  return d;
}

void use_tree(Srv& srv) {
  std::shared_ptr<Tree> tree = srv.tree;
  if (!tree) return;
  if (!srv.attach)
    srv.attach = [tree](Fid& fid, std::string_view, std::string_view aname) -> Result<Qid> {
      if (!aname.empty()) return Error(Errc::noent, "no tree '" + std::string(aname) + "'");
      fid.file = tree->root();
      return fid.file->dir.qid;
    };
  if (!srv.walk1)
    srv.walk1 = [](Fid& fid, std::string_view name) -> Result<Qid> {
      if (!fid.file->is_dir()) return Errc::notdir;
      FileRef next;
      if (name == ".")
        next = fid.file;
      else if (name == "..")
        next = fid.file->parent.lock() ? fid.file->parent.lock() : fid.file;
      else
        next = fid.file->child(name);
      if (!next) return Errc::noent;
      fid.file = next;
      return next->dir.qid;
    };
  if (!srv.open)
    srv.open = [tree](Fid& fid, uint8_t mode) -> Result<void> {
      File& f = *fid.file;
      if (f.is_dir() && ((mode & 3) != OREAD || (mode & OTRUNC))) return Errc::isdir;
      if ((mode & OTRUNC) && !f.is_dir() && !f.read && !f.data.empty()) {
        f.data.clear();
        f.dir.mtime = tree->now();
        f.dir.qid.vers++;
      }
      return success();
    };
  if (!srv.create)
    srv.create = [tree](Fid& fid, std::string_view name, uint32_t perm, uint8_t mode) -> Result<void> {
      if (!tree->writable) return Errc::perm;
      if (!fid.file->is_dir()) return Errc::notdir;
      if (name == "." || name == "..") return Error(Errc::inval, "bad file name '" + std::string(name) + "'");
      // Plan 9's rule: a new file's permissions are limited by its directory's.
      uint32_t dirperm = fid.file->dir.mode & 0777;
      uint32_t mode_bits = (perm & DMDIR) ? (perm & (~0777u | dirperm)) : (perm & (~0666u | (dirperm & 0666)));
      FileRef f = TRY(tree->add(fid.file, name, mode_bits & kPermBits));
      if (f->is_dir() && (mode & 3) != OREAD) {
        (void)tree->remove(f);
        return Errc::isdir;
      }
      fid.file = f;
      return success();
    };
  if (!srv.read)
    srv.read = [tree](Fid& fid, uint64_t offset, uint32_t count) -> Result<Bytes> {
      File& f = *fid.file;
      if (f.is_dir()) {
        if (offset == 0) fid.dir_index = 0;
        Bytes out;
        while (fid.dir_index < f.children.size()) {
          Dir d = tree->stat(*f.children[fid.dir_index]);
          if (out.size() + packed_dir_size(d) > count) break;
          pack_dir(d, out);
          fid.dir_index++;
        }
        return out;
      }
      if (f.read) return f.read(offset, count);
      if (offset >= f.data.size()) return Bytes{};
      size_t n = std::min<size_t>(count, f.data.size() - offset);
      auto at = f.data.begin() + static_cast<ptrdiff_t>(offset);
      return Bytes(at, at + static_cast<ptrdiff_t>(n));
    };
  if (!srv.write)
    srv.write = [tree](Fid& fid, uint64_t offset, const Bytes& data) -> Result<uint32_t> {
      File& f = *fid.file;
      if (f.is_dir()) return Errc::isdir;
      if (f.write) return f.write(offset, data);
      if (f.read) return Errc::perm;
      if (f.dir.mode & DMAPPEND) offset = f.data.size();
      if (offset + data.size() > (uint64_t{1} << 32)) return Errc::fbig;
      if (f.data.size() < offset + data.size()) f.data.resize(offset + data.size());
      std::copy(data.begin(), data.end(), f.data.begin() + static_cast<ptrdiff_t>(offset));
      f.dir.mtime = tree->now();
      f.dir.qid.vers++;
      return static_cast<uint32_t>(data.size());
    };
  if (!srv.stat) srv.stat = [tree](Fid& fid) -> Result<Dir> { return tree->stat(*fid.file); };
  if (!srv.wstat)
    srv.wstat = [tree](Fid& fid, const Dir& d) -> Result<void> {
      File& f = *fid.file;
      Dir keep = Dir::nochange();
      if (!d.name.empty() && d.name != f.dir.name) {
        TRY(check_file_name(d.name));
        auto dir = f.parent.lock();
        if (!dir) return Error(Errc::perm, "cannot rename the root");
        if (dir->child(d.name)) return Errc::exist;
      }
      if (d.length != keep.length) {
        if (f.is_dir()) return d.length == 0 ? Result<void>() : Result<void>(Errc::isdir);
        if (f.read) return Errc::perm;
        if (d.length > (uint64_t{1} << 32)) return Errc::fbig;
      }
      if (d.mode != keep.mode && ((d.mode ^ f.dir.mode) & DMDIR)) return Error(Errc::perm, "cannot change DMDIR");
      // Checked everything first: now change it all.
      if (!d.name.empty()) f.dir.name = d.name;
      if (d.length != keep.length && !f.is_dir()) {
        f.data.resize(d.length);
        f.dir.qid.vers++;
      }
      if (d.mode != keep.mode) f.dir.mode = (d.mode & kPermBits) | (f.dir.mode & DMDIR);
      if (d.mtime != keep.mtime) f.dir.mtime = d.mtime;
      if (!d.gid.empty()) f.dir.gid = d.gid;
      return success();
    };
  if (!srv.remove)
    srv.remove = [tree](Fid& fid) -> Result<void> {
      if (!tree->writable) return Errc::perm;
      if (fid.file->is_dir() && !fid.file->children.empty()) return Errc::notempty;
      return tree->remove(fid.file);
    };
  if (!srv.clunk)
    srv.clunk = [tree](Fid& fid) {
      if (fid.open && (fid.mode & ORCLOSE) && tree->writable) (void)tree->remove(fid.file);
    };
}

// --- The message loop ---

Result<Fid*> Srv::lookup(uint32_t fid) {
  auto it = fids_.find(fid);
  if (it == fids_.end()) return Error(Errc::badf, "unknown fid");
  return &it->second;
}

void Srv::drop(uint32_t fid) {
  auto it = fids_.find(fid);
  if (it == fids_.end()) return;
  if (clunk) clunk(it->second);
  fids_.erase(it);
}

Result<Bytes> Srv::handle(std::span<const uint8_t> msg) {
  Fcall t = TRY(unpack(msg, msize_ ? msize_ : max_msize));
  Fcall r;
  if (t.type == Tversion) {
    while (!fids_.empty()) drop(fids_.begin()->first);
    r = answer(Rversion);
    std::string_view v = t.version;
    bool ours = v.starts_with(VERSION9P) && (v.size() == VERSION9P.size() || v[VERSION9P.size()] == '.');
    r.msize = std::min(t.msize, max_msize);
    r.version = ours && t.msize >= 256 ? std::string(VERSION9P) : "unknown";
    msize_ = ours && t.msize >= 256 ? r.msize : 0;
  } else if (msize_ == 0) {
    r = answer(Rerror);
    r.ename = "9P: Tversion must come first";
  } else {
    auto out = dispatch(t);
    if (out) {
      r = std::move(out.value());
    } else {
      r = answer(Rerror);
      r.ename = out.error().text();
    }
  }
  r.tag = t.tag;
  auto packed = pack(r);
  uint32_t limit = msize_ ? msize_ : 256;
  if (!packed || packed->size() > limit) {
    Fcall e = answer(Rerror);
    e.tag = t.tag;
    e.ename = packed ? "reply exceeds msize" : packed.error().text();
    packed = pack(e);
  }
  return packed;
}

Result<Fcall> Srv::do_walk(const Fcall& t) {
  Fid* from = TRY(lookup(t.fid));
  if (from->open) return Error(Errc::badf, "cannot walk an open fid");
  if (t.newfid != t.fid && fids_.contains(t.newfid)) return Error(Errc::badf, "fid in use");
  Fid next = *from;
  next.num = t.newfid;
  next.dir_index = 0;
  if (clone && t.newfid != t.fid) clone(*from, next);
  Fcall r = answer(Rwalk);
  for (const auto& name : t.wname) {
    if (name.empty() || name.find('/') != std::string::npos) return Error(Errc::inval, "bad file name '" + name + "'");
    auto q = walk1 ? walk1(next, name) : Result<Qid>(Errc::noent);
    if (!q) {
      if (r.wqid.empty()) return std::move(q).error();
      if (clunk && t.newfid != t.fid) clunk(next);
      return r;
    }
    next.qid = q.value();
    r.wqid.push_back(q.value());
  }
  fids_[t.newfid] = std::move(next);
  return r;
}

Result<Fcall> Srv::dispatch(const Fcall& t) {
  switch (t.type) {
    case Tauth: return Error(Errc::perm, "authentication not required");
    case Tflush: return answer(Rflush);  // nothing is ever pending here
    case Tattach: {
      if (t.afid != NOFID) return Error(Errc::perm, "authentication not required");
      if (t.fid == NOFID || fids_.contains(t.fid)) return Error(Errc::badf, "fid in use");
      if (!attach) return Error(Errc::perm, "no attach");
      Fid f;
      f.num = t.fid;
      f.qid = TRY(attach(f, t.uname, t.aname));
      Fcall r = answer(Rattach);
      r.qid = f.qid;
      fids_[t.fid] = std::move(f);
      return r;
    }
    case Twalk: return do_walk(t);
    case Topen: {
      Fid* f = TRY(lookup(t.fid));
      if (f->open) return Error(Errc::badf, "fid already open");
      if (open) TRY(open(*f, t.mode));
      f->open = true;
      f->mode = t.mode;
      Fcall r = answer(Ropen);
      r.qid = f->qid;
      r.iounit = msize_ - IOHDRSZ;
      return r;
    }
    case Tcreate: {
      Fid* f = TRY(lookup(t.fid));
      if (f->open) return Error(Errc::badf, "fid already open");
      if (!create) return Errc::perm;
      TRY(create(*f, t.name, t.perm, t.mode));
      if (f->file) f->qid = f->file->dir.qid;
      f->open = true;
      f->mode = t.mode;
      Fcall r = answer(Rcreate);
      r.qid = f->qid;
      r.iounit = msize_ - IOHDRSZ;
      return r;
    }
    case Tread: {
      Fid* f = TRY(lookup(t.fid));
      if (!f->open || !readable(f->mode)) return Error(Errc::badf, "fid not open for reading");
      uint32_t count = std::min(t.count, msize_ - IOHDRSZ);
      Fcall r = answer(Rread);
      if (read) r.data = TRY(read(*f, t.offset, count));
      if (r.data.size() > count) r.data.resize(count);
      return r;
    }
    case Twrite: {
      Fid* f = TRY(lookup(t.fid));
      if (!f->open || !writable(f->mode)) return Error(Errc::badf, "fid not open for writing");
      if (!write) return Errc::perm;
      Fcall r = answer(Rwrite);
      r.count = TRY(write(*f, t.offset, t.data));
      return r;
    }
    case Tclunk: {
      TRY(lookup(t.fid));
      drop(t.fid);
      return answer(Rclunk);
    }
    case Tremove: {
      Fid* f = TRY(lookup(t.fid));
      auto done = remove ? remove(*f) : Result<void>(Errc::perm);
      // remove(5): the fid is clunked even if the remove fails. Not ORCLOSE again, though.
      f->open = false;
      drop(t.fid);
      if (!done) return std::move(done).error();
      return answer(Rremove);
    }
    case Tstat: {
      Fid* f = TRY(lookup(t.fid));
      if (!stat) return Errc::perm;
      Fcall r = answer(Rstat);
      r.stat = TRY(stat(*f));
      return r;
    }
    case Twstat: {
      Fid* f = TRY(lookup(t.fid));
      if (!wstat) return Errc::perm;
      TRY(wstat(*f, t.stat));
      return answer(Rwstat);
    }
    default: return Error(Errc::proto, std::string("9P: unexpected ") + fcall_type_name(t.type));
  }
}

namespace {

int write_all(int fd, const Bytes& b) {
  size_t done = 0;
  while (done < b.size()) {
    ssize_t n = ::write(fd, b.data() + done, b.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    done += static_cast<size_t>(n);
  }
  return 0;
}

}  // namespace

int serve(Srv& srv, int fd) {
  use_tree(srv);
  Bytes buf;
  Bytes chunk(srv.max_msize);
  for (;;) {
    size_t at = 0;
    for (;;) {
      auto n = message_size(std::span<const uint8_t>(buf).subspan(at), srv.max_msize);
      if (!n) return EPROTO;
      if (n.value() == 0 || n.value() > buf.size() - at) break;
      auto reply = srv.handle(std::span<const uint8_t>(buf).subspan(at, n.value()));
      if (!reply) return EPROTO;
      // The client's end is gone (its last mount was undone): answers have nowhere to go.
      if (int e = write_all(fd, reply.value())) return e == EPIPE ? 0 : e;
      at += n.value();
    }
    buf.erase(buf.begin(), buf.begin() + static_cast<ptrdiff_t>(at));
    ssize_t got = ::read(fd, chunk.data(), chunk.size());
    if (got < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (got == 0) return 0;
    buf.insert(buf.end(), chunk.begin(), chunk.begin() + got);
  }
}

}  // namespace web9::p9
