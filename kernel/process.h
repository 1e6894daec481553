// A process as the kernel keeps it (Plan 9's Proc): identity, name space, fds, cwd,
// environment, notes and wait state. The guest's code runs elsewhere (a wasm worker the
// runtime starts); this is only the record the system calls work on.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kernel/env.h"
#include "kernel/fdtable.h"
#include "kernel/namespace.h"

namespace web9 {

enum class ProcState {
  running,  // alive
  exiting,  // sent "kill": the runtime is ending its worker and will call Kernel::kill_now
  zombie,   // exited; kept until its parent waits for it
};

// What wait answers (Plan 9's Waitmsg).
struct WaitMsg {
  int pid = 0;
  std::string name;    // the program name
  std::string status;  // as given to exits: "" is success
  uint32_t time[3] = {0, 0, 0};  // user, system and real milliseconds (only real is known here)

  // The Plan 9 form rc puts in $status: "" on success, else "name pid: status".
  std::string msg() const;
};

class Process {
 public:
  static constexpr size_t max_notes = 32;  // more are dropped (Plan 9 keeps NNOTE)

  int pid = 0;
  int ppid = 0;  // 0: no parent (init, or an orphan when there is no init)
  int pgrp = 0;  // note group: console interrupts go to every process of the foreground group
  std::string user;
  std::vector<std::string> argv;

  std::shared_ptr<Namespace> ns;
  std::shared_ptr<FdTable> fds;
  ChanRef cwd;           // an unopened channel on the current directory
  std::string cwd_path;  // its cleaned absolute name; relative paths are resolved against it
  std::shared_ptr<Env> env;

  ProcState state = ProcState::running;
  std::string exit_status;
  uint64_t start_ms = 0;
  uint64_t end_ms = 0;

  std::vector<int> children;  // live and zombie children
  std::deque<int> zombies;    // children that have exited and not been waited for, oldest first
  std::deque<Reply<WaitMsg>> waiters;  // pending wait calls

  std::deque<std::string> notes;  // posted, not yet taken by the runtime
  // Set by the runtime: called after a note is queued, so it can deliver the note to the guest
  // (or end its worker, for "kill").
  std::function<void(const std::string& note)> on_note;

  // Channels with a read or write in flight, by request id: a note interrupts them (flush).
  std::map<uint64_t, ChanRef> pending_io;
  // Other calls a note abandons (a mount whose server has not answered its attach), by request
  // id: each answers Errc::intr when called; their own answer, if it comes later, is dropped.
  std::map<uint64_t, std::function<void()>> abandon;

  // The program name: argv[0]'s last element (Plan 9's p->text).
  std::string name() const;
  bool alive() const { return state != ProcState::zombie; }
  WaitMsg wait_msg() const;
};

}  // namespace web9
