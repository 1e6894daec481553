// The in-memory Store. Its errors and versions follow OpfsStore (web/kernel/opfs.js), so that
// what StoreFs's tests show about the mapping holds for the browser's store too.
#include "fs/memstore.h"

#include <algorithm>
#include <ctime>
#include <set>
#include <vector>

namespace web9 {
namespace {

constexpr size_t kMaxName = 255;
constexpr uint64_t kMaxFile = uint64_t{1} << 30;  // a runaway offset must not eat the test's memory

Result<void> check_name(std::string_view name) {
  if (name.empty() || name == "." || name == "..") return Error(Errc::inval, "illegal file name \"" + std::string(name) + "\"");
  if (name.find('/') != std::string_view::npos || name.find('\0') != std::string_view::npos)
    return Error(Errc::inval, "bad character in file name");
  if (name.size() > kMaxName) return Error(Errc::nametoolong, "file name longer than 255 bytes");
  return success();
}

}  // namespace

struct MemStore::Node {
  uint64_t path = 0;
  uint64_t parent = 0;
  std::string name;
  uint32_t mode = 0;
  uint32_t mtime = 0;
  uint32_t version = 0;
  Bytes data;
  std::vector<uint64_t> children;  // in creation order, renamed ones last (as OpfsStore lists)
  bool is_dir() const { return (mode & DMDIR) != 0; }
};

MemStore::MemStore(Clock clock) {
  set_clock(std::move(clock));
  auto root = std::make_shared<Node>();
  root->name = "/";
  root->mode = DMDIR | 0777;
  root->mtime = clock_();
  nodes_[0] = root;
}

MemStore::~MemStore() = default;

void MemStore::set_clock(Clock clock) {
  clock_ = clock ? std::move(clock) : [] { return static_cast<uint32_t>(std::time(nullptr)); };
}

void MemStore::run(std::function<void()> op) {
  if (deferred_) return queue_.push_back(std::move(op));
  op();
}

bool MemStore::run_one() {
  if (queue_.empty()) return false;
  auto op = std::move(queue_.front());
  queue_.pop_front();
  op();
  return true;
}

uint64_t MemStore::used() const {
  std::set<const Node*> seen;
  uint64_t total = 0;
  auto add = [&](const NodeRef& n) {
    if (seen.insert(n.get()).second) total += n->data.size();
  };
  for (const auto& [path, n] : nodes_) add(n);
  for (const auto& [f, n] : files_) add(n);
  return total;
}

Result<MemStore::NodeRef> MemStore::find(uint64_t path) const {
  auto it = nodes_.find(path);
  if (it == nodes_.end()) return Error(Errc::noent, "no file with qid path " + std::to_string(path));
  return it->second;
}

Result<MemStore::NodeRef> MemStore::file(StoreFile f) const {
  auto it = files_.find(f);
  if (it == files_.end()) return Error(Errc::badf, "file handle is closed");
  return it->second;
}

Result<void> MemStore::writable() const {
  if (!read_only_.empty()) return Error(Errc::rofs, read_only_);
  return success();
}

Result<void> MemStore::grow(const Node& n, uint64_t length) const {
  if (length <= n.data.size()) return success();
  if (length > kMaxFile) return Error(Errc::fbig, "file larger than 1 GiB");
  uint64_t more = length - n.data.size();
  uint64_t now = used();
  if (now > quota_ || more > quota_ - now)
    return Error(Errc::nospc, "the store's quota of " + std::to_string(quota_) + " bytes is used up; nothing of this write was kept");
  return success();
}

StoreEntry MemStore::entry(const Node& n) const {
  return StoreEntry{n.path, n.version, n.is_dir(), n.is_dir() ? 0 : n.data.size(), n.mode, n.mtime, n.name};
}

void MemStore::modified(Node& n) {
  n.mtime = clock_();
  n.version++;
}

void MemStore::stat(uint64_t path, Reply<StoreEntry> r) {
  run([this, path, r] {
    auto n = find(path);
    if (!n) return r(std::move(n).error());
    r(entry(**n));
  });
}

void MemStore::lookup(uint64_t dir, std::string_view name, Reply<StoreEntry> r) {
  run([this, dir, name = std::string(name), r] {
    auto d = find(dir);
    if (!d) return r(std::move(d).error());
    if (name == "..") return r(entry(*nodes_.at((*d)->parent)));
    if (!(*d)->is_dir()) return r(Error(Errc::notdir, "not a directory"));
    for (uint64_t c : (*d)->children)
      if (nodes_.at(c)->name == name) return r(entry(*nodes_.at(c)));
    r(Error(Errc::noent, name + ": file does not exist"));
  });
}

void MemStore::list(uint64_t dir, Reply<std::vector<StoreEntry>> r) {
  run([this, dir, r] {
    auto d = find(dir);
    if (!d) return r(std::move(d).error());
    if (!(*d)->is_dir()) return r(Error(Errc::notdir, "not a directory"));
    std::vector<StoreEntry> out;
    for (uint64_t c : (*d)->children) out.push_back(entry(*nodes_.at(c)));
    r(std::move(out));
  });
}

void MemStore::create(uint64_t dir, std::string_view name, uint32_t mode, Reply<StoreEntry> r) {
  run([this, dir, name = std::string(name), mode, r] {
    if (auto ok = writable(); !ok) return r(std::move(ok).error());
    auto d = find(dir);
    if (!d) return r(std::move(d).error());
    if (!(*d)->is_dir()) return r(Error(Errc::notdir, "not a directory"));
    if (auto ok = check_name(name); !ok) return r(std::move(ok).error());
    for (uint64_t c : (*d)->children)
      if (nodes_.at(c)->name == name) return r(Error(Errc::exist, name + ": file already exists"));
    auto n = std::make_shared<Node>();
    n->path = next_path_++;
    n->parent = dir;
    n->name = name;
    n->mode = mode;
    n->mtime = clock_();
    nodes_[n->path] = n;
    (*d)->children.push_back(n->path);
    modified(**d);
    r(entry(*n));
  });
}

void MemStore::rename(uint64_t path, std::string_view name, Reply<StoreEntry> r) {
  run([this, path, name = std::string(name), r] {
    if (auto ok = writable(); !ok) return r(std::move(ok).error());
    auto n = find(path);
    if (!n) return r(std::move(n).error());
    if (path == root()) return r(Error(Errc::perm, "cannot rename the root"));
    if (auto ok = check_name(name); !ok) return r(std::move(ok).error());
    Node& node = **n;
    if (node.name == name) return r(entry(node));
    Node& dir = *nodes_.at(node.parent);
    for (uint64_t c : dir.children)
      if (nodes_.at(c)->name == name) return r(Error(Errc::exist, name + ": file already exists"));
    std::erase(dir.children, path);
    dir.children.push_back(path);
    node.name = name;
    node.version++;
    modified(dir);
    r(entry(node));
  });
}

void MemStore::remove(uint64_t path, Reply<void> r) {
  run([this, path, r] {
    if (auto ok = writable(); !ok) return r(std::move(ok).error());
    auto n = find(path);
    if (!n) return r(std::move(n).error());
    if (path == root()) return r(Error(Errc::perm, "cannot remove the root"));
    if (!(*n)->children.empty()) return r(Error(Errc::notempty, "directory not empty"));
    Node& dir = *nodes_.at((*n)->parent);
    std::erase(dir.children, path);
    modified(dir);
    nodes_.erase(path);  // open handles keep the node, and so its contents
    r(success());
  });
}

void MemStore::set_mode(uint64_t path, uint32_t mode, Reply<StoreEntry> r) {
  run([this, path, mode, r] {
    if (auto ok = writable(); !ok) return r(std::move(ok).error());
    auto n = find(path);
    if (!n) return r(std::move(n).error());
    if ((mode ^ (*n)->mode) & DMDIR) return r(Error(Errc::inval, "cannot change the directory bit"));
    (*n)->mode = mode;
    (*n)->version++;
    r(entry(**n));
  });
}

void MemStore::set_mtime(uint64_t path, uint32_t mtime, Reply<StoreEntry> r) {
  run([this, path, mtime, r] {
    if (auto ok = writable(); !ok) return r(std::move(ok).error());
    auto n = find(path);
    if (!n) return r(std::move(n).error());
    (*n)->mtime = mtime;
    r(entry(**n));
  });
}

void MemStore::sync(Reply<void> r) {
  run([this, r] {
    syncs_++;
    r(success());
  });
}

void MemStore::open_file(uint64_t path, Reply<StoreFile> r) {
  run([this, path, r] {
    auto n = find(path);
    if (!n) return r(std::move(n).error());
    if ((*n)->is_dir()) return r(Error(Errc::isdir, "is a directory"));
    StoreFile f = next_file_++;
    files_[f] = *n;
    r(f);
  });
}

void MemStore::read(StoreFile f, uint64_t offset, uint32_t count, Reply<Bytes> r) {
  run([this, f, offset, count, r] {
    auto n = file(f);
    if (!n) return r(std::move(n).error());
    const Bytes& data = (*n)->data;
    if (offset >= data.size()) return r(Bytes{});
    auto begin = data.begin() + static_cast<ptrdiff_t>(offset);
    r(Bytes(begin, begin + static_cast<ptrdiff_t>(std::min<uint64_t>(count, data.size() - offset))));
  });
}

void MemStore::write(StoreFile f, uint64_t offset, std::span<const uint8_t> data, Reply<uint32_t> r) {
  run([this, f, offset, copy = Bytes(data.begin(), data.end()), r] {
    if (auto ok = writable(); !ok) return r(std::move(ok).error());
    auto n = file(f);
    if (!n) return r(std::move(n).error());
    Node& node = **n;
    if (offset > kMaxFile) return r(Error(Errc::fbig, "file larger than 1 GiB"));
    uint64_t end = offset + copy.size();
    if (auto ok = grow(node, end); !ok) return r(std::move(ok).error());
    if (end > node.data.size()) node.data.resize(end);  // zero-fills a gap
    std::copy(copy.begin(), copy.end(), node.data.begin() + static_cast<ptrdiff_t>(offset));
    modified(node);
    r(static_cast<uint32_t>(copy.size()));
  });
}

void MemStore::truncate(StoreFile f, uint64_t length, Reply<void> r) {
  run([this, f, length, r] {
    if (auto ok = writable(); !ok) return r(std::move(ok).error());
    auto n = file(f);
    if (!n) return r(std::move(n).error());
    if (auto ok = grow(**n, length); !ok) return r(std::move(ok).error());
    (*n)->data.resize(length);
    modified(**n);
    r(success());
  });
}

void MemStore::flush(StoreFile f, Reply<void> r) {
  run([this, f, r] {
    auto n = file(f);
    if (!n) return r(std::move(n).error());
    flushes_++;
    r(success());
  });
}

void MemStore::size(StoreFile f, Reply<uint64_t> r) {
  run([this, f, r] {
    auto n = file(f);
    if (!n) return r(std::move(n).error());
    r(static_cast<uint64_t>((*n)->data.size()));
  });
}

void MemStore::close(StoreFile f) {
  run([this, f] { files_.erase(f); });
}

}  // namespace web9
