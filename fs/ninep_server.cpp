// The 9P2000 server loop over a FileServer: a fid table, a table of requests in flight (for Tflush),
// and one short function per T-message. Multi-element walks and ".." are done here, with walk1.
#include "fs/ninep_server.h"

#include <algorithm>
#include <type_traits>

namespace web9 {

// One fid the client holds. Requests in flight hold it too, so a Tclunk that overtakes a slow
// read only unhooks it from the table; the file server's clunk comes when the last holder goes.
struct NinepServer::FidEntry {
  FidEntry(std::shared_ptr<FileServer> s, std::unique_ptr<Fid> f, FidRef r, std::vector<std::string> p)
      : server(std::move(s)), fid(std::move(f)), root(std::move(r)), path(std::move(p)) {}
  ~FidEntry() {
    if (fid) server->clunk(*fid);
  }
  FidEntry(const FidEntry&) = delete;
  FidEntry& operator=(const FidEntry&) = delete;

  std::shared_ptr<FileServer> server;
  std::unique_ptr<Fid> fid;
  // An unopened fid on the attach's root and the names walked from it: ".." walks again from
  // there, since file servers never see "..". Null on the root entry itself.
  FidRef root;
  std::vector<std::string> path;
  bool open = false;
  uint8_t mode = 0;
};

// A T-message being served. It keeps the message alive, so the names and data the file server
// is given stay valid until it answers.
struct NinepServer::Request {
  Fcall t;
  bool done = false;  // answered, flushed or abandoned by Tversion: nothing more is sent for it
  FidRef fid;         // the fid an I/O request works on, for Tflush to interrupt
};

// A Twalk in progress: cur is a clone of the starting fid that moves down one name at a time.
struct NinepServer::Walk {
  RequestRef req;
  FidRef cur;
  size_t next = 0;
  std::vector<Qid> qids;
};

namespace {

Fcall reply(FcallType type) {
  Fcall r;
  r.type = type;
  return r;
}

// A name a client may walk to or create: "." and ".." are walked here, "/" can never be in one.
bool valid_name(std::string_view name) { return !name.empty() && name.find('/') == std::string_view::npos; }

bool readable(uint8_t mode) { return (mode & 3) != OWRITE; }
bool writable(uint8_t mode) { return (mode & 3) == OWRITE || (mode & 3) == ORDWR; }

}  // namespace

NinepServer::NinepServer(std::shared_ptr<FileServer> server, Send send, uint32_t max_msize)
    : server_(std::move(server)), send_(std::move(send)), max_msize_(std::max(max_msize, kMinMsize)) {}

NinepServer::~NinepServer() {
  // Answers still on their way find the server gone (their weak pointer expires) and are dropped.
  for (auto& [tag, req] : pending_) req->done = true;
}

template <class T, class Make>
Reply<T> NinepServer::answer(const RequestRef& req, Make make) {
  return [self = weak_from_this(), req, make](Result<T> r) mutable {
    auto s = self.lock();
    if (!s || req->done) return;
    if (!r.ok()) return s->respond(*req, std::move(r).error());
    if constexpr (std::is_void_v<T>) {
      s->respond(*req, make(*s));
    } else {
      s->respond(*req, make(*s, std::move(r).value()));
    }
  };
}

Result<void> NinepServer::handle(std::span<const uint8_t> msg) {
  auto req = std::make_shared<Request>();
  req->t = TRY(unpack(msg, msize_ ? msize_ : max_msize_));
  const Fcall& t = req->t;
  if (t.type == Tversion) {
    version(t);
    return success();
  }
  if (msize_ == 0) {
    respond(*req, Error(Errc::proto, "9P: Tversion must come first"));
    return success();
  }
  if (pending_.contains(t.tag)) {
    respond(*req, Error(Errc::proto, "duplicate tag"));
    return success();
  }
  pending_[t.tag] = req;
  switch (t.type) {
    case Tauth: respond(*req, Error(Errc::perm, "authentication not required")); break;
    case Tflush: flush(req); break;
    case Tattach: attach(req); break;
    case Twalk: walk(req); break;
    case Topen: open(req); break;
    case Tcreate: create(req); break;
    case Tread: read(req); break;
    case Twrite: write(req); break;
    case Tclunk: clunk(req); break;
    case Tremove: remove(req); break;
    case Tstat: stat(req); break;
    case Twstat: wstat(req); break;
    default:
      respond(*req, Error(Errc::proto, std::string("9P: unexpected ") + fcall_type_name(t.type)));
      break;
  }
  return success();
}

// version(5): agrees msize and version, and abandons everything the connection had.
void NinepServer::version(const Fcall& t) {
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& [tag, req] : pending) req->done = true;
  for (auto& [tag, req] : pending)
    if (req->fid) server_->flush(*req->fid->fid);
  fids_.clear();

  Fcall r = reply(Rversion);
  r.tag = t.tag;
  std::string_view v = t.version;
  bool ours = v.starts_with(VERSION9P) && (v.size() == VERSION9P.size() || v[VERSION9P.size()] == '.');
  if (t.msize < kMinMsize) {
    r = reply(Rerror);
    r.tag = t.tag;
    r.ename = "9P: msize " + std::to_string(t.msize) + " is too small";
    msize_ = 0;
  } else if (!ours) {
    r.msize = std::min(t.msize, max_msize_);
    r.version = "unknown";
    msize_ = 0;
  } else {
    msize_ = std::min(t.msize, max_msize_);
    r.msize = msize_;
    r.version = VERSION9P;
  }
  auto packed = pack(r);
  if (packed.ok()) send_(std::move(packed.value()));
}

// flush(5): the old request's answer, if it ever comes, is dropped; the file server is asked to
// give up what is pending on its fid. Rflush tells the client the tag is free again.
void NinepServer::flush(const RequestRef& req) {
  auto it = pending_.find(req->t.oldtag);
  if (it != pending_.end() && it->second != req) {
    RequestRef old = it->second;
    old->done = true;
    pending_.erase(it);
    if (old->fid) server_->flush(*old->fid->fid);
  }
  respond(*req, reply(Rflush));
}

void NinepServer::attach(const RequestRef& req) {
  const Fcall& t = req->t;
  if (t.afid != NOFID) return respond(*req, Error(Errc::perm, "authentication not required"));
  if (t.fid == NOFID || fids_.contains(t.fid)) return respond(*req, Error(Errc::badf, "fid in use"));
  server_->attach(
      t.uname, t.aname,
      answer<std::unique_ptr<Fid>>(req, [req](NinepServer& s, std::unique_ptr<Fid> fid) -> Result<Fcall> {
        uint32_t n = req->t.fid;
        auto root = std::make_shared<FidEntry>(s.server_, fid->clone(), nullptr, std::vector<std::string>{});
        auto entry = std::make_shared<FidEntry>(s.server_, std::move(fid), root, std::vector<std::string>{});
        if (s.fids_.contains(n)) return Error(Errc::badf, "fid in use");
        s.fids_[n] = entry;
        Fcall r = reply(Rattach);
        r.qid = entry->fid->qid;
        return r;
      }));
}

// walk(5): newfid is made only if every name is walked. If the first name fails the answer is
// Rerror; if a later one fails, Rwalk with the qids of the names that were walked.
void NinepServer::walk(const RequestRef& req) {
  const Fcall& t = req->t;
  auto from = lookup(t.fid);
  if (!from) return respond(*req, from.error());
  if (from.value()->open) return respond(*req, Error(Errc::badf, "cannot walk an open fid"));
  if (t.newfid != t.fid && (t.newfid == NOFID || fids_.contains(t.newfid)))
    return respond(*req, Error(Errc::badf, "fid in use"));
  for (const auto& name : t.wname)
    if (!valid_name(name)) return respond(*req, Error(Errc::inval, "bad file name '" + name + "'"));
  auto w = std::make_shared<Walk>();
  w->req = req;
  const FidEntry& start = *from.value();
  w->cur = std::make_shared<FidEntry>(server_, start.fid->clone(), start.root, start.path);
  walk_next(w);
}

void NinepServer::walk_next(const std::shared_ptr<Walk>& w) {
  if (w->req->done) return;
  const auto& names = w->req->t.wname;
  while (w->next < names.size() && names[w->next] == ".") {
    w->qids.push_back(w->cur->fid->qid);
    w->next++;
  }
  if (w->next == names.size()) return walk_done(w, nullptr);
  if (names[w->next] == "..") return walk_up(w);
  server_->walk1(*w->cur->fid, names[w->next], [self = weak_from_this(), w](Result<Qid> q) {
    auto s = self.lock();
    if (!s) return;
    if (!q.ok()) return s->walk_done(w, &q.error());
    w->cur->fid->qid = q.value();
    w->cur->path.push_back(w->req->t.wname[w->next]);
    w->qids.push_back(q.value());
    w->next++;
    s->walk_next(w);
  });
}

// "..": a fresh clone of the attach root walked down the path less its last name. The root's
// parent is the root.
void NinepServer::walk_up(const std::shared_ptr<Walk>& w) {
  FidRef root = w->cur->root;
  if (!root || w->cur->path.empty()) {
    w->qids.push_back(w->cur->fid->qid);
    w->next++;
    return walk_next(w);
  }
  auto names = std::make_shared<std::vector<std::string>>(w->cur->path);
  names->pop_back();
  auto up = std::make_shared<FidEntry>(server_, root->fid->clone(), root, *names);
  rewalk(up, names, 0, [self = weak_from_this(), w, up](Result<void> r) {
    auto s = self.lock();
    if (!s) return;
    if (!r.ok()) return s->walk_done(w, &r.error());
    w->cur = up;
    w->qids.push_back(up->fid->qid);
    w->next++;
    s->walk_next(w);
  });
}

void NinepServer::rewalk(const FidRef& cur, std::shared_ptr<std::vector<std::string>> names, size_t i,
                         std::function<void(Result<void>)> done) {
  if (i == names->size()) return done(success());
  server_->walk1(*cur->fid, (*names)[i], [self = weak_from_this(), cur, names, i, done](Result<Qid> q) {
    auto s = self.lock();
    if (!s) return;
    if (!q.ok()) return done(std::move(q).error());
    cur->fid->qid = q.value();
    s->rewalk(cur, names, i + 1, done);
  });
}

void NinepServer::walk_done(const std::shared_ptr<Walk>& w, const Error* err) {
  Request& req = *w->req;
  if (req.done) return;
  if (err && w->qids.empty()) return respond(req, *err);
  Fcall r = reply(Rwalk);
  r.wqid = std::move(w->qids);
  if (!err) {
    uint32_t newfid = req.t.newfid;
    if (newfid != req.t.fid && fids_.contains(newfid)) return respond(req, Error(Errc::badf, "fid in use"));
    fids_[newfid] = w->cur;
  }
  respond(req, std::move(r));
}

void NinepServer::open(const RequestRef& req) {
  auto e = lookup(req->t.fid);
  if (!e) return respond(*req, e.error());
  FidRef entry = e.value();
  if (entry->open) return respond(*req, Error(Errc::badf, "fid already open"));
  req->fid = entry;
  server_->open(*entry->fid, req->t.mode, answer<void>(req, [req, entry](NinepServer& s) -> Result<Fcall> {
    entry->open = true;
    entry->mode = req->t.mode;
    Fcall r = reply(Ropen);
    r.qid = entry->fid->qid;
    r.iounit = s.iounit();
    return r;
  }));
}

void NinepServer::create(const RequestRef& req) {
  const Fcall& t = req->t;
  auto e = lookup(t.fid);
  if (!e) return respond(*req, e.error());
  FidRef entry = e.value();
  if (entry->open) return respond(*req, Error(Errc::badf, "fid already open"));
  if (!valid_name(t.name) || t.name == "." || t.name == "..")
    return respond(*req, Error(Errc::inval, "bad file name '" + t.name + "'"));
  req->fid = entry;
  server_->create(*entry->fid, t.name, t.perm, t.mode,
                  answer<void>(req, [req, entry](NinepServer& s) -> Result<Fcall> {
                    entry->open = true;
                    entry->mode = req->t.mode;
                    entry->path.push_back(req->t.name);
                    Fcall r = reply(Rcreate);
                    r.qid = entry->fid->qid;
                    r.iounit = s.iounit();
                    return r;
                  }));
}

void NinepServer::read(const RequestRef& req) {
  auto e = lookup(req->t.fid);
  if (!e) return respond(*req, e.error());
  FidRef entry = e.value();
  if (!entry->open || !readable(entry->mode))
    return respond(*req, Error(Errc::badf, "fid not open for reading"));
  req->fid = entry;
  uint32_t count = std::min(req->t.count, iounit());
  server_->read(*entry->fid, req->t.offset, count,
                answer<Bytes>(req, [count](NinepServer&, Bytes data) -> Result<Fcall> {
                  if (data.size() > count)
                    data.resize(count);  // a server that overanswers must not break msize
                  Fcall r = reply(Rread);
                  r.data = std::move(data);
                  return r;
                }));
}

void NinepServer::write(const RequestRef& req) {
  auto e = lookup(req->t.fid);
  if (!e) return respond(*req, e.error());
  FidRef entry = e.value();
  if (!entry->open || !writable(entry->mode))
    return respond(*req, Error(Errc::badf, "fid not open for writing"));
  req->fid = entry;
  server_->write(*entry->fid, req->t.offset, req->t.data,
                 answer<uint32_t>(req, [](NinepServer&, uint32_t n) -> Result<Fcall> {
                   Fcall r = reply(Rwrite);
                   r.count = n;
                   return r;
                 }));
}

void NinepServer::clunk(const RequestRef& req) {
  if (!fids_.erase(req->t.fid)) return respond(*req, Error(Errc::badf, "unknown fid"));
  respond(*req, reply(Rclunk));
}

// remove(5): the fid is gone whatever the answer.
void NinepServer::remove(const RequestRef& req) {
  auto e = lookup(req->t.fid);
  if (!e) return respond(*req, e.error());
  FidRef entry = e.value();
  fids_.erase(req->t.fid);
  req->fid = entry;
  server_->remove(*entry->fid,
                  answer<void>(req, [](NinepServer&) -> Result<Fcall> { return reply(Rremove); }));
}

void NinepServer::stat(const RequestRef& req) {
  auto e = lookup(req->t.fid);
  if (!e) return respond(*req, e.error());
  req->fid = e.value();
  server_->stat(*req->fid->fid, answer<Dir>(req, [](NinepServer&, Dir d) -> Result<Fcall> {
    Fcall r = reply(Rstat);
    r.stat = std::move(d);
    return r;
  }));
}

void NinepServer::wstat(const RequestRef& req) {
  auto e = lookup(req->t.fid);
  if (!e) return respond(*req, e.error());
  FidRef entry = e.value();
  req->fid = entry;
  server_->wstat(*entry->fid, req->t.stat, answer<void>(req, [req, entry](NinepServer&) -> Result<Fcall> {
    // A rename: later ".." walks from this fid go by the new name.
    // FIXME: other fids below a renamed directory keep the old name and fail to walk "..".
    const std::string& name = req->t.stat.name;
    if (!name.empty() && !entry->path.empty()) entry->path.back() = name;
    return reply(Rwstat);
  }));
}

Result<NinepServer::FidRef> NinepServer::lookup(uint32_t fid) const {
  auto it = fids_.find(fid);
  if (it == fids_.end()) return Error(Errc::badf, "unknown fid");
  return it->second;
}

void NinepServer::respond(Request& req, Result<Fcall> r) {
  if (req.done) return;
  req.done = true;
  auto it = pending_.find(req.t.tag);
  if (it != pending_.end() && it->second.get() == &req) pending_.erase(it);
  Fcall out;
  if (r.ok()) {
    out = std::move(r.value());
  } else {
    out = reply(Rerror);
    out.ename = r.error().text();
  }
  out.tag = req.t.tag;
  send(out);
}

// Packs and sends r; an answer that cannot go on the wire goes as an Rerror saying why.
void NinepServer::send(Fcall& r) {
  uint32_t limit = msize_ ? msize_ : kMinMsize;
  auto packed = pack(r);
  if (!packed.ok() || packed.value().size() > limit) {
    std::string why =
        packed.ok() ? std::string(fcall_type_name(r.type)) + " exceeds msize" : packed.error().text();
    Fcall e = reply(Rerror);
    e.tag = r.tag;
    e.ename = r.type == Rerror ? r.ename : why;
    e.ename.resize(std::min<size_t>(e.ename.size(), limit - FCALL_HEADER_SIZE - 2));
    packed = pack(e);
  }
  send_(std::move(packed.value()));
}

}  // namespace web9
