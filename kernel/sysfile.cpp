// File and name-space system calls (Plan 9's port/sysfile.c): paths are made absolute against
// the cwd and handed to the process's Namespace; fds name channels in its FdTable.
#include "kernel/kernel.h"

#include <limits>

#include "fs/srvfs.h"

namespace web9 {
namespace {

constexpr int open_modes = 3 | OTRUNC | ORCLOSE;

// Keeps a name space alive until its request answers (the process may exit meanwhile).
template <class T>
Reply<T> keep(std::shared_ptr<Namespace> ns, Reply<T> r) {
  return [ns = std::move(ns), r = std::move(r)](Result<T> res) { r(std::move(res)); };
}

// Walks a clone of dir to name and opens it: one end of a pipe.
void open_in(const ChanRef& dir, std::string name, uint8_t mode, Reply<ChanRef> r) {
  ChanRef c = dir->clone();
  c->server().walk1(c->fid(), name, [c, name, mode, path = dir->path, r](Result<Qid> qid) {
    if (!qid) return r(std::move(qid).error());
    c->fid().qid = qid.value();
    c->path = path + "/" + name;
    c->server().open(c->fid(), mode, [c, r](Result<void> opened) {
      if (!opened) return r(std::move(opened).error());
      r(c);
    });
  });
}

bool valid_mount_flags(int flags) {
  return (flags & ~(MORDER | MCREATE)) == 0 && (flags & MORDER) != MORDER;
}

}  // namespace

Result<std::string> Kernel::resolve(const Process& p, std::string_view path) const {
  if (path.empty()) return Error(Errc::noent, "empty path");
  if (path.find('\0') != std::string_view::npos) return Error(Errc::inval, "NUL in path");
  if (path[0] == '/' || path[0] == '#') return cleanname(path);
  return cleanname(p.cwd_path + "/" + std::string(path));
}

Result<std::string> Kernel::absolute(int pid, std::string_view path) {
  Process* p = live(pid);
  if (!p) return Errc::srch;
  return resolve(*p, path);
}

Result<Fd> Kernel::fd_of(int pid, int fd) {
  Process* p = live(pid);
  if (!p) return Errc::srch;
  return p->fds->get(fd);
}

template <class T>
Reply<T> Kernel::track(int pid, const ChanRef& c, Reply<T> r) {
  uint64_t id = next_io_++;
  if (Process* p = live(pid)) p->pending_io.emplace(id, c);
  // The lambda holds the channel too: a fid must outlive every request made on it.
  return [this, pid, id, c, r = std::move(r)](Result<T> res) {
    if (Process* p = process(pid)) p->pending_io.erase(id);
    r(std::move(res));
  };
}

Reply<uint32_t> Kernel::note_broken_pipe(int pid, Reply<uint32_t> r) {
  return [this, pid, r = std::move(r)](Result<uint32_t> n) {
    if (!n && n.error().code == Errc::pipe) (void)postnote(pid, "sys: write on closed pipe");
    r(std::move(n));
  };
}

// Opening a name in /srv yields the channel posted there, as devsrv's open does.
Result<ChanRef> Kernel::posted_or(ChanRef c) {
  if (c->server_ref() != srv_ || c->qid().is_dir()) return c;
  c->fid().mode &= ~ORCLOSE;  // ORCLOSE would unpost the name when this channel goes
  return srv_->posted(c->fid());
}

void Kernel::finish_open(int pid, Result<ChanRef> c, int mode, Reply<int> r, bool created) {
  if (!c) return r(std::move(c).error());
  // A name just created in /srv has nothing posted yet: its creator gets the file itself, to
  // write the number of the fd to post into it.
  std::string name = c.value()->path;
  auto chan = created ? std::move(c) : posted_or(std::move(c.value()));
  if (!chan) return r(std::move(chan).error());
  Process* p = live(pid);
  if (!p) return r(Errc::srch);
  Fd fd{std::move(chan.value()), static_cast<uint8_t>(mode & 3), false};
  if (fd.chan->path != name) fd.opened_as = std::move(name);
  r(p->fds->add(std::move(fd)));
}

void Kernel::open(int pid, std::string_view path, int mode, Reply<int> r) {
  if (mode & ~open_modes) return r(Error(Errc::inval, "bad open mode"));
  Process* p = live(pid);
  if (!p) return r(Errc::srch);
  auto abs = resolve(*p, path);
  if (!abs) return r(std::move(abs).error());
  Current cur(*this, pid);
  auto ns = p->ns;
  ns->open(abs.value(), static_cast<uint8_t>(mode),
           keep<ChanRef>(ns, [this, pid, mode, r](Result<ChanRef> c) { finish_open(pid, std::move(c), mode, r); }));
}

void Kernel::create(int pid, std::string_view path, int mode, uint32_t perm, Reply<int> r) {
  if (mode & ~(open_modes | OEXCL)) return r(Error(Errc::inval, "bad create mode"));
  Process* p = live(pid);
  if (!p) return r(Errc::srch);
  auto abs = resolve(*p, path);
  if (!abs) return r(std::move(abs).error());
  Current cur(*this, pid);
  auto ns = p->ns;
  ns->create(abs.value(), perm, static_cast<uint8_t>(mode & open_modes),
             keep<ChanRef>(ns, [this, pid, mode, perm, path = abs.value(), r](Result<ChanRef> c) {
               bool exists = !c && c.error().code == Errc::exist;
               if (exists && !(mode & OEXCL) && !(perm & DMDIR)) return create_existing(pid, path, mode, r);
               finish_open(pid, std::move(c), mode & open_modes, r, true);
             }));
}

// create(2) on an existing file truncates it and opens it.
void Kernel::create_existing(int pid, std::string path, int mode, Reply<int> r) {
  Process* p = live(pid);
  if (!p) return r(Errc::srch);
  Current cur(*this, pid);
  auto ns = p->ns;
  int m = (mode & open_modes) | OTRUNC;
  ns->open(path, static_cast<uint8_t>(m),
           keep<ChanRef>(ns, [this, pid, m, r](Result<ChanRef> c) { finish_open(pid, std::move(c), m, r); }));
}

// The channel of fd, which must be open for reading.
Result<ChanRef> Kernel::reading(int pid, int fd) {
  auto f = fd_of(pid, fd);
  if (!f) return std::move(f).error();
  if (!f->readable()) return Error(Errc::badf, "fd not open for reading");
  return f->chan;
}

// A read at offset of c, which reads a directory only where its last read ended (entries are
// whole): answers whether it is a directory, read at its current offset through Namespace.
Result<bool> Kernel::positioned(const ChanRef& c, uint64_t offset) {
  if (!c->qid().is_dir()) return false;
  if (offset != c->offset) return Error(Errc::inval, "directory read not at its current offset");
  return true;
}

void Kernel::read(int pid, int fd, uint32_t count, Reply<Bytes> r) {
  auto c = reading(pid, fd);
  if (!c) return r(std::move(c).error());
  Current cur(*this, pid);
  Namespace::read(*c, count, track(pid, *c, std::move(r)));
}

void Kernel::read_into(int pid, int fd, std::span<uint8_t> dest, Reply<uint32_t> r) {
  auto c = reading(pid, fd);
  if (!c) return r(std::move(c).error());
  Current cur(*this, pid);
  Namespace::read_into(*c, dest, track(pid, *c, std::move(r)));
}

void Kernel::pread(int pid, int fd, uint32_t count, uint64_t offset, Reply<Bytes> r) {
  auto c = reading(pid, fd);
  if (!c) return r(std::move(c).error());
  auto dir = positioned(*c, offset);
  if (!dir) return r(std::move(dir).error());
  Current cur(*this, pid);
  if (*dir) return Namespace::read(*c, count, track(pid, *c, std::move(r)));
  (*c)->server().read((*c)->fid(), offset, count, track(pid, *c, std::move(r)));
}

void Kernel::pread_into(int pid, int fd, std::span<uint8_t> dest, uint64_t offset, Reply<uint32_t> r) {
  auto c = reading(pid, fd);
  if (!c) return r(std::move(c).error());
  auto dir = positioned(*c, offset);
  if (!dir) return r(std::move(dir).error());
  Current cur(*this, pid);
  if (*dir) return Namespace::read_into(*c, dest, track(pid, *c, std::move(r)));
  (*c)->server().read_into((*c)->fid(), offset, dest, track(pid, *c, std::move(r)));
}

void Kernel::write(int pid, int fd, std::span<const uint8_t> data, Reply<uint32_t> r) {
  auto f = fd_of(pid, fd);
  if (!f) return r(std::move(f).error());
  if (!f->writable()) return r(Error(Errc::badf, "fd not open for writing"));
  Current cur(*this, pid);
  if (f->append) return write_at_end(pid, std::move(f.value()), data, std::move(r));
  ChanRef c = f->chan;
  Namespace::write(c, data, track(pid, c, note_broken_pipe(pid, std::move(r))));
}

// O_APPEND: find the end, then write there (not atomic against another writer, as in POSIX
// over a network file system; Plan 9 files that need it are DMAPPEND, done by the server).
void Kernel::write_at_end(int pid, Fd f, std::span<const uint8_t> data, Reply<uint32_t> r) {
  ChanRef c = f.chan;
  auto bytes = std::make_shared<Bytes>(data.begin(), data.end());
  c->server().stat(c->fid(), [this, pid, c, bytes, r](Result<Dir> d) {
    if (!d) return r(std::move(d).error());
    c->offset = d->length;
    Current cur(*this, pid);
    Namespace::write(c, *bytes, track(pid, c, note_broken_pipe(pid, [bytes, r](Result<uint32_t> n) { r(std::move(n)); })));
  });
}

void Kernel::pwrite(int pid, int fd, std::span<const uint8_t> data, uint64_t offset, Reply<uint32_t> r) {
  auto f = fd_of(pid, fd);
  if (!f) return r(std::move(f).error());
  if (!f->writable()) return r(Error(Errc::badf, "fd not open for writing"));
  ChanRef c = f->chan;
  if (c->qid().is_dir()) return r(Errc::isdir);
  Current cur(*this, pid);
  c->server().write(c->fid(), offset, data, track(pid, c, note_broken_pipe(pid, std::move(r))));
}

void Kernel::seek(int pid, int fd, int64_t offset, int whence, Reply<uint64_t> r) {
  auto f = fd_of(pid, fd);
  if (!f) return r(std::move(f).error());
  ChanRef c = f->chan;
  if (c->server().kind() == "pipe") return r(Error(Errc::spipe, "seek on a pipe"));
  if (whence < 0 || whence > 2) return r(Error(Errc::inval, "bad whence"));
  auto finish = [c, offset, r](uint64_t base) {
    constexpr uint64_t max = std::numeric_limits<int64_t>::max();
    if (base > max || (offset < 0 && static_cast<uint64_t>(-(offset + 1)) + 1 > base) ||
        (offset > 0 && static_cast<uint64_t>(offset) > max - base))
      return r(Error(Errc::inval, "seek out of range"));
    uint64_t n = offset < 0 ? base - (static_cast<uint64_t>(-(offset + 1)) + 1) : base + static_cast<uint64_t>(offset);
    if (c->qid().is_dir() && n != 0) return r(Error(Errc::isdir, "directories seek only to 0"));
    c->offset = n;
    r(n);
  };
  if (whence == 0) return finish(0);
  if (whence == 1) return finish(c->offset);
  Current cur(*this, pid);
  c->server().stat(c->fid(), [c, finish, r](Result<Dir> d) {
    if (!d) return r(std::move(d).error());
    finish(d->length);
  });
}

Result<void> Kernel::close(int pid, int fd) {
  Process* p = live(pid);
  if (!p) return Errc::srch;
  Current cur(*this, pid);
  return p->fds->close(fd);
}

Result<int> Kernel::dup(int pid, int old_fd, int new_fd) {
  Process* p = live(pid);
  if (!p) return Errc::srch;
  if (new_fd < -1) return Errc::badf;
  Current cur(*this, pid);
  return p->fds->dup(old_fd, new_fd);
}

Result<void> Kernel::set_append(int pid, int fd, bool append) {
  Process* p = live(pid);
  if (!p) return Errc::srch;
  return p->fds->set_append(fd, append);
}

void Kernel::pipe(int pid, Reply<std::array<int, 2>> r) {
  Process* p = live(pid);
  if (!p) return r(Errc::srch);
  Current cur(*this, pid);
  auto ns = p->ns;
  ns->walk("#|", keep<ChanRef>(ns, [this, pid, r](Result<ChanRef> dir) {
    if (!dir) return r(std::move(dir).error());
    ChanRef d = dir.value();
    open_in(d, "data", ORDWR, [this, pid, d, r](Result<ChanRef> a) {
      if (!a) return r(std::move(a).error());
      open_in(d, "data1", ORDWR, [this, pid, a = a.value(), r](Result<ChanRef> b) {
        if (!b) return r(std::move(b).error());
        Process* p = live(pid);
        if (!p) return r(Errc::srch);
        auto fd0 = p->fds->add(Fd{a, ORDWR, false});
        if (!fd0) return r(std::move(fd0).error());
        auto fd1 = p->fds->add(Fd{b.value(), ORDWR, false});
        if (!fd1) {
          (void)p->fds->close(fd0.value());
          return r(std::move(fd1).error());
        }
        r(std::array<int, 2>{fd0.value(), fd1.value()});
      });
    });
  }));
}

void Kernel::stat(int pid, std::string_view path, Reply<Dir> r) {
  Process* p = live(pid);
  if (!p) return r(Errc::srch);
  auto abs = resolve(*p, path);
  if (!abs) return r(std::move(abs).error());
  Current cur(*this, pid);
  auto ns = p->ns;
  ns->stat(abs.value(), keep<Dir>(ns, std::move(r)));
}

void Kernel::fstat(int pid, int fd, Reply<Dir> r) {
  auto f = fd_of(pid, fd);
  if (!f) return r(std::move(f).error());
  Current cur(*this, pid);
  ChanRef c = f->chan;
  c->server().stat(c->fid(), [c, r](Result<Dir> d) { r(std::move(d)); });
}

void Kernel::wstat(int pid, std::string_view path, const Dir& d, Reply<void> r) {
  Process* p = live(pid);
  if (!p) return r(Errc::srch);
  auto abs = resolve(*p, path);
  if (!abs) return r(std::move(abs).error());
  Current cur(*this, pid);
  auto ns = p->ns;
  ns->wstat(abs.value(), d, keep<void>(ns, std::move(r)));
}

void Kernel::fwstat(int pid, int fd, const Dir& d, Reply<void> r) {
  auto f = fd_of(pid, fd);
  if (!f) return r(std::move(f).error());
  Current cur(*this, pid);
  ChanRef c = f->chan;
  c->server().wstat(c->fid(), d, [c, r](Result<void> res) { r(std::move(res)); });
}

void Kernel::remove(int pid, std::string_view path, Reply<void> r) {
  Process* p = live(pid);
  if (!p) return r(Errc::srch);
  auto abs = resolve(*p, path);
  if (!abs) return r(std::move(abs).error());
  Current cur(*this, pid);
  auto ns = p->ns;
  ns->remove(abs.value(), keep<void>(ns, std::move(r)));
}

void Kernel::chdir(int pid, std::string_view path, Reply<void> r) {
  Process* p = live(pid);
  if (!p) return r(Errc::srch);
  auto abs = resolve(*p, path);
  if (!abs) return r(std::move(abs).error());
  Current cur(*this, pid);
  auto ns = p->ns;
  ns->walk(abs.value(), keep<ChanRef>(ns, [this, pid, path = abs.value(), r](Result<ChanRef> c) {
    if (!c) return r(std::move(c).error());
    if (!c.value()->qid().is_dir()) return r(Errc::notdir);
    Process* p = live(pid);
    if (!p) return r(Errc::srch);
    p->cwd = std::move(c.value());
    p->cwd_path = path;
    r(success());
  }));
}

Result<std::string> Kernel::getcwd(int pid) {
  Process* p = live(pid);
  if (!p) return Errc::srch;
  return p->cwd_path;
}

Result<std::string> Kernel::fd2path(int pid, int fd) {
  Fd f = TRY(fd_of(pid, fd));
  return f.chan->path;
}

void Kernel::bind(int pid, std::string_view new_path, std::string_view old_path, int flags, Reply<void> r) {
  if (!valid_mount_flags(flags)) return r(Error(Errc::inval, "bad bind flags"));
  Process* p = live(pid);
  if (!p) return r(Errc::srch);
  auto from = resolve(*p, new_path);
  if (!from) return r(std::move(from).error());
  auto onto = resolve(*p, old_path);
  if (!onto) return r(std::move(onto).error());
  Current cur(*this, pid);
  auto ns = p->ns;
  ns->walk(from.value(), [ns, onto = onto.value(), flags, r](Result<ChanRef> c) {
    if (!c) return r(std::move(c).error());
    ns->walk(onto, [ns, c = c.value(), flags, r](Result<ChanRef> to) {
      if (!to) return r(std::move(to).error());
      r(ns->bind(c, to.value(), flags));
    });
  });
}

void Kernel::mount(int pid, int fd, int afd, std::string_view old_path, int flags, std::string_view aname,
                   Reply<void> r) {
  if (!valid_mount_flags(flags)) return r(Error(Errc::inval, "bad mount flags"));
  auto f = fd_of(pid, fd);
  if (!f) return r(std::move(f).error());
  if (!f->readable() || !f->writable()) return r(Error(Errc::badf, "mount needs an fd open for reading and writing"));
  ChanRef auth;
  if (afd >= 0) {
    auto a = fd_of(pid, afd);
    if (!a) return r(std::move(a).error());
    auth = a->chan;
  }
  auto onto = absolute(pid, old_path);
  if (!onto) return r(std::move(onto).error());
  if (!mount_driver_) return r(Error(Errc::nosys, "no 9P mount driver yet: bind a '#' device instead"));
  Current cur(*this, pid);
  auto ns = process(pid)->ns;
  std::string source = f->opened_as.empty() ? f->chan->path : f->opened_as, spec(aname);
  // A server that never answers the attach must not hold the caller for good: a note abandons
  // the mount (Errc::intr), and an answer after that mounts nothing.
  uint64_t id = next_io_++;
  auto answered = std::make_shared<bool>(false);
  auto once = [this, pid, id, answered, r](Result<void> res) {
    if (*answered) return;
    *answered = true;
    if (Process* q = process(pid)) q->abandon.erase(id);
    r(std::move(res));
  };
  process(pid)->abandon[id] = [once] { once(Error(Errc::intr, "mount: interrupted before the server answered")); };
  mount_driver_(f->chan, auth, spec, [ns, onto = onto.value(), source, spec, flags, answered, once](Result<ChanRef> root) {
    if (*answered) return;
    if (!root) return once(std::move(root).error());
    ns->walk(onto, [ns, root = root.value(), source, spec, flags, answered, once](Result<ChanRef> to) {
      if (*answered) return;
      if (!to) return once(std::move(to).error());
      once(ns->mount_root(root, source, spec, to.value(), flags));
    });
  });
}

void Kernel::unmount(int pid, std::string_view new_path, std::string_view old_path, Reply<void> r) {
  Process* p = live(pid);
  if (!p) return r(Errc::srch);
  auto onto = resolve(*p, old_path);
  if (!onto) return r(std::move(onto).error());
  std::string from;
  if (!new_path.empty()) {
    auto abs = resolve(*p, new_path);
    if (!abs) return r(std::move(abs).error());
    from = abs.value();
  }
  Current cur(*this, pid);
  auto ns = p->ns;
  ns->walk(onto.value(), [ns, from, r](Result<ChanRef> to) {
    if (!to) return r(std::move(to).error());
    if (from.empty()) return r(ns->unmount(nullptr, to.value()));
    ns->walk(from, [ns, to = to.value(), r](Result<ChanRef> c) {
      if (!c) return r(std::move(c).error());
      r(ns->unmount(c.value(), to));
    });
  });
}

}  // namespace web9
