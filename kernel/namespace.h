// Per-process name spaces (Plan 9's pgrp mount table plus namec): bind and mount with
// replace/before/after/create flags, union directories, unmount, and path resolution with
// lexical ".." that crosses mount points.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kernel/chan.h"

namespace web9 {

// Flags for bind and mount (Plan 9's MREPL, MBEFORE, MAFTER, MCREATE).
enum MountFlags : int {
  MREPL = 0x0000,
  MBEFORE = 0x0001,
  MAFTER = 0x0002,
  MORDER = 0x0003,
  MCREATE = 0x0004,
};

// Kernel devices reachable by '#c'-style names (Plan 9's devtab): '#c' cons, '#|' pipe, '#p' proc,
// '#e' env, '#s' srv, '#M' mnt... A name '#x' or '#xspec' attaches device x with aname spec.
class DeviceTable {
 public:
  void add(char letter, std::shared_ptr<FileServer> server);
  std::shared_ptr<FileServer> find(char letter) const;

 private:
  std::map<char, std::shared_ptr<FileServer>> devices_;
};

// Every operation answers through its Reply, now or later, and keeps what it needs alive itself:
// a walk works on a snapshot of the mount table taken when it starts, so a bind or unmount while
// a server is slow to answer does not disturb it.
class Namespace : public std::enable_shared_from_this<Namespace> {
 public:
  Namespace(ChanRef root, std::shared_ptr<DeviceTable> devices);

  // A copy of the mount table (rfork RFNAMEG); sharing is just sharing the shared_ptr.
  std::shared_ptr<Namespace> copy() const;

  // Resolves an absolute path (cleaned lexically first: "a/../b" is "b", as in Plan 9) to an
  // unopened channel, crossing mount points. "#x..." paths start at device x. A path without a
  // leading '/' or '#' is taken from the root: callers join the current directory first.
  // Errors name the path that failed: "'/a/b' file does not exist".
  void walk(std::string_view path, Reply<ChanRef> r);

  // Resolves and opens path; a union directory's channel gets its members for merged reads.
  void open(std::string_view path, uint8_t mode, Reply<ChanRef> r);
  // Creates the last element of path in its parent (the first member of a union with MCREATE)
  // and answers with the new file, open with mode. Errc::exist if the name is already there.
  void create(std::string_view path, uint32_t perm, uint8_t mode, Reply<ChanRef> r);
  void remove(std::string_view path, Reply<void> r);
  // The entry's name is the last element of path (as Plan 9 does): a mount point shows its own
  // name, not the name of what is mounted on it.
  void stat(std::string_view path, Reply<Dir> r);
  void wstat(std::string_view path, const Dir& d, Reply<void> r);

  // Reads from an open channel at its offset and advances it; union directories merge their
  // members' entries, the first of a name winning. A union read never splits an entry: a count
  // too small for the next entry is Errc::inval (an empty answer would read as the end).
  static void read(const ChanRef& c, uint32_t count, Reply<Bytes> r);
  // read() into dest (FileServer::read_into), answering the count.
  static void read_into(const ChanRef& c, std::span<uint8_t> dest, Reply<uint32_t> r);
  static void write(const ChanRef& c, std::span<const uint8_t> data, Reply<uint32_t> r);

  // bind(2): from is an unopened channel (a walked path). A second bind onto a mount point joins
  // it (onto->mount_point), and binding a union elsewhere copies all its members.
  // Errc::notdir binding a directory onto a file, Errc::isdir a file onto a directory, Errc::inval
  // for a union (MBEFORE/MAFTER) of files; a file onto a file replaces it.
  Result<void> bind(ChanRef from, const ChanRef& onto, int flags);
  // mount(2) of a root already attached (the 9P mount driver's): bound onto onto as a mount,
  // which describe() names by source (the path of the fd it speaks over) and spec (the aname).
  Result<void> mount_root(ChanRef root, std::string source, std::string spec, const ChanRef& onto, int flags);
  // mount(2): attaches server with aname and binds its root onto onto. source is how describe()
  // names it ("#s/x"); the form without it uses the server's kind(). The namespace should be
  // held by a shared_ptr: if it is gone when the attach answers, the reply is Errc::intr.
  void mount(std::shared_ptr<FileServer> server, std::string_view source, std::string_view aname,
             const ChanRef& onto, int flags, Reply<void> r);
  void mount(std::shared_ptr<FileServer> server, std::string_view aname, const ChanRef& onto, int flags,
             Reply<void> r);
  // unmount(2): removes from (or, if null, everything) from the mount point onto. Errc::noent
  // ("not mounted") when nothing matches.
  Result<void> unmount(const ChanRef& from, const ChanRef& onto);

  // The mount table as Plan 9's /proc/N/ns prints it, one "bind"/"mount" line per member, in an
  // order that rebuilds the same table when run in a fresh namespace:
  //   bind -a /from /onto        bind -bc '#e' /env        mount -c '#s/x' /n/x spec
  // A union is written as the original directory with -b members before it and -a members after;
  // a mount point without its original directory starts with a plain (replacing) line. Names
  // that rc would misread (with '#', spaces, quotes...) are quoted as rc quotes them.
  std::string describe() const;

  const ChanRef& root() const { return root_; }

 private:
  struct Mount {
    ChanRef to;
    int flags = 0;
    std::string source;  // for a mount: how describe() names the server; empty for a bind
    std::string spec;    // for a mount: the aname
  };
  struct MountPoint {
    ChanRef from;                // the channel that was mounted on
    std::vector<Mount> members;  // in search order
  };
  using MountTable = std::vector<MountPoint>;

  Result<void> add_mount(std::vector<Mount> members, const ChanRef& onto, int flags);

  ChanRef root_;
  std::shared_ptr<DeviceTable> devices_;
  // Copy on write: a bind makes a new table, so walks in flight and copies keep their own.
  std::shared_ptr<const MountTable> mounts_;
  // Implementation details (walk continuations and so on) live in namespace.cpp.
  friend struct NamespaceWalk;
};

// Lexically cleans a path as Plan 9's cleanname(2): collapses "//", ".", and "name/.."; "/.." is
// "/"; a relative path keeps its leading ".."s; an empty result is "." (or "/" if rooted).
std::string cleanname(std::string_view path);

}  // namespace web9
