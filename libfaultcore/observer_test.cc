// Traces, statistics and asks through the engine's C++ surface: what a host
// sees when it observes requests or decides them from outside.
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "libfaultcore/engine.h"

namespace faultcore {
namespace {

constexpr uint64_t kSector = 512;

constexpr char kRules[] = R"pb(
  states: [ "healthy", "degraded" ]
  rules {
    name: "bad"
    range { lba: 100 count: 2 }
    next_state: "degraded"
    media_error {}
  }
  rules {
    name: "decide"
    range { lba: 1000 count: 8 }
    ops: [ READ, WRITE ]
    ask { timeout_ns: 5000000 on_timeout: FAIL }
  }
)pb";

class ObserverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto created = Engine::Create();
    ASSERT_TRUE(created.ok());
    engine_ = std::move(*created);
    disk_ = engine_->TargetId("disk0");
    path_ = absl::StrCat(::testing::TempDir(), "/trace-", getpid(), "-",
                         ::testing::UnitTest::GetInstance()
                             ->current_test_info()
                             ->name(),
                         ".jsonl");
  }

  void Load(const std::string& text) {
    absl::Status status =
        engine_->LoadBuffer(text, RuleFormat::kText, "test.txtpb");
    ASSERT_TRUE(status.ok()) << status;
  }

  // One request, completed at once with `result` after `latency_ns`.
  Verdict Request(Op op, uint64_t lba, uint64_t blocks, int32_t result = 0,
                  uint64_t latency_ns = 1000) {
    Verdict v;
    engine_->Check(disk_, op, lba * kSector, blocks * kSector, &v);
    engine_->Complete(disk_, op, v, result, latency_ns);
    return v;
  }

  // The dump's lines: [0] the header, then one per request.
  std::vector<std::string> Dump() {
    absl::Status status = engine_->DumpTrace(path_);
    EXPECT_TRUE(status.ok()) << status;
    std::ifstream in(path_);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  std::unique_ptr<Engine> engine_;
  uint32_t disk_ = 0;
  std::string path_;
};

TEST_F(ObserverTest, NothingObservedUntilStarted) {
  Load(kRules);
  Verdict v = Request(Op::kRead, 0, 8);
  EXPECT_EQ(v.seq, 0u);  // a pass carries no seq while nobody observes
  v = Request(Op::kRead, 100, 1);
  EXPECT_EQ(v.action, Action::kMediaError);
  EXPECT_NE(v.seq, 0u);  // a fault always has one, for events
  EXPECT_EQ(engine_->OpStatistics(disk_, Op::kRead).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(engine_->DumpTrace(path_).code(),
            absl::StatusCode::kFailedPrecondition);
}

// Found by tests/qemu/cases/019-qmp-bad-input: a dump to a FIFO that no one
// reads must fail at once, not block the caller (QEMU's main loop).
TEST_F(ObserverTest, DumpToAFifoFailsInsteadOfBlocking) {
  Load(kRules);
  ASSERT_TRUE(engine_->StartTrace(0, false).ok());
  const std::string fifo = path_ + ".fifo";
  unlink(fifo.c_str());
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  const absl::Status status = engine_->DumpTrace(fifo);
  EXPECT_FALSE(status.ok());
  EXPECT_TRUE(absl::StrContains(status.message(), fifo)) << status;
  unlink(fifo.c_str());
  EXPECT_EQ(engine_->DumpTrace("/dev/null").code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ObserverTest, TraceRecordsEveryRequestInOrder) {
  Load(kRules);
  ASSERT_TRUE(engine_->StartTrace(0, false).ok());
  Verdict pass = Request(Op::kRead, 0, 8, 0, 2000);
  Verdict bad = Request(Op::kRead, 99, 4, -EIO, 15000000);
  Verdict flush;
  engine_->Check(disk_, Op::kFlush, 0, 0, &flush);  // never completed
  EXPECT_NE(pass.seq, 0u);
  EXPECT_LT(pass.seq, bad.seq);
  EXPECT_LT(bad.seq, flush.seq);

  std::vector<std::string> lines = Dump();
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_TRUE(absl::StrContains(lines[0], "\"faultcore-trace\":1"));
  EXPECT_TRUE(absl::StrContains(lines[0], "\"capacity\":65536"));
  EXPECT_TRUE(absl::StrContains(lines[0], "\"recorded\":3,\"dropped\":0"));
  EXPECT_TRUE(absl::StrContains(
      lines[1], absl::StrCat("{\"seq\":", pass.seq, ",\"ns\":")));
  EXPECT_TRUE(absl::StrContains(
      lines[1],
      "\"target\":\"disk0\",\"op\":\"read\",\"offset\":0,\"bytes\":4096,"
      "\"action\":\"pass\",\"rule\":null,\"first-bad-offset\":null,"
      "\"good-bytes\":4096,\"result\":0,\"latency-ns\":2000,"
      "\"state\":\"healthy\"}"))
      << lines[1];
  EXPECT_TRUE(absl::StrContains(
      lines[2],
      "\"offset\":50688,\"bytes\":2048,\"action\":\"media_error\","
      "\"rule\":\"bad\",\"first-bad-offset\":51200,\"good-bytes\":512,"
      "\"result\":-5,\"latency-ns\":15000000,\"state\":\"healthy\","
      "\"codes\":{\"scsi\":[3,17,0],\"nvme\":[2,129,1],\"ata\":[65,64],"
      "\"errno\":5}}"))
      << lines[2];
  // The fault moved the state: the flush was decided in "degraded".
  EXPECT_TRUE(absl::StrContains(
      lines[3],
      "\"op\":\"flush\",\"offset\":0,\"bytes\":0,\"action\":\"pass\","
      "\"rule\":null,\"first-bad-offset\":null,\"good-bytes\":0,"
      "\"result\":null,\"latency-ns\":null,\"state\":\"degraded\"}"))
      << lines[3];
}

TEST_F(ObserverTest, FullRingDropsTheOldestAndSaysHowMany) {
  Load(kRules);
  ASSERT_TRUE(engine_->StartTrace(4, false).ok());
  std::vector<uint64_t> seqs;
  for (int i = 0; i < 10; ++i) seqs.push_back(Request(Op::kRead, 0, 1).seq);
  std::vector<std::string> lines = Dump();
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_TRUE(absl::StrContains(lines[0], "\"recorded\":4,\"dropped\":6"));
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(absl::StartsWith(lines[1 + i],
                                 absl::StrCat("{\"seq\":", seqs[6 + i], ",")));
  }
}

TEST_F(ObserverTest, InjectedOnlyAndStopKeepRecords) {
  Load(kRules);
  ASSERT_TRUE(engine_->StartTrace(0, true).ok());
  Request(Op::kRead, 0, 8);
  Request(Op::kRead, 100, 1, -EIO);
  Request(Op::kWrite, 5, 1);
  engine_->StopTrace();
  Request(Op::kRead, 101, 1, -EIO);  // after the stop: not recorded
  std::vector<std::string> lines = Dump();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(absl::StrContains(lines[0], "\"injected-only\":true"));
  EXPECT_TRUE(absl::StrContains(lines[1], "\"offset\":51200"));
}

// A request in flight when the trace stops still completes its record
// (found in review: it used to keep "result": null, "still in flight").
TEST_F(ObserverTest, RequestInFlightAtStopCompletesItsRecord) {
  Load(kRules);
  ASSERT_TRUE(engine_->StartTrace(0, false).ok());
  Verdict v;
  engine_->Check(disk_, Op::kRead, 100 * kSector, kSector, &v);
  ASSERT_NE(v.seq, 0u);
  engine_->StopTrace();
  engine_->Complete(disk_, Op::kRead, v, -EIO, 4242);
  std::vector<std::string> lines = Dump();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(absl::StrContains(lines[1], "\"result\":-5")) << lines[1];
  EXPECT_TRUE(absl::StrContains(lines[1], "\"latency-ns\":4242")) << lines[1];
}

TEST_F(ObserverTest, TraceWorksWithoutRulesAndAcrossReloads) {
  ASSERT_TRUE(engine_->StartTrace(0, false).ok());
  Request(Op::kWrite, 7, 1);  // no rules at all: still recorded
  Load(kRules);
  Request(Op::kRead, 100, 1, -EIO);
  Load(R"pb(rules { name: "other" range { lba: 100 } write_fault {} })pb");
  Request(Op::kWrite, 100, 1, -EIO);
  std::vector<std::string> lines = Dump();
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_TRUE(absl::StrContains(lines[1], "\"op\":\"write\",\"offset\":3584"));
  EXPECT_TRUE(absl::StrContains(lines[2], "\"rule\":\"bad\""));
  EXPECT_TRUE(absl::StrContains(lines[3], "\"rule\":\"other\""));
  engine_->StopTrace();
  // Observation over, rules back in force: a pass carries no seq again.
  EXPECT_EQ(Request(Op::kRead, 0, 1).seq, 0u);
}

TEST_F(ObserverTest, StoppingRestoresTheEngineWithoutRules) {
  ASSERT_TRUE(engine_->StartTrace(0, false).ok());
  EXPECT_TRUE(engine_->HasRules());  // an empty set routes the requests
  engine_->StopTrace();
  EXPECT_FALSE(engine_->HasRules());  // the one-load fast path is back
}

TEST_F(ObserverTest, DumpToAnUnwritablePathSaysWhy) {
  ASSERT_TRUE(engine_->StartTrace(0, false).ok());
  absl::Status status = engine_->DumpTrace("/nonexistent-dir/trace.jsonl");
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(absl::StrContains(status.message(),
                                "'/nonexistent-dir/trace.jsonl'"))
      << status;
  EXPECT_TRUE(absl::StrContains(status.message(), "No such file"))
      << status;
  EXPECT_EQ(engine_->StartTrace(kTraceMaxCapacity + 1, false).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ObserverTest, StatisticsCountHistogramsAndHeatMap) {
  Load(kRules);
  ASSERT_TRUE(engine_->StartStats(64 * 1024).ok());
  Request(Op::kRead, 0, 8, 0, 1000);        // 4 KiB at 0
  Request(Op::kRead, 8, 1, 0, 3000);        // 512 B at 4 KiB
  Request(Op::kRead, 100, 1, -EIO, 70000);  // fault, 50 KiB
  Request(Op::kRead, 256, 16, 0, 1000);     // 8 KiB at 128 KiB
  Request(Op::kWrite, 0, 1, 0, 500);
  absl::StatusOr<OpStats> reads = engine_->OpStatistics(disk_, Op::kRead);
  ASSERT_TRUE(reads.ok()) << reads.status();
  EXPECT_EQ(reads->requests, 4u);
  EXPECT_EQ(reads->bytes, 4096u + 512 + 512 + 8192);
  EXPECT_EQ(reads->completed, 4u);
  EXPECT_EQ(reads->failed, 1u);
  EXPECT_EQ(reads->injected[static_cast<size_t>(Action::kMediaError)], 1u);
  EXPECT_EQ(reads->size_histogram[HistogramBucket(512)], 2u);
  EXPECT_EQ(reads->size_histogram[HistogramBucket(4096)], 1u);
  EXPECT_EQ(reads->size_histogram[HistogramBucket(8192)], 1u);
  EXPECT_EQ(HistogramBucket(512), 10u);  // [512, 1024)
  EXPECT_EQ(reads->latency_histogram[HistogramBucket(1000)], 2u);
  EXPECT_EQ(reads->latency_max_ns, 70000u);
  EXPECT_EQ(reads->latency_total_ns, 75000u);
  EXPECT_EQ(reads->heat_bucket_bytes, 64u * 1024);
  ASSERT_EQ(reads->heat.size(), 2u);
  EXPECT_EQ(reads->heat[0].bucket, 0u);
  EXPECT_EQ(reads->heat[0].requests, 3u);
  EXPECT_EQ(reads->heat[0].injected, 1u);
  EXPECT_EQ(reads->heat[1].bucket, 2u);
  EXPECT_EQ(reads->heat[1].bytes, 8192u);
  absl::StatusOr<OpStats> writes = engine_->OpStatistics(disk_, Op::kWrite);
  ASSERT_TRUE(writes.ok());
  EXPECT_EQ(writes->requests, 1u);
  // A reset starts from zero.
  ASSERT_TRUE(engine_->StartStats(0).ok());
  reads = engine_->OpStatistics(disk_, Op::kRead);
  ASSERT_TRUE(reads.ok());
  EXPECT_EQ(reads->requests, 0u);
  EXPECT_EQ(reads->heat_bucket_bytes, kHeatDefaultBucketBytes);
}

// Tickets are unique in the process: a ticket of another engine (a QEMU
// node deleted and re-created under the same name) decides nothing here
// (found in review: every engine counted from 1).
TEST_F(ObserverTest, TicketsOfAnotherEngineDecideNothing) {
  Load(kRules);
  auto other = Engine::Create();
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE((*other)->LoadBuffer(kRules, RuleFormat::kText, "o.txtpb").ok());
  Verdict v;
  ASSERT_EQ(engine_->Check(disk_, Op::kRead, 1000 * kSector, kSector, &v),
            Action::kAsk);
  const uint64_t mine = engine_->Ask(disk_, Op::kRead, 1000 * kSector, kSector,
                                     v, nullptr, nullptr);
  const uint64_t theirs = (*other)->Ask(disk_, Op::kRead, 1000 * kSector,
                                        kSector, v, nullptr, nullptr);
  EXPECT_NE(mine, theirs);
  Decision d;
  d.action = Action::kMediaError;
  absl::Status status = engine_->Resolve(theirs, d);
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(status.message(), "no request was ever parked"))
      << status;
  EXPECT_TRUE(engine_->Resolve(mine, d).ok());
  EXPECT_TRUE((*other)->Resolve(theirs, d).ok());
}

// An ask parks until decided; the decision fails the request where the rule
// says, with the codes given.
TEST_F(ObserverTest, AskIsDecidedFromOutsideOnce) {
  Load(kRules);
  Verdict v;
  ASSERT_EQ(engine_->Check(disk_, Op::kRead, 998 * kSector, 4 * kSector, &v),
            Action::kAsk);
  EXPECT_EQ(v.hold_timeout_ns, 5000000u);
  EXPECT_TRUE(v.flags & kFailOnTimeout);
  static std::atomic<int> released{0};
  released = 0;
  const uint64_t ticket =
      engine_->Ask(disk_, Op::kRead, 998 * kSector, 4 * kSector, v,
                   [](void*) { released++; }, nullptr);
  Decision d;
  d.action = Action::kMediaError;
  d.codes.scsi_asc = 0x14;
  d.set = kDecideScsiAsc;
  ASSERT_TRUE(engine_->Resolve(ticket, d).ok());
  EXPECT_EQ(released.load(), 1);
  std::optional<Verdict> decided = engine_->TakeDecision(ticket);
  ASSERT_TRUE(decided.has_value());
  EXPECT_EQ(decided->action, Action::kMediaError);
  EXPECT_EQ(decided->first_bad_byte, 1000 * kSector);
  EXPECT_EQ(decided->good_bytes, 2 * kSector);
  EXPECT_EQ(decided->codes.scsi_sense_key, 3);  // default kept
  EXPECT_EQ(decided->codes.scsi_asc, 0x14);     // replaced
  EXPECT_EQ(decided->codes.errno_value, EIO);
  EXPECT_EQ(decided->seq, v.seq);
  EXPECT_FALSE(engine_->TakeDecision(ticket).has_value());  // once

  absl::Status again = engine_->Resolve(ticket, d);
  EXPECT_EQ(again.code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(again.message(), "no longer waiting"))
      << again;
  absl::Status unknown = engine_->Resolve(ticket + 100, d);
  EXPECT_EQ(unknown.code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(unknown.message(), "was ever parked"))
      << unknown;
}

TEST_F(ObserverTest, AskRefusesDecisionsThatCannotApply) {
  Load(kRules);
  Verdict v;
  engine_->Check(disk_, Op::kWrite, 1000 * kSector, kSector, &v);
  ASSERT_EQ(v.action, Action::kAsk);
  const uint64_t ticket = engine_->Ask(disk_, Op::kWrite, 1000 * kSector,
                                       kSector, v, nullptr, nullptr);
  Decision d;
  d.action = Action::kCorrupt;  // only reads can be corrupted
  absl::Status status = engine_->Resolve(ticket, d);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(status.message(), "alters data read"))
      << status;
  d.action = Action::kHold;
  EXPECT_EQ(engine_->Resolve(ticket, d).code(),
            absl::StatusCode::kInvalidArgument);
  d.action = Action::kWriteFault;
  d.set = kDecideErrno;
  d.codes.errno_value = 0;
  EXPECT_EQ(engine_->Resolve(ticket, d).code(),
            absl::StatusCode::kInvalidArgument);
  // Nothing changed: a valid decision still applies.
  d.codes.errno_value = ENOSPC;
  ASSERT_TRUE(engine_->Resolve(ticket, d).ok());
  EXPECT_EQ(engine_->TakeDecision(ticket)->codes.errno_value, ENOSPC);
}

TEST_F(ObserverTest, AHoldIsNotAnAsk) {
  const uint64_t ticket =
      engine_->Hold(disk_, Verdict(), nullptr, nullptr);
  absl::Status status = engine_->Resolve(ticket, Decision());
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(status.message(), "a hold, not an ask"));
}

TEST_F(ObserverTest, TraceShowsAnAsksDecision) {
  Load(kRules);
  ASSERT_TRUE(engine_->StartTrace(0, false).ok());
  Verdict v;
  engine_->Check(disk_, Op::kRead, 1000 * kSector, kSector, &v);
  const uint64_t ticket = engine_->Ask(disk_, Op::kRead, 1000 * kSector,
                                       kSector, v, nullptr, nullptr);
  Decision d;
  d.action = Action::kPass;
  ASSERT_TRUE(engine_->Resolve(ticket, d).ok());
  engine_->Complete(disk_, Op::kRead, *engine_->TakeDecision(ticket), 0, 9);
  std::vector<std::string> lines = Dump();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(absl::StrContains(
      lines[1], "\"action\":\"pass\",\"rule\":\"decide\""))
      << lines[1];
  EXPECT_TRUE(absl::StrContains(lines[1], "\"asked\":true")) << lines[1];
}

// Requests from several threads while the trace is dumped and restarted:
// every completed record is whole, seqs strictly increase.
TEST_F(ObserverTest, ConcurrentRequestsDumpsAndRestarts) {
  Load(kRules);
  ASSERT_TRUE(engine_->StartTrace(256, false).ok());
  ASSERT_TRUE(engine_->StartStats(0).ok());
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      for (uint64_t i = 0; !stop.load(); ++i) {
        Request(i % 3 ? Op::kRead : Op::kWrite, (i * 7 + t) % 200, 1,
                0, i);
      }
    });
  }
  for (int round = 0; round < 20; ++round) {
    std::vector<std::string> lines = Dump();
    ASSERT_FALSE(lines.empty());
    uint64_t last = 0;
    for (size_t i = 1; i < lines.size(); ++i) {
      ASSERT_TRUE(absl::StartsWith(lines[i], "{\"seq\":")) << lines[i];
      ASSERT_TRUE(absl::EndsWith(lines[i], "}")) << lines[i];
      uint64_t seq = std::stoull(lines[i].substr(7));
      ASSERT_GT(seq, last);
      last = seq;
    }
    if (round % 5 == 4) {
      ASSERT_TRUE(engine_->StartTrace(256, false).ok());
    }
    if (round % 7 == 6) {
      ASSERT_TRUE(engine_->StartStats(0).ok());
    }
  }
  stop = true;
  for (std::thread& t : threads) t.join();
  EXPECT_TRUE(engine_->OpStatistics(disk_, Op::kRead).ok());
}

}  // namespace
}  // namespace faultcore
