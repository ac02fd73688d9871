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
