// The file server over a Store. Each request checks what it can from the fid, then makes one or
// more store calls in a chain of continuations; every continuation first asks whether its
// request is still live (Tflush answers pending requests at once, and the fid may be gone after
// that), so a late answer from the store only cleans up (closes a handle it got) and touches
// neither the fid nor the server.
#include "fs/storefs.h"

#include <optional>
#include <utility>
#include <vector>

namespace web9 {
namespace {


Qid qid_of(const StoreEntry& e) { return Qid{qid_type_of(e.mode | (e.is_dir ? uint32_t{DMDIR} : 0u)), e.version, e.path}; }

uint32_t open_need(uint8_t mode) {
  static constexpr uint32_t kNeed[4] = {4, 2, 6, 1};  // OREAD, OWRITE, ORDWR, OEXEC
  return kNeed[mode & 3] | ((mode & OTRUNC) ? 2 : 0);
}

bool writes(uint8_t mode) { return (mode & 3) == OWRITE || (mode & 3) == ORDWR; }

// Runs steps one after another, each when the one before has answered, and answers done with the
// first error or with success after the last.
using Step = std::function<void(Reply<void>)>;
void run_steps(std::shared_ptr<std::vector<Step>> steps, size_t i, Reply<void> done) {
  if (i == steps->size()) return done(success());
  (*steps)[i]([steps, i, done](Result<void> r) {
    if (!r) return done(std::move(r).error());
    run_steps(steps, i + 1, done);
  });
}

}  // namespace

struct StoreFs::FidState {
  std::shared_ptr<Store> store;
  uint64_t path = 0;
  std::string uname;
  Fid* fid = nullptr;  // null once the fid is destroyed
  std::optional<StoreFile> handle;
  bool append = false;  // DMAPPEND at open: every write goes at the end
  bool excl = false;    // holds a count in exclusive_
  bool clunked = false;
  // The entry as it was at open: a removed file's stat is this with the handle's size.
  std::optional<StoreEntry> entry;
  // A directory read takes a snapshot at offset 0 and answers the following reads from it.
  std::vector<Dir> listing;
  size_t dir_index = 0;
  uint64_t dir_offset = 0;
  // Requests not yet answered: Tflush answers each with Errc::intr.
  std::map<uint64_t, std::function<void()>> pending;
  uint64_t next_request = 0;
};

namespace {

// A request pending on a fid: answers its Reply once, unless Tflush answered it first.
template <class T>
class Pending {
 public:
  Pending(std::shared_ptr<StoreFs::FidState> st, Reply<T> r) : st_(std::move(st)) {
    auto reply = std::make_shared<Reply<T>>(std::move(r));
    id_ = st_->next_request++;
    st_->pending[id_] = [reply] { (*reply)(Error(Errc::intr, "interrupted")); };
    reply_ = std::move(reply);
  }
  bool live() const { return st_->fid && st_->pending.count(id_) != 0; }
  StoreFs::FidState& st() const { return *st_; }
  Fid& fid() const { return *st_->fid; }
  void operator()(Result<T> res) const {
    if (!live()) return;
    st_->pending.erase(id_);
    (*reply_)(std::move(res));
  }

 private:
  std::shared_ptr<StoreFs::FidState> st_;
  std::shared_ptr<Reply<T>> reply_;
  uint64_t id_ = 0;
};

}  // namespace

class StoreFs::StoreFid final : public Fid {
 public:
  explicit StoreFid(std::shared_ptr<FidState> s) : st(std::move(s)) { st->fid = this; }
  ~StoreFid() override {
    st->fid = nullptr;
    st->pending.clear();
    // Never clunked (the kernel always clunks; this is a safety net): give the handle back.
    if (st->handle) st->store->close(*st->handle);
    st->handle.reset();
  }

  std::unique_ptr<Fid> clone() const override {
    auto s = std::make_shared<FidState>();
    s->store = st->store;
    s->path = st->path;
    s->uname = st->uname;
    auto f = std::make_unique<StoreFid>(std::move(s));
    f->qid = qid;
    return f;
  }

  std::shared_ptr<FidState> st;
};

StoreFs::StoreFs(std::shared_ptr<Store> store, std::string owner) : store_(std::move(store)), owner_(std::move(owner)) {}

StoreFs::~StoreFs() = default;

Dir StoreFs::dir_of(const StoreEntry& e) const {
  Dir d;
  d.qid = qid_of(e);
  d.mode = e.mode | (e.is_dir ? uint32_t{DMDIR} : 0u);
  d.atime = d.mtime = e.mtime;
  d.length = e.is_dir ? 0 : e.length;
  d.name = e.name;
  d.uid = d.gid = d.muid = owner_;
  return d;
}

// Plan 9's hasperm with the owner as every file's user and group.
bool StoreFs::allows(const StoreEntry& e, const std::string& uname, uint32_t need) const {
  uint32_t have = e.mode & 7;
  if (uname == owner_) have |= ((e.mode >> 6) | (e.mode >> 3)) & 7;
  return (have & need) == need;
}

Result<void> StoreFs::check_writable() const {
  if (store_->read_only()) return Error(Errc::rofs, store_->read_only_reason());
  return success();
}

void StoreFs::release(FidState& st) {
  if (st.handle) store_->close(*st.handle);
  st.handle.reset();
  if (st.excl) {
    if (--exclusive_[st.path] <= 0) exclusive_.erase(st.path);
    st.excl = false;
  }
}

void StoreFs::attach(std::string_view uname, std::string_view, Reply<std::unique_ptr<Fid>> r) {
  auto st = std::make_shared<FidState>();
  st->store = store_;
  st->path = store_->root();
  st->uname = uname.empty() ? owner_ : std::string(uname);
  store_->stat(st->path, [st, r](Result<StoreEntry> e) {
    if (!e) return r(std::move(e).error());
    auto fid = std::make_unique<StoreFid>(st);
    fid->qid = qid_of(*e);
    r(std::unique_ptr<Fid>(std::move(fid)));
  });
}

void StoreFs::walk1(Fid& fid, std::string_view name, Reply<Qid> r) {
  auto st = static_cast<StoreFid&>(fid).st;
  if (fid.open) return r(Error(Errc::badf, "cannot walk an open fid"));
  if (!fid.qid.is_dir()) return r(Errc::notdir);
  if (name != "..")
    if (auto ok = check_file_name(name); !ok) return r(std::move(ok).error());
  Pending<Qid> p(st, std::move(r));
  store_->stat(st->path, [this, p, name = std::string(name)](Result<StoreEntry> dir) {
    if (!p.live()) return;
    if (!dir) return p(std::move(dir).error());
    if (!dir->is_dir) return p(Errc::notdir);
    if (!allows(*dir, p.st().uname, 1)) return p(Errc::access);
    store_->lookup(dir->path, name, [p](Result<StoreEntry> e) {
      if (!p.live()) return;
      if (!e) return p(std::move(e).error());
      p.st().path = e->path;
      p.fid().qid = qid_of(*e);
      p(p.fid().qid);
    });
  });
}

void StoreFs::open(Fid& fid, uint8_t mode, Reply<void> r) {
  auto st = static_cast<StoreFid&>(fid).st;
  if (fid.open) return r(Error(Errc::badf, "fid already open"));
  if (mode & ~kOpenModeBits) return r(Error(Errc::inval, "bad open mode"));
  Pending<void> p(st, std::move(r));
  store_->stat(st->path, [this, p, mode, store = store_](Result<StoreEntry> got) {
    if (!p.live()) return;
    if (!got) return p(std::move(got).error());
    StoreEntry e = std::move(*got);
    FidState& s = p.st();
    if (e.is_dir && ((mode & 3) != OREAD || (mode & OTRUNC))) return p(Errc::isdir);
    if (!allows(e, s.uname, open_need(mode))) return p(Errc::access);
    if (writes(mode) || (mode & (OTRUNC | ORCLOSE)))
      if (auto ok = check_writable(); !ok) return p(std::move(ok).error());
    if ((mode & ORCLOSE) && e.path == store_->root()) return p(Error(Errc::perm, "cannot remove the root"));
    if (e.mode & DMEXCL) {
      if (exclusive_[e.path] > 0) return p(Error(Errc::busy, "exclusive use file already open"));
      exclusive_[e.path]++;  // held across the store's answer, given back on failure
      s.excl = true;
    }
    auto opened = [p, mode, e](std::optional<StoreFile> h) {
      FidState& s = p.st();
      s.handle = h;
      s.entry = e;
      s.append = (e.mode & DMAPPEND) != 0;
      s.listing.clear();
      s.dir_index = 0;
      s.dir_offset = 0;
      p.fid().open = true;
      p.fid().mode = mode;
      p.fid().qid = qid_of(e);
      p(success());
    };
    if (e.is_dir) return opened(std::nullopt);
    store_->open_file(e.path, [this, p, mode, opened, store](Result<StoreFile> h) {
      if (!p.live()) {
        if (h) store->close(*h);
        return;
      }
      if (!h) {
        release(p.st());
        return p(std::move(h).error());
      }
      if (!(mode & OTRUNC)) return opened(*h);
      StoreFile file = *h;
      store_->truncate(file, 0, [this, p, file, opened, store](Result<void> t) {
        if (!p.live()) return store->close(file);
        if (!t) {
          store->close(file);
          release(p.st());
          return p(std::move(t).error());
        }
        opened(file);
      });
    });
  });
}

void StoreFs::create(Fid& fid, std::string_view name, uint32_t perm, uint8_t mode, Reply<void> r) {
  auto st = static_cast<StoreFid&>(fid).st;
  if (fid.open) return r(Error(Errc::badf, "fid already open"));
  if (!fid.qid.is_dir()) return r(Errc::notdir);
  if (auto ok = check_file_name(name); !ok) return r(std::move(ok).error());
  if (perm & ~kPermBits) return r(Error(Errc::inval, "bad permission bits"));
  if (mode & ~kOpenModeBits) return r(Error(Errc::inval, "bad open mode"));
  if ((perm & DMDIR) && ((mode & 3) != OREAD || (mode & OTRUNC))) return r(Errc::isdir);
  if (auto ok = check_writable(); !ok) return r(std::move(ok).error());
  Pending<void> p(st, std::move(r));
  store_->stat(st->path, [this, p, name = std::string(name), perm, mode, store = store_](Result<StoreEntry> dir) mutable {
    if (!p.live()) return;
    if (!dir) return p(std::move(dir).error());
    if (!dir->is_dir) return p(Errc::notdir);
    if (!allows(*dir, p.st().uname, 2)) return p(Errc::access);
    // The directory's permissions limit the new file's, as on Plan 9.
    uint32_t keep = (perm & DMDIR) ? 0777 : 0666;
    perm &= ~keep | (dir->mode & keep);
    store_->create(dir->path, name, perm, [this, p, mode, store](Result<StoreEntry> made) {
      if (!p.live()) return;
      if (!made) return p(std::move(made).error());
      StoreEntry e = std::move(*made);
      auto opened = [this, p, mode, e](std::optional<StoreFile> h) {
        FidState& s = p.st();
        s.path = e.path;
        s.handle = h;
        s.entry = e;
        s.append = (e.mode & DMAPPEND) != 0;
        if (e.mode & DMEXCL) {
          exclusive_[e.path]++;
          s.excl = true;
        }
        s.listing.clear();
        s.dir_index = 0;
        s.dir_offset = 0;
        p.fid().qid = qid_of(e);
        p.fid().open = true;
        p.fid().mode = mode;
        p(success());
      };
      if (e.is_dir) return opened(std::nullopt);
      store_->open_file(e.path, [p, opened, store](Result<StoreFile> h) {
        if (!p.live()) {
          if (h) store->close(*h);
          return;
        }
        if (!h) return p(std::move(h).error());
        opened(*h);
      });
    });
  });
}

void StoreFs::read(Fid& fid, uint64_t offset, uint32_t count, Reply<Bytes> r) {
  auto st = static_cast<StoreFid&>(fid).st;
  if (!fid.open || (fid.mode & 3) == OWRITE) return r(Error(Errc::badf, "file not open for reading"));
  if (st->handle) return store_->read(*st->handle, offset, count, Pending<Bytes>(st, std::move(r)));
  auto answer = [](FidState& s, uint32_t count) -> Result<Bytes> {
    // An entry is never split; answering nothing would look like the end (Plan 9's Eshort).
    if (s.dir_index < s.listing.size() && packed_dir_size(s.listing[s.dir_index]) > count)
      return Error(Errc::inval, "i/o count too small for directory entry");
    Bytes out = pack_dir_entries(s.listing, &s.dir_index, count);
    s.dir_offset += out.size();
    return out;
  };
  if (offset != 0) {
    if (offset != st->dir_offset) return r(Error(Errc::inval, "bad offset in directory read"));
    return r(answer(*st, count));
  }
  Pending<Bytes> p(st, std::move(r));
  store_->list(st->path, [this, p, count, answer](Result<std::vector<StoreEntry>> entries) {
    if (!p.live()) return;
    if (!entries) return p(std::move(entries).error());
    FidState& s = p.st();
    s.listing.clear();
    for (const auto& e : *entries) s.listing.push_back(dir_of(e));
    s.dir_index = 0;
    s.dir_offset = 0;
    p(answer(s, count));
  });
}

// A file's bytes go straight into dest; a directory's entries are packed as read() packs them.
void StoreFs::read_into(Fid& fid, uint64_t offset, std::span<uint8_t> dest, Reply<uint32_t> r) {
  auto st = static_cast<StoreFid&>(fid).st;
  if (!fid.open || (fid.mode & 3) == OWRITE || !st->handle) return FileServer::read_into(fid, offset, dest, std::move(r));
  store_->read_into(*st->handle, offset, dest, Pending<uint32_t>(st, std::move(r)));
}

void StoreFs::read_to_ring(Fid& fid, uint64_t offset, int slot, uint32_t count, Reply<uint32_t> r) {
  auto st = static_cast<StoreFid&>(fid).st;
  if (!fid.open || (fid.mode & 3) == OWRITE || !st->handle) return r(Errc::badf);
  store_->read_to_ring(*st->handle, offset, slot, count, Pending<uint32_t>(st, std::move(r)));
}

void StoreFs::write(Fid& fid, uint64_t offset, std::span<const uint8_t> data, Reply<uint32_t> r) {
  auto st = static_cast<StoreFid&>(fid).st;
  if (!fid.open || !writes(fid.mode) || !st->handle) return r(Error(Errc::badf, "file not open for writing"));
  if (data.size() > UINT32_MAX) return r(Error(Errc::inval, "write count too large"));
  if (data.empty()) return r(0u);
  StoreFile h = *st->handle;
  if (!st->append) return store_->write(h, offset, data, Pending<uint32_t>(st, std::move(r)));
  // The size may come later, when data is no longer valid: keep a copy.
  Pending<uint32_t> p(st, std::move(r));
  store_->size(h, [this, p, h, copy = Bytes(data.begin(), data.end())](Result<uint64_t> size) {
    if (!p.live()) return;
    if (!size) return p(std::move(size).error());
    store_->write(h, *size, copy, p);
  });
}

void StoreFs::stat(Fid& fid, Reply<Dir> r) {
  auto st = static_cast<StoreFid&>(fid).st;
  Pending<Dir> p(st, std::move(r));
  store_->stat(st->path, [this, p](Result<StoreEntry> e) {
    if (!p.live()) return;
    FidState& s = p.st();
    if (e) {
      if (s.handle) s.entry = *e;
      return p(dir_of(*e));
    }
    // Removed while open: the file lives on in the handle (as on Plan 9), and so does its stat.
    if (e.error().code != Errc::noent || !s.handle || !s.entry) return p(std::move(e).error());
    store_->size(*s.handle, [this, p](Result<uint64_t> size) {
      if (!p.live()) return;
      if (!size) return p(std::move(size).error());
      StoreEntry last = *p.st().entry;
      last.length = *size;
      p(dir_of(last));
    });
  });
}

void StoreFs::truncate_path(uint64_t path, uint64_t length, Reply<void> r) {
  store_->open_file(path, [store = store_, length, r](Result<StoreFile> h) {
    if (!h) return r(std::move(h).error());
    StoreFile file = *h;
    store->truncate(file, length, [store, file, r](Result<void> t) {
      store->close(file);
      r(std::move(t));
    });
  });
}

// Every field is checked before any is changed, so a bad wstat changes nothing (Plan 9's rule).
// The one check that needs the store, that a new name is free, is made before the first change
// too; a change the store itself refuses after an earlier one succeeded (a length the quota
// cannot hold, tried first for that reason) is the only way a wstat is done in part.
void StoreFs::wstat(Fid& fid, const Dir& d, Reply<void> r) {
  auto st = static_cast<StoreFid&>(fid).st;
  const Dir keep = Dir::nochange();
  Pending<void> p(st, std::move(r));
  store_->stat(st->path, [this, p, d, keep](Result<StoreEntry> got) {
    if (!p.live()) return;
    if (!got) return p(std::move(got).error());
    const StoreEntry e = std::move(*got);
    const std::string& uname = p.st().uname;
    const bool is_owner = uname == owner_;
    const uint32_t full_mode = e.mode | (e.is_dir ? uint32_t{DMDIR} : 0u);
    if (d.qid.path != keep.qid.path && d.qid.path != e.path) return p(Error(Errc::perm, "cannot change qid"));
    if (!d.uid.empty() && d.uid != owner_) return p(Error(Errc::perm, "cannot change owner"));
    if (!d.gid.empty() && d.gid != owner_) return p(Error(Errc::perm, "cannot change group"));
    bool rename = !d.name.empty() && d.name != e.name;
    bool resize = d.length != keep.length && !e.is_dir;
    bool chmod = d.mode != keep.mode && d.mode != full_mode;
    bool touch = d.mtime != keep.mtime;
    if (rename) {
      if (e.path == store_->root()) return p(Error(Errc::perm, "cannot rename the root"));
      if (auto ok = check_file_name(d.name); !ok) return p(std::move(ok).error());
    }
    if (d.length != keep.length) {
      if (e.is_dir && d.length != 0) return p(Error(Errc::isdir, "cannot change the length of a directory"));
      if (resize && !allows(e, uname, 2)) return p(Errc::access);
    }
    if (d.mode != keep.mode) {
      if ((d.mode ^ full_mode) & DMDIR) return p(Error(Errc::inval, "cannot change the directory bit"));
      if (d.mode & ~kPermBits) return p(Error(Errc::inval, "bad permission bits"));
      if (chmod && !is_owner) return p(Error(Errc::perm, "not owner"));
    }
    if (touch && !is_owner) return p(Error(Errc::perm, "not owner"));
    if (!rename && !resize && !chmod && !touch) return p(success());
    if (auto ok = check_writable(); !ok) return p(std::move(ok).error());

    auto steps = std::make_shared<std::vector<Step>>();
    const uint64_t path = e.path;
    if (rename) {
      // The directory must let uname write, and the new name must be free.
      steps->push_back([this, path, uname, name = d.name](Reply<void> next) {
        store_->lookup(path, "..", [this, uname, name, next](Result<StoreEntry> dir) {
          if (!dir) return next(std::move(dir).error());
          if (!allows(*dir, uname, 2)) return next(Errc::access);
          store_->lookup(dir->path, name, [next](Result<StoreEntry> other) {
            if (other) return next(Errc::exist);
            if (other.error().code != Errc::noent) return next(std::move(other).error());
            next(success());
          });
        });
      });
    }
    if (resize) {
      std::optional<StoreFile> h = p.st().handle;
      uint64_t length = d.length;
      steps->push_back([this, h, path, length](Reply<void> next) {
        if (h) return store_->truncate(*h, length, next);
        truncate_path(path, length, next);
      });
    }
    if (rename)
      steps->push_back([this, path, name = d.name](Reply<void> next) {
        store_->rename(path, name, [next](Result<StoreEntry> e) { next(e ? success() : std::move(e).error()); });
      });
    if (chmod)
      steps->push_back([this, path, mode = d.mode](Reply<void> next) {
        store_->set_mode(path, mode, [next](Result<StoreEntry> e) { next(e ? success() : std::move(e).error()); });
      });
    if (touch)
      steps->push_back([this, path, mtime = d.mtime](Reply<void> next) {
        store_->set_mtime(path, mtime, [next](Result<StoreEntry> e) { next(e ? success() : std::move(e).error()); });
      });
    // The last step refreshes the fid's qid (a chmod can change its type bits).
    steps->push_back([this, p, path](Reply<void> next) {
      store_->stat(path, [p, next](Result<StoreEntry> e) {
        if (e && p.live()) p.fid().qid = qid_of(*e);
        next(success());
      });
    });
    run_steps(steps, 0, [p](Result<void> res) { p(std::move(res)); });
  });
}

void StoreFs::remove(Fid& fid, Reply<void> r) {
  auto st = static_cast<StoreFid&>(fid).st;
  st->clunked = true;  // whatever happens, this fid is done
  release(*st);
  if (st->path == store_->root()) return r(Error(Errc::perm, "cannot remove the root"));
  if (auto ok = check_writable(); !ok) return r(std::move(ok).error());
  Pending<void> p(st, std::move(r));
  store_->lookup(st->path, "..", [this, p](Result<StoreEntry> dir) {
    if (!p.live()) return;
    if (!dir) return p(std::move(dir).error());
    if (!allows(*dir, p.st().uname, 2)) return p(Errc::access);
    store_->remove(p.st().path, p);
  });
}

void StoreFs::clunk(Fid& fid) {
  auto st = static_cast<StoreFid&>(fid).st;
  if (st->clunked) return;
  st->clunked = true;
  bool rclose = fid.open && (fid.mode & ORCLOSE);
  release(*st);
  // ORCLOSE was allowed at open; a directory that has gained entries since is left alone (the
  // store refuses), and nobody is left to hear about it.
  if (rclose) store_->remove(st->path, [](Result<void>) {});
}

void StoreFs::flush(Fid& fid) {
  auto st = static_cast<StoreFid&>(fid).st;
  auto pending = std::move(st->pending);
  st->pending.clear();
  for (auto& [id, answer] : pending) answer();
}

void StoreFs::sync(Fid& fid, Reply<void> r) {
  auto st = static_cast<StoreFid&>(fid).st;
  Pending<void> p(st, std::move(r));
  auto all = [this, p](Result<void> flushed) {
    if (!p.live()) return;
    if (!flushed) return p(std::move(flushed).error());
    store_->sync(p);
  };
  if (st->handle && writes(fid.mode)) return store_->flush(*st->handle, all);
  all(success());
}

}  // namespace web9
