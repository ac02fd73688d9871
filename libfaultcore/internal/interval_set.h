// An immutable set of disjoint, sorted, half-open byte intervals.
//
// Used for the blocks of a rule that writes have healed.  Updates build a new
// set (copy-on-write) so readers can use a published set without locks.
// Thread safety: immutable; any number of threads may read.
#ifndef FAULTCORE_LIBFAULTCORE_INTERNAL_INTERVAL_SET_H_
#define FAULTCORE_LIBFAULTCORE_INTERNAL_INTERVAL_SET_H_

#include <cstdint>
#include <vector>

namespace faultcore {

class IntervalSet {
 public:
  struct Span {
    uint64_t start;
    uint64_t end;  // exclusive, > start
  };

  IntervalSet() = default;

  // The set plus [start, end), merged with touching neighbours.
  IntervalSet With(uint64_t start, uint64_t end) const;

  // The first byte of [start, end) outside the set, or `end` if the set
  // covers all of it.
  uint64_t FirstUncovered(uint64_t start, uint64_t end) const;

  // Total bytes in the set.
  uint64_t CoveredBytes() const { return covered_bytes_; }

  const std::vector<Span>& spans() const { return spans_; }

 private:
  std::vector<Span> spans_;  // sorted, disjoint, non-touching
  uint64_t covered_bytes_ = 0;
};

}  // namespace faultcore

#endif  // FAULTCORE_LIBFAULTCORE_INTERNAL_INTERVAL_SET_H_
