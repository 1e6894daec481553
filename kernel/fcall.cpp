// Packing, unpacking and printing of 9P2000 messages. The layout of every message body is
// written once (fields()) and walked by both the packer and the unpacker, so they cannot disagree.
#include "kernel/fcall.h"

#include <algorithm>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>

namespace web9 {
namespace {

// clang-format off
constexpr const char* kTypeNames[] = {
    "Tversion", "Rversion", "Tauth",  "Rauth",  "Tattach", "Rattach", nullptr,   "Rerror",
    "Tflush",   "Rflush",   "Twalk",  "Rwalk",  "Topen",   "Ropen",   "Tcreate", "Rcreate",
    "Tread",    "Rread",    "Twrite", "Rwrite", "Tclunk",  "Rclunk",  "Tremove", "Rremove",
    "Tstat",    "Rstat",    "Twstat", "Rwstat",
};
// clang-format on

// The body of each message after size[4] type[1] tag[2], in wire order (intro(5) and friends).
// Io is Packer or Unpacker; F is const Fcall or Fcall to match. False for an unknown type.
template <class Io, class F>
bool fields(Io& io, F& f) {
  switch (f.type) {
    case Tversion:
    case Rversion: io.u32(f.msize), io.str(f.version); break;
    case Tauth: io.u32(f.afid), io.str(f.uname), io.str(f.aname); break;
    case Tattach: io.u32(f.fid), io.u32(f.afid), io.str(f.uname), io.str(f.aname); break;
    case Rauth:
    case Rattach: io.qid(f.qid); break;
    case Rerror: io.str(f.ename); break;
    case Tflush: io.u16(f.oldtag); break;
    case Twalk: io.u32(f.fid), io.u32(f.newfid), io.wnames(f.wname); break;
    case Rwalk: io.wqids(f.wqid); break;
    case Topen: io.u32(f.fid), io.u8(f.mode); break;
    case Tcreate: io.u32(f.fid), io.name(f.name), io.u32(f.perm), io.u8(f.mode); break;
    case Ropen:
    case Rcreate: io.qid(f.qid), io.u32(f.iounit); break;
    case Tread: io.u32(f.fid), io.u64(f.offset), io.u32(f.count); break;
    case Rread: io.data(f.data); break;
    case Twrite: io.u32(f.fid), io.u64(f.offset), io.data(f.data); break;
    case Rwrite: io.u32(f.count); break;
    case Tclunk:
    case Tremove:
    case Tstat: io.u32(f.fid); break;
    case Rstat: io.stat(f.stat); break;
    case Twstat: io.u32(f.fid), io.stat(f.stat); break;
    case Rflush:
    case Rclunk:
    case Rremove:
    case Rwstat: break;
    default: return false;
  }
  return true;
}

// Appends fields little-endian. The first field that cannot be represented sets error.
class Packer {
 public:
  explicit Packer(std::vector<uint8_t>& out) : out_(out) {}

  void u8(uint8_t v) { put(v, 1); }
  void u16(uint16_t v) { put(v, 2); }
  void u32(uint32_t v) { put(v, 4); }
  void u64(uint64_t v) { put(v, 8); }
  void qid(const Qid& q) { u8(q.type), u32(q.vers), u64(q.path); }
  void name(const std::string& s) { str(s); }

  void str(const std::string& s) {
    if (s.size() > 0xFFFF) return fail("string of " + std::to_string(s.size()) + " bytes exceeds 65535");
    u16(static_cast<uint16_t>(s.size()));
    out_.insert(out_.end(), s.begin(), s.end());
  }

  void wnames(const std::vector<std::string>& names) {
    if (names.size() > MAXWELEM) return fail("nwname " + std::to_string(names.size()) + " exceeds 16");
    u16(static_cast<uint16_t>(names.size()));
    for (const auto& n : names) str(n);
  }

  void wqids(const std::vector<Qid>& qids) {
    if (qids.size() > MAXWELEM) return fail("nwqid " + std::to_string(qids.size()) + " exceeds 16");
    u16(static_cast<uint16_t>(qids.size()));
    for (const auto& q : qids) qid(q);
  }

  void data(const std::vector<uint8_t>& d) {
    if (d.size() > UINT32_MAX) return fail("count " + std::to_string(d.size()) + " exceeds 32 bits");
    u32(static_cast<uint32_t>(d.size()));
    out_.insert(out_.end(), d.begin(), d.end());
  }

  // stat[n]: a count, then the packed entry, which carries its own size (n - 2) again.
  void stat(const Dir& d) {
    size_t n = packed_dir_size(d);
    if (n > 0xFFFF) return fail("stat entry of " + std::to_string(n) + " bytes exceeds 65535");
    u16(static_cast<uint16_t>(n));
    pack_dir(d, out_);
  }

  std::string error;

 private:
  void put(uint64_t v, int bytes) {
    for (int i = 0; i < bytes; i++) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  void fail(std::string why) {
    if (error.empty()) error = std::move(why);
  }

  std::vector<uint8_t>& out_;
};

// Reads fields from a message whose length is already known to be right. Every read checks what
// is left first, so nothing is read past the end and nothing is allocated beyond what the bytes
// can hold. After the first failure, reads yield zeros and error keeps the first reason.
class Unpacker {
 public:
  explicit Unpacker(std::span<const uint8_t> buf, size_t pos) : buf_(buf), pos_(pos) {}

  void u8(uint8_t& v) { v = static_cast<uint8_t>(get(1)); }
  void u16(uint16_t& v) { v = static_cast<uint16_t>(get(2)); }
  void u32(uint32_t& v) { v = static_cast<uint32_t>(get(4)); }
  void u64(uint64_t& v) { v = get(8); }
  void qid(Qid& q) { u8(q.type), u32(q.vers), u64(q.path); }

  void str(std::string& s) {
    size_t n = get(2);
    if (!fits(n, "string length")) return;
    s.assign(reinterpret_cast<const char*>(buf_.data() + pos_), n);
    pos_ += n;
  }

  // A path element: Plan 9 refuses NUL in names, and so do we.
  void name(std::string& s) {
    str(s);
    if (s.find('\0') != std::string::npos) fail("name contains NUL");
  }

  void wnames(std::vector<std::string>& names) {
    size_t n = get(2);
    if (n > MAXWELEM) return fail("nwname " + std::to_string(n) + " exceeds 16");
    names.resize(n);
    for (auto& s : names) name(s);
  }

  void wqids(std::vector<Qid>& qids) {
    size_t n = get(2);
    if (n > MAXWELEM) return fail("nwqid " + std::to_string(n) + " exceeds 16");
    qids.resize(n);
    for (auto& q : qids) qid(q);
  }

  void data(std::vector<uint8_t>& d) {
    size_t n = get(4);
    if (!fits(n, "count")) return;
    d.assign(buf_.begin() + pos_, buf_.begin() + pos_ + n);
    pos_ += n;
  }

  void stat(Dir& d) {
    size_t n = get(2);
    if (!fits(n, "stat count")) return;
    size_t used = 0;
    auto entry = unpack_dir(buf_.subspan(pos_, n), &used);
    if (!entry) return fail(entry.error().text());
    if (used != n)
      return fail("stat count " + std::to_string(n) + " but entry is " + std::to_string(used) + " bytes");
    d = std::move(entry.value());
    pos_ += n;
  }

  size_t left() const { return buf_.size() - pos_; }
  std::string error;

 private:
  uint64_t get(int bytes) {
    if (!error.empty()) return 0;
    if (left() < static_cast<size_t>(bytes)) {
      fail("truncated: " + std::to_string(bytes) + "-byte field with " + std::to_string(left()) +
           " bytes left");
      return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++) v |= static_cast<uint64_t>(buf_[pos_ + i]) << (8 * i);
    pos_ += bytes;
    return v;
  }

  bool fits(size_t n, const char* what) {
    if (!error.empty()) return false;
    if (n <= left()) return true;
    fail(std::string(what) + " " + std::to_string(n) + " exceeds the " + std::to_string(left()) +
         " bytes left");
    return false;
  }

  void fail(std::string why) {
    if (error.empty()) error = std::move(why);
  }

  std::span<const uint8_t> buf_;
  size_t pos_;
};

uint32_t get32(std::span<const uint8_t> b) {
  return b[0] | b[1] << 8 | b[2] << 16 | static_cast<uint32_t>(b[3]) << 24;
}

Error proto(std::string why) { return Error(Errc::proto, "9P: " + std::move(why)); }

}  // namespace

const char* fcall_type_name(uint8_t type) {
  if (type < Tversion || type > Rwstat) return nullptr;
  return kTypeNames[type - Tversion];
}

Result<Bytes> pack(const Fcall& f) {
  const char* type_name = fcall_type_name(f.type);
  if (!type_name) return proto("cannot pack unknown message type " + std::to_string(f.type));
  std::vector<uint8_t> out;
  out.reserve(64);
  Packer p(out);
  p.u32(0);  // the size, filled in below
  p.u8(f.type);
  p.u16(f.tag);
  fields(p, f);
  if (!p.error.empty()) return proto(std::string(type_name) + ": " + p.error);
  if (out.size() > UINT32_MAX) return proto(std::string(type_name) + ": message exceeds 4 GiB");
  for (int i = 0; i < 4; i++) out[i] = static_cast<uint8_t>(out.size() >> (8 * i));
  return out;
}

Result<size_t> message_size(std::span<const uint8_t> stream, uint32_t msize) {
  if (stream.size() < 4) return size_t{0};
  uint32_t size = get32(stream);
  if (size < FCALL_HEADER_SIZE)
    return proto("message size " + std::to_string(size) + " is shorter than the 7-byte header");
  if (size > msize)
    return proto("message size " + std::to_string(size) + " exceeds msize " + std::to_string(msize));
  return size_t{size};
}

Result<Fcall> unpack(std::span<const uint8_t> msg, uint32_t msize) {
  if (msg.size() < 4) return proto("message of " + std::to_string(msg.size()) + " bytes has no size field");
  size_t size = TRY(message_size(msg, msize));
  if (size != msg.size())
    return proto("size field says " + std::to_string(size) + " bytes but message is " +
                 std::to_string(msg.size()));
  const char* type_name = fcall_type_name(msg[4]);
  if (!type_name) return proto("unknown message type " + std::to_string(msg[4]));
  Fcall f;
  f.type = static_cast<FcallType>(msg[4]);
  f.tag = static_cast<uint16_t>(msg[5] | msg[6] << 8);
  Unpacker u(msg, FCALL_HEADER_SIZE);
  fields(u, f);
  if (!u.error.empty()) return proto(std::string(type_name) + ": " + u.error);
  if (u.left() != 0)
    return proto(std::string(type_name) + ": " + std::to_string(u.left()) + " trailing bytes");
  return f;
}

// ---- printing -----------------------------------------------------------------------------

namespace {

__attribute__((format(printf, 1, 2))) std::string format(const char* fmt, ...) {
  char buf[256];
  va_list args;
  va_start(args, fmt);
  int n = std::vsnprintf(buf, sizeof buf, fmt, args);
  va_end(args);
  return std::string(buf, n < 0 ? 0 : std::min<size_t>(n, sizeof buf - 1));
}

// Fids print signed, as in Plan 9, so NOFID reads -1.
int fid_int(uint32_t fid) { return static_cast<int32_t>(fid); }

std::string quote(std::string_view s) {
  std::string out = "'";
  for (unsigned char c : s) {
    if (c == '\'')
      out += "''";
    else if (c < 0x20 || c == 0x7f)
      out += format("\\x%02x", c);
    else
      out += static_cast<char>(c);
  }
  return out + "'";
}

std::string qid_string(const Qid& q) {
  std::string t;
  if (q.type & QTDIR) t += 'd';
  if (q.type & QTAPPEND) t += 'a';
  if (q.type & QTEXCL) t += 'l';
  if (q.type & QTMOUNT) t += 'm';
  if (q.type & QTAUTH) t += 'A';
  if (q.type & QTTMP) t += 't';
  return format("(%016" PRIx64 " %" PRIu32 " %s)", q.path, q.vers, t.c_str());
}

// Like ls -l: "d-rwxr-xr-x", with a, l, A, t in place of d for the other kinds.
std::string mode_string(uint32_t m) {
  std::string s;
  s += (m & DMDIR)      ? 'd'
       : (m & DMAPPEND) ? 'a'
       : (m & DMEXCL)   ? 'l'
       : (m & DMAUTH)   ? 'A'
       : (m & DMTMP)    ? 't'
                        : '-';
  s += '-';
  for (int shift = 6; shift >= 0; shift -= 3) {
    s += (m >> shift & 4) ? 'r' : '-';
    s += (m >> shift & 2) ? 'w' : '-';
    s += (m >> shift & 1) ? 'x' : '-';
  }
  return s;
}

std::string dir_string(const Dir& d) {
  return quote(d.name) + " " + quote(d.uid) + " " + quote(d.gid) + " " + quote(d.muid) + " q " +
         qid_string(d.qid) +
         format(" m %#" PRIo32 " at %" PRIu32 " mt %" PRIu32 " l %" PRIu64 " t %u d %" PRIu32, d.mode,
                d.atime, d.mtime, d.length, d.type, d.dev);
}

// Up to 64 bytes of data: as text if it all prints, else as hex.
std::string data_string(const std::vector<uint8_t>& d) {
  size_t n = std::min<size_t>(d.size(), 64);
  bool printable = true;
  for (size_t i = 0; i < n; i++)
    if ((d[i] < 0x20 && d[i] != '\n' && d[i] != '\t') || d[i] >= 0x7f) printable = false;
  std::string out = " ";
  if (printable) {
    out += quote(std::string_view(reinterpret_cast<const char*>(d.data()), n));
  } else {
    for (size_t i = 0; i < n; i++) out += format("%02x", d[i]);
  }
  if (n < d.size()) out += "...";
  return out;
}

}  // namespace

std::string to_string(const Fcall& f) {
  const char* name = fcall_type_name(f.type);
  std::string s = name ? name : format("unknown type %u", f.type);
  s += format(" tag %u", f.tag);
  switch (f.type) {
    case Tversion:
    case Rversion: return s + format(" msize %" PRIu32 " version ", f.msize) + quote(f.version);
    case Tauth:
      return s + format(" afid %d uname ", fid_int(f.afid)) + quote(f.uname) + " aname " + quote(f.aname);
    case Tattach:
      return s + format(" fid %d afid %d uname ", fid_int(f.fid), fid_int(f.afid)) + quote(f.uname) +
             " aname " + quote(f.aname);
    case Rauth:
    case Rattach: return s + " qid " + qid_string(f.qid);
    case Rerror: return s + " ename " + quote(f.ename);
    case Tflush: return s + format(" oldtag %u", f.oldtag);
    case Twalk:
      s += format(" fid %d newfid %d nwname %zu", fid_int(f.fid), fid_int(f.newfid), f.wname.size());
      for (size_t i = 0; i < f.wname.size(); i++) s += format(" %zu:", i) + quote(f.wname[i]);
      return s;
    case Rwalk:
      s += format(" nwqid %zu", f.wqid.size());
      for (size_t i = 0; i < f.wqid.size(); i++) s += format(" %zu:", i) + qid_string(f.wqid[i]);
      return s;
    case Topen: return s + format(" fid %d mode %u", fid_int(f.fid), f.mode);
    case Tcreate:
      return s + format(" fid %d name ", fid_int(f.fid)) + quote(f.name) + " perm " + mode_string(f.perm) +
             format(" mode %u", f.mode);
    case Ropen:
    case Rcreate: return s + " qid " + qid_string(f.qid) + format(" iounit %" PRIu32, f.iounit);
    case Tread:
      return s + format(" fid %d offset %" PRIu64 " count %" PRIu32, fid_int(f.fid), f.offset, f.count);
    case Rread: return s + format(" count %zu", f.data.size()) + data_string(f.data);
    case Twrite:
      return s + format(" fid %d offset %" PRIu64 " count %zu", fid_int(f.fid), f.offset, f.data.size()) +
             data_string(f.data);
    case Rwrite: return s + format(" count %" PRIu32, f.count);
    case Tclunk:
    case Tremove:
    case Tstat: return s + format(" fid %d", fid_int(f.fid));
    case Rstat: return s + " " + dir_string(f.stat);
    case Twstat: return s + format(" fid %d ", fid_int(f.fid)) + dir_string(f.stat);
    default: return s;
  }
}

}  // namespace web9
