#include "libfaultcore/internal/rcu.h"

#include <linux/membarrier.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <mutex>

namespace faultcore {
namespace rcu {
namespace internal {
namespace {

#if defined(__SANITIZE_THREAD__)
constexpr bool kThreadSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
constexpr bool kThreadSanitizer = true;
#else
constexpr bool kThreadSanitizer = false;
#endif
#else
constexpr bool kThreadSanitizer = false;
#endif

// Asks the kernel for expedited private membarrier; false when unavailable.
bool RegisterMembarrier() {
  if (kThreadSanitizer) return false;
  long cmds = syscall(__NR_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
  if (cmds < 0 || (cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0) {
    return false;
  }
  return syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0,
                 0) == 0;
}

// All slots ever handed out.  Slots are recycled, never freed, so a writer
// may walk the list without the mutex (next pointers are set once, before
// the slot is published at the head with a release store).
std::mutex g_registry_mu;
std::atomic<ReaderSlot*> g_registry_head{nullptr};

// Returns this thread's slot to the free pool when the thread exits.
struct SlotReleaser {
  ~SlotReleaser() {
    ReaderSlot* slot = tls_slot;
    if (slot == nullptr) return;
    tls_slot = nullptr;
    std::lock_guard<std::mutex> lock(g_registry_mu);
    slot->in_use = false;
  }
};
thread_local SlotReleaser tls_releaser;

}  // namespace

std::atomic<uint64_t> g_period{1};
std::atomic<bool> g_readers_need_fence{!RegisterMembarrier()};
thread_local ReaderSlot* tls_slot __attribute__((tls_model("initial-exec"))) =
    nullptr;

ReaderSlot* RegisterThisThread() {
  ReaderSlot* slot = nullptr;
  {
    std::lock_guard<std::mutex> lock(g_registry_mu);
    for (ReaderSlot* s = g_registry_head.load(std::memory_order_relaxed);
         s != nullptr; s = s->next) {
      if (!s->in_use) {
        slot = s;
        break;
      }
    }
    if (slot == nullptr) {
      slot = new ReaderSlot;
      slot->next = g_registry_head.load(std::memory_order_relaxed);
      g_registry_head.store(slot, std::memory_order_release);
    }
    slot->in_use = true;
  }
  tls_slot = slot;
  (void)&tls_releaser;  // Constructs the releaser for this thread.
  return slot;
}

}  // namespace internal

namespace {

// A full barrier on every thread of the process (or on this one, in the
// fallback where readers fence themselves).
void HeavyBarrier() {
  if (internal::g_readers_need_fence.load(std::memory_order_relaxed)) {
    // Readers store their slot with seq_cst and load published pointers
    // with seq_cst; publishers exchange pointers and bump g_period with
    // seq_cst and scan slots with seq_cst loads.  The single total order of
    // those operations is the barrier.
    return;
  }
  if (syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) != 0) {
    // The kernel ABI says this cannot fail after a successful registration.
    // Defensively switch readers to fencing themselves, and give sections
    // that began under the old protocol (they last nanoseconds) ample time
    // for their slot stores to drain before anyone relies on them.
    internal::g_readers_need_fence.store(true, std::memory_order_seq_cst);
    struct timespec ts = {0, 10 * 1000 * 1000};  // 10 ms
    nanosleep(&ts, nullptr);
  }
}

}  // namespace

GraceToken StartGracePeriod() {
  uint64_t token =
      internal::g_period.fetch_add(1, std::memory_order_seq_cst) + 1;
  HeavyBarrier();
  return token;
}

bool GracePeriodPassed(GraceToken token) {
  for (ReaderSlot* s =
           internal::g_registry_head.load(std::memory_order_acquire);
       s != nullptr; s = s->next) {
    uint64_t period = s->period.load(std::memory_order_seq_cst);
    if (period != 0 && period < token) return false;
  }
  return true;
}

void Synchronize() {
  GraceToken token = StartGracePeriod();
  for (int spins = 0; !GracePeriodPassed(token); ++spins) {
    if (spins < 100) {
      sched_yield();
    } else {
      struct timespec ts = {0, 50 * 1000};  // 50 us
      nanosleep(&ts, nullptr);
    }
  }
}

void ForceReaderFenceForTesting() {
  internal::g_readers_need_fence.store(true, std::memory_order_seq_cst);
}

}  // namespace rcu
}  // namespace faultcore
