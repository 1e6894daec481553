// libFuzzer target for the 9P2000 decoder (kernel/fcall.cpp). Arbitrary bytes must never crash
// unpack, every rejection must be Errc::proto, and whatever unpack accepts must be canonical: it
// packs back to exactly the input bytes and decodes again to the same message.
#include <algorithm>
#include <cstdlib>

#include "kernel/fcall.h"

using namespace web9;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> in(data, size);
  auto framed = message_size(in);
  auto f = unpack(in);
  if (!f.ok()) {
    if (f.error().code != Errc::proto) abort();
    return 0;
  }
  // A reader framing a stream must have found this very message.
  if (!framed.ok() || framed.value() != size) abort();

  auto again = pack(f.value());
  if (!again.ok()) abort();
  const Bytes& b = again.value();
  if (b.size() != size || !std::equal(b.begin(), b.end(), in.begin())) abort();

  auto g = unpack(b);
  if (!g.ok() || !(g.value() == f.value())) abort();

  // A tighter msize must refuse the message; the exact one must not.
  if (!unpack(in, static_cast<uint32_t>(size)).ok()) abort();
  if (unpack(in, static_cast<uint32_t>(size - 1)).ok()) abort();

  if (to_string(f.value()).empty()) abort();
  return 0;
}
