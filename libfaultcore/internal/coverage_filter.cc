#include "libfaultcore/internal/coverage_filter.h"

#include <algorithm>

namespace faultcore {
namespace {

struct Span {
  uint64_t start;
  uint64_t end;
};

// Fills `out` (1-based) with `sorted` in Eytzinger order.
template <typename T, typename F>
size_t Eytzinger(const std::vector<Span>& sorted, std::vector<T>& out, F value,
                 size_t i = 0, size_t k = 1) {
  if (k <= sorted.size()) {
    i = Eytzinger(sorted, out, value, i, 2 * k);
    out[k] = value(i);
    ++i;
    i = Eytzinger(sorted, out, value, i, 2 * k + 1);
  }
  return i;
}

}  // namespace

CoverageFilter::CoverageFilter(const std::vector<Interval>& intervals) {
  std::vector<Span> spans;
  spans.reserve(intervals.size());
  for (const Interval& iv : intervals) spans.push_back(Span{iv.start, iv.end});
  std::sort(spans.begin(), spans.end(),
            [](const Span& l, const Span& r) { return l.start < r.start; });
  // Merge overlapping and touching spans.
  std::vector<Span> merged;
  for (const Span& s : spans) {
    if (!merged.empty() && s.start <= merged.back().end) {
      merged.back().end = std::max(merged.back().end, s.end);
    } else {
      merged.push_back(s);
    }
  }
  const size_t n = merged.size();
  starts_.assign(n + 1, 0);
  prev_ends_.assign(n + 1, 0);
  Eytzinger(merged, starts_, [&](size_t i) { return merged[i].start; });
  Eytzinger(merged, prev_ends_,
            [&](size_t i) { return i == 0 ? 0 : merged[i - 1].end; });
  last_end_ = n == 0 ? 0 : merged.back().end;
}

}  // namespace faultcore
