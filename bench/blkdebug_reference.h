// A reference implementation of upstream QEMU blkdebug's rule matching
// (block/blkdebug.c, QEMU 10.0), for side-by-side ratios with the engine.
// It measures an algorithm, not QEMU: no coroutines, no block layer.
//
// What one request costs upstream (see /work/shared/reference/
// qemu-hooks.md §1):
//   1. raw-format raises the request's event (READ_AIO/WRITE_AIO) on
//      blkdebug: blkdebug_co_debug_event() walks the event's rule list under
//      the node's mutex and, for every inject-error rule of the current
//      state, re-inserts it at the head of `active_rules` (process_rule()).
//   2. rule_check() walks `active_rules` under the same mutex; a rule
//      matches when its single byte offset lies in the request (or it has
//      none) and its iotype mask has the request's type; the first match
//      wins.  A `once` rule is unlinked when it fires.
// Both walks follow heap-allocated list nodes, allocated one by one as
// add_rule() does with g_malloc0.
//
// Thread safety: every method may be called from any thread; all of them
// take the one mutex (a QemuMutex is a pthread mutex).
#ifndef FAULTCORE_BENCH_BLKDEBUG_REFERENCE_H_
#define FAULTCORE_BENCH_BLKDEBUG_REFERENCE_H_

#include <cstdint>
#include <mutex>

namespace faultcore {
namespace bench {

class BlkdebugReference {
 public:
  // BlkdebugIOType and the events raw-format raises.
  enum IoType {
    kRead = 0,
    kWrite = 1,
    kWriteZeroes = 2,
    kDiscard = 3,
    kFlush = 4
  };
  enum Event { kReadAio = 0, kWriteAio = 1, kEventCount = 2 };

  BlkdebugReference() = default;
  ~BlkdebugReference();
  BlkdebugReference(const BlkdebugReference&) = delete;
  BlkdebugReference& operator=(const BlkdebugReference&) = delete;

  // add_rule() for `[inject-error] event=... sector=...` with the default
  // iotype mask (read|write|write-zeroes|discard|flush), errno EIO.
  // sector < 0: no sector (matches every request).
  void AddInjectError(Event event, int64_t sector, bool once = false);

  // blkdebug_co_debug_event(): step 1 above.
  void DebugEvent(Event event);
  // rule_check(): step 2 above.  Returns 0 or -errno.
  int RuleCheck(uint64_t offset, uint64_t bytes, IoType iotype);

  // One upstream read or write request: DebugEvent, then RuleCheck.
  int Request(bool write, uint64_t offset, uint64_t bytes) {
    DebugEvent(write ? kWriteAio : kReadAio);
    return RuleCheck(offset, bytes, write ? kWrite : kRead);
  }

 private:
  // BlkdebugRule, inject-error member of its union only.
  struct Rule {
    int event;
    int action;  // always inject-error here
    int state;   // 0 = any
    uint64_t iotype_mask;
    int error;
    int immediately;
    int once;
    int64_t offset;  // bytes, -1 = any
    int64_t delay_ns;
    Rule* next;         // QLIST entry in rules_[event]
    Rule** prev_next;   // QLIST back link
    Rule* active_next;  // QSIMPLEQ entry in the active list
  };

  void RemoveRule(Rule* rule);  // remove_rule(): unlink and free

  std::mutex mu_;
  int state_ = 1;                       // guarded by mu_
  Rule* rules_[kEventCount] = {};       // guarded by mu_
  Rule* active_head_ = nullptr;         // guarded by mu_
  Rule** active_tail_ = &active_head_;  // guarded by mu_
};

}  // namespace bench
}  // namespace faultcore

#endif  // FAULTCORE_BENCH_BLKDEBUG_REFERENCE_H_
