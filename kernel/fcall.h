// 9P2000 messages (intro(5)) and their wire form: the codec under the mount driver and under
// user-level file servers. One flat Fcall holds any message, as Plan 9's fcall.h does.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kernel/dir.h"
#include "kernel/result.h"

namespace web9 {


// Message types. 106 would be Terror, which does not exist on the wire.
enum FcallType : uint8_t {
  Tversion = 100,
  Rversion,
  Tauth,
  Rauth,
  Tattach,
  Rattach,
  Rerror = 107,
  Tflush,
  Rflush,
  Twalk,
  Rwalk,
  Topen,
  Ropen,
  Tcreate,
  Rcreate,
  Tread,
  Rread,
  Twrite,
  Rwrite,
  Tclunk,
  Rclunk,
  Tremove,
  Rremove,
  Tstat,
  Rstat,
  Twstat,
  Rwstat,
};

constexpr uint16_t NOTAG = 0xFFFF;
constexpr uint32_t NOFID = 0xFFFFFFFF;
constexpr size_t MAXWELEM = 16;  // most names in one Twalk, most qids in one Rwalk
// Room to leave in msize for the header of a Twrite or Rread: size[4] type[1] tag[2] fid[4]
// offset[8] count[4], plus a spare byte. A server's iounit is at most msize - IOHDRSZ.
constexpr uint32_t IOHDRSZ = 24;
constexpr std::string_view VERSION9P = "9P2000";
// size[4] type[1] tag[2]: the shortest message there is.
constexpr uint32_t FCALL_HEADER_SIZE = 7;

// One message. Only the fields its type uses are meaningful; the others keep their defaults, so
// two decodings of the same bytes compare equal.
struct Fcall {
  FcallType type = Rerror;
  uint16_t tag = NOTAG;
  uint32_t fid = NOFID;            // Tattach Twalk Topen Tcreate Tread Twrite Tclunk Tremove Tstat Twstat
  uint32_t msize = 0;              // Tversion Rversion
  std::string version;             // Tversion Rversion
  uint16_t oldtag = NOTAG;         // Tflush
  std::string ename;               // Rerror
  Qid qid;                         // Rauth Rattach Ropen Rcreate
  uint32_t iounit = 0;             // Ropen Rcreate
  uint32_t afid = NOFID;           // Tauth Tattach
  std::string uname;               // Tauth Tattach
  std::string aname;               // Tauth Tattach
  uint32_t perm = 0;               // Tcreate
  std::string name;                // Tcreate
  uint8_t mode = 0;                // Topen Tcreate
  uint32_t newfid = NOFID;         // Twalk
  std::vector<std::string> wname;  // Twalk
  std::vector<Qid> wqid;           // Rwalk
  uint64_t offset = 0;             // Tread Twrite
  uint32_t count = 0;              // Tread Rwrite
  Bytes data;                      // Rread Twrite
  Dir stat;                        // Rstat Twstat

  friend bool operator==(const Fcall&, const Fcall&) = default;
};

// The name of a message type ("Twalk"), or nullptr if the number is not a 9P2000 message.
const char* fcall_type_name(uint8_t type);

// The wire form of f. Fails with Errc::proto if f cannot be sent: an unknown type, more than
// MAXWELEM names or qids, a string or stat entry longer than 65535 bytes, a message over 4 GiB.
Result<Bytes> pack(const Fcall& f);

// Decodes exactly one whole message. Strict: the size field must equal msg.size() and be at most
// msize, every count and string must fit exactly, nothing may trail, Twalk and Tcreate names may
// not contain NUL. Anything else is Errc::proto with a message saying what was wrong.
Result<Fcall> unpack(std::span<const uint8_t> msg, uint32_t msize = UINT32_MAX);

// Framing for a byte stream: the size of the message that starts stream, or 0 if fewer than the
// four bytes of its size field have arrived. A size below the header size or above msize is
// Errc::proto: the stream cannot be trusted after that.
Result<size_t> message_size(std::span<const uint8_t> stream, uint32_t msize = UINT32_MAX);

// A one-line description for debugging and tests, in the manner of Plan 9's fcallfmt:
// "Twalk tag 1 fid 0 newfid 1 nwname 2 0:usr 1:glenda".
std::string to_string(const Fcall& f);

}  // namespace web9
