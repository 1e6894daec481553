// Packing and unpacking of 9P2000 stat entries (stat(5)): the form directory reads return.
#include "kernel/dir.h"

namespace web9 {
namespace {

void put(std::vector<uint8_t>& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; i++) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void put_string(std::vector<uint8_t>& out, const std::string& s) {
  put(out, s.size(), 2);
  out.insert(out.end(), s.begin(), s.end());
}

struct Reader {
  std::span<const uint8_t> buf;
  size_t pos = 0;
  bool bad = false;

  uint64_t get(int bytes) {
    if (bad || buf.size() - pos < static_cast<size_t>(bytes)) {
      bad = true;
      return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++) v |= static_cast<uint64_t>(buf[pos + i]) << (8 * i);
    pos += bytes;
    return v;
  }
  std::string get_string() {
    size_t n = get(2);
    if (bad || buf.size() - pos < n) {
      bad = true;
      return {};
    }
    std::string s(reinterpret_cast<const char*>(buf.data() + pos), n);
    pos += n;
    return s;
  }
};

}  // namespace

Dir Dir::nochange() {
  Dir d;
  d.type = 0xFFFF;
  d.dev = 0xFFFFFFFF;
  d.qid = Qid{0xFF, 0xFFFFFFFF, ~0ULL};
  d.mode = 0xFFFFFFFF;
  d.atime = 0xFFFFFFFF;
  d.mtime = 0xFFFFFFFF;
  d.length = ~0ULL;
  return d;
}

size_t packed_dir_size(const Dir& d) {
  return 2 + 2 + 4 + 13 + 4 + 4 + 4 + 8 + 2 + d.name.size() + 2 + d.uid.size() + 2 + d.gid.size() + 2 +
         d.muid.size();
}

void pack_dir(const Dir& d, std::vector<uint8_t>& out) {
  put(out, packed_dir_size(d) - 2, 2);
  put(out, d.type, 2);
  put(out, d.dev, 4);
  put(out, d.qid.type, 1);
  put(out, d.qid.vers, 4);
  put(out, d.qid.path, 8);
  put(out, d.mode, 4);
  put(out, d.atime, 4);
  put(out, d.mtime, 4);
  put(out, d.length, 8);
  put_string(out, d.name);
  put_string(out, d.uid);
  put_string(out, d.gid);
  put_string(out, d.muid);
}

Result<Dir> unpack_dir(std::span<const uint8_t> buf, size_t* used) {
  Reader r{buf};
  size_t size = r.get(2);
  if (r.bad || buf.size() - 2 < size) return Error(Errc::proto, "short stat entry");
  r.buf = buf.subspan(0, 2 + size);
  Dir d;
  d.type = r.get(2);
  d.dev = r.get(4);
  d.qid.type = r.get(1);
  d.qid.vers = r.get(4);
  d.qid.path = r.get(8);
  d.mode = r.get(4);
  d.atime = r.get(4);
  d.mtime = r.get(4);
  d.length = r.get(8);
  d.name = r.get_string();
  d.uid = r.get_string();
  d.gid = r.get_string();
  d.muid = r.get_string();
  if (r.bad) return Error(Errc::proto, "malformed stat entry");
  if (r.pos != 2 + size) return Error(Errc::proto, "stat entry size mismatch");
  if (used) *used = r.pos;
  return d;
}

Result<std::vector<Dir>> unpack_dirs(std::span<const uint8_t> buf) {
  std::vector<Dir> out;
  while (!buf.empty()) {
    size_t used = 0;
    out.push_back(TRY(unpack_dir(buf, &used)));
    buf = buf.subspan(used);
  }
  return out;
}

Result<void> check_file_name(std::string_view name) {
  if (name.empty() || name == "." || name == "..") return Error(Errc::inval, "illegal file name");
  if (name.find('/') != std::string_view::npos || name.find('\0') != std::string_view::npos)
    return Error(Errc::inval, "bad character in file name");
  if (name.size() > kMaxNameLen) return Errc::nametoolong;
  return success();
}

uint8_t qid_type_of(uint32_t mode) {
  uint8_t t = QTFILE;
  if (mode & DMDIR) t |= QTDIR;
  if (mode & DMAPPEND) t |= QTAPPEND;
  if (mode & DMEXCL) t |= QTEXCL;
  if (mode & DMTMP) t |= QTTMP;
  return t;
}

}  // namespace web9
