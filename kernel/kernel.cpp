// The kernel's tables: devices, the process table, pid allocation, and boot, which makes init
// and its standard name space.
#include "kernel/kernel.h"

#include <chrono>

#include "fs/cons.h"
#include "fs/envfs.h"
#include "fs/mnt.h"
#include "fs/pipe.h"
#include "fs/procfs.h"
#include "fs/ramfs.h"
#include "fs/srvfs.h"

namespace web9 {
namespace {

constexpr int max_pid = 1 << 30;

using Step = std::function<void(Reply<void>)>;

// Runs steps one after another, each starting when the previous answers; stops at an error.
void run_steps(std::shared_ptr<std::vector<Step>> steps, size_t i, Reply<void> done) {
  if (i == steps->size()) return done(success());
  (*steps)[i]([steps, i, done](Result<void> res) {
    if (!res) return done(std::move(res).error());
    run_steps(steps, i + 1, done);
  });
}

}  // namespace

Kernel::Kernel() : devices_(std::make_shared<DeviceTable>()) {
  cons_ = std::make_shared<ConsDevice>("glenda");
  cons_->interrupt = [this](std::string_view note) { (void)postnote_group(foreground_, std::string(note)); };
  srv_ = std::make_shared<SrvFs>([this](int fd) -> Result<ChanRef> {
    Fd f = TRY(fd_of(current_, fd));
    return f.chan;
  });
  srv_->caller_user = [this]() -> std::string {
    Process* p = live(current_);
    return p ? p->user : std::string();
  };
  auto env = std::make_shared<EnvFs>([this](int pid) -> std::shared_ptr<Env> {
    Process* p = live(pid ? pid : current_);
    return p ? p->env : nullptr;
  });
  devices_->add('c', cons_);
  pipes_ = std::make_shared<PipeDevice>();
  devices_->add('|', pipes_);
  devices_->add('p', std::make_shared<ProcFs>(*this));
  devices_->add('e', env);
  devices_->add('s', srv_);
  // mount(2) speaks 9P over the channel it is given (fs/mnt.h); attaches go as the caller's user.
  mount_driver_ = make_mount_driver([this]() -> std::string {
    Process* p = live(current_);
    return p ? p->user : std::string();
  });
}

Kernel::~Kernel() {
  // The devices may outlive the kernel (channels elsewhere hold them): cut their way back in.
  cons_->interrupt = nullptr;
  polls_.reset();  // readiness answers that come while the channels go find no table
  auto procs = std::move(procs_);
  procs_.clear();
}

void Kernel::add_device(char letter, std::shared_ptr<FileServer> server) {
  devices_->add(letter, std::move(server));
}

uint64_t Kernel::now_ms() const {
  if (clock_) return clock_();
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

Process* Kernel::process(int pid) {
  auto it = procs_.find(pid);
  return it == procs_.end() ? nullptr : it->second.get();
}

Process* Kernel::live(int pid) {
  Process* p = process(pid);
  return p && p->alive() ? p : nullptr;
}

std::vector<int> Kernel::pids() const {
  std::vector<int> out;
  for (const auto& [pid, p] : procs_) out.push_back(pid);
  return out;
}

int Kernel::allocate_pid() {
  for (;;) {
    int pid = next_pid_;
    next_pid_ = next_pid_ >= max_pid ? 2 : next_pid_ + 1;
    if (!procs_.count(pid)) return pid;
  }
}

Result<int> Kernel::make_init(ChanRef root, std::vector<std::string> argv, std::string user) {
  if (!root) return Error(Errc::inval, "no root");
  if (procs_.count(1)) return Error(Errc::busy, "init already exists");
  auto p = std::make_unique<Process>();
  p->pid = 1;
  p->pgrp = 1;
  p->user = std::move(user);
  p->argv = argv.empty() ? std::vector<std::string>{"init"} : std::move(argv);
  p->ns = std::make_shared<Namespace>(root, devices_);
  p->fds = std::make_shared<FdTable>();
  p->cwd = root->clone();
  p->cwd_path = "/";
  p->env = std::make_shared<Env>();
  p->start_ms = now_ms();
  procs_.emplace(1, std::move(p));
  if (next_pid_ <= 1) next_pid_ = 2;
  foreground_ = 1;
  return 1;
}

void Kernel::boot(BootOptions o, Reply<int> r) {
  if (!o.root) return r(Error(Errc::inval, "boot: no root file server"));
  if (procs_.count(1)) return r(Error(Errc::busy, "boot: init already exists"));
  cons_->set_user(o.user);
  auto tmp = o.tmp ? o.tmp : std::make_shared<RamFs>(o.user);
  auto root = o.root;
  std::string user = o.user;
  root->attach(user, "", [this, o = std::move(o), root, tmp, r](Result<std::unique_ptr<Fid>> fid) {
    if (!fid) return r(std::move(fid).error());
    auto rootc = std::make_shared<Chan>(root, std::move(fid.value()), "/");
    auto pid = make_init(rootc, o.argv, o.user);
    if (!pid) return r(pid.error());
    for (const auto& [name, value] : o.env) {
      if (auto set = process(1)->env->set(name, value); !set) {
        procs_.erase(1);
        return r(set.error());
      }
    }
    auto ns = process(1)->ns;
    auto steps = std::make_shared<std::vector<Step>>();
    for (const char* dir : {"/dev", "/proc", "/env", "/srv", "/tmp"}) {
      steps->push_back([ns, dir](Reply<void> next) {
        ns->stat(dir, [ns, dir, next](Result<Dir> d) {
          if (d) return next(d->qid.is_dir() ? success() : Result<void>(Error(Errc::notdir, dir)));
          ns->create(dir, DMDIR | 0775, OREAD, [next](Result<ChanRef> c) {
            next(c ? success() : Result<void>(std::move(c).error()));
          });
        });
      });
    }
    // /env and /srv take new names (Plan 9's namespace file binds them -c); /proc does not.
    const std::pair<const char*, int> binds[] = {
        {"#c", MAFTER}, {"#p", MREPL}, {"#e", MREPL | MCREATE}, {"#s", MREPL | MCREATE}};
    const char* onto[] = {"/dev", "/proc", "/env", "/srv"};
    for (size_t i = 0; i < 4; i++) {
      // Named copies, not a structured binding: clang 14 cannot capture those.
      steps->push_back([this, dev = binds[i].first, flags = binds[i].second, to = onto[i]](Reply<void> next) { bind(1, dev, to, flags, next); });
    }
    // A mount, not a bind of a made-up channel, so /proc/N/ns says what /tmp is ("mount -c
    // ram /tmp") instead of a "bind -c /tmp /tmp" that names nothing.
    steps->push_back([ns, tmp](Reply<void> next) {
      ns->walk("/tmp", [ns, tmp, next](Result<ChanRef> to) {
        if (!to) return next(std::move(to).error());
        ns->mount(tmp, "", to.value(), MREPL | MCREATE, next);
      });
    });
    run_steps(steps, 0, [this, r](Result<void> done) {
      if (!done) {
        procs_.erase(1);
        return r(std::move(done).error());
      }
      r(1);
    });
  });
}

}  // namespace web9
