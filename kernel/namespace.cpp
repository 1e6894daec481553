// Per-process name spaces: path resolution (Plan 9's namec and walk) as continuations that survive
// servers answering later, the copy-on-write mount table (bind, mount, unmount), creation in union
// directories, and merged union directory reads.
#include "kernel/namespace.h"

#include <algorithm>
#include <deque>
#include <optional>
#include <set>

namespace web9 {

// ---- Names -------------------------------------------------------------------------------------

std::string cleanname(std::string_view path) {
  bool rooted = !path.empty() && path[0] == '/';
  std::vector<std::string_view> elems;
  size_t kept_dotdots = 0;  // leading ".."s of a relative path, which nothing can cancel
  for (size_t i = 0; i <= path.size();) {
    size_t j = std::min(path.find('/', i), path.size());
    std::string_view e = path.substr(i, j - i);
    i = j + 1;
    if (e.empty() || e == ".") continue;
    if (e != "..") {
      elems.push_back(e);
    } else if (elems.size() > kept_dotdots) {
      elems.pop_back();
    } else if (!rooted) {
      elems.push_back(e);
      kept_dotdots++;
    }
  }
  std::string out = rooted ? "/" : "";
  for (size_t k = 0; k < elems.size(); k++) {
    if (k > 0) out += '/';
    out += elems[k];
  }
  return out.empty() ? "." : out;
}

namespace {

// The name a walk resolves: cleaned as cleanname does, except that a "#xspec/rest" path keeps its
// device element and cleans the rest beneath it, so "#c/.." is "#c" (Plan 9's cleancname).
std::string clean_path(std::string_view path) {
  if (path[0] == '#') {
    size_t slash = path.find('/');
    if (slash == std::string_view::npos) return std::string(path);
    std::string rest = cleanname(path.substr(slash));
    return std::string(path.substr(0, slash)) + (rest == "/" ? "" : rest);
  }
  if (path[0] != '/') return cleanname("/" + std::string(path));
  return cleanname(path);
}

// The elements of a cleaned path after its start ("/" or the "#x" element).
std::vector<std::string> elements(const std::string& path) {
  std::vector<std::string> out;
  size_t i = path.find('/');
  while (i != std::string::npos && i + 1 < path.size()) {
    size_t j = path.find('/', i + 1);
    out.push_back(path.substr(i + 1, j == std::string::npos ? std::string::npos : j - i - 1));
    i = j;
  }
  return out;
}

std::string join(const std::string& dir, std::string_view name) {
  return dir == "/" ? "/" + std::string(name) : dir + "/" + std::string(name);
}

// The last element of a cleaned path, or "" for a root ("/", "#c").
std::string last_element(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return {};
  return path.substr(slash + 1);
}

// An error that names the path it happened at, as namec's errors do: "'/a/b' file does not exist".
Error at(const Error& e, const std::string& path) { return Error(e.code, "'" + path + "' " + e.text()); }

}  // namespace

// ---- Devices -----------------------------------------------------------------------------------

void DeviceTable::add(char letter, std::shared_ptr<FileServer> server) { devices_[letter] = std::move(server); }

std::shared_ptr<FileServer> DeviceTable::find(char letter) const {
  auto it = devices_.find(letter);
  return it == devices_.end() ? nullptr : it->second;
}

// ---- Walking -----------------------------------------------------------------------------------

// One path resolution in flight. It holds everything it needs (root, devices, a snapshot of the
// mount table) so that it does not depend on the Namespace while a server takes its time.
struct NamespaceWalk : std::enable_shared_from_this<NamespaceWalk> {
  using Mount = Namespace::Mount;
  using MountPoint = Namespace::MountPoint;
  using MountTable = Namespace::MountTable;

  // What a Namespace operation needs after it returns.
  struct View {
    ChanRef root;
    std::shared_ptr<DeviceTable> devices;
    std::shared_ptr<const MountTable> mounts;
  };
  // Where a walk ended: the channel (unopened, owned by the caller), and when the last step
  // crossed a mount point, that mount point's members (a union if more than one).
  struct Walked {
    ChanRef chan;
    std::vector<Mount> members;
  };

  static View view(const Namespace& ns) { return {ns.root_, ns.devices_, ns.mounts_}; }
  static const MountPoint* find(const MountTable& table, const Chan& c) {
    for (const MountPoint& mp : table)
      if (mp.from->same_file(c)) return &mp;
    return nullptr;
  }
  static void resolve(const View& v, std::string_view path, Reply<Walked> r);

  std::shared_ptr<const MountTable> mounts;
  std::vector<std::string> names;
  size_t next = 0;
  std::string name;            // the cleaned name walked so far
  ChanRef c;                   // where the walk stands
  bool owned = false;          // c was made by this walk, so it may be walked in place
  std::vector<Mount> members;  // when c was reached by crossing a mount point: its members
  ChanRef crossed;             // and the mount point itself
  std::optional<Error> first_error;
  Reply<Walked> done;

  void attach(const std::shared_ptr<DeviceTable>& devices, const std::string& first);
  void cross();
  void step();
  void try_member(size_t i);
  void failed(size_t i, Error e);
  void finish();
};

void NamespaceWalk::resolve(const View& v, std::string_view path, Reply<Walked> r) {
  if (path.empty()) return r(Error(Errc::noent, "empty file name"));
  auto w = std::make_shared<NamespaceWalk>();
  w->mounts = v.mounts;
  w->done = std::move(r);
  std::string cleaned = clean_path(path);
  w->names = elements(cleaned);
  if (cleaned[0] == '#') return w->attach(v.devices, cleaned.substr(0, cleaned.find('/')));
  w->c = v.root;
  w->name = "/";
  w->cross();
  w->step();
}

// A "#xspec" first element: attach device x with aname spec.
void NamespaceWalk::attach(const std::shared_ptr<DeviceTable>& devices, const std::string& first) {
  std::shared_ptr<FileServer> server = first.size() >= 2 && devices ? devices->find(first[1]) : nullptr;
  if (!server) return done(Error(Errc::noent, "'" + first + "' unknown device"));
  auto self = shared_from_this();
  server->attach("", std::string_view(first).substr(2), [self, server, first](Result<std::unique_ptr<Fid>> fid) {
    if (!fid) return self->done(at(fid.error(), first));
    self->c = std::make_shared<Chan>(server, std::move(fid).value(), first);
    self->owned = true;
    self->name = first;
    self->cross();
    self->step();
  });
}

// If c is a mount point, the walk goes on in what is mounted there (Plan 9's domount).
void NamespaceWalk::cross() {
  members.clear();
  crossed.reset();
  const MountPoint* mp = find(*mounts, *c);
  if (!mp || mp->members.empty()) return;
  crossed = c;
  members = mp->members;
  c = members[0].to;
  owned = false;
}

void NamespaceWalk::step() {
  if (next == names.size()) return finish();
  first_error.reset();
  try_member(0);
}

// Walks the next name from c, or in a union from member i; the first member that has it wins.
void NamespaceWalk::try_member(size_t i) {
  const ChanRef& base = members.empty() ? c : members[i].to;
  if (!base->qid().is_dir()) return failed(i, Error(Errc::notdir, "'" + name + "' not a directory"));
  ChanRef nc = owned ? c : base->clone();
  std::string target = join(name, names[next]);
  auto self = shared_from_this();
  nc->server().walk1(nc->fid(), names[next], [self, nc, i, target](Result<Qid> qid) {
    if (!qid) return self->failed(i, at(qid.error(), target));
    nc->fid().qid = *qid;
    nc->path = target;
    self->c = nc;
    self->owned = true;
    self->name = target;
    self->next++;
    self->cross();
    self->step();
  });
}

void NamespaceWalk::failed(size_t i, Error e) {
  if (!first_error) first_error = std::move(e);
  if (i + 1 < members.size()) return try_member(i + 1);
  done(std::move(*first_error));
}

void NamespaceWalk::finish() {
  if (!owned) {
    c = c->clone();
    c->path = name;
  }
  if (crossed) c->mount_point = crossed;
  done(Walked{c, std::move(members)});
}

// ---- The mount table ---------------------------------------------------------------------------

Namespace::Namespace(ChanRef root, std::shared_ptr<DeviceTable> devices)
    : root_(std::move(root)), devices_(std::move(devices)), mounts_(std::make_shared<const MountTable>()) {
  if (root_) root_->path = "/";
}

std::shared_ptr<Namespace> Namespace::copy() const {
  auto ns = std::make_shared<Namespace>(root_, devices_);
  ns->mounts_ = mounts_;  // safe to share: nobody changes a table in place
  return ns;
}

Result<void> Namespace::bind(ChanRef from, const ChanRef& onto, int flags) {
  if (!from) return Error(Errc::inval, "bind: no source");
  std::vector<Mount> members;
  const MountPoint* source = from->mount_point ? NamespaceWalk::find(*mounts_, *from->mount_point) : nullptr;
  if (source) {
    // Binding a union elsewhere binds all of it (Plan 9's cmount copies new->umh).
    for (const Mount& m : source->members) members.push_back({m.to, m.flags | (flags & MCREATE), m.source, m.spec});
  } else {
    members.push_back({std::move(from), flags & MCREATE, {}, {}});
  }
  return add_mount(std::move(members), onto, flags);
}

Result<void> Namespace::mount_root(ChanRef root, std::string source, std::string spec, const ChanRef& onto,
                                   int flags) {
  if (!root) return Error(Errc::inval, "mount: no root");
  if (source.empty()) source = root->server().kind();
  return add_mount({Mount{std::move(root), flags & MCREATE, std::move(source), std::move(spec)}}, onto, flags);
}

Result<void> Namespace::add_mount(std::vector<Mount> news, const ChanRef& onto, int flags) {
  if (!onto) return Error(Errc::inval, "bind: no mount point");
  const ChanRef& key = onto->mount_point ? onto->mount_point : onto;
  const Chan& from = *news[0].to;
  int order = flags & MORDER;
  if (order == MORDER) return Error(Errc::inval, "bind: both before and after");
  if (from.qid().is_dir() && !key->qid().is_dir())
    return Error(Errc::notdir, "bind: cannot bind directory '" + from.path + "' onto file '" + key->path + "'");
  if (!from.qid().is_dir() && key->qid().is_dir())
    return Error(Errc::isdir, "bind: cannot bind file '" + from.path + "' onto directory '" + key->path + "'");
  if (!key->qid().is_dir() && order != MREPL)
    return Error(Errc::inval, "bind: '" + key->path + "' is a file: only a directory can be a union");

  auto table = std::make_shared<MountTable>(*mounts_);
  auto mp = std::find_if(table->begin(), table->end(), [&](const MountPoint& m) { return m.from->same_file(*key); });
  if (mp == table->end()) {
    mp = table->insert(table->end(), MountPoint{key, {}});
    // A union keeps the directory it covers as one of its members.
    if (order != MREPL) mp->members.push_back({key, 0, {}, {}});
  }
  if (order == MREPL) mp->members = std::move(news);
  else if (order == MBEFORE) mp->members.insert(mp->members.begin(), news.begin(), news.end());
  else mp->members.insert(mp->members.end(), news.begin(), news.end());
  mounts_ = std::move(table);
  return success();
}

void Namespace::mount(std::shared_ptr<FileServer> server, std::string_view source, std::string_view aname,
                      const ChanRef& onto, int flags, Reply<void> r) {
  // The attach may answer later: by then the namespace may be gone (its process exited).
  std::weak_ptr<Namespace> weak = weak_from_this();
  bool held = !weak.expired();
  Namespace* self = this;
  std::string src(source), spec(aname);
  auto srv = server;
  server->attach("", spec, [=](Result<std::unique_ptr<Fid>> fid) {
    if (!fid) return r(fid.error());
    auto root = std::make_shared<Chan>(srv, std::move(fid).value(), src);
    std::shared_ptr<Namespace> keep = weak.lock();
    if (held && !keep) return r(Error(Errc::intr, "mount: name space is gone"));
    r(self->mount_root(root, src, spec, onto, flags));
  });
}

void Namespace::mount(std::shared_ptr<FileServer> server, std::string_view aname, const ChanRef& onto, int flags,
                      Reply<void> r) {
  std::string kind(server->kind());
  mount(std::move(server), kind, aname, onto, flags, std::move(r));
}

Result<void> Namespace::unmount(const ChanRef& from, const ChanRef& onto) {
  if (!onto) return Error(Errc::inval, "unmount: no mount point");
  const ChanRef& key = onto->mount_point ? onto->mount_point : onto;
  auto table = std::make_shared<MountTable>(*mounts_);
  auto mp = std::find_if(table->begin(), table->end(), [&](const MountPoint& m) { return m.from->same_file(*key); });
  if (mp == table->end()) return Error(Errc::noent, "unmount: '" + key->path + "' is not mounted on");
  if (!from) {
    table->erase(mp);
  } else {
    auto m = std::find_if(mp->members.begin(), mp->members.end(), [&](const Mount& m) { return m.to->same_file(*from); });
    if (m == mp->members.end())
      return Error(Errc::noent, "unmount: '" + from->path + "' is not mounted on '" + key->path + "'");
    mp->members.erase(m);
    if (mp->members.empty()) table->erase(mp);
  }
  mounts_ = std::move(table);
  return success();
}

namespace {

// Quotes a name as rc needs it (Plan 9's needsrcquote): '#', blanks, quotes and metacharacters.
std::string rc_quote(const std::string& s) {
  bool plain = !s.empty() && std::none_of(s.begin(), s.end(), [](char ch) {
    return static_cast<unsigned char>(ch) <= ' ' || std::string_view("`^#*[]=|\\'?{}()<>&;$").find(ch) != std::string_view::npos;
  });
  if (plain) return s;
  std::string out = "'";
  for (char ch : s) out += ch == '\'' ? "''" : std::string(1, ch);
  return out + "'";
}

}  // namespace

std::string Namespace::describe() const {
  std::string out;
  auto line = [&out](const Mount& m, const ChanRef& onto, std::string order) {
    std::string flags = order + ((m.flags & MCREATE) ? "c" : "");
    out += m.source.empty() ? "bind" : "mount";
    if (!flags.empty()) out += " -" + flags;
    out += " " + rc_quote(m.source.empty() ? m.to->path : m.source) + " " + rc_quote(onto->path);
    if (!m.source.empty() && !m.spec.empty()) out += " " + rc_quote(m.spec);
    out += "\n";
  };
  for (const MountPoint& mp : *mounts_) {
    const std::vector<Mount>& ms = mp.members;
    auto self = std::find_if(ms.begin(), ms.end(), [&](const Mount& m) {
      return m.source.empty() && m.flags == 0 && m.to->same_file(*mp.from);
    });
    if (self == ms.end()) {
      for (size_t i = 0; i < ms.size(); i++) line(ms[i], mp.from, i == 0 ? "" : "a");
      continue;
    }
    // Rebuilt with -b in reverse, the members before the original directory come out in order.
    for (auto it = std::make_reverse_iterator(self); it != ms.rend(); ++it) line(*it, mp.from, "b");
    for (auto it = self + 1; it != ms.end(); ++it) line(*it, mp.from, "a");
  }
  return out;
}

// ---- Operations by path ------------------------------------------------------------------------

void Namespace::walk(std::string_view path, Reply<ChanRef> r) {
  NamespaceWalk::resolve(NamespaceWalk::view(*this), path, [r](Result<NamespaceWalk::Walked> w) {
    if (!w) return r(std::move(w).error());
    r(std::move(w->chan));
  });
}

namespace {

void open_chan(const ChanRef& c, uint8_t mode, Reply<void> r) {
  c->server().open(c->fid(), mode, [c, mode, r](Result<void> res) {
    if (res) {
      c->fid().open = true;
      c->fid().mode = mode;
      c->offset = 0;
    }
    r(std::move(res));
  });
}

// Opens each member of a union for reading, in order, skipping any that will not open (Plan 9's
// unionread skips a member that errors).
struct UnionOpen : std::enable_shared_from_this<UnionOpen> {
  ChanRef c;
  std::vector<ChanRef> members;
  size_t i = 0;
  Reply<ChanRef> done;

  void next() {
    if (i == members.size()) return done(c);
    ChanRef m = members[i++]->clone();
    m->path = c->path;
    auto self = shared_from_this();
    open_chan(m, OREAD, [self, m](Result<void> res) {
      if (res) self->c->union_members.push_back(m);
      self->next();
    });
  }
};

}  // namespace

struct UnionCursor {
  size_t member = 0;          // the member being read
  std::set<std::string> seen; // names already given: later members' entries of these are hidden
  std::deque<Dir> pending;    // entries read from the member but not yet given
};

void Namespace::open(std::string_view path, uint8_t mode, Reply<ChanRef> r) {
  NamespaceWalk::resolve(NamespaceWalk::view(*this), path, [mode, r](Result<NamespaceWalk::Walked> w) {
    if (!w) return r(std::move(w).error());
    ChanRef c = w->chan;
    std::vector<ChanRef> members;
    for (auto& m : w->members) members.push_back(m.to);
    open_chan(c, mode, [c, members, r](Result<void> res) {
      if (!res) return r(std::move(res).error());
      if (members.size() < 2 || !c->qid().is_dir()) return r(c);
      c->union_cursor = std::make_shared<UnionCursor>();
      auto u = std::make_shared<UnionOpen>();
      u->c = c;
      u->members = members;
      u->done = r;
      u->next();
    });
  });
}

void Namespace::create(std::string_view path, uint32_t perm, uint8_t mode, Reply<ChanRef> r) {
  if (path.empty()) return r(Error(Errc::noent, "empty file name"));
  NamespaceWalk::View v = NamespaceWalk::view(*this);
  std::string p = clean_path(path);
  std::string name = last_element(p);
  if (name.empty()) return r(Error(Errc::exist, "'" + p + "' file already exists"));
  std::string parent = p.substr(0, p.rfind('/'));
  if (parent.empty()) parent = "/";
  // Whatever member of a union has the name, it exists (Plan 9 walks before it creates).
  NamespaceWalk::resolve(v, p, [=](Result<NamespaceWalk::Walked> existing) {
    if (existing) return r(Error(Errc::exist, "'" + p + "' file already exists"));
    if (existing.error().code != Errc::noent) return r(std::move(existing).error());
    NamespaceWalk::resolve(v, parent, [=](Result<NamespaceWalk::Walked> dir) {
      if (!dir) return r(std::move(dir).error());
      ChanRef target = dir->chan;
      if (!target->qid().is_dir()) return r(Error(Errc::notdir, "'" + parent + "' not a directory"));
      if (!dir->members.empty()) {
        // Into a mounted directory only through a member bound with MCREATE (Plan 9's createdir).
        auto m = std::find_if(dir->members.begin(), dir->members.end(), [](const auto& m) { return m.flags & MCREATE; });
        if (m == dir->members.end()) return r(Error(Errc::perm, "'" + parent + "' mounted directory forbids creation"));
        target = m->to->clone();
      }
      target->mount_point.reset();
      target->server().create(target->fid(), name, perm, mode, [target, p, mode, r](Result<void> res) {
        if (!res) return r(std::move(res).error());
        target->path = p;
        target->fid().open = true;
        target->fid().mode = mode;
        target->offset = 0;
        r(target);
      });
    });
  });
}

void Namespace::remove(std::string_view path, Reply<void> r) {
  NamespaceWalk::resolve(NamespaceWalk::view(*this), path, [r](Result<NamespaceWalk::Walked> w) {
    if (!w) return r(std::move(w).error());
    ChanRef c = w->chan;
    c->server().remove(c->fid(), [c, r](Result<void> res) {
      c->mark_clunked();
      r(std::move(res));
    });
  });
}

void Namespace::stat(std::string_view path, Reply<Dir> r) {
  NamespaceWalk::resolve(NamespaceWalk::view(*this), path, [r](Result<NamespaceWalk::Walked> w) {
    if (!w) return r(std::move(w).error());
    ChanRef c = w->chan;
    c->server().stat(c->fid(), [c, r](Result<Dir> d) {
      if (d && !last_element(c->path).empty()) d->name = last_element(c->path);
      r(std::move(d));
    });
  });
}

void Namespace::wstat(std::string_view path, const Dir& d, Reply<void> r) {
  NamespaceWalk::resolve(NamespaceWalk::view(*this), path, [d, r](Result<NamespaceWalk::Walked> w) {
    if (!w) return r(std::move(w).error());
    ChanRef c = w->chan;
    c->server().wstat(c->fid(), d, [c, r](Result<void> res) { r(std::move(res)); });
  });
}

// ---- Reading and writing -----------------------------------------------------------------------

namespace {

// Members are asked for this much at a time: enough for any entry, so that an empty answer can
// only mean the member is exhausted (a short count would look the same).
constexpr uint32_t kUnionFetch = 64 * 1024;

// One merged read of a union directory (Plan 9's unionread): members in order, each to its end,
// a name given once, whole entries only.
struct UnionRead : std::enable_shared_from_this<UnionRead> {
  ChanRef c;
  uint32_t count = 0;
  Bytes out;
  Reply<Bytes> done;

  void pump() {
    UnionCursor& cur = *c->union_cursor;
    while (!cur.pending.empty()) {
      Dir& d = cur.pending.front();
      if (cur.seen.count(d.name)) {
        cur.pending.pop_front();
        continue;
      }
      if (out.size() + packed_dir_size(d) > count) {
        if (out.empty()) return done(Error(Errc::inval, "read count too small for a directory entry"));
        return give();
      }
      pack_dir(d, out);
      cur.seen.insert(d.name);
      cur.pending.pop_front();
    }
    if (cur.member >= c->union_members.size()) return give();
    ChanRef m = c->union_members[cur.member];
    auto self = shared_from_this();
    m->server().read(m->fid(), m->offset, kUnionFetch, [self, m](Result<Bytes> b) { self->absorb(m, std::move(b)); });
  }

  void absorb(const ChanRef& m, Result<Bytes> b) {
    UnionCursor& cur = *c->union_cursor;
    if (b && b->empty()) {
      cur.member++;
      return pump();
    }
    Result<std::vector<Dir>> dirs = b ? unpack_dirs(*b) : Result<std::vector<Dir>>(b.error());
    if (!dirs) {
      // Give what we have; the error comes back on the next read.
      if (out.empty()) return done(std::move(dirs).error());
      return give();
    }
    m->offset += b->size();
    cur.pending.insert(cur.pending.end(), dirs->begin(), dirs->end());
    pump();
  }

  void give() {
    c->offset += out.size();
    done(std::move(out));
  }
};

}  // namespace

void Namespace::read(const ChanRef& c, uint32_t count, Reply<Bytes> r) {
  if (!c->union_cursor) {
    c->server().read(c->fid(), c->offset, count, [c, r](Result<Bytes> b) {
      if (b) c->offset += b->size();
      r(std::move(b));
    });
    return;
  }
  if (c->offset == 0) {
    // Reading from the start again (a rewound directory): start the merge over.
    c->union_cursor = std::make_shared<UnionCursor>();
    for (const ChanRef& m : c->union_members) m->offset = 0;
  }
  auto u = std::make_shared<UnionRead>();
  u->c = c;
  u->count = count;
  u->done = std::move(r);
  u->pump();
}

void Namespace::read_into(const ChanRef& c, std::span<uint8_t> dest, Reply<uint32_t> r) {
  if (c->union_cursor) {
    return read(c, static_cast<uint32_t>(dest.size()), copy_into(dest, std::move(r)));
  }
  c->server().read_into(c->fid(), c->offset, dest, [c, r](Result<uint32_t> n) {
    if (n) c->offset += *n;
    r(std::move(n));
  });
}

void Namespace::write(const ChanRef& c, std::span<const uint8_t> data, Reply<uint32_t> r) {
  c->server().write(c->fid(), c->offset, data, [c, r](Result<uint32_t> n) {
    if (n) c->offset += *n;
    r(std::move(n));
  });
}

}  // namespace web9
