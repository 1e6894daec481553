// ChaCha20 keystream (RFC 8439 §2.3): 20 rounds over a 4x4 word state of constants, key,
// counter and nonce.
#include "fs/chacha.h"

#include <algorithm>
#include <random>

namespace web9 {
namespace {

uint32_t rotl(uint32_t v, int n) { return (v << n) | (v >> (32 - n)); }

void quarter_round(std::array<uint32_t, 16>& x, int a, int b, int c, int d) {
  x[a] += x[b], x[d] ^= x[a], x[d] = rotl(x[d], 16);
  x[c] += x[d], x[b] ^= x[c], x[b] = rotl(x[b], 12);
  x[a] += x[b], x[d] ^= x[a], x[d] = rotl(x[d], 8);
  x[c] += x[d], x[b] ^= x[c], x[b] = rotl(x[b], 7);
}

uint32_t load_le(const uint8_t* p) { return p[0] | p[1] << 8 | p[2] << 16 | static_cast<uint32_t>(p[3]) << 24; }

}  // namespace

ChaCha20::ChaCha20() {
  std::random_device rd;
  std::array<uint8_t, 32> key;
  std::array<uint8_t, 12> nonce;
  for (auto& b : key) b = static_cast<uint8_t>(rd());
  for (auto& b : nonce) b = static_cast<uint8_t>(rd());
  *this = ChaCha20(key, nonce, 0);
}

ChaCha20::ChaCha20(std::span<const uint8_t, 32> key, std::span<const uint8_t, 12> nonce, uint32_t counter) {
  // "expand 32-byte k"
  state_[0] = 0x61707865, state_[1] = 0x3320646e, state_[2] = 0x79622d32, state_[3] = 0x6b206574;
  for (int i = 0; i < 8; i++) state_[4 + i] = load_le(&key[4 * i]);
  state_[12] = counter;
  for (int i = 0; i < 3; i++) state_[13 + i] = load_le(&nonce[4 * i]);
}

void ChaCha20::next_block() {
  std::array<uint32_t, 16> x = state_;
  for (int i = 0; i < 10; i++) {
    quarter_round(x, 0, 4, 8, 12), quarter_round(x, 1, 5, 9, 13);
    quarter_round(x, 2, 6, 10, 14), quarter_round(x, 3, 7, 11, 15);
    quarter_round(x, 0, 5, 10, 15), quarter_round(x, 1, 6, 11, 12);
    quarter_round(x, 2, 7, 8, 13), quarter_round(x, 3, 4, 9, 14);
  }
  for (int i = 0; i < 16; i++) {
    uint32_t w = x[i] + state_[i];
    for (int j = 0; j < 4; j++) block_[4 * i + j] = static_cast<uint8_t>(w >> (8 * j));
  }
  // The 32-bit counter wraps after 256 GiB; carrying into the nonce keeps the stream from repeating.
  if (++state_[12] == 0) ++state_[13];
  used_ = 0;
}

void ChaCha20::fill(std::span<uint8_t> out) {
  while (!out.empty()) {
    if (used_ == block_.size()) next_block();
    size_t n = std::min(out.size(), block_.size() - used_);
    std::copy_n(block_.begin() + used_, n, out.begin());
    used_ += n;
    out = out.subspan(n);
  }
}

}  // namespace web9
