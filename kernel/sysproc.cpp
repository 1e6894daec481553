// Process system calls (Plan 9's port/sysproc.c and the note and wait parts of proc.c):
// spawn, rfork, exits, wait, notes.
#include "kernel/kernel.h"

#include <algorithm>

namespace web9 {
namespace {

constexpr size_t max_note = 127;  // Plan 9's ERRMAX less the terminating NUL

void erase_pid(std::vector<int>& v, int pid) { v.erase(std::remove(v.begin(), v.end(), pid), v.end()); }
void erase_pid(std::deque<int>& v, int pid) { v.erase(std::remove(v.begin(), v.end(), pid), v.end()); }

}  // namespace

Result<int> Kernel::spawn(int parent, SpawnOptions o) {
  Process* pp = live(parent);
  if (!pp) return Error(Errc::srch, "spawn: no such process");
  if (o.argv.empty()) return Error(Errc::inval, "spawn: empty argv");
  if (!o.env_set.empty() && o.env == Sharing::share)
    return Error(Errc::inval, "spawn: env_set needs a copied environment");

  // Build the child's resources before touching any table, so a bad request changes nothing.
  auto fds = o.fd_inherit == FdInherit::copy_all ? pp->fds->copy() : std::make_shared<FdTable>(pp->fds->limit());
  for (auto [child_fd, parent_fd] : o.fds) {
    auto f = pp->fds->get(parent_fd);
    if (!f) return Error(Errc::badf, "spawn: parent fd " + std::to_string(parent_fd) + " is not open");
    TRY(fds->install(child_fd, std::move(f.value())));
  }
  auto env = o.env == Sharing::share ? pp->env : pp->env->copy();
  for (const auto& [name, value] : o.env_set) TRY(env->set(name, value));

  auto p = std::make_unique<Process>();
  p->pid = allocate_pid();
  p->ppid = parent;
  p->pgrp = o.note_group == NoteGroup::new_group ? p->pid : pp->pgrp;
  p->user = pp->user;
  p->argv = std::move(o.argv);
  p->ns = o.ns == Sharing::share ? pp->ns : pp->ns->copy();
  p->fds = std::move(fds);
  p->cwd = pp->cwd;
  p->cwd_path = pp->cwd_path;
  p->env = std::move(env);
  p->start_ms = now_ms();
  int pid = p->pid;
  pp->children.push_back(pid);
  procs_.emplace(pid, std::move(p));
  return pid;
}

Result<void> Kernel::rfork(int pid, int flags) {
  constexpr int known = RFNAMEG | RFENVG | RFFDG | RFNOTEG | RFCNAMEG | RFCENVG | RFCFDG;
  if (flags & ~known) return Error(Errc::inval, "rfork: unsupported flags");
  if (((flags & RFNAMEG) && (flags & RFCNAMEG)) || ((flags & RFENVG) && (flags & RFCENVG)) ||
      ((flags & RFFDG) && (flags & RFCFDG)))
    return Error(Errc::inval, "rfork: conflicting flags");
  Process* p = live(pid);
  if (!p) return Errc::srch;
  if (flags & RFNAMEG) p->ns = p->ns->copy();
  if (flags & RFCNAMEG) p->ns = std::make_shared<Namespace>(p->ns->root(), devices_);
  if (flags & RFENVG) p->env = p->env->copy();
  if (flags & RFCENVG) p->env = std::make_shared<Env>();
  if (flags & RFFDG) p->fds = p->fds->copy();
  // The old table may be shared with nobody: keep it until the process is consistent again.
  std::shared_ptr<FdTable> old_fds;
  if (flags & RFCFDG) old_fds = std::exchange(p->fds, std::make_shared<FdTable>(p->fds->limit()));
  if (flags & RFNOTEG) p->pgrp = pid;
  Current cur(*this, pid);  // closing the old fds acts as this process
  old_fds.reset();
  return success();
}

Result<void> Kernel::exits(int pid, std::string status) {
  Process* p = live(pid);
  if (!p) return Errc::srch;
  p->state = ProcState::zombie;
  p->exit_status = std::move(status);
  p->end_ms = now_ms();
  interrupt(pid);  // its pending calls answer Errc::intr
  p = process(pid);
  if (!p) return success();

  // Dropping channels can call back into the kernel (a pipe's reader waking up), so the
  // resources leave the record now and are released when the tables are consistent again.
  struct Resources {
    std::shared_ptr<FdTable> fds;
    std::shared_ptr<Namespace> ns;
    std::shared_ptr<Env> env;
    ChanRef cwd;
  };
  Resources res{std::move(p->fds), std::move(p->ns), std::move(p->env), std::move(p->cwd)};
  p->notes.clear();
  p->on_note = nullptr;
  p->pending_io.clear();

  reparent_children(*p);
  int ppid = process(pid)->ppid;  // waits answered just now may have reparented it
  if (live(ppid)) {
    process(ppid)->zombies.push_back(pid);
    deliver_waits(ppid);
  } else {
    (void)reap(pid);  // no parent will wait for it
  }
  // Released as the exiting process (Plan 9's up), whoever called: an ORCLOSE file in /env
  // must leave this process's environment, not the caller's. The process is a zombie by now,
  // so servers asking for it find none and use what they saw at open.
  Current cur(*this, pid);
  if (res.fds) res.fds->close_all();
  res = Resources{};
  return success();
}

void Kernel::reparent_children(Process& p) {
  int init = p.pid != 1 && live(1) ? 1 : 0;
  std::vector<int> children = std::move(p.children);
  std::deque<int> zombies = std::move(p.zombies);
  p.children.clear();
  p.zombies.clear();
  for (int c : children) {
    if (Process* child = process(c)) child->ppid = init;
    if (init) process(1)->children.push_back(c);
  }
  if (!init) {
    for (int z : zombies) (void)reap(z);
    return;
  }
  for (int z : zombies) process(1)->zombies.push_back(z);
  deliver_waits(1);
}

WaitMsg Kernel::reap(int pid) {
  Process* z = process(pid);
  WaitMsg w = z->wait_msg();
  if (Process* parent = process(z->ppid)) {
    erase_pid(parent->children, pid);
    erase_pid(parent->zombies, pid);
  }
  procs_.erase(pid);
  return w;
}

void Kernel::deliver_waits(int pid) {
  for (;;) {
    Process* p = live(pid);
    if (!p || p->waiters.empty() || p->zombies.empty()) return;
    auto waiter = std::move(p->waiters.front());
    p->waiters.pop_front();
    WaitMsg w = reap(p->zombies.front());
    waiter(std::move(w));  // may call back in: look everything up again
  }
}

void Kernel::wait(int pid, Reply<WaitMsg> r) {
  Process* p = live(pid);
  if (!p) return r(Errc::srch);
  if (!p->zombies.empty()) return r(reap(p->zombies.front()));
  if (p->children.empty()) return r(Errc::child);
  p->waiters.push_back(std::move(r));
}

Result<void> Kernel::kill_now(int pid) {
  if (!live(pid)) return Errc::srch;
  return exits(pid, "killed");
}

void Kernel::interrupt(int pid) {
  Process* p = process(pid);
  if (!p) return;
  auto io = p->pending_io;
  auto waiters = std::move(p->waiters);
  p->waiters.clear();
  auto abandon = std::move(p->abandon);
  p->abandon.clear();
  for (auto& [id, give_up] : abandon) give_up();
  // A fid's flush answers every request waiting on it, so another process reading the same
  // shared channel is interrupted too; it sees Errc::intr and may retry.
  for (auto& [id, c] : io) c->server().flush(c->fid());
  for (auto& w : waiters) w(Error(Errc::intr));
  interrupt_poll(pid);
}

Result<void> Kernel::postnote(int pid, std::string note) {
  if (note.empty()) return Error(Errc::inval, "empty note");
  if (note.size() > max_note) return Error(Errc::inval, "note too long");
  Process* p = live(pid);
  if (!p) return Error(Errc::srch, "no such process");
  if (note == "kill") {
    p->state = ProcState::exiting;  // a kill is never dropped
  } else if (p->notes.size() >= Process::max_notes) {
    return Error(Errc::again, "note queue full");
  }
  p->notes.push_back(note);
  interrupt(pid);
  p = live(pid);
  if (p && p->on_note) {
    auto hook = p->on_note;  // the hook may replace itself
    hook(note);
  }
  return success();
}

Result<void> Kernel::postnote_group(int pgrp, std::string note) {
  if (note.empty() || note.size() > max_note) return Error(Errc::inval, "bad note");
  std::vector<int> members;
  for (const auto& [pid, p] : procs_) {
    if (p->alive() && p->pgrp == pgrp) members.push_back(pid);
  }
  if (members.empty()) return Error(Errc::srch, "no such note group");
  for (int pid : members) (void)postnote(pid, note);
  return success();
}

std::optional<std::string> Kernel::take_note(int pid) {
  Process* p = live(pid);
  if (!p || p->notes.empty()) return std::nullopt;
  std::string note = std::move(p->notes.front());
  p->notes.pop_front();
  return note;
}

Result<void> Kernel::set_note_hook(int pid, std::function<void(const std::string&)> hook) {
  Process* p = live(pid);
  if (!p) return Errc::srch;
  p->on_note = std::move(hook);
  return success();
}

}  // namespace web9
