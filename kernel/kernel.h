// The kernel proper: the process table and the system calls on it (Plan 9's port/proc.c,
// sysproc.c and sysfile.c). Every call names the calling process by pid; calls that may wait
// on a file server answer through a Reply, now or later, so the kernel never blocks. Calls that
// only touch the kernel's own tables (close, dup, getcwd, fd2path, exits, notes) answer at once
// with a Result. The runtime starts and ends the wasm workers; the kernel only keeps the records.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kernel/process.h"

namespace web9 {

class ConsDevice;
class PipeDevice;
class EnvFs;
class PipeDevice;
class ProcFs;
class SrvFs;

// create(2)'s exclusive flag: fail with Errc::exist instead of truncating an existing file.
// It does not fit a 9P open mode byte, so only Kernel::create takes it.
enum : int { OEXCL = 0x1000 };

// rfork(2) flags Kernel::rfork accepts (Plan 9's values; there is no RFPROC: spawn makes
// processes).
enum : int {
  RFNAMEG = 1 << 0,    // copy the name space
  RFENVG = 1 << 1,     // copy the environment
  RFFDG = 1 << 2,      // copy the fd table
  RFNOTEG = 1 << 3,    // start a new note group
  RFCNAMEG = 1 << 10,  // a clean name space: the root alone
  RFCENVG = 1 << 11,   // an empty environment
  RFCFDG = 1 << 12,    // an empty fd table
};

enum class Sharing { share, copy };
enum class FdInherit {
  map_only,  // the child gets exactly the fds in SpawnOptions::fds
  copy_all,  // the child gets a copy of the parent's table, then the map on top
};
enum class NoteGroup { inherit, new_group };

struct SpawnOptions {
  std::vector<std::string> argv;  // argv[0] names the program (its last element is the name)
  std::vector<std::pair<int, int>> fds;  // {child fd, parent fd}: e.g. {{0, 5}, {1, 1}, {2, 2}}
  FdInherit fd_inherit = FdInherit::map_only;
  Sharing ns = Sharing::share;   // Plan 9's fork shares both unless RFNAMEG/RFENVG
  Sharing env = Sharing::share;
  // Variables set in the child's environment; only with env == Sharing::copy (setting them in a
  // shared environment would change the parent's).
  std::vector<std::pair<std::string, std::string>> env_set;
  NoteGroup note_group = NoteGroup::inherit;
};

struct BootOptions {
  std::shared_ptr<FileServer> root;  // served at /: a RamFs holding the system image
  std::shared_ptr<FileServer> tmp;   // served at /tmp; a fresh RamFs if null
  std::vector<std::string> argv = {"init"};
  std::string user = "glenda";
  std::vector<std::pair<std::string, std::string>> env;  // init's environment
};

class Kernel {
 public:
  Kernel();
  ~Kernel();
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;

  // --- Devices: '#c' cons, '#|' pipe, '#p' proc, '#e' env, '#s' srv are made here ---
  const std::shared_ptr<DeviceTable>& devices() const { return devices_; }
  void add_device(char letter, std::shared_ptr<FileServer> server);
  ConsDevice& cons() { return *cons_; }
  PipeDevice& pipes() { return *pipes_; }
  SrvFs& srv() { return *srv_; }

  // --- Boot ---
  // Makes init (pid 1) with the standard name space and answers its pid:
  //   /      options.root
  //   /dev   '#c' bound after what the root has there (bind -a '#c' /dev)
  //   /proc  '#p'    /env  '#e'    /srv  '#s'    (each replacing the root's directory)
  //   /tmp   options.tmp or a fresh RamFs (replace, create allowed)
  // Missing mount-point directories are created in the root first. init's cwd is /, its
  // note group is 1 and that group is the console's foreground group.
  void boot(BootOptions options, Reply<int> r);
  // Makes init (pid 1) with a bare name space (root alone) for a caller that wants to build the
  // name space itself with bind and mount.
  Result<int> make_init(ChanRef root, std::vector<std::string> argv, std::string user);

  // --- The process table ---
  Process* process(int pid);  // live or zombie; nullptr if there is none
  std::vector<int> pids() const;  // every pid in the table, in order
  // The process whose system call is running (Plan 9's up), or 0. /env and /srv use it to find
  // the caller's environment and fds.
  int current_pid() const { return current_; }

  // --- Process lifecycle (sysproc.c) ---
  // Makes a child of parent and answers its pid; the runtime then starts its worker.
  Result<int> spawn(int parent, SpawnOptions options);
  // Changes the calling process's resources in place (flags above).
  Result<void> rfork(int pid, int flags);
  // The process is done: its fds are closed, it becomes a zombie its parent can wait for, its
  // children go to init (pid 1). status "" is success; anything else is an error string.
  Result<void> exits(int pid, std::string status);
  // Waits for any child to exit and answers its Waitmsg (reaping it). Errc::child when there is
  // no child; Errc::intr when a note arrives while waiting.
  void wait(int pid, Reply<WaitMsg> r);
  // The runtime has ended the worker of a process sent "kill": exit it with status "killed".
  Result<void> kill_now(int pid);

  // --- Notes ---
  // Queues note for pid, interrupts its pending reads, writes and waits (they answer
  // Errc::intr) and calls its on_note hook. "kill" also marks it exiting. Errc::srch if there
  // is no such live process; Errc::again when its queue is full.
  Result<void> postnote(int pid, std::string note);
  // The same for every live process in note group pgrp; Errc::srch if there is none.
  Result<void> postnote_group(int pgrp, std::string note);
  // Takes the oldest pending note (the runtime calls this to deliver notes).
  std::optional<std::string> take_note(int pid);
  Result<void> set_note_hook(int pid, std::function<void(const std::string&)> hook);
  // The console's ^C goes to this note group.
  void set_foreground(int pgrp) { foreground_ = pgrp; }
  int foreground() const { return foreground_; }

  // --- Files (sysfile.c) ---
  // Relative paths are resolved against the process's cwd; "#x" paths name devices.
  void open(int pid, std::string_view path, int mode, Reply<int> r);
  // Plan 9's create: an existing file is truncated and opened (unless mode has OEXCL or perm
  // has DMDIR, which fail with Errc::exist).
  void create(int pid, std::string_view path, int mode, uint32_t perm, Reply<int> r);
  void read(int pid, int fd, uint32_t count, Reply<Bytes> r);
  void pread(int pid, int fd, uint32_t count, uint64_t offset, Reply<Bytes> r);
  // read and pread into dest (FileServer::read_into), answering the count; dest must stay
  // valid until r is called.
  void read_into(int pid, int fd, std::span<uint8_t> dest, Reply<uint32_t> r);
  void pread_into(int pid, int fd, std::span<uint8_t> dest, uint64_t offset, Reply<uint32_t> r);
  // data need only live during the call. A write on a closed pipe fails with Errc::pipe and
  // posts "sys: write on closed pipe" to the writer, as Plan 9 does.
  void write(int pid, int fd, std::span<const uint8_t> data, Reply<uint32_t> r);
  void pwrite(int pid, int fd, std::span<const uint8_t> data, uint64_t offset, Reply<uint32_t> r);
  // whence 0 (set), 1 (current), 2 (end). Directories seek only to 0; pipes not at all.
  void seek(int pid, int fd, int64_t offset, int whence, Reply<uint64_t> r);
  Result<void> close(int pid, int fd);
  // new_fd -1 takes the lowest free descriptor.
  Result<int> dup(int pid, int old_fd, int new_fd);
  Result<void> set_append(int pid, int fd, bool append);
  // Two fds on the two ends of a new pipe ('#|' data and data1), both ORDWR.
  void pipe(int pid, Reply<std::array<int, 2>> r);
  void stat(int pid, std::string_view path, Reply<Dir> r);
  void fstat(int pid, int fd, Reply<Dir> r);
  void wstat(int pid, std::string_view path, const Dir& d, Reply<void> r);
  void fwstat(int pid, int fd, const Dir& d, Reply<void> r);
  void remove(int pid, std::string_view path, Reply<void> r);
  void chdir(int pid, std::string_view path, Reply<void> r);
  Result<std::string> getcwd(int pid);
  Result<std::string> fd2path(int pid, int fd);
  // The cleaned absolute form of path for pid (what every path call resolves).
  Result<std::string> absolute(int pid, std::string_view path);

  // --- Readiness (poll.cpp) ---
  // One descriptor a poll waits on: until a read (write false) or a write would not wait.
  struct PollWant {
    int fd = -1;
    bool write = false;
  };
  // One want that is ready (err Errc::ok, with what the server said) or failed (a bad fd).
  struct PollEvent {
    size_t index = 0;  // into the wants
    Errc err = Errc::ok;
    Readiness ready;
  };
  // Waits until at least one of wants is ready and answers those that are: every want ready
  // when it is called, else the first to become ready (WASI poll_oneoff). A bad fd, or one not
  // open for the direction, is an event with Errc::badf at once. wait false answers at once,
  // with no events when none is ready. A note answers Errc::intr; cancel_poll answers no events.
  void poll(int pid, std::vector<PollWant> wants, bool wait, Reply<std::vector<PollEvent>> r);
  // Ends pid's waiting poll with no events (its timeout passed); false if none is waiting.
  bool cancel_poll(int pid);

  // --- Name space ---
  // bind(2): new_path ("#x" for a device) onto old_path, flags MREPL/MBEFORE/MAFTER|MCREATE.
  void bind(int pid, std::string_view new_path, std::string_view old_path, int flags, Reply<void> r);
  // mount(2): the 9P conversation on fd (afd -1: no authentication) mounted on old_path, through
  // the mount driver (fs/mnt.h's, set by the constructor; set_mount_driver replaces it).
  void mount(int pid, int fd, int afd, std::string_view old_path, int flags, std::string_view aname,
             Reply<void> r);
  // unmount(2): new_path empty removes everything mounted on old_path.
  void unmount(int pid, std::string_view new_path, std::string_view old_path, Reply<void> r);

  // The 9P mount driver: given the open channel of a 9P conversation (and of its authentication
  // file, or null) and an aname, attaches and answers the root channel of the remote tree.
  using MountDriver = std::function<void(ChanRef chan, ChanRef auth, std::string aname, Reply<ChanRef> r)>;
  void set_mount_driver(MountDriver driver) { mount_driver_ = std::move(driver); }

  // Milliseconds for process times; tests set one they control.
  void set_clock(std::function<uint64_t()> clock) { clock_ = std::move(clock); }
  uint64_t now_ms() const;

 private:
  // Sets current_ (Plan 9's up) for the length of a system call's synchronous part.
  class Current {
   public:
    Current(Kernel& k, int pid) : k_(k), saved_(k.current_) { k.current_ = pid; }
    ~Current() { k_.current_ = saved_; }
    Current(const Current&) = delete;
    Current& operator=(const Current&) = delete;

   private:
    Kernel& k_;
    int saved_;
  };

  Process* live(int pid);
  int allocate_pid();
  Result<std::string> resolve(const Process& p, std::string_view path) const;
  Result<Fd> fd_of(int pid, int fd);
  void finish_open(int pid, Result<ChanRef> c, int mode, Reply<int> r, bool created = false);
  void create_existing(int pid, std::string path, int mode, Reply<int> r);
  void write_at_end(int pid, Fd f, std::span<const uint8_t> data, Reply<uint32_t> r);
  template <class T>
  Reply<T> track(int pid, const ChanRef& c, Reply<T> r);
  Result<ChanRef> reading(int pid, int fd);
  static Result<bool> positioned(const ChanRef& c, uint64_t offset);
  Reply<uint32_t> note_broken_pipe(int pid, Reply<uint32_t> r);
  void interrupt(int pid);
  void interrupt_poll(int pid);
  void reparent_children(Process& p);
  void deliver_waits(int pid);
  WaitMsg reap(int pid);
  Result<ChanRef> posted_or(ChanRef c);

  std::shared_ptr<DeviceTable> devices_;
  std::shared_ptr<ConsDevice> cons_;
  std::shared_ptr<PipeDevice> pipes_;
  std::shared_ptr<SrvFs> srv_;
  std::map<int, std::unique_ptr<Process>> procs_;
  int next_pid_ = 1;
  int current_ = 0;
  int foreground_ = 1;
  uint64_t next_io_ = 1;
  MountDriver mount_driver_;
  std::function<uint64_t()> clock_;
  // The polls waiting and the readiness queries they share (poll.cpp); made on first use.
  struct PollTable;
  std::shared_ptr<PollTable> polls_;
};

}  // namespace web9
