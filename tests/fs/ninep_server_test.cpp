// Tests for fs/ninep_server.cpp: a 9P2000 conversation with a tiny in-test file server behind it.
#include "fs/ninep_server.h"

#include <catch2/catch.hpp>
#include <map>

using namespace web9;

namespace {

// A file server small enough to read at a glance: files and directories keyed by path ("" is the
// root, "sub/deep" a file in sub). Reads of "slow" wait until the test calls answer_slow().
class TinyFs final : public FileServer {
 public:
  struct TinyFid final : Fid {
    TinyFid(TinyFs& fs, std::string p, Qid q) : fs(fs), path(std::move(p)) {
      qid = q;
      fs.fids_made++;
    }
    std::unique_ptr<Fid> clone() const override { return std::make_unique<TinyFid>(fs, path, qid); }
    TinyFs& fs;
    std::string path;
    size_t dir_index = 0;
  };

  TinyFs() {
    add("", DMDIR | 0777, "");
    add("hello", 0644, "hello, world\n");
    add("sub", DMDIR | 0755, "");
    add("sub/deep", 0644, "down here");
    add("slow", 0644, "");
    add("big", 0644, std::string(10000, 'b'));
  }

  std::string_view kind() const override { return "tiny"; }

  void attach(std::string_view uname, std::string_view, Reply<std::unique_ptr<Fid>> r) override {
    last_uname = uname;
    r(std::unique_ptr<Fid>(std::make_unique<TinyFid>(*this, "", files_[""].qid)));
  }

  void walk1(Fid& fid, std::string_view name, Reply<Qid> r) override {
    auto& f = static_cast<TinyFid&>(fid);
    if (!f.qid.is_dir()) return r(Errc::notdir);
    walked.push_back(std::string(name));
    auto it = files_.find(child(f.path, name));
    if (it == files_.end()) return r(Errc::noent);
    f.path = it->first;
    f.qid = it->second.qid;
    r(f.qid);
  }

  void open(Fid& fid, uint8_t mode, Reply<void> r) override {
    auto& f = static_cast<TinyFid&>(fid);
    if (mode & OTRUNC) files_[f.path].data.clear();
    FileServer::open(fid, mode, std::move(r));
  }

  void create(Fid& fid, std::string_view name, uint32_t perm, uint8_t mode, Reply<void> r) override {
    auto& f = static_cast<TinyFid&>(fid);
    if (!f.qid.is_dir()) return r(Errc::notdir);
    std::string path = child(f.path, name);
    if (files_.contains(path)) return r(Errc::exist);
    add(path, perm, "");
    f.path = path;
    f.qid = files_[path].qid;
    f.open = true;
    f.mode = mode;
    r(success());
  }

  void read(Fid& fid, uint64_t offset, uint32_t count, Reply<Bytes> r) override {
    auto& f = static_cast<TinyFid&>(fid);
    if (f.path == "slow") return parked_.push_back({&f, std::move(r)});
    if (f.qid.is_dir()) {
      if (offset == 0) f.dir_index = 0;
      std::vector<Dir> entries;
      for (const auto& [path, file] : files_)
        if (!path.empty() && parent(path) == f.path) entries.push_back(dir_of(path));
      return r(pack_dir_entries(entries, &f.dir_index, count));
    }
    const std::string& data = files_[f.path].data;
    if (offset >= data.size()) return r(Bytes{});
    size_t n = std::min<size_t>(count, data.size() - offset);
    r(Bytes(data.begin() + offset, data.begin() + offset + n));
  }

  void write(Fid& fid, uint64_t offset, std::span<const uint8_t> in, Reply<uint32_t> r) override {
    std::string& data = files_[static_cast<TinyFid&>(fid).path].data;
    if (data.size() < offset + in.size()) data.resize(offset + in.size());
    std::copy(in.begin(), in.end(), data.begin() + offset);
    r(static_cast<uint32_t>(in.size()));
  }

  void stat(Fid& fid, Reply<Dir> r) override { r(dir_of(static_cast<TinyFid&>(fid).path)); }

  // Renames only (files, not directories with children), which is all the tests need.
  void wstat(Fid& fid, const Dir& d, Reply<void> r) override {
    auto& f = static_cast<TinyFid&>(fid);
    if (d.name.empty()) return r(success());
    std::string to = child(parent(f.path), d.name);
    if (files_.contains(to)) return r(Errc::exist);
    auto node = files_.extract(f.path);
    node.key() = to;
    files_.insert(std::move(node));
    f.path = to;
    r(success());
  }

  void remove(Fid& fid, Reply<void> r) override {
    auto& f = static_cast<TinyFid&>(fid);
    if (f.path.empty()) return r(Errc::perm);
    files_.erase(f.path);
    r(success());
  }

  void clunk(Fid&) override { clunks++; }

  void flush(Fid& fid) override {
    flushes++;
    if (ignore_flush) return;
    auto parked = std::move(parked_);
    parked_.clear();
    for (auto& p : parked) {
      if (p.fid == &fid)
        p.reply(Errc::intr);
      else
        parked_.push_back(std::move(p));
    }
  }

  // Answers the oldest parked read of "slow".
  void answer_slow(std::string_view text) {
    REQUIRE_FALSE(parked_.empty());
    auto p = std::move(parked_.front());
    parked_.erase(parked_.begin());
    p.reply(Bytes(text.begin(), text.end()));
  }

  bool exists(const std::string& path) const { return files_.contains(path); }
  size_t parked() const { return parked_.size(); }

  int fids_made = 0;
  int clunks = 0;
  int flushes = 0;
  bool ignore_flush = false;  // a server that lets a flushed read answer late
  std::string last_uname;
  std::vector<std::string> walked;  // every name walk1 was asked for

 private:
  struct File {
    Qid qid;
    uint32_t mode = 0;
    std::string data;
  };
  struct Parked {
    TinyFid* fid;
    Reply<Bytes> reply;
  };

  static std::string child(const std::string& dir, std::string_view name) {
    return dir.empty() ? std::string(name) : dir + "/" + std::string(name);
  }
  static std::string parent(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == std::string::npos ? "" : path.substr(0, slash);
  }
  void add(const std::string& path, uint32_t mode, std::string data) {
    uint8_t type = (mode & DMDIR) ? QTDIR : QTFILE;
    files_[path] = File{Qid{type, 0, next_path_++}, mode, std::move(data)};
  }
  Dir dir_of(const std::string& path) {
    const File& file = files_[path];
    Dir d;
    d.qid = file.qid;
    d.mode = file.mode;
    d.length = file.qid.is_dir() ? 0 : file.data.size();
    d.name = path.empty() ? "/" : path.substr(path.rfind('/') + 1);
    d.uid = d.gid = d.muid = "glenda";
    return d;
  }

  std::map<std::string, File> files_;
  uint64_t next_path_ = 0;
  std::vector<Parked> parked_;
};

// The client's side: packs T-messages into the server and collects the R-messages it sends.
struct Client {
  explicit Client(uint32_t max_msize = 8192)
      : fs(std::make_shared<TinyFs>()),
        server(std::make_shared<NinepServer>(
            fs,
            [this](Bytes b) {
              auto f = unpack(b);
              REQUIRE(f.ok());
              replies.push_back(f.value());
            },
            max_msize)) {}
  Client(const Client&) = delete;

  // Sends t without expecting anything back yet.
  void send(const Fcall& t) {
    auto b = pack(t);
    REQUIRE(b.ok());
    REQUIRE(server->handle(b.value()).ok());
  }
  // Sends t and returns the one answer it got at once.
  Fcall rpc(const Fcall& t) {
    size_t before = replies.size();
    send(t);
    REQUIRE(replies.size() == before + 1);
    CHECK(replies.back().tag == t.tag);
    return replies.back();
  }
  // Tversion and Tattach of fid 0 to the root.
  void start() {
    REQUIRE(rpc(tversion(8192, "9P2000")).type == Rversion);
    REQUIRE(rpc(tattach(1, 0)).type == Rattach);
  }

  static Fcall make(FcallType type, uint16_t tag, uint32_t fid = NOFID) {
    Fcall f;
    f.type = type;
    f.tag = tag;
    f.fid = fid;
    return f;
  }
  static Fcall tversion(uint32_t msize, std::string version) {
    Fcall f = make(Tversion, NOTAG);
    f.msize = msize;
    f.version = std::move(version);
    return f;
  }
  static Fcall tattach(uint16_t tag, uint32_t fid) {
    Fcall f = make(Tattach, tag, fid);
    f.uname = "glenda";
    return f;
  }
  static Fcall twalk(uint16_t tag, uint32_t fid, uint32_t newfid, std::vector<std::string> names) {
    Fcall f = make(Twalk, tag, fid);
    f.newfid = newfid;
    f.wname = std::move(names);
    return f;
  }
  static Fcall topen(uint16_t tag, uint32_t fid, uint8_t mode) {
    Fcall f = make(Topen, tag, fid);
    f.mode = mode;
    return f;
  }
  static Fcall tcreate(uint16_t tag, uint32_t fid, std::string name, uint32_t perm, uint8_t mode) {
    Fcall f = make(Tcreate, tag, fid);
    f.name = std::move(name);
    f.perm = perm;
    f.mode = mode;
    return f;
  }
  static Fcall tread(uint16_t tag, uint32_t fid, uint64_t offset, uint32_t count) {
    Fcall f = make(Tread, tag, fid);
    f.offset = offset;
    f.count = count;
    return f;
  }
  static Fcall twrite(uint16_t tag, uint32_t fid, uint64_t offset, std::string_view data) {
    Fcall f = make(Twrite, tag, fid);
    f.offset = offset;
    f.data.assign(data.begin(), data.end());
    return f;
  }
  static Fcall tflush(uint16_t tag, uint16_t oldtag) {
    Fcall f = make(Tflush, tag);
    f.oldtag = oldtag;
    return f;
  }
  static Fcall twstat_name(uint16_t tag, uint32_t fid, std::string name) {
    Fcall f = make(Twstat, tag, fid);
    f.stat = Dir::nochange();
    f.stat.name = std::move(name);
    return f;
  }

  std::shared_ptr<TinyFs> fs;
  std::vector<Fcall> replies;
  std::shared_ptr<NinepServer> server;
};

std::string text(const Bytes& b) { return std::string(b.begin(), b.end()); }

void require_error(const Fcall& r, std::string_view ename) {
  INFO(to_string(r));
  REQUIRE(r.type == Rerror);
  CHECK(r.ename == ename);
}

using C = Client;

}  // namespace

TEST_CASE("Tversion agrees the smaller msize and the 9P2000 version", "[ninep]") {
  Client c(8192);
  Fcall r = c.rpc(C::tversion(1 << 20, "9P2000"));
  CHECK(r.type == Rversion);
  CHECK(r.msize == 8192);
  CHECK(r.version == "9P2000");
  CHECK(c.server->msize() == 8192);

  r = c.rpc(C::tversion(4096, "9P2000.L"));
  CHECK(r.msize == 4096);
  CHECK(r.version == "9P2000");

  r = c.rpc(C::tversion(4096, "9P3000"));
  CHECK(r.version == "unknown");
  CHECK(c.server->msize() == 0);

  require_error(c.rpc(C::tversion(100, "9P2000")), "9P: msize 100 is too small");
}

TEST_CASE("requests before Tversion are refused", "[ninep]") {
  Client c;
  require_error(c.rpc(C::tattach(1, 0)), "9P: Tversion must come first");
  CHECK(c.fs->fids_made == 0);
}

TEST_CASE("a client attaches, walks, opens and reads a file", "[ninep]") {
  Client c;
  c.start();
  CHECK(c.fs->last_uname == "glenda");
  CHECK(c.server->fid_count() == 1);

  Fcall w = c.rpc(C::twalk(2, 0, 1, {"sub", "deep"}));
  REQUIRE(w.type == Rwalk);
  REQUIRE(w.wqid.size() == 2);
  CHECK(w.wqid[0].is_dir());
  CHECK_FALSE(w.wqid[1].is_dir());

  Fcall o = c.rpc(C::topen(3, 1, OREAD));
  REQUIRE(o.type == Ropen);
  CHECK(o.qid == w.wqid[1]);
  CHECK(o.iounit == 8192 - IOHDRSZ);

  Fcall rd = c.rpc(C::tread(4, 1, 0, 100));
  REQUIRE(rd.type == Rread);
  CHECK(text(rd.data) == "down here");
  CHECK(c.rpc(C::tread(5, 1, 9, 100)).data.empty());

  Fcall st = c.rpc(C::make(Tstat, 6, 1));
  REQUIRE(st.type == Rstat);
  CHECK(st.stat.name == "deep");
  CHECK(st.stat.length == 9);

  CHECK(c.rpc(C::make(Tclunk, 7, 1)).type == Rclunk);
  CHECK(c.server->fid_count() == 1);
  CHECK(c.server->pending_count() == 0);
}

TEST_CASE("a directory read answers with whole stat entries", "[ninep]") {
  Client c;
  c.start();
  c.rpc(C::twalk(2, 0, 1, {}));
  REQUIRE(c.rpc(C::topen(3, 1, OREAD)).type == Ropen);
  Fcall rd = c.rpc(C::tread(4, 1, 0, 8192));
  REQUIRE(rd.type == Rread);
  auto dirs = unpack_dirs(rd.data);
  REQUIRE(dirs.ok());
  std::vector<std::string> names;
  for (const auto& d : dirs.value()) names.push_back(d.name);
  CHECK(names == std::vector<std::string>{"big", "hello", "slow", "sub"});
}

TEST_CASE("a walk that fails at the first name is an error and later is a short Rwalk", "[ninep]") {
  Client c;
  c.start();
  require_error(c.rpc(C::twalk(2, 0, 1, {"nope"})), "file does not exist");
  CHECK(c.server->fid_count() == 1);

  Fcall w = c.rpc(C::twalk(3, 0, 1, {"sub", "nope", "deeper"}));
  REQUIRE(w.type == Rwalk);
  CHECK(w.wqid.size() == 1);
  require_error(c.rpc(C::make(Tclunk, 4, 1)), "unknown fid");  // newfid was not made

  // A walk with no names clones; a walk onto itself moves the fid.
  REQUIRE(c.rpc(C::twalk(5, 0, 1, {})).type == Rwalk);
  REQUIRE(c.rpc(C::twalk(6, 1, 1, {"hello"})).type == Rwalk);
  REQUIRE(c.rpc(C::topen(7, 1, OREAD)).type == Ropen);
  CHECK(text(c.rpc(C::tread(8, 1, 0, 5)).data) == "hello");
  // Every fid the file server made and dropped was clunked.
  c.rpc(C::make(Tclunk, 9, 1));
  CHECK(c.fs->clunks == c.fs->fids_made - 2);  // the attached fid 0 and its root clone remain
}

TEST_CASE("'..' walks back up without the file server seeing it, and the root's parent is the root",
          "[ninep]") {
  Client c;
  c.start();
  Fcall root = c.rpc(C::make(Tstat, 2, 0));
  Fcall w = c.rpc(C::twalk(3, 0, 1, {"sub", "..", "hello"}));
  REQUIRE(w.type == Rwalk);
  REQUIRE(w.wqid.size() == 3);
  CHECK(w.wqid[1] == root.stat.qid);
  REQUIRE(c.rpc(C::topen(4, 1, OREAD)).type == Ropen);
  CHECK(text(c.rpc(C::tread(5, 1, 0, 100)).data) == "hello, world\n");

  Fcall up = c.rpc(C::twalk(6, 0, 2, {"..", ".."}));
  REQUIRE(up.type == Rwalk);
  CHECK(up.wqid == std::vector<Qid>{root.stat.qid, root.stat.qid});

  // ".." from a fid that was walked down in an earlier message.
  REQUIRE(c.rpc(C::twalk(7, 0, 3, {"sub"})).type == Rwalk);
  Fcall back = c.rpc(C::twalk(8, 3, 4, {"..", "sub", "deep"}));
  REQUIRE(back.type == Rwalk);
  CHECK(back.wqid.size() == 3);
  CHECK(back.wqid[0] == root.stat.qid);

  for (const auto& name : c.fs->walked) CHECK(name != "..");
}

TEST_CASE("files can be created, written, read back, renamed and removed", "[ninep]") {
  Client c;
  c.start();
  c.rpc(C::twalk(2, 0, 1, {}));
  Fcall cr = c.rpc(C::tcreate(3, 1, "new", 0644, ORDWR));
  REQUIRE(cr.type == Rcreate);
  CHECK(cr.iounit == 8192 - IOHDRSZ);
  CHECK(c.fs->exists("new"));

  Fcall wr = c.rpc(C::twrite(4, 1, 0, "abc"));
  REQUIRE(wr.type == Rwrite);
  CHECK(wr.count == 3);
  CHECK(text(c.rpc(C::tread(5, 1, 0, 100)).data) == "abc");

  REQUIRE(c.rpc(C::twstat_name(6, 1, "newer")).type == Rwstat);
  CHECK(c.fs->exists("newer"));
  CHECK(c.rpc(C::make(Tstat, 7, 1)).stat.name == "newer");
  // The fid's own name follows the rename, so ".." from it still works.
  REQUIRE(c.rpc(C::twalk(8, 0, 2, {"newer"})).type == Rwalk);

  REQUIRE(c.rpc(C::make(Tremove, 9, 2)).type == Rremove);
  CHECK_FALSE(c.fs->exists("newer"));
  require_error(c.rpc(C::make(Tclunk, 10, 2)), "unknown fid");  // remove clunks, even on success
  require_error(c.rpc(C::twalk(11, 0, 2, {"newer"})), "file does not exist");
}

TEST_CASE("fids and modes are checked before the file server is asked", "[ninep]") {
  Client c;
  c.start();
  require_error(c.rpc(C::tattach(2, 0)), "fid in use");
  require_error(c.rpc(C::twalk(3, 9, 1, {})), "unknown fid");
  c.rpc(C::twalk(4, 0, 1, {"hello"}));
  require_error(c.rpc(C::twalk(5, 0, 1, {})), "fid in use");
  require_error(c.rpc(C::tread(6, 1, 0, 10)), "fid not open for reading");
  require_error(c.rpc(C::twalk(7, 0, 2, {"a/b"})), "bad file name 'a/b'");
  require_error(c.rpc(C::tcreate(8, 0, "..", 0644, OREAD)), "bad file name '..'");

  REQUIRE(c.rpc(C::topen(9, 1, OREAD)).type == Ropen);
  require_error(c.rpc(C::topen(10, 1, OREAD)), "fid already open");
  require_error(c.rpc(C::twrite(11, 1, 0, "x")), "fid not open for writing");
  require_error(c.rpc(C::twalk(12, 1, 2, {})), "cannot walk an open fid");

  Fcall auth = C::make(Tauth, 13);
  auth.afid = 5;
  require_error(c.rpc(auth), "authentication not required");
  Fcall attach = C::tattach(14, 7);
  attach.afid = 5;
  require_error(c.rpc(attach), "authentication not required");
}

TEST_CASE("a slow read is answered when the file server answers", "[ninep]") {
  Client c;
  c.start();
  c.rpc(C::twalk(2, 0, 1, {"slow"}));
  c.rpc(C::topen(3, 1, OREAD));
  size_t before = c.replies.size();
  c.send(C::tread(4, 1, 0, 100));
  CHECK(c.replies.size() == before);
  CHECK(c.server->pending_count() == 1);

  // Other requests go on meanwhile, and a second request may not reuse the busy tag.
  CHECK(c.rpc(C::make(Tstat, 5, 0)).type == Rstat);
  require_error(c.rpc(C::make(Tstat, 4, 0)), "duplicate tag");

  c.fs->answer_slow("at last");
  REQUIRE(c.replies.size() == before + 3);
  CHECK(c.replies.back().type == Rread);
  CHECK(c.replies.back().tag == 4);
  CHECK(text(c.replies.back().data) == "at last");
  CHECK(c.server->pending_count() == 0);
}

TEST_CASE("Tflush answers Rflush and the flushed request is never answered", "[ninep]") {
  Client c;
  c.start();
  c.rpc(C::twalk(2, 0, 1, {"slow"}));
  c.rpc(C::topen(3, 1, OREAD));
  c.send(C::tread(4, 1, 0, 100));
  size_t before = c.replies.size();
  Fcall fl = c.rpc(C::tflush(5, 4));
  CHECK(fl.type == Rflush);
  CHECK(c.fs->flushes == 1);
  CHECK(c.fs->parked() == 0);  // the file server gave up the read (its Errc::intr was dropped)
  CHECK(c.replies.size() == before + 1);
  CHECK(c.server->pending_count() == 0);

  // A flush of a tag nobody uses is answered at once.
  CHECK(c.rpc(C::tflush(6, 99)).type == Rflush);
  // The tag is free again.
  CHECK(c.rpc(C::make(Tstat, 4, 1)).type == Rstat);
}

TEST_CASE("an answer that comes after its request was flushed is dropped", "[ninep]") {
  Client c;
  c.start();
  c.fs->ignore_flush = true;
  c.rpc(C::twalk(2, 0, 1, {"slow"}));
  c.rpc(C::topen(3, 1, OREAD));
  c.send(C::tread(4, 1, 0, 100));
  CHECK(c.rpc(C::tflush(5, 4)).type == Rflush);
  size_t before = c.replies.size();
  c.fs->answer_slow("too late");
  CHECK(c.replies.size() == before);
}

TEST_CASE("a fid clunked while a read is in flight reaches the file server's clunk after the read",
          "[ninep]") {
  Client c;
  c.start();
  c.rpc(C::twalk(2, 0, 1, {"slow"}));
  c.rpc(C::topen(3, 1, OREAD));
  c.send(C::tread(4, 1, 0, 100));
  int clunks = c.fs->clunks;
  CHECK(c.rpc(C::make(Tclunk, 5, 1)).type == Rclunk);
  CHECK(c.fs->clunks == clunks);  // the read still uses the fid
  c.fs->answer_slow("still here");
  CHECK(c.replies.back().type == Rread);
  CHECK(text(c.replies.back().data) == "still here");
  CHECK(c.fs->clunks == clunks + 1);
}

TEST_CASE("Tversion clunks every fid and abandons every request", "[ninep]") {
  Client c;
  c.start();
  c.rpc(C::twalk(2, 0, 1, {"slow"}));
  c.rpc(C::topen(3, 1, OREAD));
  c.rpc(C::twalk(4, 0, 2, {"sub"}));
  c.send(C::tread(5, 1, 0, 100));
  CHECK(c.server->fid_count() == 3);

  size_t before = c.replies.size();
  CHECK(c.rpc(C::tversion(8192, "9P2000")).type == Rversion);
  CHECK(c.replies.size() == before + 1);  // no answer for the abandoned read
  CHECK(c.server->fid_count() == 0);
  CHECK(c.server->pending_count() == 0);
  CHECK(c.fs->clunks == c.fs->fids_made);
  // The old fids are gone: fid 0 can be attached afresh.
  CHECK(c.rpc(C::tattach(6, 0)).type == Rattach);
}

TEST_CASE("a Tread larger than the iounit is answered with at most the iounit", "[ninep]") {
  Client c;
  c.start();
  c.rpc(C::twalk(2, 0, 1, {"big"}));
  c.rpc(C::topen(3, 1, OREAD));
  Fcall rd = c.rpc(C::tread(4, 1, 0, 1 << 20));
  REQUIRE(rd.type == Rread);
  CHECK(rd.data.size() == 8192 - IOHDRSZ);
  CHECK(pack(rd).value().size() <= 8192);
}

TEST_CASE("undecodable messages are refused and R-messages are answered with Rerror", "[ninep]") {
  Client c;
  c.start();
  Bytes junk = {9, 0, 0, 0, Tclunk, 1, 0, 0, 0};
  auto r = c.server->handle(junk);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == Errc::proto);

  require_error(c.rpc(C::make(Rclunk, 2)), "9P: unexpected Rclunk");

  // A message larger than the agreed msize is refused too.
  Fcall big = C::twrite(3, 0, 0, std::string(9000, 'x'));
  auto b = pack(big);
  CHECK(c.server->handle(b.value()).error().code == Errc::proto);
}

TEST_CASE("answers that arrive after the server is gone are dropped", "[ninep]") {
  auto c = std::make_unique<Client>();
  c->start();
  c->rpc(C::twalk(2, 0, 1, {"slow"}));
  c->rpc(C::topen(3, 1, OREAD));
  c->send(C::tread(4, 1, 0, 100));
  auto fs = c->fs;
  size_t before = c->replies.size();
  c->server.reset();
  fs->answer_slow("nobody listens");
  CHECK(c->replies.size() == before);
  CHECK(fs->clunks == fs->fids_made);
}
