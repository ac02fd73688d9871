#include "libfaultcore/internal/generation.h"

#include <algorithm>
#include <limits>
#include <utility>

namespace faultcore {

RuleCounters& RuleRuntime::CountersFor(const CompiledRule& rule,
                                       uint32_t target) {
  if (per_target == nullptr) return counters;
  std::lock_guard<std::mutex> lock(per_target->mu);
  std::unique_ptr<RuleCounters>& slot = per_target->counters[target];
  if (slot == nullptr) slot = std::make_unique<RuleCounters>();
  return *slot;
}

const CoverageFilter& EverythingFilter() {
  static const CoverageFilter* const kEverything = new CoverageFilter(
      {Interval{0, std::numeric_limits<uint64_t>::max(), 0}});
  return *kEverything;
}

std::shared_ptr<const CompiledIndex> BuildIndex(CompiledRuleSet rules,
                                                uint64_t serial) {
  auto out = std::make_shared<CompiledIndex>();
  std::vector<Interval> intervals;
  intervals.reserve(rules.rules.size());
  for (size_t i = 0; i < rules.rules.size(); ++i) {
    const CompiledRule& r = rules.rules[i];
    if (r.whole_device) out->whole_device.push_back(static_cast<uint32_t>(i));
    intervals.push_back(Interval{r.start, r.end, static_cast<uint32_t>(i)});
  }
  out->coverage = CoverageFilter(intervals);
  out->index = IntervalIndex(std::move(intervals));
  out->rules = std::move(rules);
  out->serial = serial;
  return out;
}

}  // namespace faultcore
