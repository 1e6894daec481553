// The ChaCha20 block function (RFC 8439) run as a keystream generator: the source of the
// console's /dev/random, seeded once from the host's entropy (std::random_device, which is
// crypto.getRandomValues under Emscripten).
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace web9 {

class ChaCha20 {
 public:
  // A generator keyed from std::random_device.
  ChaCha20();
  // A generator with a given key and nonce, starting at block counter (tests use RFC 8439's vectors).
  ChaCha20(std::span<const uint8_t, 32> key, std::span<const uint8_t, 12> nonce, uint32_t counter);

  // Fills out with keystream bytes; consecutive calls continue the stream.
  void fill(std::span<uint8_t> out);

 private:
  void next_block();

  std::array<uint32_t, 16> state_{};
  std::array<uint8_t, 64> block_{};
  size_t used_ = 64;  // bytes of block_ already handed out
};

}  // namespace web9
