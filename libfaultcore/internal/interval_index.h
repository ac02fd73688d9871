// An immutable index of half-open byte intervals, for overlap queries.
//
// The layout is cgranges' implicit interval tree (IITree): one contiguous
// array sorted by start, where the element at position i of level k (the
// positions whose lowest k bits are 1 and bit k is 0) also stores the
// largest end in its subtree.  A query walks the tree with a small fixed
// stack, allocates nothing and reports overlapping intervals in order of
// start (ties by id).
//
// Thread safety: immutable after Build(); any number of threads may query.
#ifndef FAULTCORE_LIBFAULTCORE_INTERNAL_INTERVAL_INDEX_H_
#define FAULTCORE_LIBFAULTCORE_INTERNAL_INTERVAL_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace faultcore {

struct Interval {
  uint64_t start;  // first byte
  uint64_t end;    // one past the last byte; end > start
  uint32_t id;     // caller's payload (a rule index)
};

class IntervalIndex {
 public:
  IntervalIndex() = default;
  // Builds the index.  Intervals may overlap each other in any way.
  explicit IntervalIndex(std::vector<Interval> intervals);

  IntervalIndex(IntervalIndex&&) = default;
  IntervalIndex& operator=(IntervalIndex&&) = default;

  size_t size() const { return nodes_.size(); }
  bool empty() const { return nodes_.empty(); }

  // Calls visit(const Interval&) for every interval overlapping
  // [start, end), in order of (start, id).  `end > start`.
  template <typename Visitor>
  void ForEachOverlap(uint64_t start, uint64_t end, Visitor&& visit) const;

 private:
  struct Node {
    Interval interval;
    uint64_t max_end;  // largest end in this node's subtree
  };
  struct Frame {
    int level;
    int64_t x;
    bool left_done;
  };
  std::vector<Node> nodes_;  // sorted by (start, id)
  int max_level_ = -1;
};

template <typename Visitor>
void IntervalIndex::ForEachOverlap(uint64_t start, uint64_t end,
                                   Visitor&& visit) const {
  const int64_t n = static_cast<int64_t>(nodes_.size());
  if (n == 0) return;
  const Node* a = nodes_.data();
  Frame stack[128];  // two frames per level at most; levels < 63
  int top = 0;
  stack[top++] = Frame{max_level_, (int64_t{1} << max_level_) - 1, false};
  while (top > 0) {
    Frame z = stack[--top];
    if (z.level <= 3) {
      // A small subtree: scan it linearly.
      int64_t i0 = z.x >> z.level << z.level;
      int64_t i1 = i0 + (int64_t{1} << (z.level + 1)) - 1;
      if (i1 > n) i1 = n;
      for (int64_t i = i0; i < i1 && a[i].interval.start < end; ++i) {
        if (start < a[i].interval.end) visit(a[i].interval);
      }
    } else if (!z.left_done) {
      int64_t y = z.x - (int64_t{1} << (z.level - 1));
      stack[top++] = Frame{z.level, z.x, true};
      if (y >= n || a[y].max_end > start) {
        stack[top++] = Frame{z.level - 1, y, false};
      }
    } else if (z.x < n && a[z.x].interval.start < end) {
      if (start < a[z.x].interval.end) visit(a[z.x].interval);
      stack[top++] =
          Frame{z.level - 1, z.x + (int64_t{1} << (z.level - 1)), false};
    }
  }
}

}  // namespace faultcore

#endif  // FAULTCORE_LIBFAULTCORE_INTERNAL_INTERVAL_INDEX_H_
