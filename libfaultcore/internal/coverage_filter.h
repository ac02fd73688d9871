// The miss filter of the hot path: answers "does any rule's range overlap
// [start, end)?" from the union of all ranges, without walking the interval
// tree.
//
// Layout: the union is a sorted list of disjoint spans.  Their starts are
// stored in Eytzinger (BFS) order, so a search descends a complete binary
// tree held in one array and prefetches its descendants a few levels ahead;
// beside each start, the end of the span before it in address order.  A
// query is one branch-free descent plus one load.  Nothing is allocated.
//
// Thread safety: immutable after construction.
#ifndef FAULTCORE_LIBFAULTCORE_INTERNAL_COVERAGE_FILTER_H_
#define FAULTCORE_LIBFAULTCORE_INTERNAL_COVERAGE_FILTER_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "libfaultcore/internal/interval_index.h"

namespace faultcore {

class CoverageFilter {
 public:
  CoverageFilter() = default;
  explicit CoverageFilter(const std::vector<Interval>& intervals);

  // True when some interval overlaps [start, end); `end > start`.
  bool Overlaps(uint64_t start, uint64_t end) const {
    const size_t n = starts_.size() - 1;  // slot 0 is unused
    if (n == 0) return false;
    const uint64_t* b = starts_.data();
    // lower_bound(end) in Eytzinger order: the first span starting >= end.
    size_t k = 1;
    while (k <= n) {
      __builtin_prefetch(b + k * 16);
      k = 2 * k + (b[k] < end);
    }
    k >>= __builtin_ffsll(~static_cast<long long>(k));
    // The span just before it (in address order) starts below `end`; it
    // overlaps iff it ends after `start`.  Earlier spans end before it.
    const uint64_t prev_end = k == 0 ? last_end_ : prev_ends_[k];
    return prev_end > start;
  }

  size_t spans() const { return starts_.size() - 1; }

 private:
  std::vector<uint64_t> starts_{0};     // Eytzinger order, 1-based
  std::vector<uint64_t> prev_ends_{0};  // end of the preceding span, or 0
  uint64_t last_end_ = 0;               // end of the last span
};

}  // namespace faultcore

#endif  // FAULTCORE_LIBFAULTCORE_INTERNAL_COVERAGE_FILTER_H_
