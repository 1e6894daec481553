// The 9P mount driver (Plan 9's devmnt): a FileServer that is a 9P2000 client over a channel,
// usually one end of a pipe whose other end a user-level server answers. Every file-server
// operation becomes T-messages written to the channel; a reader loop reads R-messages back
// (asynchronously, as the kernel never blocks), matches their tags and answers the replies.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "kernel/chan.h"
#include "kernel/fcall.h"
#include "kernel/fileserver.h"

namespace web9 {

// The conversation on one channel, shared by every mount of it (one Tversion, one Tattach per
// mount). Semantics:
// - msize: Tversion offers max_msize; the server's answer (at most that) bounds every message.
//   Reads and writes bigger than the iounit (the server's, or msize - IOHDRSZ) are split into
//   several Treads/Twrites, stopping at a short one, as devmnt's mntrdwr does.
// - Fids: Fid::clone cannot wait for a Twalk, so a clone is lazy: it names the fid it came from
//   and gets a server fid of its own with its first walk (Twalk fid newfid name) or, for any other
//   operation, with a Twalk of no names first. A server fid is clunked when the last Fid using it
//   goes.
// - flush(fid): each request pending on fid answers Errc::intr now and a Tflush is sent; its tag
//   stays reserved until the Rflush. A walk that the server completed anyway has its new fid
//   clunked.
// - Hang-up: end of file or an error on the channel, a write that fails, or a message that does
//   not decode. Every pending request, and every later one, fails with Errc::io "mount: server
//   hung up" (or the protocol error).
// - Rerror's text is passed through; its code is errc_from_string of it.
class MountFs : public FileServer, public std::enable_shared_from_this<MountFs> {
 public:
  static constexpr uint32_t kDefaultMsize = 64 * 1024;

  // Starts the conversation (Tversion) at once; attach waits for its answer.
  static std::shared_ptr<MountFs> make(ChanRef chan, uint32_t max_msize = kDefaultMsize);
  ~MountFs() override;
  MountFs(const MountFs&) = delete;
  MountFs& operator=(const MountFs&) = delete;

  std::string_view kind() const override { return "mnt"; }

  void attach(std::string_view uname, std::string_view aname, Reply<std::unique_ptr<Fid>> r) override;
  void walk1(Fid& fid, std::string_view name, Reply<Qid> r) override;
  void open(Fid& fid, uint8_t mode, Reply<void> r) override;
  void create(Fid& fid, std::string_view name, uint32_t perm, uint8_t mode, Reply<void> r) override;
  void read(Fid& fid, uint64_t offset, uint32_t count, Reply<Bytes> r) override;
  void write(Fid& fid, uint64_t offset, std::span<const uint8_t> data, Reply<uint32_t> r) override;
  void stat(Fid& fid, Reply<Dir> r) override;
  void wstat(Fid& fid, const Dir& d, Reply<void> r) override;
  void remove(Fid& fid, Reply<void> r) override;
  void clunk(Fid& fid) override;
  void flush(Fid& fid) override;

  // A multi-name walk (Plan 9's walk with many names): Twalks of at most MAXWELEM names each. Answers
  // the qids of the names walked; fid moves only if every name was walked.
  void walk(Fid& fid, std::vector<std::string> names, Reply<std::vector<Qid>> r);

  const ChanRef& chan() const { return chan_; }
  // The agreed msize, 0 before Rversion.
  uint32_t msize() const { return msize_; }
  bool hung_up() const { return state_ == State::hungup; }
  // Requests sent and not answered (flushed ones until their Rflush), and server fids held.
  size_t pending_count() const { return pending_.size(); }
  size_t fid_count() const { return fids_.size(); }

 private:
  class MountFid;
  struct RemoteFid;
  struct IoOp;
  struct Rpc {
    Fcall t;
    const Fid* fid = nullptr;  // the Fid it works for, for flush
    bool flushed = false;
    std::function<void(Result<Fcall>)> done;
  };
  enum class State { versioning, ready, hungup };

  MountFs(ChanRef chan, uint32_t max_msize);
  void start();
  void rpc(Fcall t, const Fid* fid, std::function<void(Result<Fcall>)> done);
  // Ropen and Rcreate alike: the fid is open, with the server's qid and iounit.
  static std::function<void(Result<Fcall>)> opened(MountFid& f, uint8_t mode, Reply<void> r);
  void read_more();
  void received(Result<Bytes> data);
  void dispatch(Fcall r);
  void late_reply(const Rpc& rpc, const Fcall& r);
  void abandoned(const Rpc& rpc);
  void hang_up(Error e);
  uint32_t new_fid();
  void release_fid(uint32_t n);
  void clunk_remote(uint32_t n);
  std::shared_ptr<RemoteFid> remote(uint32_t n);
  // Gives f a server fid of its own (a Twalk with no names from the fid it was cloned from).
  void ensure(MountFid& f, std::function<void(Result<void>)> then);
  uint32_t iounit(const MountFid& f) const;
  void walk_chunk(MountFid& f, std::shared_ptr<RemoteFid> from, std::shared_ptr<RemoteFid> to,
                  std::shared_ptr<std::vector<std::string>> names, size_t at,
                  std::shared_ptr<std::vector<Qid>> qids, Reply<std::vector<Qid>> r);
  void read_chunk(std::shared_ptr<IoOp> op);
  void write_chunk(std::shared_ptr<IoOp> op);

  ChanRef chan_;
  uint32_t max_msize_;
  uint32_t msize_ = 0;
  State state_ = State::versioning;
  Error hangup_;
  std::vector<std::function<void(Result<void>)>> waiting_;  // attaches waiting for Rversion
  std::map<uint16_t, Rpc> pending_;
  uint16_t next_tag_ = 0;
  std::set<uint32_t> fids_;  // server fids in use (until their Rclunk)
  uint32_t next_fid_ = 0;
  Bytes inbuf_;
  bool reading_ = false;
};

// The kernel's mount driver (Kernel::set_mount_driver): one MountFs per channel, shared by every
// mount of it, and a root channel per attach. user names the caller (the attach's uname).
std::function<void(ChanRef chan, ChanRef auth, std::string aname, Reply<ChanRef> r)> make_mount_driver(
    std::function<std::string()> user);

}  // namespace web9
