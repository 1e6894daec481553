// Qids and directory entries as 9P2000 defines them (intro(5), stat(5)), and their wire form.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "kernel/result.h"

namespace web9 {

using Bytes = std::vector<uint8_t>;  // the kernel's byte buffer

// Qid.type bits.
enum : uint8_t {
  QTDIR = 0x80,
  QTAPPEND = 0x40,
  QTEXCL = 0x20,
  QTMOUNT = 0x10,
  QTAUTH = 0x08,
  QTTMP = 0x04,
  QTFILE = 0x00,
};

// Dir.mode bits beyond the rwx permission bits.
enum : uint32_t {
  DMDIR = 0x80000000,
  DMAPPEND = 0x40000000,
  DMEXCL = 0x20000000,
  DMMOUNT = 0x10000000,
  DMAUTH = 0x08000000,
  DMTMP = 0x04000000,
};

// Open modes (open(5)).
enum : uint8_t {
  OREAD = 0,
  OWRITE = 1,
  ORDWR = 2,
  OEXEC = 3,
  OTRUNC = 0x10,
  ORCLOSE = 0x40,
};

struct Qid {
  uint8_t type = QTFILE;
  uint32_t vers = 0;
  uint64_t path = 0;

  bool is_dir() const { return (type & QTDIR) != 0; }
  friend bool operator==(const Qid&, const Qid&) = default;
};

// A stat entry. In wstat, fields left at their "don't touch" value (~0 for numbers, empty for
// strings) are not changed; Dir::nochange() makes such an entry.
struct Dir {
  uint16_t type = 0;
  uint32_t dev = 0;
  Qid qid;
  uint32_t mode = 0;
  uint32_t atime = 0;
  uint32_t mtime = 0;
  uint64_t length = 0;
  std::string name;
  std::string uid;
  std::string gid;
  std::string muid;

  static Dir nochange();
  friend bool operator==(const Dir&, const Dir&) = default;
};

// Size of a packed stat entry, including its own two-byte size prefix.
size_t packed_dir_size(const Dir& d);
// Appends the packed entry (with its size prefix) to out.
void pack_dir(const Dir& d, std::vector<uint8_t>& out);
// Unpacks one entry from the start of buf (which must begin with the size prefix); on success
// *used is the number of bytes consumed. Strict: a short buffer or inconsistent size is Errc::proto.
Result<Dir> unpack_dir(std::span<const uint8_t> buf, size_t* used = nullptr);
// Unpacks a buffer of consecutive entries (a directory read).
Result<std::vector<Dir>> unpack_dirs(std::span<const uint8_t> buf);

// What a disk-like file server (ram, store) accepts in open modes and permissions.
constexpr uint8_t OCEXEC = 0x20;  // close on exec: the kernel's business, accepted and ignored
constexpr uint8_t kOpenModeBits = 3 | OTRUNC | OCEXEC | ORCLOSE;
constexpr uint32_t kPermBits = DMDIR | DMAPPEND | DMEXCL | DMTMP | 0777;
constexpr size_t kMaxNameLen = 255;
// Plan 9 allows any byte but '/' and NUL in a name; "." and ".." are the walker's.
Result<void> check_file_name(std::string_view name);
// The qid type bits a file of this mode has.
uint8_t qid_type_of(uint32_t mode);

}  // namespace web9
