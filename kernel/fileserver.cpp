// Default answers for the optional file-server operations, and the directory-read helper.
#include "kernel/fileserver.h"

#include <algorithm>
#include <cstring>

namespace web9 {

void FileServer::walk1(Fid& fid, std::string_view, Reply<Qid> r) {
  r(fid.qid.is_dir() ? Errc::noent : Errc::notdir);
}

void FileServer::open(Fid& fid, uint8_t mode, Reply<void> r) {
  if (fid.qid.is_dir() && (mode & 3) != OREAD) return r(Errc::isdir);
  fid.open = true;
  fid.mode = mode;
  r(success());
}

void FileServer::create(Fid& fid, std::string_view, uint32_t, uint8_t, Reply<void> r) {
  r(fid.qid.is_dir() ? Errc::perm : Errc::notdir);
}

void FileServer::read(Fid& fid, uint64_t, uint32_t, Reply<Bytes> r) { r(Bytes{}); }

Reply<Bytes> copy_into(std::span<uint8_t> dest, Reply<uint32_t> r) {
  return [dest, r = std::move(r)](Result<Bytes> b) {
    if (!b) return r(std::move(b).error());
    size_t n = std::min(b->size(), dest.size());
    if (n) std::memcpy(dest.data(), b->data(), n);
    r(static_cast<uint32_t>(n));
  };
}

void FileServer::read_into(Fid& fid, uint64_t offset, std::span<uint8_t> dest, Reply<uint32_t> r) {
  read(fid, offset, static_cast<uint32_t>(dest.size()), copy_into(dest, std::move(r)));
}

void FileServer::write(Fid& fid, uint64_t, std::span<const uint8_t>, Reply<uint32_t> r) {
  r(fid.qid.is_dir() ? Errc::isdir : Errc::perm);
}

void FileServer::stat(Fid& fid, Reply<Dir> r) { r(Errc::perm); }

void FileServer::wstat(Fid&, const Dir&, Reply<void> r) { r(Errc::perm); }

void FileServer::remove(Fid&, Reply<void> r) { r(Errc::perm); }

void FileServer::ready(Fid&, bool, Reply<Readiness> r) { r(Readiness{}); }

void FileServer::clunk(Fid&) {}

void FileServer::flush(Fid&) {}

Bytes pack_dir_entries(const std::vector<Dir>& entries, size_t* index, uint32_t count) {
  Bytes out;
  while (*index < entries.size()) {
    const Dir& d = entries[*index];
    if (out.size() + packed_dir_size(d) > count) break;
    pack_dir(d, out);
    ++*index;
  }
  return out;
}

}  // namespace web9
