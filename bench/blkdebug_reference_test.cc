// The blkdebug reference must behave like upstream rule_check(), or the
// side-by-side ratios compare against the wrong thing.
#include "bench/blkdebug_reference.h"

#include <cerrno>

#include "gtest/gtest.h"

namespace faultcore {
namespace bench {
namespace {

using Ref = BlkdebugReference;

TEST(BlkdebugReferenceTest, RulesAreInactiveUntilTheirEvent) {
  Ref ref;
  ref.AddInjectError(Ref::kReadAio, 100);
  EXPECT_EQ(ref.RuleCheck(100 * 512, 512, Ref::kRead), 0);
  ref.DebugEvent(Ref::kReadAio);
  EXPECT_EQ(ref.RuleCheck(100 * 512, 512, Ref::kRead), -EIO);
}

TEST(BlkdebugReferenceTest, MatchesWhenTheSectorIsInsideTheRequest) {
  Ref ref;
  ref.AddInjectError(Ref::kReadAio, 100);
  EXPECT_EQ(ref.Request(false, 96 * 512, 4096), -EIO);  // covers 96..103
  EXPECT_EQ(ref.Request(false, 101 * 512, 4096), 0);    // starts after it
  EXPECT_EQ(ref.Request(false, 92 * 512, 4096), 0);     // ends at 100
  EXPECT_EQ(ref.Request(false, 100 * 512, 1), -EIO);
}

TEST(BlkdebugReferenceTest, FlushNeverMatchesASectorRule) {
  Ref ref;
  ref.AddInjectError(Ref::kReadAio, 0);
  ref.DebugEvent(Ref::kReadAio);
  EXPECT_EQ(ref.RuleCheck(0, 0, Ref::kFlush), 0);
}

TEST(BlkdebugReferenceTest, RuleWithoutSectorMatchesEverything) {
  Ref ref;
  ref.AddInjectError(Ref::kWriteAio, -1);
  EXPECT_EQ(ref.Request(true, 123456789, 512), -EIO);
}

TEST(BlkdebugReferenceTest, AnotherEventReplacesTheActiveRules) {
  Ref ref;
  ref.AddInjectError(Ref::kReadAio, 10);
  ref.AddInjectError(Ref::kWriteAio, 20);
  EXPECT_EQ(ref.Request(false, 10 * 512, 512), -EIO);
  // The write event activates only write_aio rules...
  EXPECT_EQ(ref.Request(true, 10 * 512, 512), 0);
  EXPECT_EQ(ref.Request(true, 20 * 512, 512), -EIO);
}

TEST(BlkdebugReferenceTest, OnceRuleIsRemovedWhenItFires) {
  Ref ref;
  ref.AddInjectError(Ref::kReadAio, 7, /*once=*/true);
  ref.AddInjectError(Ref::kReadAio, 8);
  EXPECT_EQ(ref.Request(false, 0, 4096), -EIO);  // the once rule (newest)
  EXPECT_EQ(ref.Request(false, 7 * 512, 512), 0);
  EXPECT_EQ(ref.Request(false, 8 * 512, 512), -EIO);
}

}  // namespace
}  // namespace bench
}  // namespace faultcore
