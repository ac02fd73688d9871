// The C++ core's vocabulary for requests and verdicts.  Values of Op and
// Action equal the C ABI's fc_op and fc_action.
#ifndef FAULTCORE_LIBFAULTCORE_VERDICT_H_
#define FAULTCORE_LIBFAULTCORE_VERDICT_H_

#include <cstdint>

namespace faultcore {

enum class Op : uint32_t {
  kRead = 1,
  kWrite = 2,
  kFlush = 3,
  kDiscard = 4,
  kWriteZeroes = 5,
};

enum class Action : uint32_t {
  kPass = 0,
  kMediaError = 1,
  kWriteFault = 2,
  kRecovered = 3,
  kDelay = 4,
  kHold = 5,
  kCorrupt = 6,
  kTornWrite = 7,
  kLostWrite = 8,
  kAsk = 9,
};

// Bytes of a request, from its start, that the host transfers under a
// verdict of `action` (reads delivered, writes that reach the medium):
// the good prefix of a failure or a tear, nothing of a lost write, all of
// anything else.  An ask's outcome is its decision's.
uint64_t TransferredBytes(Action action, uint64_t length, uint64_t good_bytes);

// Whether a verdict of `action` affects part of the request's blocks (so
// that its first_bad_byte means something): failures, recovered errors,
// corruption, tears and lost writes; not passes, delays, holds or asks.
bool AffectsBlocks(Action action);

// Human-readable names ("media_error", "read", ...), as in rule files.
const char* ActionName(Action action);
const char* OpName(Op op);

// What a failing request reports, per kind of host.
struct DeviceCodes {
  uint8_t scsi_sense_key = 0;
  uint8_t scsi_asc = 0;
  uint8_t scsi_ascq = 0;
  uint8_t scsi_sense_format = 0;  // 0 auto, 1 fixed, 2 descriptor
  uint8_t nvme_sct = 0;
  uint8_t nvme_sc = 0;
  bool nvme_dnr = false;
  bool nvme_more = false;
  uint8_t ata_status = 0;
  uint8_t ata_error = 0;
  int32_t errno_value = 0;
};

inline constexpr uint32_t kNoRule = UINT32_MAX;

// Verdict flags (same bits as the C ABI's FC_VERDICT_*).
inline constexpr uint32_t kReportSuccess = 0x1;
inline constexpr uint32_t kFailOnTimeout = 0x2;

// The decision for one request.  Only `action` is meaningful on kPass.
struct Verdict {
  Action action = Action::kPass;
  uint32_t rule_id = kNoRule;
  uint32_t flags = 0;
  uint64_t first_bad_byte = 0;
  uint64_t good_bytes = 0;
  uint64_t bad_bytes = 0;
  uint64_t delay_ns = 0;
  uint64_t hold_timeout_ns = 0;
  uint64_t corrupt_seed = 0;
  uint32_t corrupt_bits_per_block = 0;
  uint32_t block_size = 0;
  DeviceCodes codes;
  // Nonzero when the engine observed the request (trace or statistics on)
  // or a rule changed it: the request's number in submission order, for
  // Engine::Complete() and the host's events.  Written on kPass only while
  // observing.
  uint64_t seq = 0;
};

}  // namespace faultcore

#endif  // FAULTCORE_LIBFAULTCORE_VERDICT_H_
