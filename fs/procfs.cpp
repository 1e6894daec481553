// /proc: the kernel's process table as files, from a table of names (Plan 9's Dirtab).
#include "fs/procfs.h"

#include <charconv>
#include <cstdio>

#include "kernel/kernel.h"

namespace web9 {
namespace {

enum File : int { Qdir = 0, Qargs, Qctl, Qfd, Qnote, Qnoteid, Qns, Qppid, Qstatus, Nfiles };

struct Entry {
  const char* name;
  uint32_t perm;
};

constexpr Entry files[Nfiles] = {
    {"", DMDIR | 0555}, {"args", 0444},   {"ctl", 0222}, {"fd", 0444},    {"note", 0666},
    {"noteid", 0664},   {"ns", 0444},     {"ppid", 0444}, {"status", 0444},
};

Qid qid_of(int pid, int file) {
  if (pid == 0) return Qid{QTDIR, 0, 0};
  return Qid{static_cast<uint8_t>(file == Qdir ? QTDIR : QTFILE), 0, (uint64_t(pid) << 8) | uint64_t(file)};
}

std::optional<int> parse_int(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.remove_suffix(1);
  int n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return n;
}

// rc's quoting: a word with special characters goes in single quotes, a quote doubled.
std::string quote(const std::string& w) {
  if (!w.empty() && w.find_first_of(" \t\n'`^|&;<>(){}$=#*?[]\"\\") == std::string::npos) return w;
  std::string out = "'";
  for (char c : w) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

const char* state_name(const Process& p) {
  switch (p.state) {
    case ProcState::zombie: return "Moribund";
    case ProcState::exiting: return "Broken";
    case ProcState::running: break;
  }
  if (!p.waiters.empty()) return "Wait";
  if (!p.pending_io.empty()) return "Wakeme";
  return "Running";
}

std::string fd_lines(const Process& p) {
  std::string out = (p.cwd_path.empty() ? "/" : p.cwd_path) + "\n";
  if (!p.fds) return out;
  for (int fd : p.fds->fds()) {
    auto f = p.fds->get(fd);
    const Chan& c = *f->chan;
    static constexpr const char* modes[] = {"r ", " w", "rw", "x "};
    char line[160];
    std::snprintf(line, sizeof line, "%3d %s %-6.6s %4u (%016llx %u %02x) %8llu ", fd, modes[f->mode & 3],
                  std::string(c.server().kind()).c_str(), c.dev, static_cast<unsigned long long>(c.qid().path),
                  c.qid().vers, c.qid().type, static_cast<unsigned long long>(c.offset));
    out += line + c.path + "\n";
  }
  return out;
}

}  // namespace

class ProcFs::ProcFid : public Fid {
 public:
  std::unique_ptr<Fid> clone() const override {
    auto f = std::make_unique<ProcFid>();
    f->qid = qid;
    f->uname = uname;
    f->pid = pid;
    f->file = file;
    return f;
  }

  std::string uname;
  int pid = 0;   // 0: the /proc directory
  int file = 0;  // a File; Qdir for the process's directory
  std::string text;  // a text file's content, taken at offset 0
  bool have_text = false;
  std::vector<Dir> listing;
  size_t index = 0;
};

std::string ProcFs::status_text(int pid) const {
  Process* p = kernel_.process(pid);
  if (!p) return "";
  uint64_t end = p->alive() ? kernel_.now_ms() : p->end_ms;
  char buf[256];
  // Plan 9's layout, which ps reads by column: 27-wide name and user, 11-wide state, then the
  // user, system and real times of the process and of its waited-for children, memory in KiB,
  // base priority and priority, 11 wide each. Only the real time is known here.
  std::snprintf(buf, sizeof buf, "%-27.27s %-27.27s %-11.11s %11u %11u %11llu %11u %11u %11u %11u %11u %11u\n",
                p->name().c_str(), p->user.c_str(), state_name(*p), 0u, 0u,
                static_cast<unsigned long long>(end - p->start_ms), 0u, 0u, 0u, 0u, 0u, 0u);
  return buf;
}

Result<Dir> ProcFs::dir_of(int pid, int file) const {
  Dir d;
  d.qid = qid_of(pid, file);
  if (pid == 0) {
    d.name = std::string("/");  // (not = "/": GCC 12 -Wrestrict false positive)
    d.mode = DMDIR | 0555;
    return d;
  }
  Process* p = kernel_.process(pid);
  if (!p) return Error(Errc::srch, "process exited");
  d.name = file == Qdir ? std::to_string(pid) : files[file].name;
  d.mode = files[file].perm;
  d.uid = d.gid = d.muid = p->user;
  d.atime = d.mtime = static_cast<uint32_t>(p->start_ms / 1000);
  return d;
}

Result<std::string> ProcFs::text_of(int pid, int file) const {
  Process* p = kernel_.process(pid);
  if (!p) return Error(Errc::srch, "process exited");
  switch (file) {
    case Qargs: {
      std::string out;
      for (const std::string& a : p->argv) out += (out.empty() ? "" : " ") + quote(a);
      return out;
    }
    case Qfd: return fd_lines(*p);
    case Qnoteid: return std::to_string(p->pgrp);
    case Qns: return p->ns ? p->ns->describe() : std::string();
    case Qppid: return std::to_string(p->ppid);
    case Qstatus: return status_text(pid);
    default: return Errc::perm;
  }
}

void ProcFs::attach(std::string_view uname, std::string_view, Reply<std::unique_ptr<Fid>> r) {
  auto f = std::make_unique<ProcFid>();
  f->uname = std::string(uname);
  f->qid = qid_of(0, Qdir);
  r(std::unique_ptr<Fid>(std::move(f)));
}

void ProcFs::walk1(Fid& fid, std::string_view name, Reply<Qid> r) {
  auto& f = static_cast<ProcFid&>(fid);
  if (f.pid == 0) {
    int pid = kernel_.current_pid();
    if (name != "self") {
      auto n = parse_int(name);
      if (!n || std::to_string(*n) != name) return r(Errc::noent);
      pid = *n;
    }
    if (pid <= 0 || !kernel_.process(pid)) return r(Errc::noent);
    f.pid = pid;
    f.file = Qdir;
  } else if (f.file == Qdir) {
    if (!kernel_.process(f.pid)) return r(Error(Errc::srch, "process exited"));
    int file = Qdir;
    for (int i = 1; i < Nfiles; i++) {
      if (name == files[i].name) file = i;
    }
    if (file == Qdir) return r(Errc::noent);
    f.file = file;
  } else {
    return r(Errc::notdir);
  }
  f.qid = qid_of(f.pid, f.file);
  r(f.qid);
}

void ProcFs::open(Fid& fid, uint8_t mode, Reply<void> r) {
  auto& f = static_cast<ProcFid&>(fid);
  if (f.pid != 0 && !kernel_.process(f.pid)) return r(Error(Errc::srch, "process exited"));
  uint32_t perm = f.pid == 0 ? DMDIR | 0555 : files[f.file].perm;
  bool wants_read = (mode & 3) == OREAD || (mode & 3) == ORDWR;
  bool wants_write = (mode & 3) == OWRITE || (mode & 3) == ORDWR;
  if ((perm & DMDIR) && (mode & 3) != OREAD) return r(Errc::isdir);
  if ((mode & 3) == OEXEC || (wants_read && !(perm & 0444)) || (wants_write && !(perm & 0222)))
    return r(Errc::access);
  f.open = true;
  f.mode = mode;
  r(success());
}

void ProcFs::read(Fid& fid, uint64_t offset, uint32_t count, Reply<Bytes> r) {
  auto& f = static_cast<ProcFid&>(fid);
  if (f.pid == 0 || f.file == Qdir) {
    if (offset == 0) {
      f.listing.clear();
      f.index = 0;
      if (f.pid == 0) {
        for (int pid : kernel_.pids()) {
          if (auto d = dir_of(pid, Qdir)) f.listing.push_back(d.value());
        }
      } else {
        for (int i = 1; i < Nfiles; i++) {
          auto d = dir_of(f.pid, i);
          if (!d) return r(d.error());
          f.listing.push_back(d.value());
        }
      }
    }
    return r(pack_dir_entries(f.listing, &f.index, count));
  }
  if (f.file == Qnote) {
    // Reading a note takes it, so only the process itself may (Plan 9 likewise).
    int self = kernel_.current_pid();
    if (self != 0 && self != f.pid) return r(Error(Errc::perm, "can't read another process's notes"));
    if (!kernel_.process(f.pid)) return r(Error(Errc::srch, "process exited"));
    auto note = kernel_.take_note(f.pid);
    if (!note) return r(Bytes{});
    std::string s = note->substr(0, count);
    return r(Bytes(s.begin(), s.end()));
  }
  if (offset == 0 || !f.have_text) {
    auto text = text_of(f.pid, f.file);
    if (!text) return r(text.error());
    f.text = std::move(text.value());
    f.have_text = true;
  }
  if (offset >= f.text.size()) return r(Bytes{});
  size_t n = std::min<uint64_t>(count, f.text.size() - offset);
  r(Bytes(f.text.begin() + static_cast<ptrdiff_t>(offset), f.text.begin() + static_cast<ptrdiff_t>(offset + n)));
}

Result<void> ProcFs::write_ctl(int pid, std::string_view msg) {
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.remove_suffix(1);
  if (msg == "kill" || msg == "interrupt") return kernel_.postnote(pid, std::string(msg));
  if (msg.substr(0, 6) == "close ") {
    auto fd = parse_int(msg.substr(6));
    if (!fd) return Error(Errc::inval, "bad control message");
    return kernel_.close(pid, *fd);
  }
  return Error(Errc::inval, "bad control message");
}

Result<void> ProcFs::write_noteid(int pid, std::string_view msg) {
  auto group = parse_int(msg);
  if (!group || *group <= 0) return Error(Errc::inval, "bad note group");
  Process* p = kernel_.process(pid);
  if (!p || !p->alive()) return Error(Errc::srch, "process exited");
  bool exists = *group == pid;
  for (int other : kernel_.pids()) {
    Process* q = kernel_.process(other);
    if (q && q->alive() && q->pgrp == *group) exists = true;
  }
  if (!exists) return Error(Errc::srch, "no such note group");
  p->pgrp = *group;
  return success();
}

void ProcFs::write(Fid& fid, uint64_t, std::span<const uint8_t> data, Reply<uint32_t> r) {
  auto& f = static_cast<ProcFid&>(fid);
  if (f.pid == 0 || f.file == Qdir) return r(Errc::isdir);
  std::string_view msg(reinterpret_cast<const char*>(data.data()), data.size());
  Result<void> done = Errc::perm;
  switch (f.file) {
    case Qctl: done = write_ctl(f.pid, msg); break;
    case Qnote: {
      if (!msg.empty() && msg.back() == '\n') msg.remove_suffix(1);
      done = kernel_.postnote(f.pid, std::string(msg));
      break;
    }
    case Qnoteid: done = write_noteid(f.pid, msg); break;
    default: break;
  }
  if (!done) return r(done.error());
  r(static_cast<uint32_t>(data.size()));
}

void ProcFs::stat(Fid& fid, Reply<Dir> r) {
  auto& f = static_cast<ProcFid&>(fid);
  r(dir_of(f.pid, f.file));
}

}  // namespace web9
