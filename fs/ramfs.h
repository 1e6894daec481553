// The ram file server: a tree of files and directories kept in memory (plan9port's ramfs). The
// boot image is loaded into one with put_file to make `/`, and /tmp is a fresh one.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "kernel/fileserver.h"

namespace web9 {

class RamFs final : public FileServer {
 public:
  // Seconds since the epoch; tests set one that they control.
  using Clock = std::function<uint32_t()>;

  // owner owns the root and whatever put_file makes. The root is DMDIR|0777, as /tmp wants.
  explicit RamFs(std::string owner = "glenda", Clock clock = {});
  ~RamFs() override;

  std::string_view kind() const override { return "ram"; }
  bool plain_files() const override { return true; }

  // aname is ignored: one RamFs is one tree. uname is who the fid acts as (permission checks,
  // owner of what it creates); an empty uname acts as the owner.
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

  // Makes the file at path ("/bin/ls" or "bin/ls") with content and mode, creating missing parent
  // directories (DMDIR|0775). No permission checks and no perm masking: the boot image says exactly
  // what it wants. An existing file is replaced; DMDIR in mode makes a directory (content empty).
  // Everything is owned by the owner. On error nothing is changed.
  Result<void> put_file(std::string_view path, Bytes content, uint32_t mode);

  void set_clock(Clock clock);
  // Writes and truncates past this size fail with Errc::fbig (a runaway write must not eat the tab).
  void set_max_file_size(uint64_t bytes) { max_file_size_ = bytes; }

 private:
  struct Node;
  using NodeRef = std::shared_ptr<Node>;
  class RamFid;

  NodeRef make_node(std::string name, uint32_t mode, const std::string& uid, const std::string& gid);
  void link(const NodeRef& dir, const NodeRef& child);
  void unlink(Node& node);
  void modified(Node& node, const std::string& uname);
  Result<void> set_length(Node& node, uint64_t length, const std::string& uname);
  Result<void> check_wstat(RamFid& f, const Dir& d) const;
  void apply_wstat(RamFid& f, const Dir& d);
  Result<Bytes> read_dir(RamFid& f, uint64_t offset, uint32_t count);
  Dir dir_of(const Node& node) const;
  bool is_owner(const Node& node, const std::string& uname) const;

  std::string owner_;
  Clock clock_;
  NodeRef root_;
  uint64_t next_path_ = 0;
  uint64_t max_file_size_ = uint64_t{1} << 30;
};

}  // namespace web9
