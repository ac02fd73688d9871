#include "libfaultcore/verdict.h"

namespace faultcore {

const char* ActionName(Action action) {
  switch (action) {
    case Action::kPass:
      return "pass";
    case Action::kMediaError:
      return "media_error";
    case Action::kWriteFault:
      return "write_fault";
    case Action::kRecovered:
      return "recovered_error";
    case Action::kDelay:
      return "delay";
    case Action::kHold:
      return "hold";
    case Action::kCorrupt:
      return "corrupt";
    case Action::kTornWrite:
      return "torn_write";
    case Action::kLostWrite:
      return "lost_write";
    case Action::kAsk:
      return "ask";
  }
  return "unknown";
}

uint64_t TransferredBytes(Action action, uint64_t length,
                          uint64_t good_bytes) {
  switch (action) {
    case Action::kMediaError:
    case Action::kWriteFault:
    case Action::kTornWrite:
      return good_bytes;
    case Action::kLostWrite:
      return 0;
    default:
      return length;
  }
}

bool AffectsBlocks(Action action) {
  switch (action) {
    case Action::kPass:
    case Action::kDelay:
    case Action::kHold:
    case Action::kAsk:
      return false;
    default:
      return true;
  }
}

const char* OpName(Op op) {
  switch (op) {
    case Op::kRead:
      return "read";
    case Op::kWrite:
      return "write";
    case Op::kFlush:
      return "flush";
    case Op::kDiscard:
      return "discard";
    case Op::kWriteZeroes:
      return "write-zeroes";
  }
  return "unknown";
}

}  // namespace faultcore
