#include "libfaultcore/internal/interval_index.h"

#include <algorithm>
#include <utility>

namespace faultcore {

IntervalIndex::IntervalIndex(std::vector<Interval> intervals) {
  std::sort(intervals.begin(), intervals.end(),
            [](const Interval& l, const Interval& r) {
              return l.start != r.start ? l.start < r.start : l.id < r.id;
            });
  nodes_.reserve(intervals.size());
  for (const Interval& iv : intervals) nodes_.push_back(Node{iv, iv.end});
  const int64_t n = static_cast<int64_t>(nodes_.size());
  if (n == 0) return;

  // cgranges' index_core: fill max_end level by level.  `last` tracks the
  // largest end of the rightmost (possibly incomplete) subtree.
  int64_t last_i = 0;
  uint64_t last = 0;
  for (int64_t i = 0; i < n; i += 2) {
    last_i = i;
    last = nodes_[i].max_end = nodes_[i].interval.end;
  }
  int k = 1;
  for (; (int64_t{1} << k) <= n; ++k) {
    const int64_t x = int64_t{1} << (k - 1);
    const int64_t i0 = (x << 1) - 1;
    const int64_t step = x << 2;
    for (int64_t i = i0; i < n; i += step) {
      uint64_t left = nodes_[i - x].max_end;
      uint64_t right = i + x < n ? nodes_[i + x].max_end : last;
      nodes_[i].max_end = std::max({nodes_[i].interval.end, left, right});
    }
    last_i = (last_i >> k & 1) ? last_i - x : last_i + x;
    if (last_i < n && nodes_[last_i].max_end > last) {
      last = nodes_[last_i].max_end;
    }
  }
  max_level_ = k - 1;
}

}  // namespace faultcore
