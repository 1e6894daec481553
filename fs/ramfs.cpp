// The ram file server: nodes in memory, fids holding references to them, so that a removed file
// stays readable through the fids that had it (as on Plan 9). Every request answers at once.
#include "fs/ramfs.h"

#include <algorithm>
#include <ctime>
#include <vector>

namespace web9 {
namespace {


// The rwx bits an open mode needs.
uint32_t open_need(uint8_t mode) {
  static constexpr uint32_t kNeed[4] = {4, 2, 6, 1};  // OREAD, OWRITE, ORDWR, OEXEC
  return kNeed[mode & 3] | ((mode & OTRUNC) ? 2 : 0);
}

bool writes(uint8_t mode) { return (mode & 3) == OWRITE || (mode & 3) == ORDWR; }

}  // namespace

struct RamFs::Node {
  Qid qid;
  uint32_t mode = 0;
  uint32_t atime = 0;
  uint32_t mtime = 0;
  std::string name;
  std::string uid;
  std::string gid;
  std::string muid;
  Bytes data;                    // a file's contents
  std::vector<NodeRef> children;  // a directory's entries, in creation order
  std::weak_ptr<Node> parent;    // empty for the root and for removed nodes
  bool removed = false;
  int opens = 0;  // open fids, for DMEXCL

  bool is_dir() const { return (mode & DMDIR) != 0; }

  NodeRef find(std::string_view child) const {
    for (const auto& c : children)
      if (c->name == child) return c;
    return nullptr;
  }

  // Plan 9's hasperm: other bits for anyone, owner bits for the owner, group bits for a user whose
  // name is the group's (Plan 9's group leader); need is rwx in 0..7.
  bool allows(const std::string& user, uint32_t need) const {
    uint32_t have = mode & 7;
    if (uid == user) have |= (mode >> 6) & 7;
    if (gid == user) have |= (mode >> 3) & 7;
    return (have & need) == need;
  }
};

class RamFs::RamFid final : public Fid {
 public:
  RamFid(NodeRef n, std::string user) : node(std::move(n)), uname(std::move(user)) { qid = node->qid; }
  ~RamFid() override { release(); }

  std::unique_ptr<Fid> clone() const override { return std::make_unique<RamFid>(node, uname); }

  void opened(uint8_t m) {
    open = true;
    mode = m;
    holds_open = true;
    node->opens++;
    qid = node->qid;
    listing.clear();
    dir_index = 0;
    dir_offset = 0;
  }
  // Gives back the node's open count (DMEXCL); safe to call more than once.
  void release() {
    if (holds_open) node->opens--;
    holds_open = false;
  }

  NodeRef node;
  std::string uname;
  bool clunked = false;  // by clunk or remove: ORCLOSE is done
  bool holds_open = false;
  // A directory read takes a snapshot at offset 0 and answers the following reads from it.
  std::vector<Dir> listing;
  size_t dir_index = 0;
  uint64_t dir_offset = 0;
};

RamFs::RamFs(std::string owner, Clock clock) : owner_(std::move(owner)) {
  set_clock(std::move(clock));
  root_ = make_node("/", DMDIR | 0777, owner_, owner_);
}

RamFs::~RamFs() = default;

void RamFs::set_clock(Clock clock) {
  clock_ = clock ? std::move(clock) : [] { return static_cast<uint32_t>(std::time(nullptr)); };
}

RamFs::NodeRef RamFs::make_node(std::string name, uint32_t mode, const std::string& uid, const std::string& gid) {
  auto n = std::make_shared<Node>();
  n->qid = Qid{qid_type_of(mode), 0, next_path_++};
  n->mode = mode;
  n->atime = n->mtime = clock_();
  n->name = std::move(name);
  n->uid = uid;
  n->gid = gid;
  n->muid = uid;
  return n;
}

void RamFs::link(const NodeRef& dir, const NodeRef& child) {
  child->parent = dir;
  dir->children.push_back(child);
  modified(*dir, child->muid);
}

void RamFs::unlink(Node& node) {
  if (auto dir = node.parent.lock()) {
    std::erase_if(dir->children, [&](const NodeRef& c) { return c.get() == &node; });
    dir->mtime = clock_();
    dir->qid.vers++;
  }
  node.parent.reset();
  node.removed = true;
}

void RamFs::modified(Node& node, const std::string& uname) {
  node.mtime = clock_();
  node.muid = uname;
  node.qid.vers++;
}

bool RamFs::is_owner(const Node& node, const std::string& uname) const { return node.uid == uname; }

Result<void> RamFs::set_length(Node& node, uint64_t length, const std::string& uname) {
  if (length > max_file_size_) return Errc::fbig;
  node.data.resize(length);  // growing zero-fills
  modified(node, uname);
  return success();
}

Dir RamFs::dir_of(const Node& node) const {
  Dir d;
  d.qid = node.qid;
  d.mode = node.mode;
  d.atime = node.atime;
  d.mtime = node.mtime;
  d.length = node.is_dir() ? 0 : node.data.size();
  d.name = node.name;
  d.uid = node.uid;
  d.gid = node.gid;
  d.muid = node.muid;
  return d;
}

void RamFs::attach(std::string_view uname, std::string_view, Reply<std::unique_ptr<Fid>> r) {
  std::unique_ptr<Fid> fid = std::make_unique<RamFid>(root_, uname.empty() ? owner_ : std::string(uname));
  r(std::move(fid));
}

void RamFs::walk1(Fid& fid, std::string_view name, Reply<Qid> r) {
  auto& f = static_cast<RamFid&>(fid);
  if (f.open) return r(Error(Errc::badf, "cannot walk an open fid"));
  if (!f.node->is_dir()) return r(Errc::notdir);
  if (!f.node->allows(f.uname, 1)) return r(Errc::access);
  NodeRef next;
  if (name == "..") {
    next = f.node->parent.lock();  // a 9P server walks ".." itself; the root's parent is the root
    if (!next) next = f.node->removed ? nullptr : f.node;
  } else {
    if (auto ok = check_file_name(name); !ok) return r(std::move(ok).error());
    next = f.node->find(name);
  }
  if (!next) return r(Errc::noent);
  f.node = next;
  f.qid = next->qid;
  r(next->qid);
}

void RamFs::open(Fid& fid, uint8_t mode, Reply<void> r) {
  auto& f = static_cast<RamFid&>(fid);
  Node& n = *f.node;
  if (f.open) return r(Error(Errc::badf, "fid already open"));
  if (mode & ~kOpenModeBits) return r(Error(Errc::inval, "bad open mode"));
  if (n.is_dir() && ((mode & 3) != OREAD || (mode & OTRUNC))) return r(Errc::isdir);
  if (!n.allows(f.uname, open_need(mode))) return r(Errc::access);
  if (mode & ORCLOSE) {
    auto dir = n.parent.lock();
    if (!dir && !n.removed) return r(Error(Errc::perm, "cannot remove the root"));
    if (dir && !dir->allows(f.uname, 2)) return r(Errc::access);
  }
  if ((n.mode & DMEXCL) && n.opens > 0) return r(Error(Errc::busy, "exclusive use file already open"));
  if (mode & OTRUNC) {
    n.data.clear();
    modified(n, f.uname);
  }
  f.opened(mode);
  r(success());
}

void RamFs::create(Fid& fid, std::string_view name, uint32_t perm, uint8_t mode, Reply<void> r) {
  auto& f = static_cast<RamFid&>(fid);
  NodeRef dir = f.node;
  if (f.open) return r(Error(Errc::badf, "fid already open"));
  if (!dir->is_dir()) return r(Errc::notdir);
  if (dir->removed) return r(Error(Errc::noent, "directory has been removed"));
  if (auto ok = check_file_name(name); !ok) return r(std::move(ok).error());
  if (perm & ~kPermBits) return r(Error(Errc::inval, "bad permission bits"));
  if (mode & ~kOpenModeBits) return r(Error(Errc::inval, "bad open mode"));
  if ((perm & DMDIR) && ((mode & 3) != OREAD || (mode & OTRUNC))) return r(Errc::isdir);
  if (!dir->allows(f.uname, 2)) return r(Errc::access);
  if (dir->find(name)) return r(Errc::exist);
  // The directory's permissions limit the new file's, as on Plan 9.
  uint32_t keep = (perm & DMDIR) ? 0777 : 0666;
  perm &= ~keep | (dir->mode & keep);
  NodeRef node = make_node(std::string(name), perm, f.uname, dir->gid);
  link(dir, node);
  f.node = node;
  f.opened(mode);
  r(success());
}

void RamFs::read(Fid& fid, uint64_t offset, uint32_t count, Reply<Bytes> r) {
  auto& f = static_cast<RamFid&>(fid);
  if (!f.open || (f.mode & 3) == OWRITE) return r(Error(Errc::badf, "file not open for reading"));
  Node& n = *f.node;
  if (n.is_dir()) return r(read_dir(f, offset, count));
  n.atime = clock_();
  if (offset >= n.data.size()) return r(Bytes{});
  auto begin = n.data.begin() + static_cast<ptrdiff_t>(offset);
  auto end = begin + static_cast<ptrdiff_t>(std::min<uint64_t>(count, n.data.size() - offset));
  r(Bytes(begin, end));
}

Result<Bytes> RamFs::read_dir(RamFid& f, uint64_t offset, uint32_t count) {
  if (offset == 0) {
    f.listing.clear();
    for (const auto& c : f.node->children) f.listing.push_back(dir_of(*c));
    f.dir_index = 0;
    f.dir_offset = 0;
  } else if (offset != f.dir_offset) {
    return Error(Errc::inval, "bad offset in directory read");
  }
  // An entry is never split; answering nothing would look like the end (Plan 9's Eshort).
  if (f.dir_index < f.listing.size() && packed_dir_size(f.listing[f.dir_index]) > count)
    return Error(Errc::inval, "i/o count too small for directory entry");
  Bytes out = pack_dir_entries(f.listing, &f.dir_index, count);
  f.dir_offset += out.size();
  f.node->atime = clock_();
  return out;
}

void RamFs::write(Fid& fid, uint64_t offset, std::span<const uint8_t> data, Reply<uint32_t> r) {
  auto& f = static_cast<RamFid&>(fid);
  if (!f.open || !writes(f.mode)) return r(Error(Errc::badf, "file not open for writing"));
  Node& n = *f.node;
  if (n.mode & DMAPPEND) offset = n.data.size();
  if (data.size() > UINT32_MAX) return r(Error(Errc::inval, "write count too large"));
  if (data.empty()) return r(0u);
  if (offset > max_file_size_ || data.size() > max_file_size_ - offset) return r(Errc::fbig);
  if (offset + data.size() > n.data.size()) n.data.resize(offset + data.size());  // zero-fills a gap
  std::copy(data.begin(), data.end(), n.data.begin() + static_cast<ptrdiff_t>(offset));
  modified(n, f.uname);
  f.qid = n.qid;
  r(static_cast<uint32_t>(data.size()));
}

void RamFs::stat(Fid& fid, Reply<Dir> r) { r(dir_of(*static_cast<RamFid&>(fid).node)); }

// Every field is checked before any is changed, so a bad wstat changes nothing (Plan 9's rule).
Result<void> RamFs::check_wstat(RamFid& f, const Dir& d) const {
  const Node& n = *f.node;
  const Dir keep = Dir::nochange();
  if (d.qid.path != keep.qid.path && d.qid.path != n.qid.path) return Error(Errc::perm, "cannot change qid");
  if (!d.uid.empty() && d.uid != n.uid) return Error(Errc::perm, "cannot change owner");
  if (!d.name.empty() && d.name != n.name) {
    auto dir = n.parent.lock();
    if (!dir) return n.removed ? Error(Errc::noent, "file has been removed") : Error(Errc::perm, "cannot rename the root");
    TRY(check_file_name(d.name));
    if (!dir->allows(f.uname, 2)) return Errc::access;
    if (dir->find(d.name)) return Errc::exist;
  }
  if (d.length != keep.length) {
    if (n.is_dir() && d.length != 0) return Error(Errc::isdir, "cannot change the length of a directory");
    if (!n.is_dir() && !n.allows(f.uname, 2)) return Errc::access;
    if (d.length > max_file_size_) return Errc::fbig;
  }
  if (d.mode != keep.mode) {
    if ((d.mode ^ n.mode) & DMDIR) return Error(Errc::inval, "cannot change the directory bit");
    if (d.mode & ~kPermBits) return Error(Errc::inval, "bad permission bits");
    if (!is_owner(n, f.uname)) return Error(Errc::perm, "not owner");
  }
  if (d.mtime != keep.mtime && !is_owner(n, f.uname)) return Error(Errc::perm, "not owner");
  if (!d.gid.empty() && d.gid != n.gid && !is_owner(n, f.uname)) return Error(Errc::perm, "not owner");
  return success();
}

void RamFs::apply_wstat(RamFid& f, const Dir& d) {
  Node& n = *f.node;
  const Dir keep = Dir::nochange();
  if (!d.name.empty() && d.name != n.name) {
    n.name = d.name;
    if (auto dir = n.parent.lock()) modified(*dir, f.uname);
  }
  if (d.length != keep.length && !n.is_dir()) (void)set_length(n, d.length, f.uname);
  if (d.mode != keep.mode) {
    n.mode = d.mode;
    n.qid.type = qid_type_of(d.mode);
  }
  if (d.mtime != keep.mtime) n.mtime = d.mtime;
  if (!d.gid.empty()) n.gid = d.gid;
  f.qid = n.qid;
}

void RamFs::wstat(Fid& fid, const Dir& d, Reply<void> r) {
  auto& f = static_cast<RamFid&>(fid);
  if (auto ok = check_wstat(f, d); !ok) return r(std::move(ok).error());
  apply_wstat(f, d);
  r(success());
}

void RamFs::remove(Fid& fid, Reply<void> r) {
  auto& f = static_cast<RamFid&>(fid);
  f.clunked = true;  // whatever happens, this fid is done
  f.release();
  Node& n = *f.node;
  auto dir = n.parent.lock();
  if (!dir) return r(n.removed ? Errc::noent : Error(Errc::perm, "cannot remove the root"));
  if (!dir->allows(f.uname, 2)) return r(Errc::access);
  if (!n.children.empty()) return r(Errc::notempty);
  unlink(n);
  r(success());
}

void RamFs::clunk(Fid& fid) {
  auto& f = static_cast<RamFid&>(fid);
  if (f.clunked) return;
  f.clunked = true;
  f.release();
  // ORCLOSE was allowed at open; a directory that has gained entries since is left alone.
  Node& n = *f.node;
  if (f.open && (f.mode & ORCLOSE) && !n.parent.expired() && n.children.empty()) unlink(n);
}

Result<void> RamFs::put_file(std::string_view path, Bytes content, uint32_t mode) {
  std::vector<std::string_view> names;
  for (size_t i = 0; i < path.size();) {
    size_t slash = std::min(path.find('/', i), path.size());
    if (slash > i) names.push_back(path.substr(i, slash - i));
    i = slash + 1;
  }
  if (names.empty()) return Error(Errc::inval, "no file name in path");
  for (auto name : names) TRY(check_file_name(name));
  if (mode & ~kPermBits) return Error(Errc::inval, "bad permission bits");
  bool want_dir = (mode & DMDIR) != 0;
  if (want_dir && !content.empty()) return Error(Errc::inval, "a directory has no content");
  if (content.size() > max_file_size_) return Errc::fbig;

  // Check the whole path before making anything, so a failure leaves the tree as it was.
  NodeRef node = root_;
  size_t depth = 0;
  for (; depth < names.size(); depth++) {
    NodeRef next = node->find(names[depth]);
    if (!next) break;
    if (depth + 1 < names.size() && !next->is_dir()) return Errc::notdir;
    node = next;
  }
  if (depth == names.size()) {
    if (node->is_dir() != want_dir) return node->is_dir() ? Errc::isdir : Errc::exist;
    node->mode = mode;
    node->qid.type = qid_type_of(mode);
    if (!want_dir) {
      node->data = std::move(content);
      modified(*node, owner_);
    }
    return success();
  }
  for (; depth < names.size(); depth++) {
    bool last = depth + 1 == names.size();
    NodeRef next = make_node(std::string(names[depth]), last ? mode : (DMDIR | 0775), owner_, owner_);
    link(node, next);
    node = next;
  }
  node->data = std::move(content);
  return success();
}

}  // namespace web9
