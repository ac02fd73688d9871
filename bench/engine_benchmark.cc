// Hot-path cost of Engine::Check and of the C ABI call, by rule count.
// A first cut; bench/ grows into the full suite with the blkdebug reference
// implementation and the instruction-count guard.
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "faultcore/faultcore.h"
#include "libfaultcore/engine.h"
#include "proto/faultcore.pb.h"

namespace faultcore {
namespace {

constexpr uint64_t kDeviceBlocks = uint64_t{1} << 31;  // 1 TiB of 512 B

// `n` one-block media errors at random LBAs (seeded), never at LBA < 2^20
// so that requests there miss.
v1::RuleSet RandomRules(int64_t n) {
  v1::RuleSet set;
  std::mt19937_64 rng(42);
  for (int64_t i = 0; i < n; ++i) {
    v1::Rule* r = set.add_rules();
    r->mutable_range()->set_lba((uint64_t{1} << 20) +
                                rng() % (kDeviceBlocks - (1 << 20)));
    r->mutable_media_error();
  }
  return set;
}

std::unique_ptr<Engine> MakeEngine(int64_t n) {
  auto engine = std::move(*Engine::Create());
  if (n > 0) {
    absl::Status s = engine->LoadValidated(RandomRules(n));
    if (!s.ok()) std::abort();
  }
  return engine;
}

void BM_CheckMiss(benchmark::State& state) {
  auto engine = MakeEngine(state.range(0));
  Verdict v;
  // 4 KiB reads at random LBAs over the whole device, most between rules:
  // the walk of the interval index on a miss.
  std::mt19937_64 rng(7);
  std::vector<uint64_t> offsets(4096);
  for (uint64_t& o : offsets) o = (rng() % kDeviceBlocks) * 512;
  size_t i = 0;
  int64_t hits = 0;
  for (auto _ : state) {
    hits += engine->Check(1, Op::kRead, offsets[i++ & 4095], 4096, &v) !=
            Action::kPass;
  }
  state.counters["hit_ratio"] = benchmark::Counter(
      static_cast<double>(hits), benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_CheckMiss)->Arg(0)->Arg(1)->Arg(1000)->Arg(100000)->Arg(1000000);

void BM_CheckMissCAbi(benchmark::State& state) {
  fc_engine* engine = nullptr;
  fc_engine_create(&engine, nullptr);
  std::string text;
  std::mt19937_64 rng(42);
  for (int64_t i = 0; i < state.range(0); ++i) {
    absl::StrAppend(&text, "rules { range { lba: ",
                    (uint64_t{1} << 20) + rng() % (kDeviceBlocks - (1 << 20)),
                    " } media_error {} }\n");
  }
  if (!text.empty()) {
    fc_engine_load_buffer(engine, text.data(), text.size(), FC_FORMAT_TEXT,
                          "bench", nullptr);
  }
  fc_verdict v;
  v.size = sizeof(v);
  uint64_t lba = 0;
  for (auto _ : state) {
    fc_engine_check(engine, 1, FC_OP_READ, (lba & 0xfffff) * 512, 4096, &v);
    lba += 8;
    benchmark::DoNotOptimize(v.action);
  }
  fc_engine_destroy(engine);
}
BENCHMARK(BM_CheckMissCAbi)->Arg(0)->Arg(1000);

void BM_CheckHit(benchmark::State& state) {
  v1::RuleSet set = RandomRules(state.range(0));
  set.mutable_rules(0)->mutable_range()->set_lba(100);
  auto engine = std::move(*Engine::Create());
  if (!engine->LoadValidated(set).ok()) std::abort();
  Verdict v;
  for (auto _ : state) {
    engine->Check(1, Op::kRead, 96 * 512, 4096, &v);
    benchmark::DoNotOptimize(v.action);
  }
}
BENCHMARK(BM_CheckHit)->Arg(1)->Arg(1000)->Arg(1000000);

void BM_Publish(benchmark::State& state) {
  v1::RuleSet set = RandomRules(state.range(0));
  auto engine = std::move(*Engine::Create());
  for (auto _ : state) {
    if (!engine->LoadValidated(set).ok()) std::abort();
  }
}
BENCHMARK(BM_Publish)
    ->Arg(1000)
    ->Arg(100000)
    ->Arg(1000000)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace faultcore
