#include "libfaultcore/internal/interval_set.h"

#include <algorithm>

namespace faultcore {

IntervalSet IntervalSet::With(uint64_t start, uint64_t end) const {
  IntervalSet out;
  out.spans_.reserve(spans_.size() + 1);
  size_t i = 0;
  // Spans wholly before the new one (not touching it).
  for (; i < spans_.size() && spans_[i].end < start; ++i) {
    out.spans_.push_back(spans_[i]);
  }
  // Spans overlapping or touching it merge into one.
  Span merged{start, end};
  for (; i < spans_.size() && spans_[i].start <= end; ++i) {
    merged.start = std::min(merged.start, spans_[i].start);
    merged.end = std::max(merged.end, spans_[i].end);
  }
  out.spans_.push_back(merged);
  for (; i < spans_.size(); ++i) out.spans_.push_back(spans_[i]);
  for (const Span& s : out.spans_) out.covered_bytes_ += s.end - s.start;
  return out;
}

uint64_t IntervalSet::FirstUncovered(uint64_t start, uint64_t end) const {
  // The last span starting at or before `start`.
  auto it = std::upper_bound(
      spans_.begin(), spans_.end(), start,
      [](uint64_t value, const Span& s) { return value < s.start; });
  if (it == spans_.begin()) return start;
  --it;
  if (it->end <= start) return start;
  return std::min(it->end, end);  // spans do not touch: it->end is uncovered
}

}  // namespace faultcore
