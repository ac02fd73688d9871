#include "libfaultcore/internal/coverage_filter.h"

#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace faultcore {
namespace {

bool BruteOverlaps(const std::vector<Interval>& ivs, uint64_t s, uint64_t e) {
  for (const Interval& iv : ivs) {
    if (iv.start < e && s < iv.end) return true;
  }
  return false;
}

// Against a linear scan, on random sets of every size up to a few hundred
// (so every shape of Eytzinger tree, complete or not, is covered), with
// overlapping, touching, nested and top-of-address-space intervals.
TEST(CoverageFilterTest, MatchesBruteForce) {
  std::mt19937_64 rng(20261125);
  for (int round = 0; round < 600; ++round) {
    const int n = round % 300;
    const uint64_t space = round % 3 == 0 ? 1000 : UINT64_MAX;
    std::vector<Interval> ivs;
    for (int i = 0; i < n; ++i) {
      uint64_t start = rng() % (space - 1);
      uint64_t len = 1 + rng() % (round % 2 ? 50 : 5);
      uint64_t end = space - start < len ? space : start + len;
      ivs.push_back(Interval{start, end, static_cast<uint32_t>(i)});
    }
    CoverageFilter filter(ivs);
    for (int q = 0; q < 200; ++q) {
      uint64_t s = rng() % (space - 1);
      uint64_t len = 1 + rng() % 20;
      uint64_t e = space - s < len ? space : s + len;
      ASSERT_EQ(filter.Overlaps(s, e), BruteOverlaps(ivs, s, e))
          << "round " << round << " query [" << s << ", " << e << ")";
    }
    // Every interval's own bounds.
    for (const Interval& iv : ivs) {
      ASSERT_TRUE(filter.Overlaps(iv.start, iv.start + 1));
      ASSERT_TRUE(filter.Overlaps(iv.end - 1, iv.end));
      if (iv.start > 0) {
        ASSERT_EQ(filter.Overlaps(iv.start - 1, iv.start),
                  BruteOverlaps(ivs, iv.start - 1, iv.start));
      }
    }
  }
}

TEST(CoverageFilterTest, EmptyAndWholeSpace) {
  EXPECT_FALSE(CoverageFilter(std::vector<Interval>{}).Overlaps(0, UINT64_MAX));
  CoverageFilter all(std::vector<Interval>{Interval{0, UINT64_MAX, 0}});
  EXPECT_TRUE(all.Overlaps(0, 1));
  EXPECT_TRUE(all.Overlaps(UINT64_MAX - 1, UINT64_MAX));
}

}  // namespace
}  // namespace faultcore
