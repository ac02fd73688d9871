// IntervalSet against a brute-force bitmap of a small address space.
//
// The address space is a window of kSpace bytes placed at 0, in the middle
// of the 64-bit range, or right below UINT64_MAX, so arithmetic at both ends
// is exercised.  After every With() the set must agree with the bitmap on
// FirstUncovered() for every (start, end) pair, on CoveredBytes(), and keep
// its spans sorted, disjoint and non-touching; the set it was built from must
// not change (copy-on-write).
#include "libfaultcore/internal/interval_set.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace faultcore {
namespace {

constexpr uint64_t kSpace = 96;
constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

struct Bitmap {
  uint64_t base;
  std::vector<bool> bits = std::vector<bool>(kSpace, false);

  void Add(uint64_t start, uint64_t end) {
    for (uint64_t a = start; a < end; ++a) bits[a - base] = true;
  }
  uint64_t FirstUncovered(uint64_t start, uint64_t end) const {
    for (uint64_t a = start; a < end; ++a) {
      if (!bits[a - base]) return a;
    }
    return end;
  }
  uint64_t Covered() const {
    uint64_t n = 0;
    for (bool b : bits) n += b;
    return n;
  }
};

std::string Spans(const IntervalSet& set) {
  std::ostringstream s;
  for (const IntervalSet::Span& sp : set.spans()) {
    s << "[" << sp.start << ", " << sp.end << ") ";
  }
  return s.str();
}

void CheckAgainst(const IntervalSet& set, const Bitmap& model,
                  const std::string& history) {
  ASSERT_EQ(set.CoveredBytes(), model.Covered()) << history << Spans(set);
  // Invariants of the representation.
  const std::vector<IntervalSet::Span>& spans = set.spans();
  for (size_t i = 0; i < spans.size(); ++i) {
    ASSERT_LT(spans[i].start, spans[i].end) << history << Spans(set);
    if (i > 0) {
      ASSERT_LT(spans[i - 1].end, spans[i].start)
          << "spans must be sorted, disjoint and not touching\n"
          << history << Spans(set);
    }
  }
  // Exhaustive FirstUncovered over every [start, end) of the window,
  // including the empty ranges (nothing of [s, s) is outside: the answer is
  // s).  next[k] = the first uncovered offset >= k, by brute force.
  const uint64_t b = model.base;
  std::vector<uint64_t> next(kSpace + 1);
  for (uint64_t k = 0; k <= kSpace; ++k) {
    next[k] = model.FirstUncovered(b + k, b + kSpace) - b;
  }
  for (uint64_t s = 0; s <= kSpace; ++s) {
    for (uint64_t e = s; e <= kSpace; ++e) {
      const uint64_t want = b + std::min(next[s], e);
      const uint64_t got = set.FirstUncovered(b + s, b + e);
      ASSERT_EQ(got, want) << "FirstUncovered(" << s << ", " << e
                           << ") relative to base " << b << "\n"
                           << history << Spans(set);
    }
  }
}

class IntervalSetTest : public ::testing::TestWithParam<uint64_t> {};

TEST_P(IntervalSetTest, EmptySet) {
  IntervalSet set;
  EXPECT_EQ(set.CoveredBytes(), 0u);
  EXPECT_TRUE(set.spans().empty());
  Bitmap model{GetParam()};
  CheckAgainst(set, model, "empty set\n");
}

TEST_P(IntervalSetTest, MatchesBitmapModel) {
  const uint64_t base = GetParam();
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    std::mt19937_64 rng(seed);
    IntervalSet set;
    Bitmap model{base};
    std::ostringstream history;
    history << "seed " << seed << ", base " << base << ", With() calls:";
    const int steps = static_cast<int>(rng() % 24) + 1;
    for (int step = 0; step < steps; ++step) {
      // Mostly short spans (so gaps, touching and overlapping neighbours
      // all occur), sometimes long ones that swallow several spans.
      uint64_t len = rng() % 4 == 0 ? 1 + rng() % kSpace : 1 + rng() % 6;
      uint64_t start = rng() % (kSpace - 1);
      uint64_t end = std::min(start + len, kSpace);
      start += base;
      end += base;
      history << " [" << start - base << "," << end - base << ")";

      const IntervalSet before = set;
      const std::string before_spans = Spans(before);
      IntervalSet next = set.With(start, end);
      // Copy-on-write: the original is untouched.
      ASSERT_EQ(Spans(set), before_spans) << history.str();
      model.Add(start, end);
      set = next;
      ASSERT_NO_FATAL_FAILURE(CheckAgainst(set, model, history.str() + "\n"));
    }
  }
}

// Spans that touch merge into one (the "non-touching" invariant).
TEST_P(IntervalSetTest, TouchingSpansMerge) {
  const uint64_t b = GetParam();
  IntervalSet set = IntervalSet().With(b + 10, b + 20).With(b + 30, b + 40);
  ASSERT_EQ(set.spans().size(), 2u);
  set = set.With(b + 20, b + 30);
  ASSERT_EQ(set.spans().size(), 1u) << Spans(set);
  EXPECT_EQ(set.spans()[0].start, b + 10);
  EXPECT_EQ(set.spans()[0].end, b + 40);
  EXPECT_EQ(set.CoveredBytes(), 30u);
  EXPECT_EQ(set.FirstUncovered(b + 10, b + 50), b + 40);
  EXPECT_EQ(set.FirstUncovered(b + 5, b + 50), b + 5);
  EXPECT_EQ(set.FirstUncovered(b + 15, b + 35), b + 35);
}

INSTANTIATE_TEST_SUITE_P(Windows, IntervalSetTest,
                         ::testing::Values(uint64_t{0}, uint64_t{1} << 63,
                                           kMax - kSpace),
                         [](const ::testing::TestParamInfo<uint64_t>& info) {
                           return info.index == 0 ? std::string("AtZero")
                                  : info.index == 1
                                      ? std::string("InTheMiddle")
                                      : std::string("BelowUint64Max");
                         });

}  // namespace
}  // namespace faultcore
