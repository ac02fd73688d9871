// Silent data corruption for FC_ACTION_CORRUPT verdicts.
#ifndef FAULTCORE_LIBFAULTCORE_CORRUPT_H_
#define FAULTCORE_LIBFAULTCORE_CORRUPT_H_

#include <cstddef>
#include <cstdint>

#include "libfaultcore/verdict.h"

namespace faultcore {

// Flips bits of `buf`, which holds `len` bytes read from absolute address
// `buf_offset`.  For every block (of verdict.block_size bytes) overlapping
// [first_bad_byte, first_bad_byte + bad_bytes), exactly
// corrupt_bits_per_block distinct bits of that block are chosen as a pure
// function of (corrupt_seed, block number); those inside both the window and
// the buffer are flipped.  So the same block always reads back corrupted the
// same way, however the request is split.  No-op for other actions.
void CorruptBuffer(const Verdict& verdict, uint64_t buf_offset, void* buf,
                   size_t len);

}  // namespace faultcore

#endif  // FAULTCORE_LIBFAULTCORE_CORRUPT_H_
