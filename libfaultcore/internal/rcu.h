// Read-copy-update for faultcore's hot path.
//
// Readers bracket their use of published snapshots with a ReadSection.  A
// section costs one relaxed store to a slot owned by the calling thread, a
// compiler barrier, and one release store on exit: no lock, no allocation,
// no write to a cache line another thread writes.  Writers publish a new
// pointer with one atomic exchange and then call Synchronize() (blocking) or
// retire the old object for later reclamation (non-blocking).
//
// Memory-ordering contract.  Entering a section stores the current grace
// period number into the thread's slot and then loads published pointers.
// The store-to-load ordering the classic algorithm needs is provided
// asymmetrically: Synchronize() issues membarrier(MEMBARRIER_CMD_PRIVATE_
// EXPEDITED), which makes every running thread execute a full barrier, so
// readers only need a compiler barrier.  Where membarrier is unavailable (or
// under ThreadSanitizer, which does not model it) readers fall back to a
// sequentially consistent store; for that fallback to be a barrier, users
// publish pointers with seq_cst exchanges and load them with seq_cst loads
// (on x86-64 and ARMv8 these cost the same as acquire loads).  Leaving a section is a release store, which
// Synchronize() pairs with acquire loads, so everything a reader did with a
// snapshot happens-before the writer frees it.
//
// Threads are registered lazily on their first section, whoever created
// them; a thread's slot is returned to a free list when it exits.
//
// ReadSections nest: an inner section finds its thread already inside one
// (its slot is nonzero), keeps the outer section's older period and puts it
// back on exit, so the outermost section protects both until it ends.  The
// request path, which is never entered from inside the library, uses
// OutermostReadSection instead: two instructions cheaper, it must not be
// opened inside another section (debug builds assert it).
#ifndef FAULTCORE_LIBFAULTCORE_INTERNAL_RCU_H_
#define FAULTCORE_LIBFAULTCORE_INTERNAL_RCU_H_

#include <atomic>
#include <cassert>
#include <cstdint>

namespace faultcore {
namespace rcu {

// One reader thread's slot.  0 = outside a section; otherwise the grace
// period number read when the section began.  Written only by its owner;
// read by writers.  Padded so that two readers never share a cache line.
struct alignas(64) ReaderSlot {
  std::atomic<uint64_t> period{0};
  ReaderSlot* next = nullptr;  // registry list; set once at registration
  bool in_use = false;         // guarded by the registry mutex
};

namespace internal {
extern std::atomic<uint64_t> g_period;  // current grace period, starts at 1
extern std::atomic<bool> g_readers_need_fence;  // set at load time
ReaderSlot* RegisterThisThread();
// libfaultcore.so's version script makes this symbol local (nm -D shows it
// with a lower-case type: the TLS relocation names it, nothing can bind it).
extern thread_local ReaderSlot* tls_slot
    __attribute__((tls_model("initial-exec")));
}  // namespace internal

namespace internal {
// Enters a section at `period` (a fresh one, or the enclosing section's).
inline void EnterSection(ReaderSlot* slot, uint64_t period) {
  if (g_readers_need_fence.load(std::memory_order_relaxed)) {
    slot->period.store(period, std::memory_order_seq_cst);
  } else {
    slot->period.store(period, std::memory_order_relaxed);
    std::atomic_signal_fence(std::memory_order_seq_cst);
  }
}
inline ReaderSlot* ThisThreadSlot() {
  ReaderSlot* slot = tls_slot;
  if (__builtin_expect(slot == nullptr, 0)) slot = RegisterThisThread();
  return slot;
}
}  // namespace internal

// RAII read-side section.  Cheap; create on the stack around every use of a
// pointer loaded from an RCU-published atomic.  May nest.
class ReadSection {
 public:
  ReadSection() : slot_(internal::ThisThreadSlot()) {
    // Only this thread writes its slot, so a relaxed load reads its own
    // last store: nonzero is the period of an enclosing section.
    outer_period_ = slot_->period.load(std::memory_order_relaxed);
    uint64_t period = internal::g_period.load(std::memory_order_acquire);
    internal::EnterSection(slot_, outer_period_ != 0 ? outer_period_ : period);
  }
  ~ReadSection() {
    slot_->period.store(outer_period_, std::memory_order_release);
  }
  ReadSection(const ReadSection&) = delete;
  ReadSection& operator=(const ReadSection&) = delete;

 private:
  ReaderSlot* slot_;
  uint64_t outer_period_;  // the enclosing section's period, 0 if none
};

// A ReadSection that is never nested in another: for the request path only.
class OutermostReadSection {
 public:
  OutermostReadSection() : slot_(internal::ThisThreadSlot()) {
    assert(slot_->period.load(std::memory_order_relaxed) == 0 &&
           "an OutermostReadSection inside another read section");
    internal::EnterSection(
        slot_, internal::g_period.load(std::memory_order_acquire));
  }
  ~OutermostReadSection() {
    slot_->period.store(0, std::memory_order_release);
  }
  OutermostReadSection(const OutermostReadSection&) = delete;
  OutermostReadSection& operator=(const OutermostReadSection&) = delete;

 private:
  ReaderSlot* slot_;
};

// Opaque token naming the grace period that must pass before something
// retired now may be freed.
using GraceToken = uint64_t;

// Starts a new grace period and returns its token.  Every reader section
// that begins after StartGracePeriod() returns sees pointers published
// before the call.  Non-blocking (apart from the membarrier system call).
GraceToken StartGracePeriod();

// True when every section that might have begun before `token` was taken
// has ended.  Non-blocking.
bool GracePeriodPassed(GraceToken token);

// Publishes nothing; waits until every section that began before the call
// has ended.  Must not be called inside a ReadSection.
void Synchronize();

// Test hook: forces the fallback (seq_cst) reader protocol.  Call before any
// reader runs.
void ForceReaderFenceForTesting();

}  // namespace rcu
}  // namespace faultcore

#endif  // FAULTCORE_LIBFAULTCORE_INTERNAL_RCU_H_
