// The mount driver: T-messages out through the channel's server, R-messages back through a read
// that is always pending (a loop, not recursion, when reads answer at once), tags matched in a
// table of requests in flight.
#include "fs/mnt.h"

#include <algorithm>
#include <optional>

#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 at -O2 misreads the std::variant in Result<Fcall> inside the nested reply lambdas below
// (a false "may be used uninitialized" in Error's copy constructor).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace web9 {

// A fid on the server, shared by the Fids that use it (a clone uses its original's until it
// walks). The last user clunks it.
struct MountFs::RemoteFid {
  RemoteFid(std::weak_ptr<MountFs> fs, uint32_t num) : fs(std::move(fs)), num(num) {}
  ~RemoteFid() {
    if (gone) return;
    if (auto s = fs.lock()) s->clunk_remote(num);
  }
  RemoteFid(const RemoteFid&) = delete;
  RemoteFid& operator=(const RemoteFid&) = delete;

  std::weak_ptr<MountFs> fs;
  uint32_t num;
  bool gone = false;  // the server has clunked it (Tremove)
};

class MountFs::MountFid final : public Fid {
 public:
  std::unique_ptr<Fid> clone() const override {
    auto c = std::make_unique<MountFid>();
    c->qid = qid;
    c->base = own ? own : base;
    return c;
  }

  std::shared_ptr<RemoteFid> own;   // this Fid's server fid, once it has one
  std::shared_ptr<RemoteFid> base;  // the server fid it was cloned from, until then
  uint32_t iounit = 0;
};

// A read or write split into Treads or Twrites of at most the iounit.
struct MountFs::IoOp {
  MountFid* fid;
  uint64_t offset;
  uint32_t left;
  Bytes data;    // read: what has come back; write: what is still to go (from done on)
  size_t done = 0;
  Reply<Bytes> read_reply;
  Reply<uint32_t> write_reply;
};

namespace {

Fcall message(FcallType type) {
  Fcall t;
  t.type = type;
  return t;
}

Error hung_up_error() { return Error(Errc::io, "mount: server hung up"); }

}  // namespace

std::shared_ptr<MountFs> MountFs::make(ChanRef chan, uint32_t max_msize) {
  std::shared_ptr<MountFs> fs(new MountFs(std::move(chan), max_msize));
  fs->start();
  return fs;
}

MountFs::MountFs(ChanRef chan, uint32_t max_msize)
    : chan_(std::move(chan)), max_msize_(std::max<uint32_t>(max_msize, 256)) {}

MountFs::~MountFs() {
  state_ = State::hungup;
  // Our read is waiting in the channel's server: give it up (its reply finds us gone).
  if (reading_ && chan_) chan_->server().flush(chan_->fid());
}

void MountFs::start() {
  Fcall t = message(Tversion);
  t.msize = max_msize_;
  t.version = std::string(VERSION9P);
  rpc(std::move(t), nullptr, [this](Result<Fcall> r) {
    if (!r) return hang_up(Error(r.error().code, "mount: version: " + r.error().text()));
    std::string_view v = r->version;
    bool ours = v.starts_with(VERSION9P) && (v.size() == VERSION9P.size() || v[VERSION9P.size()] == '.');
    if (!ours) return hang_up(Error(Errc::proto, "mount: server speaks '" + r->version + "', not 9P2000"));
    if (r->msize > max_msize_ || r->msize < IOHDRSZ + 64)
      return hang_up(Error(Errc::proto, "mount: server offers msize " + std::to_string(r->msize)));
    msize_ = r->msize;
    state_ = State::ready;
    auto waiting = std::move(waiting_);
    waiting_.clear();
    for (auto& w : waiting) w(success());
  });
  read_more();
}

// Sends t under a free tag; done answers with the R-message (Rerror as an Error).
void MountFs::rpc(Fcall t, const Fid* fid, std::function<void(Result<Fcall>)> done) {
  if (state_ == State::hungup) return done(hangup_);
  uint16_t tag = NOTAG;
  if (t.type != Tversion) {
    if (pending_.size() >= NOTAG) return done(Error(Errc::again, "mount: too many requests in flight"));
    do {
      tag = next_tag_++;
    } while (tag == NOTAG || pending_.contains(tag));
  }
  t.tag = tag;
  auto packed = pack(t);
  if (!packed) return done(std::move(packed).error());
  uint32_t limit = msize_ ? msize_ : max_msize_;
  if (packed->size() > limit) return done(Error(Errc::inval, "mount: message exceeds msize"));
  t.data.clear();  // only the header is needed to match the answer
  pending_[tag] = Rpc{std::move(t), fid, false, std::move(done)};
  ChanRef c = chan_;
  std::weak_ptr<MountFs> self = weak_from_this();
  c->server().write(c->fid(), 0, packed.value(), [self, c](Result<uint32_t> n) {
    // An interrupted pipe write keeps its bytes queued: only a real failure hangs up.
    if (n || n.error().code == Errc::intr) return;
    if (auto s = self.lock()) s->hang_up(hung_up_error());
  });
}

// Keeps one read pending on the channel. A read that answers at once is handled in this loop,
// so a quick server does not grow the stack.
void MountFs::read_more() {
  while (state_ != State::hungup && !reading_) {
    reading_ = true;
    struct Sync {
      bool inside = true;
      std::optional<Result<Bytes>> result;
    };
    auto sync = std::make_shared<Sync>();
    std::weak_ptr<MountFs> self = weak_from_this();
    ChanRef c = chan_;
    c->server().read(c->fid(), 0, msize_ ? msize_ : max_msize_, [self, c, sync](Result<Bytes> r) {
      if (sync->inside) {
        sync->result.emplace(std::move(r));
        return;
      }
      auto s = self.lock();
      if (!s) return;
      s->reading_ = false;
      s->received(std::move(r));
      s->read_more();
    });
    sync->inside = false;
    if (!sync->result) return;
    reading_ = false;
    received(std::move(*sync->result));
  }
}

void MountFs::received(Result<Bytes> data) {
  if (!data) {
    if (data.error().code == Errc::intr) return;  // someone flushed the channel: read again
    return hang_up(hung_up_error());
  }
  if (data->empty()) return hang_up(hung_up_error());
  inbuf_.insert(inbuf_.end(), data->begin(), data->end());
  size_t at = 0;
  while (state_ != State::hungup) {
    uint32_t limit = msize_ ? msize_ : max_msize_;
    auto rest = std::span<const uint8_t>(inbuf_).subspan(at);
    auto size = message_size(rest, limit);
    if (!size) return hang_up(Error(Errc::proto, "mount: " + size.error().text()));
    if (size.value() == 0 || size.value() > rest.size()) break;
    auto f = unpack(rest.first(size.value()), limit);
    at += size.value();
    if (!f) return hang_up(Error(Errc::proto, "mount: " + f.error().text()));
    dispatch(std::move(f.value()));
  }
  if (state_ != State::hungup) inbuf_.erase(inbuf_.begin(), inbuf_.begin() + static_cast<ptrdiff_t>(at));
}

void MountFs::dispatch(Fcall r) {
  auto it = pending_.find(r.tag);
  if (it == pending_.end()) return;  // a stray answer (devmnt ignores them too)
  Rpc rpc = std::move(it->second);
  pending_.erase(it);
  if (rpc.flushed) return late_reply(rpc, r);
  if (r.type == Rerror) return rpc.done(Error(errc_from_string(r.ename), r.ename));
  if (r.type != rpc.t.type + 1)
    return rpc.done(Error(Errc::proto, std::string("mount: ") + fcall_type_name(r.type) + " answers " +
                                           fcall_type_name(rpc.t.type)));
  rpc.done(std::move(r));
}

// The answer to a flushed request came before the Rflush: undo what the caller never saw.
void MountFs::late_reply(const Rpc& rpc, const Fcall& r) {
  const Fcall& t = rpc.t;
  if (t.type == Twalk && t.newfid != t.fid) {
    if (r.type == Rwalk && r.wqid.size() == t.wname.size())
      clunk_remote(t.newfid);
    else
      release_fid(t.newfid);
  } else if (t.type == Tattach) {
    if (r.type == Rattach)
      clunk_remote(t.fid);
    else
      release_fid(t.fid);
  }
}

// The Rflush came with no answer: the request was abandoned, so a new fid was never made.
void MountFs::abandoned(const Rpc& rpc) {
  const Fcall& t = rpc.t;
  if (t.type == Twalk && t.newfid != t.fid) release_fid(t.newfid);
  if (t.type == Tattach) release_fid(t.fid);
}

void MountFs::hang_up(Error e) {
  if (state_ == State::hungup) return;
  auto keep = weak_from_this().lock();  // the replies below may drop the last channel on us
  state_ = State::hungup;
  hangup_ = std::move(e);
  inbuf_.clear();
  fids_.clear();
  auto pending = std::move(pending_);
  pending_.clear();
  auto waiting = std::move(waiting_);
  waiting_.clear();
  for (auto& [tag, rpc] : pending)
    if (!rpc.flushed && rpc.done) rpc.done(hangup_);
  for (auto& w : waiting) w(hangup_);
}

uint32_t MountFs::new_fid() {
  while (next_fid_ == NOFID || fids_.contains(next_fid_)) next_fid_++;
  uint32_t n = next_fid_++;
  fids_.insert(n);
  return n;
}

void MountFs::release_fid(uint32_t n) { fids_.erase(n); }

void MountFs::clunk_remote(uint32_t n) {
  if (state_ == State::hungup) return;
  Fcall t = message(Tclunk);
  t.fid = n;
  // The number is free again once the server has answered, whatever it said.
  rpc(std::move(t), nullptr, [this, n](Result<Fcall>) { release_fid(n); });
}

std::shared_ptr<MountFs::RemoteFid> MountFs::remote(uint32_t n) {
  return std::make_shared<RemoteFid>(weak_from_this(), n);
}

void MountFs::ensure(MountFid& f, std::function<void(Result<void>)> then) {
  if (f.own) return then(success());
  if (state_ == State::hungup) return then(hangup_);
  if (!f.base) return then(Error(Errc::badf, "mount: fid has no server fid"));
  uint32_t n = new_fid();
  Fcall t = message(Twalk);
  t.fid = f.base->num;
  t.newfid = n;
  rpc(std::move(t), &f, [this, &f, n, then](Result<Fcall> r) {
    if (!r) {
      release_fid(n);
      return then(std::move(r).error());
    }
    f.own = remote(n);
    f.base.reset();
    then(success());
  });
}

uint32_t MountFs::iounit(const MountFid& f) const {
  uint32_t most = msize_ > IOHDRSZ ? msize_ - IOHDRSZ : 1;
  return f.iounit && f.iounit < most ? f.iounit : most;
}

void MountFs::attach(std::string_view uname, std::string_view aname, Reply<std::unique_ptr<Fid>> r) {
  auto go = [this, keep = shared_from_this(), u = std::string(uname), a = std::string(aname), r](Result<void> ready) {
    if (!ready) return r(std::move(ready).error());
    uint32_t n = new_fid();
    Fcall t = message(Tattach);
    t.fid = n;
    t.afid = NOFID;
    t.uname = u;
    t.aname = a;
    rpc(std::move(t), nullptr, [this, n, r](Result<Fcall> res) {
      if (!res) {
        release_fid(n);
        return r(res.error());
      }
      auto f = std::make_unique<MountFid>();
      f->own = remote(n);
      f->qid = res->qid;
      r(std::unique_ptr<Fid>(std::move(f)));
    });
  };
  if (state_ == State::ready) return go(success());
  if (state_ == State::hungup) return go(hangup_);
  waiting_.push_back(std::move(go));
}

void MountFs::walk1(Fid& fid, std::string_view name, Reply<Qid> r) {
  auto& f = static_cast<MountFid&>(fid);
  if (state_ == State::hungup) return r(hangup_);
  Fcall t = message(Twalk);
  t.wname = {std::string(name)};
  bool fresh = !f.own;
  uint32_t n = 0;
  if (f.own) {
    t.fid = t.newfid = f.own->num;
  } else if (f.base) {
    n = new_fid();
    t.fid = f.base->num;
    t.newfid = n;
  } else {
    return r(Error(Errc::badf, "mount: fid has no server fid"));
  }
  rpc(std::move(t), &f, [this, &f, fresh, n, r](Result<Fcall> res) {
    if (res && res->wqid.size() != 1) res = Error(Errc::noent);
    if (!res) {
      if (fresh) release_fid(n);
      return r(res.error());
    }
    if (fresh) {
      f.own = remote(n);
      f.base.reset();
    }
    f.qid = res->wqid[0];
    r(f.qid);
  });
}

void MountFs::walk(Fid& fid, std::vector<std::string> names, Reply<std::vector<Qid>> r) {
  auto& f = static_cast<MountFid&>(fid);
  if (state_ == State::hungup) return r(hangup_);
  auto from = f.own ? f.own : f.base;
  if (!from) return r(Error(Errc::badf, "mount: fid has no server fid"));
  // Walked into a new server fid, so a walk that stops part way leaves fid where it was.
  auto to = remote(new_fid());
  auto qids = std::make_shared<std::vector<Qid>>();
  auto list = std::make_shared<std::vector<std::string>>(std::move(names));
  walk_chunk(f, from, to, list, 0, qids, std::move(r));
}

void MountFs::walk_chunk(MountFid& f, std::shared_ptr<RemoteFid> from, std::shared_ptr<RemoteFid> to,
                         std::shared_ptr<std::vector<std::string>> names, size_t at,
                         std::shared_ptr<std::vector<Qid>> qids, Reply<std::vector<Qid>> r) {
  size_t n = std::min(MAXWELEM, names->size() - at);
  Fcall t = message(Twalk);
  t.fid = from->num;
  t.newfid = to->num;
  t.wname.assign(names->begin() + static_cast<ptrdiff_t>(at), names->begin() + static_cast<ptrdiff_t>(at + n));
  bool first = at == 0;
  rpc(std::move(t), &f, [this, &f, to, names, at, n, first, qids, r](Result<Fcall> res) {
    if (!res || res->wqid.size() != n) {
      // The new fid exists only if an earlier chunk made it.
      if (first) {
        to->gone = true;
        release_fid(to->num);
      }
      if (res) qids->insert(qids->end(), res->wqid.begin(), res->wqid.end());
      if (qids->empty()) return r(res ? Result<std::vector<Qid>>(Error(Errc::noent)) : Result<std::vector<Qid>>(res.error()));
      return r(*qids);
    }
    qids->insert(qids->end(), res->wqid.begin(), res->wqid.end());
    if (at + n < names->size()) return walk_chunk(f, to, to, names, at + n, qids, r);
    f.own = to;
    f.base.reset();
    if (!qids->empty()) f.qid = qids->back();
    r(*qids);
  });
}

std::function<void(Result<Fcall>)> MountFs::opened(MountFid& f, uint8_t mode, Reply<void> r) {
  return [&f, mode, r](Result<Fcall> res) {
    if (!res) return r(res.error());
    f.qid = res->qid;
    f.open = true;
    f.mode = mode;
    f.iounit = res->iounit;
    r(success());
  };
}

void MountFs::open(Fid& fid, uint8_t mode, Reply<void> r) {
  auto& f = static_cast<MountFid&>(fid);
  ensure(f, [this, &f, mode, r](Result<void> ok) {
    if (!ok) return r(std::move(ok).error());
    Fcall t = message(Topen);
    t.fid = f.own->num;
    t.mode = mode;
    rpc(std::move(t), &f, opened(f, mode, r));
  });
}

void MountFs::create(Fid& fid, std::string_view name, uint32_t perm, uint8_t mode, Reply<void> r) {
  auto& f = static_cast<MountFid&>(fid);
  ensure(f, [this, &f, name = std::string(name), perm, mode, r](Result<void> ok) {
    if (!ok) return r(std::move(ok).error());
    Fcall t = message(Tcreate);
    t.fid = f.own->num;
    t.name = name;
    t.perm = perm;
    t.mode = mode;
    rpc(std::move(t), &f, opened(f, mode, r));
  });
}

void MountFs::read(Fid& fid, uint64_t offset, uint32_t count, Reply<Bytes> r) {
  auto& f = static_cast<MountFid&>(fid);
  if (!f.own) return r(Error(Errc::badf, "fid not open"));
  if (count == 0) return r(Bytes{});
  auto op = std::make_shared<IoOp>();
  op->fid = &f;
  op->offset = offset;
  op->left = count;
  op->read_reply = std::move(r);
  read_chunk(op);
}

void MountFs::read_chunk(std::shared_ptr<IoOp> op) {
  MountFid& f = *op->fid;
  uint32_t n = std::min(op->left, iounit(f));
  Fcall t = message(Tread);
  t.fid = f.own->num;
  t.offset = op->offset;
  t.count = n;
  rpc(std::move(t), &f, [this, op, n](Result<Fcall> res) {
    if (!res) {
      if (op->data.empty()) return op->read_reply(res.error());
      return op->read_reply(std::move(op->data));
    }
    Bytes& got = res->data;
    if (got.size() > n) got.resize(n);
    uint32_t m = static_cast<uint32_t>(got.size());
    if (op->data.empty())
      op->data = std::move(got);
    else
      op->data.insert(op->data.end(), got.begin(), got.end());
    op->left -= m;
    op->offset += m;
    // A short read, a directory (whole entries), or all of it: done.
    if (m < n || op->left == 0 || op->fid->qid.is_dir()) return op->read_reply(std::move(op->data));
    read_chunk(op);
  });
}

void MountFs::write(Fid& fid, uint64_t offset, std::span<const uint8_t> data, Reply<uint32_t> r) {
  auto& f = static_cast<MountFid&>(fid);
  if (!f.own) return r(Error(Errc::badf, "fid not open"));
  auto op = std::make_shared<IoOp>();
  op->fid = &f;
  op->offset = offset;
  op->data.assign(data.begin(), data.end());
  op->write_reply = std::move(r);
  write_chunk(op);
}

void MountFs::write_chunk(std::shared_ptr<IoOp> op) {
  MountFid& f = *op->fid;
  size_t left = op->data.size() - op->done;
  uint32_t n = static_cast<uint32_t>(std::min<size_t>(left, iounit(f)));
  Fcall t = message(Twrite);
  t.fid = f.own->num;
  t.offset = op->offset;
  t.data.assign(op->data.begin() + static_cast<ptrdiff_t>(op->done),
                op->data.begin() + static_cast<ptrdiff_t>(op->done + n));
  t.count = n;
  rpc(std::move(t), &f, [this, op, n](Result<Fcall> res) {
    if (!res) {
      if (op->done == 0) return op->write_reply(res.error());
      return op->write_reply(static_cast<uint32_t>(op->done));
    }
    uint32_t m = std::min(res->count, n);
    op->done += m;
    op->offset += m;
    if (m < n || op->done == op->data.size()) return op->write_reply(static_cast<uint32_t>(op->done));
    write_chunk(op);
  });
}

void MountFs::stat(Fid& fid, Reply<Dir> r) {
  auto& f = static_cast<MountFid&>(fid);
  ensure(f, [this, &f, r](Result<void> ok) {
    if (!ok) return r(std::move(ok).error());
    Fcall t = message(Tstat);
    t.fid = f.own->num;
    rpc(std::move(t), &f, [r](Result<Fcall> res) {
      if (!res) return r(res.error());
      r(std::move(res->stat));
    });
  });
}

void MountFs::wstat(Fid& fid, const Dir& d, Reply<void> r) {
  auto& f = static_cast<MountFid&>(fid);
  ensure(f, [this, &f, d, r](Result<void> ok) {
    if (!ok) return r(std::move(ok).error());
    Fcall t = message(Twstat);
    t.fid = f.own->num;
    t.stat = d;
    rpc(std::move(t), &f, [r](Result<Fcall> res) {
      if (!res) return r(res.error());
      r(success());
    });
  });
}

void MountFs::remove(Fid& fid, Reply<void> r) {
  auto& f = static_cast<MountFid&>(fid);
  ensure(f, [this, &f, r](Result<void> ok) {
    if (!ok) return r(std::move(ok).error());
    auto own = f.own;
    Fcall t = message(Tremove);
    t.fid = own->num;
    rpc(std::move(t), &f, [this, &f, own, r](Result<Fcall> res) {
      // The server clunks the fid whatever the answer (unless it hung up: then it is gone anyway).
      own->gone = true;
      release_fid(own->num);
      f.open = false;
      if (!res) return r(res.error());
      r(success());
    });
  });
}

void MountFs::clunk(Fid& fid) {
  auto& f = static_cast<MountFid&>(fid);
  // An open fid's server fid is its own: clunk it now (ORCLOSE acts at once, as in Plan 9).
  if (f.open) f.own.reset();
  f.open = false;
}

void MountFs::flush(Fid& fid) {
  std::vector<std::function<void(Result<Fcall>)>> dones;
  std::vector<uint16_t> tags;
  for (auto& [tag, rpc] : pending_) {
    if (rpc.fid != &fid || rpc.flushed) continue;
    rpc.flushed = true;
    dones.push_back(std::move(rpc.done));
    tags.push_back(tag);
  }
  for (uint16_t old : tags) {
    Fcall t = message(Tflush);
    t.oldtag = old;
    rpc(std::move(t), nullptr, [this, old](Result<Fcall>) {
      // flush(5): after Rflush the old tag is free and its answer will not come.
      auto it = pending_.find(old);
      if (it == pending_.end() || !it->second.flushed) return;
      Rpc gone = std::move(it->second);
      pending_.erase(it);
      abandoned(gone);
    });
  }
  for (auto& done : dones)
    if (done) done(Error(Errc::intr));
}

std::function<void(ChanRef, ChanRef, std::string, Reply<ChanRef>)> make_mount_driver(
    std::function<std::string()> user) {
  struct Conns {
    std::map<const Chan*, std::weak_ptr<MountFs>> by_chan;
    uint32_t next_dev = 1;
  };
  auto conns = std::make_shared<Conns>();
  return [conns, user](ChanRef chan, ChanRef auth, std::string aname, Reply<ChanRef> r) {
    if (!chan) return r(Error(Errc::badf, "mount: no channel"));
    if (auth) return r(Error(Errc::notsup, "mount: authentication is not supported"));
    auto& by_chan = conns->by_chan;
    for (auto it = by_chan.begin(); it != by_chan.end();) it = it->second.expired() ? by_chan.erase(it) : std::next(it);
    // A second mount of the same channel shares its conversation, as devmnt does: two readers
    // of one pipe would steal each other's answers.
    std::shared_ptr<MountFs> fs;
    if (auto it = by_chan.find(chan.get()); it != by_chan.end()) fs = it->second.lock();
    if (!fs || fs->hung_up()) {
      fs = MountFs::make(chan);
      by_chan[chan.get()] = fs;
    }
    uint32_t dev = conns->next_dev++;
    std::string path = chan->path;
    fs->attach(user ? user() : std::string(), aname, [fs, dev, path, r](Result<std::unique_ptr<Fid>> fid) {
      if (!fid) return r(std::move(fid).error());
      auto root = std::make_shared<Chan>(fs, std::move(fid).value(), path);
      root->dev = dev;
      r(root);
    });
  };
}

}  // namespace web9
