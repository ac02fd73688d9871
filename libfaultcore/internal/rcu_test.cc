#include "libfaultcore/internal/rcu.h"

#include <atomic>
#include <chrono>
#include <thread>

#include "gtest/gtest.h"

namespace faultcore {
namespace rcu {
namespace {

// A writer's grace period must wait for a section that began before it, and
// must not wait for one that begins after.
TEST(RcuTest, GracePeriodWaitsForEarlierReadersOnly) {
  std::atomic<int> phase{0};
  std::thread reader([&] {
    ReadSection section;
    phase.store(1);
    while (phase.load() != 2) std::this_thread::yield();
  });
  while (phase.load() != 1) std::this_thread::yield();
  GraceToken token = StartGracePeriod();
  EXPECT_FALSE(GracePeriodPassed(token));
  phase.store(2);
  reader.join();
  EXPECT_TRUE(GracePeriodPassed(token));
}

TEST(RcuTest, SynchronizeReturnsWithReadersInLaterSections) {
  std::atomic<bool> stop{false};
  std::atomic<long> sections{0};
  std::thread reader([&] {
    while (!stop.load()) {
      ReadSection section;
      sections.fetch_add(1, std::memory_order_relaxed);
    }
  });
  while (sections.load() == 0) std::this_thread::yield();
  for (int i = 0; i < 100; ++i) Synchronize();
  stop.store(true);
  reader.join();
  EXPECT_GT(sections.load(), 0);
}

// An inner section ending must not end the outer one: a grace period that
// began while the outer section was open still waits for it.
TEST(RcuTest, NestedSectionKeepsTheOuterSectionOpen) {
  std::atomic<int> phase{0};
  std::thread reader([&] {
    ReadSection outer;
    phase.store(1);
    while (phase.load() != 2) std::this_thread::yield();
    { ReadSection inner; }
    phase.store(3);
    while (phase.load() != 4) std::this_thread::yield();
  });
  while (phase.load() != 1) std::this_thread::yield();
  GraceToken token = StartGracePeriod();
  phase.store(2);
  while (phase.load() != 3) std::this_thread::yield();
  EXPECT_FALSE(GracePeriodPassed(token));
  phase.store(4);
  reader.join();
  EXPECT_TRUE(GracePeriodPassed(token));
}

// A section nested in one that began before a grace period does not make
// the thread look newer than its outer section: after both end, later
// grace periods pass at once.
TEST(RcuTest, NestedSectionsEndWithTheOutermost) {
  {
    ReadSection outer;
    { ReadSection inner; }
    { ReadSection inner_again; }
  }
  EXPECT_TRUE(GracePeriodPassed(StartGracePeriod()));
}

TEST(RcuTest, NestedReadSectionInsideOutermostOneIsSafe) {
  std::atomic<int> phase{0};
  std::thread reader([&] {
    OutermostReadSection outer;
    { ReadSection inner; }
    phase.store(1);
    while (phase.load() != 2) std::this_thread::yield();
  });
  while (phase.load() != 1) std::this_thread::yield();
  GraceToken token = StartGracePeriod();
  // The reader's period predates the token: still inside `outer`.
  EXPECT_FALSE(GracePeriodPassed(token));
  phase.store(2);
  reader.join();
  EXPECT_TRUE(GracePeriodPassed(token));
}

#ifndef NDEBUG
TEST(RcuDeathTest, OutermostSectionRefusesToNest) {
  EXPECT_DEATH(
      {
        ReadSection outer;
        OutermostReadSection inner;
      },
      "inside another read section");
}
#endif

TEST(RcuTest, ExitedThreadsDoNotBlockGracePeriods) {
  for (int i = 0; i < 50; ++i) {
    std::thread([] { ReadSection section; }).join();
  }
  Synchronize();
  SUCCEED();
}

}  // namespace
}  // namespace rcu
}  // namespace faultcore
