// Behaviour of the engine per action and firing condition, through its C++
// surface.  The exhaustive comparison with a brute-force model lives in
// tests/verdict_property_test.cc; these cases document the semantics one by
// one.
#include "libfaultcore/engine.h"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "libfaultcore/corrupt.h"
#include "libfaultcore/internal/rcu.h"

namespace faultcore {
namespace {

constexpr uint64_t kSector = 512;

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto created = Engine::Create();
    ASSERT_TRUE(created.ok());
    engine_ = std::move(*created);
  }

  void Load(const std::string& text) {
    absl::Status status =
        engine_->LoadBuffer(text, RuleFormat::kText, "test.txtpb");
    ASSERT_TRUE(status.ok()) << status;
  }

  Verdict Check(Op op, uint64_t lba, uint64_t blocks,
                uint32_t target = kNoTarget) {
    Verdict v;
    engine_->Check(target, op, lba * kSector, blocks * kSector, &v);
    return v;
  }

  std::unique_ptr<Engine> engine_;
};

TEST_F(EngineTest, EmptyEnginePassesEverything) {
  EXPECT_EQ(Check(Op::kRead, 0, 8).action, Action::kPass);
  EXPECT_EQ(engine_->Check(kNoTarget, Op::kFlush, 0, 0, nullptr),
            Action::kPass);
  EXPECT_EQ(engine_->RuleCount(), 0u);
}

TEST_F(EngineTest, MediaErrorReportsFirstBadSectorAndGoodPrefix) {
  Load(R"pb(rules {
              name: "bad"
              range { lba: 1010 count: 4 }
              media_error {}
            })pb");
  // Starts before the range: the prefix is good.
  Verdict v = Check(Op::kRead, 1000, 32);
  EXPECT_EQ(v.action, Action::kMediaError);
  EXPECT_EQ(v.rule_id, 0u);
  EXPECT_EQ(v.first_bad_byte, 1010 * kSector);
  EXPECT_EQ(v.good_bytes, 10 * kSector);
  EXPECT_EQ(v.bad_bytes, 4 * kSector);
  // Defaults: 03/11/00, NVMe 2/81 DNR, ATA DRDY|ERR + UNC, EIO.
  EXPECT_EQ(v.codes.scsi_sense_key, 0x3);
  EXPECT_EQ(v.codes.scsi_asc, 0x11);
  EXPECT_EQ(v.codes.scsi_ascq, 0x00);
  EXPECT_EQ(v.codes.nvme_sct, 0x2);
  EXPECT_EQ(v.codes.nvme_sc, 0x81);
  EXPECT_TRUE(v.codes.nvme_dnr);
  EXPECT_EQ(v.codes.ata_status, 0x41);
  EXPECT_EQ(v.codes.ata_error, 0x40);
  EXPECT_EQ(v.codes.errno_value, EIO);
  // Starts inside the range.
  v = Check(Op::kRead, 1012, 8);
  EXPECT_EQ(v.first_bad_byte, 1012 * kSector);
  EXPECT_EQ(v.good_bytes, 0u);
  EXPECT_EQ(v.bad_bytes, 2 * kSector);
  // Neighbours pass; writes pass (default ops: read).
  EXPECT_EQ(Check(Op::kRead, 1000, 10).action, Action::kPass);
  EXPECT_EQ(Check(Op::kRead, 1014, 10).action, Action::kPass);
  EXPECT_EQ(Check(Op::kWrite, 1010, 1).action, Action::kPass);
}

TEST_F(EngineTest, CodesOverrideDefaultsFieldByField) {
  Load(R"pb(rules {
              range { lba: 5 }
              media_error {}
              codes {
                scsi { ascq: 1 format: DESCRIPTOR }
                nvme { dnr: false }
                errno_value: 61
              }
            })pb");
  Verdict v = Check(Op::kRead, 0, 8);
  EXPECT_EQ(v.codes.scsi_sense_key, 0x3);
  EXPECT_EQ(v.codes.scsi_asc, 0x11);
  EXPECT_EQ(v.codes.scsi_ascq, 0x01);
  EXPECT_EQ(v.codes.scsi_sense_format, 2);
  EXPECT_FALSE(v.codes.nvme_dnr);
  EXPECT_EQ(v.codes.nvme_sc, 0x81);
  EXPECT_EQ(v.codes.errno_value, 61);
}

TEST_F(EngineTest, LowestAddressWinsThenRuleOrder) {
  Load(R"pb(rules {
              name: "late"
              range { lba: 20 }
              media_error {}
            }
            rules {
              name: "early"
              range { lba: 10 }
              media_error {}
              codes { scsi { asc: 0x16 } }
            }
            rules {
              name: "early-too"
              range { lba: 10 count: 100 }
              recovered_error {}
            })pb");
  Verdict v = Check(Op::kRead, 0, 32);
  EXPECT_EQ(v.rule_id, 1u);  // lba 10 beats lba 20; rule 1 before rule 2
  EXPECT_EQ(v.codes.scsi_asc, 0x16);
  v = Check(Op::kRead, 11, 32);
  EXPECT_EQ(v.rule_id, 2u);  // only "early-too" covers 11
  EXPECT_EQ(v.first_bad_byte, 11 * kSector);
}

TEST_F(EngineTest, TriggerSkipEveryNthMaxFires) {
  Load(R"pb(rules {
              range { lba: 0 }
              media_error {}
              trigger { skip: 2 every_nth: 3 max_fires: 2 }
            })pb");
  std::vector<bool> fired;
  for (int i = 0; i < 12; ++i) {
    fired.push_back(Check(Op::kRead, 0, 1).action != Action::kPass);
  }
  // Matches 1,2 skipped; then every 3rd from match 3: 3, 6 (budget 2).
  std::vector<bool> expected = {false, false, true,  false, false, true,
                                false, false, false, false, false, false};
  EXPECT_EQ(fired, expected);
  auto stats = engine_->Stats(0, kNoTarget);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->matches, 12u);
  EXPECT_EQ(stats->fires, 2u);
}

TEST_F(EngineTest, OnceFiresOnceAndResetStartsOver) {
  Load(R"pb(rules {
              range { lba: 0 }
              media_error {}
              trigger { once: true }
            })pb");
  EXPECT_NE(Check(Op::kRead, 0, 1).action, Action::kPass);
  EXPECT_EQ(Check(Op::kRead, 0, 1).action, Action::kPass);
  engine_->Reset();
  EXPECT_NE(Check(Op::kRead, 0, 1).action, Action::kPass);
}

TEST_F(EngineTest, PerTargetCountersAndTargetFilter) {
  Load(R"pb(rules {
              name: "each-once"
              range { lba: 0 }
              media_error {}
              trigger { once: true per_target: true }
            }
            rules {
              name: "only-b"
              target: "disk-b"
              range { lba: 100 }
              write_fault {}
            })pb");
  uint32_t a = engine_->TargetId("disk-a");
  uint32_t b = engine_->TargetId("disk-b");
  EXPECT_NE(a, b);
  EXPECT_EQ(engine_->TargetId("disk-a"), a);
  EXPECT_NE(Check(Op::kRead, 0, 1, a).action, Action::kPass);
  EXPECT_EQ(Check(Op::kRead, 0, 1, a).action, Action::kPass);
  EXPECT_NE(Check(Op::kRead, 0, 1, b).action, Action::kPass);
  EXPECT_EQ(Check(Op::kWrite, 100, 1, a).action, Action::kPass);
  EXPECT_EQ(Check(Op::kWrite, 100, 1, b).action, Action::kWriteFault);
  auto sum = engine_->Stats(0, kNoTarget);
  auto only_a = engine_->Stats(0, a);
  ASSERT_TRUE(sum.ok() && only_a.ok());
  EXPECT_EQ(sum->fires, 2u);
  EXPECT_EQ(only_a->matches, 2u);
  EXPECT_EQ(only_a->fires, 1u);
}

TEST_F(EngineTest, StatesArmRulesAndTransitionOnHitsAndEvents) {
  Load(R"pb(states: [ "healthy", "failing", "dead" ]
            rules {
              name: "first-error"
              range { lba: 7 }
              states: "healthy"
              media_error {}
              next_state: "failing"
            }
            rules {
              name: "spreading"
              range { lba: 0 count: 1000 }
              states: "failing"
              media_error {}
            }
            transitions { event: "kill" from: "failing" to: "dead" }
            rules {
              name: "all-dead"
              states: "dead"
              ops: [ READ, WRITE, FLUSH ]
              media_error {}
            })pb");
  EXPECT_EQ(engine_->CurrentState(), "healthy");
  EXPECT_EQ(Check(Op::kRead, 0, 4).action, Action::kPass);
  EXPECT_EQ(Check(Op::kRead, 0, 8).rule_id, 0u);
  EXPECT_EQ(engine_->CurrentState(), "failing");
  EXPECT_EQ(Check(Op::kRead, 0, 4).rule_id, 1u);
  EXPECT_TRUE(engine_->RaiseEvent("kill").ok());
  EXPECT_EQ(engine_->CurrentState(), "dead");
  EXPECT_EQ(engine_->Check(kNoTarget, Op::kFlush, 0, 0, nullptr),
            Action::kMediaError);
  EXPECT_EQ(engine_->RaiseEvent("nonexistent").code(),
            absl::StatusCode::kNotFound);
  engine_->Reset();
  EXPECT_EQ(engine_->CurrentState(), "healthy");
}

TEST_F(EngineTest, HealOnWriteClearsWrittenBlocksAfterFailedWrites) {
  Load(R"pb(rules {
              name: "pending"
              range { lba: 100 count: 4 }
              media_error { heal_on_write { fail_writes: 1 } }
            })pb");
  EXPECT_EQ(Check(Op::kRead, 100, 4).action, Action::kMediaError);
  // The first write fails with write-fault codes and heals nothing.
  Verdict w = Check(Op::kWrite, 100, 1);
  EXPECT_EQ(w.action, Action::kWriteFault);
  EXPECT_EQ(w.codes.scsi_asc, 0x0c);
  EXPECT_EQ(Check(Op::kRead, 100, 4).first_bad_byte, 100 * kSector);
  // The next heals the two blocks it covers.
  EXPECT_EQ(Check(Op::kWrite, 100, 2).action, Action::kPass);
  Verdict r = Check(Op::kRead, 96, 8);
  EXPECT_EQ(r.action, Action::kMediaError);
  EXPECT_EQ(r.first_bad_byte, 102 * kSector);
  EXPECT_EQ(r.good_bytes, 6 * kSector);
  auto stats = engine_->Stats(0, kNoTarget);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->healed_bytes, 2 * kSector);
  // Heal the rest: reads pass.
  EXPECT_EQ(Check(Op::kWrite, 102, 2).action, Action::kPass);
  EXPECT_EQ(Check(Op::kRead, 96, 16).action, Action::kPass);
  // Reset brings the bad blocks back.
  engine_->Reset();
  EXPECT_EQ(Check(Op::kRead, 100, 1).action, Action::kMediaError);
}

TEST_F(EngineTest, PartialBlockWriteDoesNotHeal) {
  Load(R"pb(rules {
              range { lba: 10 }
              media_error { heal_on_write {} }
            })pb");
  engine_->Check(kNoTarget, Op::kWrite, 10 * kSector + 1, 100, nullptr);
  EXPECT_EQ(Check(Op::kRead, 10, 1).action, Action::kMediaError);
}

TEST_F(EngineTest, TornWriteKeepsFirstBlocksOfRange) {
  Load(R"pb(rules {
              range { lba: 50 count: 10 }
              torn_write { good_blocks: 3 }
            }
            rules {
              range { lba: 200 count: 10 }
              torn_write { good_blocks: 3 report_success: true }
            })pb");
  Verdict v = Check(Op::kWrite, 40, 20);
  EXPECT_EQ(v.action, Action::kTornWrite);
  EXPECT_EQ(v.first_bad_byte, 53 * kSector);
  EXPECT_EQ(v.good_bytes, 13 * kSector);
  EXPECT_EQ(v.flags & kReportSuccess, 0u);
  EXPECT_EQ(v.codes.scsi_asc, 0x0c);
  // A write touching no more than 3 blocks of the range is not torn.
  EXPECT_EQ(Check(Op::kWrite, 45, 8).action, Action::kPass);
  v = Check(Op::kWrite, 200, 10);
  EXPECT_EQ(v.good_bytes, 3 * kSector);
  EXPECT_NE(v.flags & kReportSuccess, 0u);
  EXPECT_EQ(Check(Op::kRead, 50, 10).action, Action::kPass);
}

TEST_F(EngineTest, LostWriteDelayHoldRecovered) {
  Load(R"pb(rules {
              range { lba: 0 }
              lost_write {}
            }
            rules {
              range { lba: 10 }
              delay { ns: 5000 }
              latency_ns: 7
            }
            rules {
              name: "stuck"
              range { lba: 20 }
              hold { timeout_ns: 2000000 on_timeout: FAIL }
            }
            rules {
              range { lba: 30 }
              recovered_error {}
            })pb");
  EXPECT_EQ(Check(Op::kWrite, 0, 1).action, Action::kLostWrite);
  EXPECT_EQ(Check(Op::kRead, 0, 1).action, Action::kPass);
  Verdict d = Check(Op::kRead, 10, 1);
  EXPECT_EQ(d.action, Action::kDelay);
  EXPECT_EQ(d.delay_ns, 5007u);
  Verdict h = Check(Op::kRead, 20, 1);
  EXPECT_EQ(h.action, Action::kHold);
  EXPECT_EQ(h.hold_timeout_ns, 2000000u);
  EXPECT_NE(h.flags & kFailOnTimeout, 0u);
  EXPECT_EQ(h.codes.errno_value, ETIMEDOUT);
  Verdict r = Check(Op::kRead, 30, 1);
  EXPECT_EQ(r.action, Action::kRecovered);
  EXPECT_EQ(r.codes.scsi_sense_key, 0x1);
  EXPECT_EQ(r.codes.errno_value, 0);
}

TEST_F(EngineTest, HoldsAreReleasedByTargetRuleAndReset) {
  Load(R"pb(rules {
              name: "stuck"
              range { lba: 20 }
              hold {}
            })pb");
  Verdict h = Check(Op::kRead, 20, 1);
  ASSERT_EQ(h.action, Action::kHold);
  int released = 0;
  auto bump = [](void* opaque) { ++*static_cast<int*>(opaque); };
  uint32_t a = engine_->TargetId("a");
  uint64_t t1 = engine_->Hold(a, h, bump, &released);
  engine_->Hold(engine_->TargetId("b"), h, bump, &released);
  uint64_t t3 = engine_->Hold(a, h, bump, &released);
  EXPECT_EQ(engine_->Stats(0, kNoTarget)->held, 3u);
  EXPECT_TRUE(engine_->CancelHold(t3));
  EXPECT_FALSE(engine_->CancelHold(t3));
  EXPECT_EQ(engine_->Release(a, std::nullopt), 1u);
  EXPECT_EQ(released, 1);
  EXPECT_FALSE(engine_->CancelHold(t1));
  EXPECT_EQ(engine_->Release(std::nullopt, absl::string_view("other")), 0u);
  engine_->Reset();
  EXPECT_EQ(released, 2);
  EXPECT_EQ(engine_->Stats(0, kNoTarget)->held, 0u);
}

TEST_F(EngineTest, CorruptionStaysInsideTheRange) {
  Load(R"pb(rules {
              range { lba: 2 count: 2 }
              corrupt { bits_per_block: 3 seed: 42 }
            })pb");
  Verdict v = Check(Op::kRead, 0, 8);
  ASSERT_EQ(v.action, Action::kCorrupt);
  std::vector<unsigned char> buf(8 * kSector, 0);
  CorruptBuffer(v, 0, buf.data(), buf.size());
  int flipped = 0;
  for (size_t i = 0; i < buf.size(); ++i) {
    if (buf[i] != 0) {
      EXPECT_GE(i, 2 * kSector);
      EXPECT_LT(i, 4 * kSector);
      flipped += __builtin_popcount(buf[i]);
    }
  }
  EXPECT_EQ(flipped, 6);
}

TEST_F(EngineTest, FlushMatchesOnlyWholeDeviceRules) {
  Load(R"pb(rules {
              range { lba: 0 }
              ops: FLUSH
              write_fault {}
            }
            rules {
              ops: [ FLUSH ]
              write_fault {}
              codes { errno_value: 28 }
            })pb");
  Verdict v;
  EXPECT_EQ(engine_->Check(kNoTarget, Op::kFlush, 0, 0, &v),
            Action::kWriteFault);
  EXPECT_EQ(v.rule_id, 1u);
  EXPECT_EQ(v.codes.errno_value, 28);
}

TEST_F(EngineTest, FailedLoadKeepsPreviousRules) {
  Load(R"pb(rules {
              range { lba: 1 }
              media_error {}
            })pb");
  absl::Status bad = engine_->LoadBuffer(
      "rules { range { lba: 1 } media_error {} trigger { probability: 2 } }",
      RuleFormat::kText, "bad.txtpb");
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("bad.txtpb:1:"), std::string::npos) << bad;
  EXPECT_NE(bad.message().find("probability"), std::string::npos) << bad;
  EXPECT_EQ(Check(Op::kRead, 1, 1).action, Action::kMediaError);
}

TEST_F(EngineTest, RequestsNearTheTopOfTheAddressSpace) {
  Load(R"pb(block_size: 4096
            rules {
              range { lba: 4503599627370494 count: 1 }
              media_error {}
            })pb");
  const uint64_t bad = 4503599627370494ull * 4096;
  Verdict v;
  EXPECT_EQ(engine_->Check(kNoTarget, Op::kRead, bad - 4096, UINT64_MAX, &v),
            Action::kMediaError);
  EXPECT_EQ(v.first_bad_byte, bad);
  EXPECT_EQ(v.block_size, 4096u);
}

// A loader waits for a grace period before freeing the rule set it
// replaced, but not while it holds the writer lock: a reader that stays in
// its section delays that loader only, and the next load is published at
// once.
TEST_F(EngineTest, SlowReaderDoesNotBlockTheNextLoad) {
  auto rules = [](int n) {
    std::string text;
    for (int i = 0; i < n; ++i) {
      text += "rules { range { lba: " + std::to_string(i) +
              " } media_error {} }\n";
    }
    return text;
  };
  std::atomic<bool> reader_in{false}, reader_out{false};
  std::thread reader([&] {
    rcu::ReadSection section;
    reader_in.store(true);
    while (!reader_out.load()) std::this_thread::yield();
  });
  while (!reader_in.load()) std::this_thread::yield();

  auto load = [&](int n) {
    return std::thread([&, n] {
      EXPECT_TRUE(
          engine_->LoadBuffer(rules(n), RuleFormat::kText, "t.txtpb").ok());
    });
  };
  auto published = [&](uint32_t n) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (engine_->RuleCount() != n) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::yield();
    }
    return true;
  };
  std::thread first = load(1);
  EXPECT_TRUE(published(1));
  std::thread second = load(2);
  EXPECT_TRUE(published(2)) << "the second load waited for the first "
                               "loader's grace period";
  reader_out.store(true);
  reader.join();
  first.join();
  second.join();
  EXPECT_EQ(engine_->RuleCount(), 2u);
}

}  // namespace
}  // namespace faultcore
