// One published rule-set generation: the immutable compiled rules and their
// interval index, plus the mutable per-rule counters, heals and the current
// state that belong to exactly this generation.
//
// Ownership: an Engine owns the current Generation through an RCU-published
// pointer; a replaced or reset generation is freed after a grace period.
// Thread safety: `rules` and `index` are immutable and shared between
// generations (a reset reuses them); everything mutable is atomic or guarded
// as documented per field.  Readers on different cores write only the
// counters of rules their requests actually match.
#ifndef FAULTCORE_LIBFAULTCORE_INTERNAL_GENERATION_H_
#define FAULTCORE_LIBFAULTCORE_INTERNAL_GENERATION_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "libfaultcore/internal/compiled_rules.h"
#include "libfaultcore/internal/coverage_filter.h"
#include "libfaultcore/internal/interval_index.h"
#include "libfaultcore/internal/interval_set.h"

namespace faultcore {

// The immutable part, shared by a generation and the ones a reset makes
// from it.
struct CompiledIndex {
  CompiledRuleSet rules;
  CoverageFilter coverage;             // the union of every range
  IntervalIndex index;                 // every rule (whole-device too)
  std::vector<uint32_t> whole_device;  // rules without a range, in order
  uint64_t serial = 0;                 // load number, for holds
};

// Match and fire counts; one set per rule, or per (rule, target).
struct RuleCounters {
  std::atomic<uint64_t> matches{0};
  std::atomic<uint64_t> fires{0};
};

// Mutable state of one rule.  Padded: two rules' counters never share a
// cache line.
struct alignas(64) RuleRuntime {
  RuleCounters counters;
  // Writes failed under HealOnWrite.fail_writes.
  std::atomic<uint64_t> heal_writes_failed{0};
  // Healed byte ranges, RCU-published; nullptr = none.  Written under
  // Engine::heal_mu_; the replaced set is retired, not freed at once.
  std::atomic<const IntervalSet*> healed{nullptr};
  // Per-target counters, only for rules with Trigger.per_target (set once
  // when the generation is built; null otherwise, to keep this struct one
  // cache line for the common rule).
  struct PerTarget {
    // Entries are never removed, so a pointer found under the mutex stays
    // valid for the generation's life.
    std::mutex mu;
    absl::flat_hash_map<uint32_t, std::unique_ptr<RuleCounters>> counters;
  };
  std::unique_ptr<PerTarget> per_target;

  ~RuleRuntime() { delete healed.load(std::memory_order_relaxed); }

  // Counters for `target` (the shared ones unless per_target).
  RuleCounters& CountersFor(const CompiledRule& rule, uint32_t target);
};

// A filter that every non-empty request overlaps.
const CoverageFilter& EverythingFilter();

class Generation {
 public:
  explicit Generation(std::shared_ptr<const CompiledIndex> compiled)
      : compiled_(std::move(compiled)),
        c_(compiled_.get()),
        filter_(&c_->coverage),
        runtime_(new RuleRuntime[c_->rules.rules.size()]),
        state_(c_->rules.initial_state) {
    for (size_t i = 0; i < c_->rules.rules.size(); ++i) {
      if (c_->rules.rules[i].per_target) {
        runtime_[i].per_target = std::make_unique<RuleRuntime::PerTarget>();
      }
    }
  }

  const CompiledIndex& compiled() const { return *c_; }
  // The miss filter of the hot path: the rules' coverage, or while the
  // engine observes requests one that covers everything, so that every
  // request reaches Engine::Decide() and costs nothing extra otherwise.
  // Relaxed: a request racing with the switch may be missed.
  const CoverageFilter& filter() const {
    return *filter_.load(std::memory_order_relaxed);
  }
  void Observe(bool on) {
    filter_.store(on ? &EverythingFilter() : &c_->coverage,
                  std::memory_order_relaxed);
  }
  const std::shared_ptr<const CompiledIndex>& shared_compiled() const {
    return compiled_;
  }
  RuleRuntime& runtime(uint32_t rule) const { return runtime_[rule]; }
  std::atomic<uint32_t>& state() const { return state_; }

 private:
  std::shared_ptr<const CompiledIndex> compiled_;
  const CompiledIndex* c_;  // compiled_.get(), for the hot path
  std::atomic<const CoverageFilter*> filter_;  // see filter()
  std::unique_ptr<RuleRuntime[]> runtime_;
  mutable std::atomic<uint32_t> state_;  // index into rules.states
};

// Builds the shared immutable part from compiled rules.
std::shared_ptr<const CompiledIndex> BuildIndex(CompiledRuleSet rules,
                                                uint64_t serial);

}  // namespace faultcore

#endif  // FAULTCORE_LIBFAULTCORE_INTERNAL_GENERATION_H_
