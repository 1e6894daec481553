// The kernel's face to JavaScript (Embind): the class Web9 that web/kernel/worker.js drives.
// It owns one Kernel and its Syscalls, builds the root file server from the boot image, starts
// the first program, and implements RuntimeHost by calling methods of a JS object (the "host")
// handed to its constructor. See docs/runtime.md, "The kernel worker".
//
// The host object has these methods, all called on the kernel worker's one thread:
//   reply(pid)                          the frame of pid holds a reply: copy it to the channel
//   start(pid, key, wasm, argv, env, cwd, rings)  start a process worker; wasm is a Uint8Array
//                                       view on kernel memory (valid only during the call) or
//                                       null; rings [[fd, ring info], ...] (ProcessImage.rings)
//   stop(pid, graceMs) / cancelStop(pid)
//   output(bytes)                       bytes for the terminal (a view, valid during the call)
//   errput(bytes)                       bytes written to the first program's stderr pipe
//   booted(pid)                         the first program is started, as pid
//   exit(status)                        the first program has ended with status
//   failed(message)                     boot failed
//   notice(text)                        one line the user should read (e.g. the home is in memory)
// and, for pipe rings (fs/pipe.h's PipeRings, web/runtime/ring.js; without ringOpen pipes have
// none): ringOpen() → slot | generation << 8 or -1, ringClose(slot), ringHangUp(slot, broken),
// ringRetire(slot) → [Uint8Array], ringQueued(slot), ringChanged(slot, gen, seq),
// ringWatch(slot, on); for write-behind and read-ahead, fileRingOpen(producer) → slot |
// generation << 8 or -1, fileRingTake(slot, address, size) → bytes moved into kernel memory at
// address, fileRingRoom(slot), fileRingPut(slot, address, size), fileRingRecall(slot) → bytes
// not yet read (negative: bytes read past the start of a ring handed over), fileRingSeal(slot).
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cstdint>
#include <cstdlib>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fs/cons.h"
#include "fs/jsstore.h"
#include "fs/jsweb.h"
#include "fs/pipe.h"
#include "fs/ramfs.h"
#include "kernel/dir.h"
#include "kernel/kernel.h"
#include "kernel/syscall.h"

namespace web9 {
namespace {

using emscripten::val;

val bytes_view(const uint8_t* data, size_t size) {
  return val(emscripten::typed_memory_view(size, data));
}

val string_array(const std::vector<std::string>& v) {
  val a = val::array();
  for (const auto& s : v) a.call<void>("push", s);
  return a;
}

// RuntimeHost by way of the JS host object.
class JsHost final : public RuntimeHost {
 public:
  explicit JsHost(val js) : js_(std::move(js)) {}

  void reply(int pid) override { js_.call<void>("reply", pid); }
  void start(ProcessImage image) override {
    val wasm = image.wasm ? bytes_view(image.wasm->data(), image.wasm->size()) : val::null();
    val rings = val::array();
    for (auto [fd, info] : image.rings) {
      val pair = val::array();
      pair.call<void>("push", fd);
      pair.call<void>("push", double(info));
      rings.call<void>("push", pair);
    }
    js_.call<void>("start", image.pid, image.key, wasm, string_array(image.argv), string_array(image.env), image.cwd, rings);
  }
  void stop(int pid, int grace_ms) override { js_.call<void>("stop", pid, grace_ms); }
  void cancel_stop(int pid) override { js_.call<void>("cancelStop", pid); }
  bool ring_changed(int slot, uint32_t gen, uint32_t seq) override {
    return js_.call<bool>("ringChanged", slot, gen, seq);
  }
  void ring_watch(int slot, bool on) override { js_.call<void>("ringWatch", slot, on); }
  std::optional<RingRef> file_ring_open(bool producer) override {
    if (js_["fileRingOpen"].isUndefined()) return std::nullopt;
    int v = js_.call<int>("fileRingOpen", producer);
    if (v < 0) return std::nullopt;
    return RingRef{v & 0xff, uint32_t(v) >> 8};
  }
  size_t file_ring_take(int slot, std::span<uint8_t> dest) override {
    return size_t(js_.call<double>("fileRingTake", slot, reinterpret_cast<uintptr_t>(dest.data()), dest.size()));
  }
  void file_ring_close(int slot) override { js_.call<void>("ringClose", slot); }
  void file_ring_seal(int slot) override { js_.call<void>("fileRingSeal", slot); }
  size_t file_ring_room(int slot) override { return size_t(js_.call<double>("fileRingRoom", slot)); }
  void file_ring_put(int slot, std::span<const uint8_t> data) override {
    js_.call<void>("fileRingPut", slot, reinterpret_cast<uintptr_t>(data.data()), data.size());
  }
  void file_ring_eof(int slot) override { js_.call<void>("ringHangUp", slot, false); }
  int64_t file_ring_recall(int slot) override { return int64_t(js_.call<double>("fileRingRecall", slot)); }

 private:
  val js_;
};

// PipeRings by way of the same host object: the arena of rings lives in the kernel worker's JS.
class JsPipeRings final : public PipeRings {
 public:
  explicit JsPipeRings(val js) : js_(std::move(js)) {}

  std::optional<RingRef> open() override {
    int v = js_.call<int>("ringOpen");
    if (v < 0) return std::nullopt;
    return RingRef{v & 0xff, uint32_t(v) >> 8};
  }
  void close(int slot) override { js_.call<void>("ringClose", slot); }
  void hang_up(int slot, bool broken) override { js_.call<void>("ringHangUp", slot, broken); }
  std::vector<Bytes> retire(int slot) override {
    val records = js_.call<val>("ringRetire", slot);
    std::vector<Bytes> out;
    const unsigned n = records["length"].as<unsigned>();
    for (unsigned i = 0; i < n; i++) {
      val r = records[i];
      Bytes b(r["length"].as<size_t>());
      if (!b.empty()) val(emscripten::typed_memory_view(b.size(), b.data())).call<void>("set", r);
      out.push_back(std::move(b));
    }
    return out;
  }
  size_t queued(int slot) override { return size_t(js_.call<double>("ringQueued", slot)); }

 private:
  val js_;
};

// One entry of a boot image (tools/mkimage.mjs writes the format):
//   "web9img1\n" then, per file: path NUL mode NUL size NUL, then size bytes.
// mode and size are decimal; mode carries DMDIR for a directory (size 0).
struct ImageFile {
  std::string path;
  uint32_t mode = 0;
  Bytes data;
};

constexpr std::string_view kImageMagic = "web9img1\n";

Result<std::vector<ImageFile>> parse_image(std::string_view img) {
  if (img.substr(0, kImageMagic.size()) != kImageMagic)
    return Error(Errc::inval, "boot image: bad magic (not made by tools/mkimage.mjs?)");
  size_t at = kImageMagic.size();
  auto field = [&](std::string& out) {
    size_t nul = img.find('\0', at);
    if (nul == std::string_view::npos) return false;
    out.assign(img.substr(at, nul - at));
    at = nul + 1;
    return true;
  };
  auto number = [](const std::string& s, uint64_t& out) {
    if (s.empty() || s.size() > 12) return false;
    char* end = nullptr;
    out = std::strtoull(s.c_str(), &end, 10);
    return *end == '\0';
  };
  std::vector<ImageFile> files;
  while (at < img.size()) {
    std::string path, mode, size;
    uint64_t m = 0, n = 0;
    if (!field(path) || !field(mode) || !field(size) || !number(mode, m) || !number(size, n) ||
        m > UINT32_MAX || n > img.size() - at)
      return Error(Errc::inval, "boot image: bad entry at byte " + std::to_string(at));
    auto* p = reinterpret_cast<const uint8_t*>(img.data()) + at;
    files.push_back({std::move(path), static_cast<uint32_t>(m), Bytes(p, p + n)});
    at += n;
  }
  return files;
}

class Web9 {
 public:
  explicit Web9(val host) : js_(host), rings_(host), host_(host), syscalls_(kernel_, host_) {
    if (!host["ringOpen"].isUndefined()) kernel_.pipes().set_rings(&rings_);
    kernel_.cons().output = [this](std::span<const uint8_t> b) {
      js_.call<void>("output", bytes_view(b.data(), b.size()));
    };
  }
  Web9(const Web9&) = delete;
  Web9& operator=(const Web9&) = delete;

  // Boots: image is the boot image's bytes (files whose path starts /tmp/ go into the fresh
  // /tmp), argv the first program (argv[0] its path, e.g. "/bin/rc"), options an object:
  //   env: {name: value}   set in init's environment (beside user, home, sysname)
  //   stdinPipe: true      fd 0 of the first program is a pipe fed by writeStdin/closeStdin
  //                        (a headless host whose stdin is not a terminal) instead of /dev/cons
  //   stderrPipe: true     fd 2 of the first program is a pipe whose bytes go to host.errput
  //                        instead of /dev/cons (a headless host keeping stdout and stderr apart)
  //   homeNote: "why"      why no store is registered (web/kernel/worker.js); "" says nothing
  // The persistent home: the JS store registered as Module.web9Stores[0] (web/kernel/worker.js)
  // is mounted at /usr/$user, which is $home and the first program's working directory. With
  // no store there, /usr/$user is a directory of the root's RamFs and host.notice says why.
  // Answers through host.booted(pid) or host.failed(message), then host.exit(status).
  // Room for the boot image, n bytes, in kernel memory: the worker copies the image there with
  // one HEAPU8.set (Embind's std::string conversion copies a typed array a byte at a time, tens
  // of milliseconds for a few MB) and then calls boot.
  uintptr_t imageBuffer(size_t n) {
    image_.assign(n, '\0');
    return reinterpret_cast<uintptr_t>(image_.data());
  }

  // Boots from the image imageBuffer was given.
  void boot(val argv_js, val options) {
    auto argv = emscripten::vecFromJSArray<std::string>(argv_js);
    if (argv.empty()) return fail("boot: no program to run");
    std::string image = std::move(image_);
    image_.clear();
    auto files = parse_image(image);
    image.clear();
    if (!files) return fail(files.error().text());
    auto root = std::make_shared<RamFs>(user_);
    auto tmp = std::make_shared<RamFs>(user_);
    for (auto& f : *files) {
      bool in_tmp = f.path.rfind("/tmp/", 0) == 0;
      auto& fs = in_tmp ? *tmp : *root;
      auto put = fs.put_file(in_tmp ? f.path.substr(4) : f.path, std::move(f.data), f.mode);
      if (!put) return fail("boot image: " + f.path + ": " + put.error().text());
    }
    std::string home = "/usr/" + user_;
    if (auto made = root->put_file(home, {}, DMDIR | 0775); !made)
      return fail("boot: " + home + ": " + made.error().text());
    // Where the transfer store (Module.web9Stores[1], web/kernel/xfer.js) is mounted: upload and
    // download talk to the page (or tools/web9) through its files. docs/opfs.md, "Files in and out".
    if (auto made = root->put_file(kXfer, {}, DMDIR | 0775); !made)
      return fail(std::string("boot: ") + kXfer + ": " + made.error().text());
    // Where /net/web (fs/webfs.h over Module.web9Net) is mounted. docs/net.md.
    if (auto made = root->put_file(kNetWeb, {}, DMDIR | 0775); !made)
      return fail(std::string("boot: ") + kNetWeb + ": " + made.error().text());
    BootOptions o;
    o.root = root;
    o.tmp = tmp;
    o.user = user_;
    o.env = {{"user", user_}, {"home", home}, {"sysname", "web9"}, {"cputype", "wasm32"}};
    if (options.hasOwnProperty("env")) {
      val env = options["env"];
      auto keys = emscripten::vecFromJSArray<std::string>(val::global("Object").call<val>("keys", env));
      for (const auto& k : keys) o.env.emplace_back(k, env[k].as<std::string>());
    }
    auto flag = [&](const char* name) { return options.hasOwnProperty(name) && options[name].as<bool>(); };
    bool stdin_pipe = flag("stdinPipe"), stderr_pipe = flag("stderrPipe");
    std::string note = options.hasOwnProperty("homeNote") ? options["homeNote"].as<std::string>()
                                                           : "no store is registered (Module.web9Stores)";
    kernel_.boot(std::move(o), [this, argv, stdin_pipe, stderr_pipe, home, note](Result<int> init) {
      if (!init) return fail("boot: " + init.error().text());
      mount_home(home, note, [this, argv, stdin_pipe, stderr_pipe, home]() {
        mount_xfer([this, argv, stdin_pipe, stderr_pipe, home]() {
          mount_net([this, argv, stdin_pipe, stderr_pipe, home]() {
            // The first program inherits init's working directory.
            kernel_.chdir(1, home, [this, argv, stdin_pipe, stderr_pipe, home](Result<void> cd) {
              if (!cd) return fail("boot: cd " + home + ": " + cd.error().text());
              start_first(argv, stdin_pipe, stderr_pipe);
            });
          });
        });
      });
    });
  }

  uintptr_t frame(int pid) { return reinterpret_cast<uintptr_t>(syscalls_.frame(pid)); }
  void submit(int pid) { syscalls_.submit(pid); }
  void exited(int pid, std::string status) { syscalls_.exited(pid, std::move(status)); }
  // The process set its channel's cancel word: a waiting poll of pid answers now (docs/runtime.md).
  void cancel(int pid) { syscalls_.cancel(pid); }
  // The doorbell rang: file rings are drained and filled, ring_wait calls whose rings moved on
  // are answered.
  void checkRings() { syscalls_.check_rings(); }

  void consInput(std::string bytes) {
    kernel_.cons().input(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  }
  void winsize(int cols, int rows) {
    if (cols > 0 && rows > 0) kernel_.cons().set_winsize(cols, rows);
  }

  // Bytes for the first program's stdin pipe (boot's stdinPipe). Writes are queued and go in
  // order, each waiting for room in the pipe.
  // Bytes that come before the pipe is made wait in the queue.
  void writeStdin(std::string bytes) {
    if (bytes.empty() || stdin_eof_) return;
    stdin_queue_.emplace_back(bytes.begin(), bytes.end());
    if (stdin_fd_ >= 0 && stdin_queue_.size() == 1) pump_stdin();
  }
  // The end of stdin: the reader gets end of file once the queue is written.
  void closeStdin() {
    stdin_eof_ = true;
    if (stdin_fd_ >= 0 && stdin_queue_.empty()) close_stdin_now();
  }

 private:
  void fail(const std::string& message) { js_.call<void>("failed", message); }
  void notice(const std::string& text) { js_.call<void>("notice", text); }

  // Mounts store 0 on home in init's name space (MCREATE: files are made in the store), then
  // calls next. A home that cannot be mounted stays the root's in-memory directory: the system
  // still boots, and the user is told why nothing there will persist.
  void mount_home(const std::string& home, const std::string& note, std::function<void()> next) {
    auto in_memory = [this, home, next](const std::string& why) {
      if (!why.empty()) notice("web9: " + home + " is in memory and will not persist: " + why);
      next();
    };
    val stores = val::module_property("web9Stores");
    if (stores.isUndefined() || stores.isNull() || stores[0].isUndefined() || stores[0].isNull())
      return in_memory(note);
    Process* init = kernel_.process(1);
    if (!init) return fail("boot: init is gone");
    auto ns = init->ns;
    auto fs = make_js_store_fs(0, user_);
    ns->walk(home, [ns, fs, next, in_memory](Result<ChanRef> onto) {
      if (!onto) return in_memory("the mount point cannot be reached: " + onto.error().text());
      ns->mount(fs, "", onto.value(), MREPL | MCREATE, [in_memory, next](Result<void> m) {
        if (!m) return in_memory("its store cannot be mounted: " + m.error().text());
        next();
      });
    });
  }

  static constexpr const char* kXfer = "/mnt/xfer";

  // Mounts store 1, the transfer store, on /mnt/xfer in init's name space when the kernel worker
  // registered one; without it (or if it cannot be mounted) upload and download say so.
  void mount_xfer(std::function<void()> next) {
    val stores = val::module_property("web9Stores");
    if (stores.isUndefined() || stores.isNull() || stores[1].isUndefined() || stores[1].isNull()) return next();
    Process* init = kernel_.process(1);
    if (!init) return fail("boot: init is gone");
    auto ns = init->ns;
    auto fs = make_js_store_fs(1, user_);
    ns->walk(kXfer, [ns, fs, next](Result<ChanRef> onto) {
      if (!onto) return next();
      ns->mount(fs, "", onto.value(), MREPL | MCREATE, [next](Result<void>) { next(); });
    });
  }

  static constexpr const char* kNetWeb = "/net/web";

  // Mounts /net/web in init's name space when the kernel worker registered a network object
  // (Module.web9Net, web/kernel/netweb.js); without one the directory stays empty.
  void mount_net(std::function<void()> next) {
    auto fs = make_js_web_fs(user_);
    Process* init = kernel_.process(1);
    if (!fs || !init) return next();
    auto ns = init->ns;
    ns->walk(kNetWeb, [this, ns, fs, next](Result<ChanRef> onto) {
      if (!onto) {
        notice(std::string("web9: ") + kNetWeb + " cannot be mounted: " + onto.error().text());
        return next();
      }
      ns->mount(fs, "", onto.value(), MREPL, [this, next](Result<void> m) {
        if (!m) notice(std::string("web9: ") + kNetWeb + " cannot be mounted: " + m.error().text());
        next();
      });
    });
  }

  // Opens /dev/cons as init's fds 0, 1, 2 (and pipes for the first program's stdin and stderr
  // when asked) and starts argv as init's child; init itself has no worker: the host is init,
  // and reaps every child it gets.
  void start_first(std::vector<std::string> argv, bool stdin_pipe, bool stderr_pipe) {
    kernel_.open(1, "/dev/cons", ORDWR, [this, argv, stdin_pipe, stderr_pipe](Result<int> fd) {
      if (!fd) return fail("boot: /dev/cons: " + fd.error().text());
      for (int want : {1, 2}) {
        if (auto d = kernel_.dup(1, *fd, want); !d) return fail("boot: dup: " + d.error().text());
      }
      if (*fd != 0) {
        if (auto d = kernel_.dup(1, *fd, 0); !d) return fail("boot: dup: " + d.error().text());
        (void)kernel_.close(1, *fd);
      }
      // {child fd, init fd}; the pipe ends the child gets are closed in init after the spawn.
      auto fds = std::make_shared<std::vector<std::pair<int, int>>>(
          std::vector<std::pair<int, int>>{{0, 0}, {1, 1}, {2, 2}});
      auto with_stderr = [this, argv, fds, stderr_pipe]() {
        if (!stderr_pipe) return spawn_first(argv, *fds);
        kernel_.pipe(1, [this, argv, fds](Result<std::array<int, 2>> p) {
          if (!p) return fail("boot: pipe: " + p.error().text());
          (*fds)[2].second = (*p)[1];
          drain_stderr((*p)[0]);
          spawn_first(argv, *fds);
        });
      };
      if (!stdin_pipe) return with_stderr();
      kernel_.pipe(1, [this, fds, with_stderr](Result<std::array<int, 2>> p) {
        if (!p) return fail("boot: pipe: " + p.error().text());
        stdin_fd_ = (*p)[1];
        (*fds)[0].second = (*p)[0];
        pump_stdin();
        with_stderr();
      });
    });
  }

  void spawn_first(std::vector<std::string> argv, std::vector<std::pair<int, int>> fds) {
    SpawnOptions so;
    std::string path = argv[0];
    so.argv = std::move(argv);
    so.fds = fds;
    syscalls_.spawn(1, path, std::move(so), [this, fds](Result<int> pid) {
      // init keeps only its own ends of the pipes: the reader of stdin and the writer of stderr
      // must see end of file once the programs are done with them.
      for (auto [child, mine] : fds) {
        if (mine != child) (void)kernel_.close(1, mine);
      }
      if (!pid) return fail(pid.error().text());
      first_ = *pid;
      js_.call<void>("booted", first_);
      reap();
    });
  }

  // Reads the stderr pipe until every writer is gone, passing the bytes to host.errput.
  void drain_stderr(int fd) {
    kernel_.read(1, fd, 65536, [this, fd](Result<Bytes> b) {
      if (!b || b->empty()) {
        (void)kernel_.close(1, fd);
        return;
      }
      js_.call<void>("errput", bytes_view(b->data(), b->size()));
      drain_stderr(fd);
    });
  }

  // init's wait loop: reaps the first program and every orphan passed to init.
  void reap() {
    kernel_.wait(1, [this](Result<WaitMsg> w) {
      if (!w) {
        if (w.error().code == Errc::child) return;  // nothing left to wait for
        // A note (^C goes to the console's group, which init is in): init ignores notes.
        while (kernel_.take_note(1)) {
        }
        return reap();
      }
      if (w->pid == first_) js_.call<void>("exit", w->status);
      reap();
    });
  }

  void pump_stdin() {
    if (stdin_queue_.empty()) {
      if (stdin_eof_) close_stdin_now();
      return;
    }
    kernel_.write(1, stdin_fd_, stdin_queue_.front(), [this](Result<uint32_t> n) {
      auto& front = stdin_queue_.front();
      if (!n || *n >= front.size()) {
        // A failed write (the reader is gone) drops the rest: nobody will read it.
        if (!n) stdin_queue_.clear();
        else stdin_queue_.pop_front();
      } else {
        front.erase(front.begin(), front.begin() + *n);
      }
      pump_stdin();
    });
  }

  void close_stdin_now() {
    if (stdin_fd_ < 0) return;
    (void)kernel_.close(1, stdin_fd_);
    stdin_fd_ = -1;
  }

  val js_;
  std::string user_ = "glenda";
  std::string image_;  // the boot image between imageBuffer and boot
  JsPipeRings rings_;  // before kernel_: its pipes give their rings back as they go
  Kernel kernel_;
  JsHost host_;
  Syscalls syscalls_;
  int first_ = 0;
  int stdin_fd_ = -1;
  bool stdin_eof_ = false;
  std::deque<Bytes> stdin_queue_;
};

}  // namespace
}  // namespace web9

EMSCRIPTEN_BINDINGS(web9) {
  emscripten::class_<web9::Web9>("Web9")
      .constructor<emscripten::val>()
      .function("imageBuffer", &web9::Web9::imageBuffer)
      .function("boot", &web9::Web9::boot)
      .function("frame", &web9::Web9::frame)
      .function("submit", &web9::Web9::submit)
      .function("exited", &web9::Web9::exited)
      .function("consInput", &web9::Web9::consInput)
      .function("winsize", &web9::Web9::winsize)
      .function("writeStdin", &web9::Web9::writeStdin)
      .function("closeStdin", &web9::Web9::closeStdin)
      .function("cancel", &web9::Web9::cancel)
      .function("checkRings", &web9::Web9::checkRings);
}
