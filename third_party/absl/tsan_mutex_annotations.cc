// ThreadSanitizer annotations for Debian's prebuilt absl::Mutex, absl::CondVar,
// absl::Notification and absl::BlockingCounter.
//
// Why: Debian's libabsl_synchronization.so is not built with -fsanitize=thread, so
// its lock/unlock operations (atomics and futexes inside the library) are invisible
// to TSan, and every access guarded by an absl::Mutex is reported as a data race.
// Upstream Abseil, when compiled with TSan, tells TSan about each lock operation
// through the __tsan_mutex_* interface (ABSL_TSAN_MUTEX_* in mutex.cc). This file
// does the same from outside: under --config=tsan it is linked into every binary
// and defines the public Mutex/CondVar member functions, which interpose on the
// library's definitions (the executable comes first in symbol lookup, and the
// library itself calls them through its PLT, so Notification, BlockingCounter and
// Barrier are covered too). Each wrapper annotates and then calls the library's
// own function, found with dlsym(RTLD_NEXT, <mangled name>).
//
// Model (as in upstream's annotations):
//  - lock:   __tsan_mutex_pre_lock; real lock; __tsan_mutex_post_lock.
//  - unlock: __tsan_mutex_pre_unlock; real unlock; __tsan_mutex_post_unlock.
//  - Await / CondVar::Wait release the mutex before the real call and take it again
//    inside it; memory accesses between pre_lock and post_lock are ignored by TSan,
//    so condition functions evaluated inside the library are not checked (upstream
//    checks them; this is the one thing lost).
//  - A wrapper called from inside another wrapper (the library calling itself)
//    just forwards: only the outermost call is annotated.
//  - Notification and BlockingCounter also hand over state without the mutex
//    (atomics inside the library): Notify()/DecrementCount() release, and the
//    Wait*() functions acquire, a TSan sync object at the same address;
//    Notification::HasBeenNotified() (inline, an acquire load) is covered by a
//    release on the flag's own address.
// Not covered: other lock-free state inside Debian's absl libraries.
//
// Thread-safety: all state is thread_local, except the table of real functions,
// which is initialized once (a function-local static).

// Only meaningful with -fsanitize=thread; otherwise this file compiles to nothing
// (so that `bazel build //...` without --config=tsan does not fail on it).
#if defined(__SANITIZE_THREAD__)

#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/base/config.h"
#include "absl/synchronization/blocking_counter.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace {

#define FAULTCORE_STR_(x) #x
#define FAULTCORE_STR(x) FAULTCORE_STR_(x)

// Itanium-mangled name of a member of absl::<inline namespace>::, e.g.
// Mangle("", "5Mutex4LockEv") == "_ZN4absl7debian35Mutex4LockEv".
std::string Mangle(const char* cv, const char* rest) {
  std::string name = std::string("_ZN") + cv + "4absl";
#if ABSL_OPTION_USE_INLINE_NAMESPACE
  const std::string ns = FAULTCORE_STR(ABSL_OPTION_INLINE_NAMESPACE_NAME);
  name += std::to_string(ns.size()) + ns;
#endif
  return name + rest;
}

void* Lookup(const std::string& name) {
  void* fn = dlsym(RTLD_NEXT, name.c_str());
  if (fn == nullptr) {
    std::fprintf(stderr, "tsan_mutex_annotations: %s not found: %s\n", name.c_str(),
                 dlerror());
    std::abort();
  }
  return fn;
}

void* Real(const char* rest) { return Lookup(Mangle("", rest)); }
void* RealConst(const char* rest) { return Lookup(Mangle("K", rest)); }

using absl::BlockingCounter;
using absl::Condition;
using absl::CondVar;
using absl::Duration;
using absl::Mutex;
using absl::Notification;
using absl::Time;

// &Notification::notified_yet_ (private): explicit instantiation may name private
// members, and the friend function hands the pointer out.
struct NotifiedYetTag {
  using type = std::atomic<bool> Notification::*;
  friend type Get(NotifiedYetTag);
};
template <typename Tag, typename Tag::type kMember>
struct MemberPointer {
  friend typename Tag::type Get(Tag) { return kMember; }
};
template struct MemberPointer<NotifiedYetTag, &Notification::notified_yet_>;

// The library's own functions (member functions take `this` first).
struct RealFunctions {
  void (*lock)(Mutex*) = reinterpret_cast<void (*)(Mutex*)>(Real("5Mutex4LockEv"));
  void (*unlock)(Mutex*) = reinterpret_cast<void (*)(Mutex*)>(Real("5Mutex6UnlockEv"));
  bool (*try_lock)(Mutex*) = reinterpret_cast<bool (*)(Mutex*)>(Real("5Mutex7TryLockEv"));
  void (*reader_lock)(Mutex*) =
      reinterpret_cast<void (*)(Mutex*)>(Real("5Mutex10ReaderLockEv"));
  void (*reader_unlock)(Mutex*) =
      reinterpret_cast<void (*)(Mutex*)>(Real("5Mutex12ReaderUnlockEv"));
  bool (*reader_try_lock)(Mutex*) =
      reinterpret_cast<bool (*)(Mutex*)>(Real("5Mutex13ReaderTryLockEv"));
  void (*lock_when)(Mutex*, const Condition&) =
      reinterpret_cast<void (*)(Mutex*, const Condition&)>(
          Real("5Mutex8LockWhenERKNS0_9ConditionE"));
  void (*reader_lock_when)(Mutex*, const Condition&) =
      reinterpret_cast<void (*)(Mutex*, const Condition&)>(
          Real("5Mutex14ReaderLockWhenERKNS0_9ConditionE"));
  bool (*lock_when_with_timeout)(Mutex*, const Condition&, Duration) =
      reinterpret_cast<bool (*)(Mutex*, const Condition&, Duration)>(
          Real("5Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE"));
  bool (*lock_when_with_deadline)(Mutex*, const Condition&, Time) =
      reinterpret_cast<bool (*)(Mutex*, const Condition&, Time)>(
          Real("5Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE"));
  bool (*reader_lock_when_with_timeout)(Mutex*, const Condition&, Duration) =
      reinterpret_cast<bool (*)(Mutex*, const Condition&, Duration)>(
          Real("5Mutex25ReaderLockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE"));
  bool (*reader_lock_when_with_deadline)(Mutex*, const Condition&, Time) =
      reinterpret_cast<bool (*)(Mutex*, const Condition&, Time)>(
          Real("5Mutex26ReaderLockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE"));
  void (*await)(Mutex*, const Condition&) =
      reinterpret_cast<void (*)(Mutex*, const Condition&)>(
          Real("5Mutex5AwaitERKNS0_9ConditionE"));
  bool (*await_with_timeout)(Mutex*, const Condition&, Duration) =
      reinterpret_cast<bool (*)(Mutex*, const Condition&, Duration)>(
          Real("5Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE"));
  bool (*await_with_deadline)(Mutex*, const Condition&, Time) =
      reinterpret_cast<bool (*)(Mutex*, const Condition&, Time)>(
          Real("5Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE"));
  void (*destroy)(Mutex*) = reinterpret_cast<void (*)(Mutex*)>(Real("5MutexD1Ev"));
  void (*wait)(CondVar*, Mutex*) =
      reinterpret_cast<void (*)(CondVar*, Mutex*)>(Real("7CondVar4WaitEPNS0_5MutexE"));
  bool (*wait_with_timeout)(CondVar*, Mutex*, Duration) =
      reinterpret_cast<bool (*)(CondVar*, Mutex*, Duration)>(
          Real("7CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE"));
  bool (*wait_with_deadline)(CondVar*, Mutex*, Time) =
      reinterpret_cast<bool (*)(CondVar*, Mutex*, Time)>(
          Real("7CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE"));
  void (*notify)(Notification*) =
      reinterpret_cast<void (*)(Notification*)>(Real("12Notification6NotifyEv"));
  void (*wait_for_notification)(const Notification*) =
      reinterpret_cast<void (*)(const Notification*)>(
          RealConst("12Notification19WaitForNotificationEv"));
  bool (*wait_for_notification_with_timeout)(const Notification*, Duration) =
      reinterpret_cast<bool (*)(const Notification*, Duration)>(
          RealConst("12Notification30WaitForNotificationWithTimeoutENS0_8DurationE"));
  bool (*wait_for_notification_with_deadline)(const Notification*, Time) =
      reinterpret_cast<bool (*)(const Notification*, Time)>(
          RealConst("12Notification31WaitForNotificationWithDeadlineENS0_4TimeE"));
  bool (*decrement_count)(BlockingCounter*) = reinterpret_cast<bool (*)(BlockingCounter*)>(
      Real("15BlockingCounter14DecrementCountEv"));
  void (*blocking_counter_wait)(BlockingCounter*) =
      reinterpret_cast<void (*)(BlockingCounter*)>(Real("15BlockingCounter4WaitEv"));
};

const RealFunctions& R() {
  static const RealFunctions* const real = new RealFunctions;
  return *real;
}

// Depth of wrapped calls on this thread; only depth 0 -> 1 annotates.
thread_local int depth = 0;

class Outermost {
 public:
  Outermost() : outermost_(depth++ == 0) {}
  ~Outermost() { --depth; }
  Outermost(const Outermost&) = delete;
  Outermost& operator=(const Outermost&) = delete;
  bool operator()() const { return outermost_; }

 private:
  const bool outermost_;
};

// Mutexes this thread holds in reader mode (Await/Wait must release them with the
// same mode TSan saw them taken in). A thread rarely holds more than a few.
constexpr int kMaxReaderHeld = 32;
thread_local const Mutex* reader_held[kMaxReaderHeld];
thread_local int reader_held_count = 0;

void NoteReaderLocked(const Mutex* mu) {
  if (reader_held_count < kMaxReaderHeld) reader_held[reader_held_count++] = mu;
}

void NoteReaderUnlocked(const Mutex* mu) {
  for (int i = reader_held_count - 1; i >= 0; --i) {
    if (reader_held[i] == mu) {
      reader_held[i] = reader_held[--reader_held_count];
      return;
    }
  }
}

unsigned HeldFlags(const Mutex* mu) {
  for (int i = 0; i < reader_held_count; ++i) {
    if (reader_held[i] == mu) return __tsan_mutex_read_lock;
  }
  return 0;
}

// Runs a real lock operation that returns with `mu` held.
template <typename F>
auto Locking(Mutex* mu, unsigned flags, F&& real) -> decltype(real()) {
  Outermost outer;
  if (!outer()) return real();
  __tsan_mutex_pre_lock(mu, flags);
  struct PostLock {
    Mutex* mu;
    unsigned flags;
    ~PostLock() {
      __tsan_mutex_post_lock(mu, flags, 0);
      if (flags & __tsan_mutex_read_lock) NoteReaderLocked(mu);
    }
  } post{mu, flags};
  return real();
}

// Runs a real unlock operation.
template <typename F>
void Unlocking(Mutex* mu, unsigned flags, F&& real) {
  Outermost outer;
  if (!outer()) return real();
  if (flags & __tsan_mutex_read_lock) NoteReaderUnlocked(mu);
  __tsan_mutex_pre_unlock(mu, flags);
  real();
  __tsan_mutex_post_unlock(mu, flags);
}

// Runs a real operation that is entered and left with `mu` held but releases it in
// between (Await, CondVar::Wait).
template <typename F>
auto Releasing(Mutex* mu, F&& real) -> decltype(real()) {
  Outermost outer;
  if (!outer()) return real();
  const unsigned flags = HeldFlags(mu);
  __tsan_mutex_pre_unlock(mu, flags);
  __tsan_mutex_post_unlock(mu, flags);
  __tsan_mutex_pre_lock(mu, flags);
  struct PostLock {
    Mutex* mu;
    unsigned flags;
    ~PostLock() { __tsan_mutex_post_lock(mu, flags, 0); }
  } post{mu, flags};
  return real();
}

// A try-lock: `real` returns whether it took the mutex.
template <typename F>
bool Trying(Mutex* mu, unsigned flags, F&& real) {
  Outermost outer;
  if (!outer()) return real();
  flags |= __tsan_mutex_try_lock;
  __tsan_mutex_pre_lock(mu, flags);
  const bool locked = real();
  __tsan_mutex_post_lock(mu, locked ? flags : flags | __tsan_mutex_try_lock_failed, 0);
  if (locked && (flags & __tsan_mutex_read_lock)) NoteReaderLocked(mu);
  return locked;
}

constexpr unsigned kRead = __tsan_mutex_read_lock;

}  // namespace

namespace absl {
ABSL_NAMESPACE_BEGIN

// The definitions below replace the library's (same signatures as mutex.h).

void Mutex::Lock() {
  Locking(this, 0, [this] { R().lock(this); });
}

void Mutex::Unlock() {
  Unlocking(this, 0, [this] { R().unlock(this); });
}

bool Mutex::TryLock() {
  return Trying(this, 0, [this] { return R().try_lock(this); });
}

void Mutex::ReaderLock() {
  Locking(this, kRead, [this] { R().reader_lock(this); });
}

void Mutex::ReaderUnlock() {
  Unlocking(this, kRead, [this] { R().reader_unlock(this); });
}

bool Mutex::ReaderTryLock() {
  return Trying(this, kRead, [this] { return R().reader_try_lock(this); });
}

void Mutex::LockWhen(const Condition& cond) {
  Locking(this, 0, [&] { R().lock_when(this, cond); });
}

void Mutex::ReaderLockWhen(const Condition& cond) {
  Locking(this, kRead, [&] { R().reader_lock_when(this, cond); });
}

bool Mutex::LockWhenWithTimeout(const Condition& cond, Duration timeout) {
  return Locking(this, 0, [&] { return R().lock_when_with_timeout(this, cond, timeout); });
}

bool Mutex::LockWhenWithDeadline(const Condition& cond, Time deadline) {
  return Locking(this, 0,
                 [&] { return R().lock_when_with_deadline(this, cond, deadline); });
}

bool Mutex::ReaderLockWhenWithTimeout(const Condition& cond, Duration timeout) {
  return Locking(this, kRead, [&] {
    return R().reader_lock_when_with_timeout(this, cond, timeout);
  });
}

bool Mutex::ReaderLockWhenWithDeadline(const Condition& cond, Time deadline) {
  return Locking(this, kRead, [&] {
    return R().reader_lock_when_with_deadline(this, cond, deadline);
  });
}

void Mutex::Await(const Condition& cond) {
  Releasing(this, [&] { R().await(this, cond); });
}

bool Mutex::AwaitWithTimeout(const Condition& cond, Duration timeout) {
  return Releasing(this, [&] { return R().await_with_timeout(this, cond, timeout); });
}

bool Mutex::AwaitWithDeadline(const Condition& cond, Time deadline) {
  return Releasing(this, [&] { return R().await_with_deadline(this, cond, deadline); });
}

Mutex::~Mutex() {
  __tsan_mutex_destroy(this, 0);
  R().destroy(this);
}

void CondVar::Wait(Mutex* mu) {
  Releasing(mu, [&] { R().wait(this, mu); });
}

bool CondVar::WaitWithTimeout(Mutex* mu, Duration timeout) {
  return Releasing(mu, [&] { return R().wait_with_timeout(this, mu, timeout); });
}

bool CondVar::WaitWithDeadline(Mutex* mu, Time deadline) {
  return Releasing(mu, [&] { return R().wait_with_deadline(this, mu, deadline); });
}

void Notification::Notify() {
  __tsan_release(this);
  __tsan_release(&(this->*Get(NotifiedYetTag{})));  // for HasBeenNotified()
  R().notify(this);
}

void Notification::WaitForNotification() const {
  R().wait_for_notification(this);
  __tsan_acquire(const_cast<Notification*>(this));
}

bool Notification::WaitForNotificationWithTimeout(Duration timeout) const {
  const bool notified = R().wait_for_notification_with_timeout(this, timeout);
  if (notified) __tsan_acquire(const_cast<Notification*>(this));
  return notified;
}

bool Notification::WaitForNotificationWithDeadline(Time deadline) const {
  const bool notified = R().wait_for_notification_with_deadline(this, deadline);
  if (notified) __tsan_acquire(const_cast<Notification*>(this));
  return notified;
}

bool BlockingCounter::DecrementCount() {
  __tsan_release(this);
  return R().decrement_count(this);
}

void BlockingCounter::Wait() {
  R().blocking_counter_wait(this);
  __tsan_acquire(this);
}

ABSL_NAMESPACE_END
}  // namespace absl

#endif  // defined(__SANITIZE_THREAD__)
