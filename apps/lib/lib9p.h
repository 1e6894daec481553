// A small 9P2000 server library for guest programs, in the spirit of Plan 9's lib9p: serve()
// reads whole T-messages from an fd (one end of a pipe whose other end is posted in /srv or
// mounted), answers each through the Srv's callbacks and writes the R-message back. It is
// single-threaded and synchronous: a callback answers before the next message is read, and
// callbacks return Results (guests have no exceptions). The wire codec is the kernel's
// (kernel/fcall.h), compiled into the guest library.
//
// A server either fills the callbacks itself or gives a Tree: a file tree kept in memory whose
// files hold bytes (ramfs) or are synthetic, with read/write hooks (a ctl or status file). Tree
// callbacks are the defaults; a callback set by the server replaces the tree's.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kernel/dir.h"
#include "kernel/fcall.h"
#include "kernel/result.h"

namespace web9::p9 {

class File;
using FileRef = std::shared_ptr<File>;

// One file of a Tree. A directory holds children; a plain file holds data unless it has hooks.
class File : public std::enable_shared_from_this<File> {
 public:
  Dir dir;                      // name, mode, qid, times, owner; length is kept from data
  Bytes data;                   // the contents of a plain file without a read hook
  std::vector<FileRef> children;
  std::weak_ptr<File> parent;
  // Synthetic files: read answers count bytes at offset; write takes data at offset and answers
  // the count taken. Either may be empty (the file then holds data, or refuses writes if it has
  // a read hook only).
  std::function<Result<Bytes>(uint64_t offset, uint32_t count)> read;
  std::function<Result<uint32_t>(uint64_t offset, const Bytes& data)> write;

  bool is_dir() const { return (dir.mode & DMDIR) != 0; }
  FileRef child(std::string_view name) const;
};

class Tree {
 public:
  explicit Tree(std::string owner = "glenda", uint32_t root_mode = DMDIR | 0777);

  const FileRef& root() const { return root_; }
  // Makes name in dir (a directory); Errc::exist if it is there. Owner and times are the tree's.
  Result<FileRef> add(const FileRef& dir, std::string_view name, uint32_t mode);
  // Detaches f from its directory (fids on it keep it until they are clunked).
  Result<void> remove(const FileRef& f);
  // Dir of f as stat answers it (length from data).
  Dir stat(const File& f) const;
  // Seconds since the epoch for new mtimes; tests may set it.
  std::function<uint32_t()> now;
  // Whether clients may create and remove files (ramfs: yes; a ctl-file server: no).
  bool writable = true;

 private:
  FileRef root_;
  std::string owner_;
  uint64_t next_path_ = 1;
};

// A client's fid.
struct Fid {
  uint32_t num = NOFID;
  Qid qid;
  FileRef file;         // with a Tree
  bool open = false;
  uint8_t mode = 0;
  size_t dir_index = 0; // directory reads: the next entry
  uint64_t aux = 0;     // for servers without a Tree
};

struct Srv {
  // Defaults come from tree when it is set.
  std::shared_ptr<Tree> tree;
  uint32_t max_msize = 64 * 1024;

  std::function<Result<Qid>(Fid& fid, std::string_view uname, std::string_view aname)> attach;
  // Moves fid one name down and answers the new qid ("." and ".." included).
  std::function<Result<Qid>(Fid& fid, std::string_view name)> walk1;
  // Copies what a server keeps in a fid when Twalk makes newfid (aux is copied already).
  std::function<void(const Fid& from, Fid& to)> clone;
  std::function<Result<void>(Fid& fid, uint8_t mode)> open;
  std::function<Result<void>(Fid& fid, std::string_view name, uint32_t perm, uint8_t mode)> create;
  std::function<Result<Bytes>(Fid& fid, uint64_t offset, uint32_t count)> read;
  std::function<Result<uint32_t>(Fid& fid, uint64_t offset, const Bytes& data)> write;
  std::function<Result<Dir>(Fid& fid)> stat;
  std::function<Result<void>(Fid& fid, const Dir& d)> wstat;
  std::function<Result<void>(Fid& fid)> remove;
  std::function<void(Fid& fid)> clunk;

  // Serves one message: decodes msg, answers it, and returns the packed R-message. Only a
  // message that does not decode is an error (the stream is out of step).
  Result<Bytes> handle(std::span<const uint8_t> msg);

  uint32_t msize() const { return msize_; }
  size_t fid_count() const { return fids_.size(); }

 private:
  Result<Fcall> dispatch(const Fcall& t);
  Result<Fcall> do_walk(const Fcall& t);
  Result<Fid*> lookup(uint32_t fid);
  void drop(uint32_t fid);

  uint32_t msize_ = 0;
  std::map<uint32_t, Fid> fids_;
};

// Serves srv on fd until end of file or a closed pipe (every client is gone): 0 then, or the errno of a read or
// write that failed, or EPROTO for a stream that is out of step.
int serve(Srv& srv, int fd);

// The Tree's callbacks, for servers that wrap them.
void use_tree(Srv& srv);

}  // namespace web9::p9
