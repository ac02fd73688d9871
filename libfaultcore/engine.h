// faultcore::Engine: decides, for each block request, whether and how it
// fails.  The C ABI (include/faultcore/faultcore.h) is a thin translation of
// this class; the CLI and benchmarks use it directly.
//
// Thread safety: every method may be called concurrently from any thread,
// including threads the library did not create.  Check() is lock-free: it
// enters an RCU read section, loads the current generation with one acquire
// load and, when no rule overlaps the request, neither locks, allocates nor
// writes shared memory.  Load(), Reset() and the hold methods serialize among
// themselves and never make Check() wait.
#ifndef FAULTCORE_LIBFAULTCORE_ENGINE_H_
#define FAULTCORE_LIBFAULTCORE_ENGINE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libfaultcore/hold_registry.h"
#include "libfaultcore/observer.h"
#include "libfaultcore/verdict.h"
#include "proto/faultcore.pb.h"
#include "proto/rule_loader.h"

namespace faultcore {

class Generation;
class IntervalSet;

// Target id 0: a request from no particular device.
inline constexpr uint32_t kNoTarget = 0;

struct RuleStats {
  uint64_t matches = 0;
  uint64_t fires = 0;
  uint64_t healed_bytes = 0;
  uint64_t held = 0;
};

// How blkdebug-faultcore-resolve decides an ask: an action (kPass or a
// failing one) and the codes that replace the action's defaults.
struct Decision {
  Action action = Action::kPass;
  DeviceCodes codes;  // the fields named in `set`
  uint32_t set = 0;   // kDecide* bits
};
inline constexpr uint32_t kDecideScsiKey = 1u << 0;
inline constexpr uint32_t kDecideScsiAsc = 1u << 1;
inline constexpr uint32_t kDecideScsiAscq = 1u << 2;
inline constexpr uint32_t kDecideNvmeSct = 1u << 3;
inline constexpr uint32_t kDecideNvmeSc = 1u << 4;
inline constexpr uint32_t kDecideNvmeDnr = 1u << 5;
inline constexpr uint32_t kDecideAtaStatus = 1u << 6;
inline constexpr uint32_t kDecideAtaError = 1u << 7;
inline constexpr uint32_t kDecideErrno = 1u << 8;
inline constexpr uint32_t kDecideAll = (1u << 9) - 1;

class Engine {
 public:
  // An engine with no rules: every request passes.
  static absl::StatusOr<std::unique_ptr<Engine>> Create();
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Replaces the rule set atomically.  On error nothing changes and the
  // status message locates the problem.  Success resets counters, state and
  // heals (held requests stay held).
  absl::Status LoadFile(const std::string& path,
                        RuleFormat format = RuleFormat::kAuto);
  absl::Status LoadBuffer(absl::string_view data, RuleFormat format,
                          absl::string_view source_name);
  // Same, from a rule set that ValidateRuleSet() has accepted.
  absl::Status LoadValidated(const v1::RuleSet& rules);

  // The id of target `name` (interned on first use; stable for the
  // engine's life).  The empty name is kNoTarget.
  uint32_t TargetId(absl::string_view name);

  // The hot path: the verdict for one request.  `out` may be null.  Returns
  // the verdict's action.  A zero-length request (flush) matches only rules
  // without a range.
  Action Check(uint32_t target, Op op, uint64_t offset, uint64_t length,
               Verdict* out) {
    // No rule set at all: one relaxed load, not even a read section.  The
    // pointer is not dereferenced here.  Inline, so that this is all a host
    // without rules pays.
    if (current_.load(std::memory_order_relaxed) == nullptr) {
      if (out != nullptr) out->action = Action::kPass;
      return Action::kPass;
    }
    return CheckRules(target, op, offset, length, out);
  }

  // False while no rule set was ever loaded: then every Check() passes.  A
  // hint for callers that want to skip building a request (one relaxed
  // load); Check() itself starts with the same test.
  bool HasRules() const {
    return current_.load(std::memory_order_relaxed) != nullptr;
  }

  // Applies the transitions of `event` that match the current state; the
  // first matching transition wins.  NotFound when no transition of the
  // rule set names the event.
  absl::Status RaiseEvent(absl::string_view event);
  std::string CurrentState() const;

  // Counters, state (back to initial) and heals start over; every held
  // request is released.
  void Reset();

  // Holds (see HoldRegistry).  Hold() records the rule of `verdict`.
  uint64_t Hold(uint32_t target, const Verdict& verdict,
                HoldRegistry::ReleaseFn release, void* opaque);
  bool CancelHold(uint64_t ticket) { return holds_.Cancel(ticket); }
  size_t Release(std::optional<uint32_t> target,
                 std::optional<absl::string_view> rule_name) {
    return holds_.Release(target, rule_name);
  }

  // Asks: a request parked by a kAsk verdict, registered with what it is so
  // that Resolve() can build its decision.  The host parks it as a hold
  // (same callback and cancel contract) and, once released, takes the
  // decision with TakeDecision(); none means "as on timeout" if the hold
  // timed out, else pass (a release or reset let it go).
  uint64_t Ask(uint32_t target, Op op, uint64_t offset, uint64_t length,
               const Verdict& verdict, HoldRegistry::ReleaseFn release,
               void* opaque);
  absl::Status Resolve(uint64_t ticket, const Decision& decision);
  std::optional<Verdict> TakeDecision(uint64_t ticket) {
    return holds_.TakeDecision(ticket);
  }

  // Observation (see Observer).  While a trace or statistics are on, every
  // request goes through Decide() and its verdict carries a seq the host
  // hands back to Complete(); while both are off, nothing changes on the
  // request path.
  absl::Status StartTrace(uint64_t capacity, bool injected_only);
  void StopTrace();
  absl::Status DumpTrace(const std::string& path) const;
  absl::Status StartStats(uint64_t heat_bucket_bytes);
  void StopStats();
  absl::StatusOr<OpStats> OpStatistics(uint32_t target, Op op) const {
    return observer_.Stats(target, op);
  }
  // How request `seq` (from its verdict; 0 = not observed) ended: the
  // verdict carried out (an ask's decision), `result` 0 or -errno, and the
  // time from submission to completion as the host measured it.
  void Complete(uint32_t target, Op op, const Verdict& final, int32_t result,
                uint64_t latency_ns) {
    if (final.seq != 0) {
      observer_.OnComplete(target, op, final.seq, &final, result, latency_ns);
    }
  }

  uint32_t RuleCount() const;
  absl::StatusOr<std::string> RuleName(uint32_t rule_id) const;
  // For a per-target rule, the counters of `target` (kNoTarget: the sum).
  absl::StatusOr<RuleStats> Stats(uint32_t rule_id, uint32_t target) const;
  uint32_t BlockSize() const;

 private:
  Engine() = default;

  // Check() once a rule set was loaded.
  Action CheckRules(uint32_t target, Op op, uint64_t offset, uint64_t length,
                    Verdict* out);
  // Check() once the coverage filter could not rule the request out (or it
  // is a flush): collects the candidate rules and decides.  Out of line so
  // that the miss path keeps a small stack frame.  Called inside the read
  // section in which `gen` was loaded.
  Action Decide(const Generation& gen, uint32_t target, Op op, uint64_t offset,
                uint64_t length, uint64_t end, Verdict* out);
  // Decide() without observation: the rules' verdict.
  Action DecideRules(const Generation& gen, uint32_t target, Op op,
                     uint64_t offset, uint64_t length, uint64_t end,
                     Verdict* out);
  // The writer side: holds writer_mu_ for its lifetime and collects the
  // generations Publish() replaced; its destructor releases the mutex first
  // and only then waits for a grace period and frees them, so that a slow
  // reader delays only its own writer, never the next one.
  class WriteScope {
   public:
    explicit WriteScope(Engine& engine);
    ~WriteScope();
    WriteScope(const WriteScope&) = delete;
    WriteScope& operator=(const WriteScope&) = delete;

   private:
    friend class Engine;
    Engine& engine_;
    std::unique_lock<std::mutex> lock_;
    std::vector<std::unique_ptr<Generation>> replaced_;
  };

  // Makes the request path match the observer's state: while it is active
  // every generation routes requests to Decide(), and an engine without
  // rules gets an empty rule set for that.
  void UpdateObservation(WriteScope& scope);
  // Gives the observer the names of `gen` for trace dumps.
  void RegisterNames(const Generation* gen);

  // Publishes `next`; `scope` frees the previous generation after a grace
  // period, once writer_mu_ is released.
  void Publish(WriteScope& scope, std::unique_ptr<Generation> next);
  // Records that a write made it to the medium over [start, end) for rule
  // `rule_id`: its blocks there heal.
  void Heal(const Generation& gen, uint32_t rule_id, uint64_t start,
            uint64_t end);
  // Frees retired heal sets whose grace period has passed.  Caller holds
  // heal_mu_.  Non-blocking.
  void ReclaimRetired();

  std::atomic<Generation*> current_{nullptr};  // RCU-published; writer_mu_
  std::mutex writer_mu_;                       // serializes publishers
  uint64_t next_serial_ = 1;                   // guarded by writer_mu_
  // The current generation is the empty one UpdateObservation() made, not
  // a loaded rule set.  Guarded by writer_mu_.
  bool synthetic_ = false;

  std::mutex heal_mu_;  // serializes heals
  struct Retired {
    uint64_t token;
    const IntervalSet* set;
  };
  std::vector<Retired> retired_;  // guarded by heal_mu_

  mutable std::mutex targets_mu_;
  absl::flat_hash_map<std::string, uint32_t> target_ids_;  // targets_mu_

  HoldRegistry holds_;
  Observer observer_;
};

}  // namespace faultcore

#endif  // FAULTCORE_LIBFAULTCORE_ENGINE_H_
