// Serves any FileServer over 9P2000 on one connection, as lib9p's srv does for a Plan 9 program:
// whole T-messages go in through handle(), R-messages come out through a send callback, now or
// later as the file server answers. The basis for exporting kernel servers and user-level servers.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "kernel/fcall.h"
#include "kernel/fileserver.h"

namespace web9 {

class NinepServer : public std::enable_shared_from_this<NinepServer> {
 public:
  // Receives each packed R-message, in the order the answers become ready.
  using Send = std::function<void(Bytes)>;

  static constexpr uint32_t kDefaultMaxMsize = 64 * 1024;
  // Smaller than this and a directory entry with a long name would not fit in one Rread.
  static constexpr uint32_t kMinMsize = 256;

  // Own it with std::make_shared: answers that come back after it is gone are dropped, and so are
  // all answers if it is not owned by a shared_ptr at all.
  NinepServer(std::shared_ptr<FileServer> server, Send send, uint32_t max_msize = kDefaultMaxMsize);
  ~NinepServer();
  NinepServer(const NinepServer&) = delete;
  NinepServer& operator=(const NinepServer&) = delete;

  // Takes one whole T-message (frame a byte stream with message_size()). Every request is answered
  // through send, with Rerror if it fails. Only a message that cannot be decoded at all is an
  // error here (Errc::proto): the stream is out of step and the connection should be closed.
  Result<void> handle(std::span<const uint8_t> msg);

  // The msize agreed by Tversion, 0 before it.
  uint32_t msize() const { return msize_; }
  // The fids the client holds and the requests not answered yet, for tests and /proc.
  size_t fid_count() const { return fids_.size(); }
  size_t pending_count() const { return pending_.size(); }

 private:
  struct FidEntry;
  struct Request;
  struct Walk;
  using FidRef = std::shared_ptr<FidEntry>;
  using RequestRef = std::shared_ptr<Request>;

  void version(const Fcall& t);
  void flush(const RequestRef& req);
  void attach(const RequestRef& req);
  void walk(const RequestRef& req);
  void walk_next(const std::shared_ptr<Walk>& w);
  void walk_up(const std::shared_ptr<Walk>& w);
  void walk_done(const std::shared_ptr<Walk>& w, const Error* err);
  void rewalk(const FidRef& cur, std::shared_ptr<std::vector<std::string>> names, size_t i,
              std::function<void(Result<void>)> done);
  void open(const RequestRef& req);
  void create(const RequestRef& req);
  void read(const RequestRef& req);
  void write(const RequestRef& req);
  void clunk(const RequestRef& req);
  void remove(const RequestRef& req);
  void stat(const RequestRef& req);
  void wstat(const RequestRef& req);

  // A file-server Reply that turns the answer into req's R-message through make, or an Rerror.
  template <class T, class Make>
  Reply<T> answer(const RequestRef& req, Make make);
  Result<FidRef> lookup(uint32_t fid) const;
  void respond(Request& req, Result<Fcall> r);
  void send(Fcall& r);
  uint32_t iounit() const { return msize_ - IOHDRSZ; }

  std::shared_ptr<FileServer> server_;
  Send send_;
  uint32_t max_msize_;
  uint32_t msize_ = 0;
  std::unordered_map<uint32_t, FidRef> fids_;
  std::unordered_map<uint16_t, RequestRef> pending_;  // by tag
};

}  // namespace web9
