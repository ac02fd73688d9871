#include "libfaultcore/corrupt.h"

#include <algorithm>

#include "libfaultcore/internal/compiled_rules.h"

namespace faultcore {

void CorruptBuffer(const Verdict& v, uint64_t buf_offset, void* buf,
                   size_t len) {
  if (v.action != Action::kCorrupt || v.block_size == 0 || len == 0) return;
  const uint64_t win_start = std::max(v.first_bad_byte, buf_offset);
  const uint64_t win_end =
      std::min(v.first_bad_byte + v.bad_bytes, buf_offset + len);
  if (win_start >= win_end) return;
  const uint64_t bs = v.block_size;
  const uint64_t block_bits = bs * 8;
  const uint32_t nbits = std::min<uint32_t>(v.corrupt_bits_per_block, 64);
  auto* bytes = static_cast<unsigned char*>(buf);

  const uint64_t last_block = (win_end - 1) / bs;  // no overflow at 2^64
  for (uint64_t block = win_start / bs; block <= last_block; ++block) {
    uint64_t chosen[64];
    uint32_t n = 0;
    for (uint64_t draw = 0; n < nbits; ++draw) {
      uint64_t bit =
          Draw(v.corrupt_seed ^ (block * 0x9e3779b97f4a7c15ull), draw) %
          block_bits;
      if (std::find(chosen, chosen + n, bit) != chosen + n) continue;
      chosen[n++] = bit;
      uint64_t addr = block * bs + bit / 8;
      if (addr >= win_start && addr < win_end) {
        bytes[addr - buf_offset] ^= static_cast<unsigned char>(1u << (bit % 8));
      }
    }
  }
}

}  // namespace faultcore
