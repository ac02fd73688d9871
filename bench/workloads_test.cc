// The benchmark workloads must be what their names say: misses never
// overlap a rule, hits always do, and every generator is deterministic.
#include "bench/workloads.h"

#include <algorithm>

#include "gtest/gtest.h"

namespace faultcore {
namespace bench {
namespace {

TEST(WorkloadsTest, RulesAreSortedAboveTheFloorAndDeterministic) {
  for (Layout layout : {Layout::kRandom, Layout::kClustered}) {
    std::vector<uint64_t> lbas = RuleLbas(layout, 1000);
    ASSERT_EQ(lbas.size(), 1000u);
    EXPECT_TRUE(std::is_sorted(lbas.begin(), lbas.end()));
    EXPECT_GE(lbas.front(), kRuleFloorLba);
    EXPECT_LT(lbas.back(), kDeviceBlocks);
    EXPECT_EQ(lbas, RuleLbas(layout, 1000));
  }
}

TEST(WorkloadsTest, MissesMissAndHitsHit) {
  for (Layout layout : {Layout::kRandom, Layout::kClustered}) {
    std::vector<uint64_t> lbas = RuleLbas(layout, 5000);
    for (uint64_t length : {uint64_t{4096}, uint64_t{1} << 20}) {
      for (uint64_t o : MissOffsets(layout, lbas, length, 2000)) {
        EXPECT_EQ(o % length, 0u);
        for (uint64_t lba : lbas) {
          ASSERT_FALSE(lba * 512 >= o && lba * 512 < o + length)
              << "miss at " << o << " overlaps LBA " << lba;
        }
      }
      for (uint64_t o : HitOffsets(lbas, length, 2000)) {
        EXPECT_EQ(o % length, 0u);
        EXPECT_TRUE(Overlaps(lbas, o, length));
      }
    }
  }
}

TEST(WorkloadsTest, ClusteredMissesStayNearClusters) {
  std::vector<uint64_t> lbas = RuleLbas(Layout::kClustered, 640);
  const uint64_t width = kClusterRules * kClusterStride * 512;
  for (uint64_t o : MissOffsets(Layout::kClustered, lbas, 4096, 500)) {
    auto it = std::lower_bound(lbas.begin(), lbas.end(), o / 512);
    uint64_t near = UINT64_MAX;
    if (it != lbas.end()) near = std::min(near, *it * 512 - o);
    if (it != lbas.begin()) near = std::min(near, o - *(it - 1) * 512);
    EXPECT_LE(near, width);
  }
}

TEST(WorkloadsTest, CountLabels) {
  EXPECT_EQ(CountLabel(0), "0");
  EXPECT_EQ(CountLabel(1), "1");
  EXPECT_EQ(CountLabel(1000), "1k");
  EXPECT_EQ(CountLabel(100000), "100k");
  EXPECT_EQ(CountLabel(1000000), "1M");
  EXPECT_EQ(CountLabel(1500), "1500");
}

}  // namespace
}  // namespace bench
}  // namespace faultcore
