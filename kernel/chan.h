// A channel: the kernel's handle on one file of one server (Plan 9's Chan). Fd tables, mount
// tables and cwds share channels by reference; the last reference clunks the server's fid.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "kernel/fileserver.h"

namespace web9 {

class Chan;
using ChanRef = std::shared_ptr<Chan>;

// Where a merged read of a union directory stands; defined by the namespace (namespace.cpp).
struct UnionCursor;

class Chan {
 public:
  Chan(std::shared_ptr<FileServer> server, std::unique_ptr<Fid> fid, std::string path);
  ~Chan();
  Chan(const Chan&) = delete;
  Chan& operator=(const Chan&) = delete;

  FileServer& server() const { return *server_; }
  const std::shared_ptr<FileServer>& server_ref() const { return server_; }
  Fid& fid() const { return *fid_; }
  const Qid& qid() const { return fid_->qid; }
  bool is_open() const { return fid_->open; }

  // A new, unopened channel on the same file with the same name (walk with no names).
  ChanRef clone() const;

  // True when both name the same file of the same server (Plan 9's eqchan): mount points match so.
  bool same_file(const Chan& other) const;

  // The server has already clunked the fid (remove does so whether or not it succeeds), so the
  // destructor must not clunk it again.
  void mark_clunked() { clunked_ = true; }

  std::string path;       // the cleaned absolute name it was reached by (lexical ".." and fd2path)
  uint64_t offset = 0;    // for fds: the next read/write position
  uint32_t dev = 0;       // distinguishes attaches of one server (mount table identity)

  // Set when a walk ended by crossing a mount point: the directory that was mounted on. A later
  // bind or unmount onto this channel acts on that mount point (Plan 9 keeps mounting on the
  // original directory, not on what covers it), and binding it elsewhere copies the whole union.
  ChanRef mount_point;

  // When a union directory is opened, its members in order (Plan 9's c->umh): directory reads
  // merge them, first name wins. union_cursor keeps the merged read's position.
  std::vector<ChanRef> union_members;
  std::shared_ptr<UnionCursor> union_cursor;

 private:
  std::shared_ptr<FileServer> server_;
  std::unique_ptr<Fid> fid_;
  bool clunked_ = false;
};

}  // namespace web9
