// The engine's hot path, measured: google-benchmark suites for verdict
// lookups (miss and hit, no rules to 1M rules, random and clustered
// layouts, 4 KiB and 1 MiB requests), readers while a writer republishes,
// publish cost and reader latency during a publish, the C ABI against the
// C++ call, the trigger/counter/state paths, and -- in the same binary, for
// side-by-side ratios -- a reference implementation of upstream blkdebug's
// list scan.
//
// Build with -c opt (make bench does).  Benchmark names are stable;
// bench/report.py reads them from the JSON output:
//   Check/{miss,hit}/{random,clustered}/<rules>/<4KiB,1MiB>
//   Check/no_rules/4KiB          (no rule set loaded; a rule file cannot be
//                                 empty, so this is the "0 rules" case)
//   Blkdebug/{rule_check,request}/<rules>/4KiB
//   Readers/<writer>/1k/real_time/threads:<n>
//   Publish/{validated,binary}/<rules>
//   ReaderLatency/{idle,publishing}/1M
//   Api/{cxx,c,c_table}/{miss,hit}/<rules>   (c_dlopen: dlopen_benchmark)
//   Trigger/..., PerTarget/..., State/..., Event/...
//
// This binary measures the engine through its public surface (engine.h and
// faultcore.h) only.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#include "absl/strings/str_cat.h"
#include "bench/blkdebug_reference.h"
#include "bench/rule_sets.h"
#include "bench/workloads.h"
#include "benchmark/benchmark.h"
#include "faultcore/faultcore.h"
#include "libfaultcore/engine.h"
#include "proto/faultcore.pb.h"

namespace faultcore {
namespace bench {
namespace {

constexpr size_t kQueries = size_t{1} << 16;  // distinct requests per run
constexpr size_t kQueryMask = kQueries - 1;
constexpr uint32_t kTarget = 1;

void Die(const std::string& message) {
  std::fprintf(stderr, "engine_benchmark: %s\n", message.c_str());
  std::exit(1);
}

std::unique_ptr<Engine> NewEngine() {
  absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Create();
  if (!engine.ok()) Die(engine.status().ToString());
  return std::move(*engine);
}

void MustLoad(Engine& engine, const v1::RuleSet& set) {
  absl::Status s = engine.LoadValidated(set);
  if (!s.ok()) Die(s.ToString());
}

void MustLoadText(Engine& engine, const std::string& text) {
  absl::Status s = engine.LoadBuffer(text, RuleFormat::kText, "bench");
  if (!s.ok()) Die(s.ToString());
}

// ---- Verdict lookups -------------------------------------------------------

// An engine with `n` media-error rules in `layout`.  Building 1M rules takes
// a second, so the last fixture is kept: benchmarks are registered grouped
// by (layout, n).  Only the registration thread uses this.
struct RuleFixture {
  Layout layout;
  int64_t n;
  std::vector<uint64_t> lbas;
  std::unique_ptr<Engine> engine;
};

RuleFixture& GetRuleFixture(Layout layout, int64_t n) {
  static RuleFixture* cached = nullptr;
  if (cached == nullptr || cached->layout != layout || cached->n != n) {
    delete cached;
    cached = nullptr;
    auto f = std::make_unique<RuleFixture>();
    f->layout = layout;
    f->n = n;
    f->lbas = RuleLbas(layout, n);
    f->engine = NewEngine();
    MustLoad(*f->engine, MediaErrorRules(f->lbas));
    cached = f.release();
  }
  return *cached;
}

// Runs every request once (warming caches and the thread's RCU slot) and
// returns the fraction that did not pass.
double FireRatio(Engine& engine, Op op, const std::vector<uint64_t>& offsets,
                 uint64_t length) {
  size_t fired = 0;
  Verdict v;
  for (uint64_t o : offsets) {
    fired += engine.Check(kTarget, op, o, length, &v) != Action::kPass;
  }
  return offsets.empty() ? 0 : static_cast<double>(fired) / offsets.size();
}

void BM_Check(benchmark::State& state, Layout layout, int64_t n, bool hit,
              uint64_t length) {
  RuleFixture& f = GetRuleFixture(layout, n);
  const std::vector<uint64_t> offsets =
      hit ? HitOffsets(f.lbas, length, kQueries)
          : MissOffsets(layout, f.lbas, length, kQueries);
  Engine& engine = *f.engine;
  state.counters["fire_ratio"] = FireRatio(engine, Op::kRead, offsets, length);
  Verdict v;
  size_t i = 0;
  for (auto _ : state) {
    Action a =
        engine.Check(kTarget, Op::kRead, offsets[i++ & kQueryMask], length, &v);
    benchmark::DoNotOptimize(a);
  }
  state.SetItemsProcessed(state.iterations());
}

// No rule set was ever loaded: what "0 rules" means in the tables.
void BM_CheckNoRules(benchmark::State& state) {
  std::unique_ptr<Engine> engine = NewEngine();
  const std::vector<uint64_t> offsets =
      MissOffsets(Layout::kRandom, {}, 4096, kQueries);
  Verdict v;
  size_t i = 0;
  for (auto _ : state) {
    Action a =
        engine->Check(kTarget, Op::kRead, offsets[i++ & kQueryMask], 4096, &v);
    benchmark::DoNotOptimize(a);
  }
  state.SetItemsProcessed(state.iterations());
}

// ---- The blkdebug reference -------------------------------------------------

// `request`: what one upstream read costs (event processing + rule_check);
// otherwise rule_check alone.  The rules are read_aio inject-error rules at
// the same sectors as the engine's random layout; requests are 4 KiB misses.
void BM_Blkdebug(benchmark::State& state, int64_t n, bool request) {
  const std::vector<uint64_t> lbas = RuleLbas(Layout::kRandom, n);
  BlkdebugReference ref;
  for (uint64_t lba : lbas) {
    ref.AddInjectError(BlkdebugReference::kReadAio, static_cast<int64_t>(lba));
  }
  const std::vector<uint64_t> offsets =
      MissOffsets(Layout::kRandom, lbas, 4096, kQueries);
  ref.DebugEvent(BlkdebugReference::kReadAio);  // activates the rules
  // A sample of the requests once (a full pass at 1M rules takes minutes).
  const size_t sample = n >= 100000 ? 16 : 1024;
  int failed = 0;
  for (size_t k = 0; k < sample; ++k) {
    failed += ref.RuleCheck(offsets[k], 4096, BlkdebugReference::kRead) != 0;
  }
  state.counters["fire_ratio"] = static_cast<double>(failed) / sample;
  size_t i = 0;
  for (auto _ : state) {
    int r = request ? ref.Request(false, offsets[i++ & kQueryMask], 4096)
                    : ref.RuleCheck(offsets[i++ & kQueryMask], 4096,
                                    BlkdebugReference::kRead);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}

// ---- Readers while a writer republishes -------------------------------------

// One engine with 1k random rules shared by every reader thread, and the
// writer that republishes it.  Created on first use (magic statics are
// thread-safe); lives until exit.
struct SharedReaders {
  std::unique_ptr<Engine> engine;
  v1::RuleSet rules;
  std::vector<uint64_t> offsets;
  std::thread writer;
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> publishes{0};
};

SharedReaders& GetSharedReaders() {
  static SharedReaders* shared = [] {
    auto* s = new SharedReaders;
    const std::vector<uint64_t> lbas = RuleLbas(Layout::kRandom, 1000);
    s->rules = MediaErrorRules(lbas);
    s->engine = NewEngine();
    MustLoad(*s->engine, s->rules);
    s->offsets = MissOffsets(Layout::kRandom, lbas, 4096, kQueries);
    return s;
  }();
  return *shared;
}

enum class WriterMode { kNone, kBusy, kPaced };

void BM_Readers(benchmark::State& state, WriterMode mode) {
  SharedReaders& s = GetSharedReaders();
  uint64_t publishes_before = 0;
  if (state.thread_index() == 0 && mode != WriterMode::kNone) {
    s.stop.store(false);
    publishes_before = s.publishes.load();
    s.writer = std::thread([&s, mode] {
      while (!s.stop.load(std::memory_order_relaxed)) {
        MustLoad(*s.engine, s.rules);
        s.publishes.fetch_add(1, std::memory_order_relaxed);
        if (mode == WriterMode::kPaced) {
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
      }
    });
  }
  Engine& engine = *s.engine;
  const std::vector<uint64_t>& offsets = s.offsets;
  Verdict v;
  // Threads start at different places in the request stream.
  size_t i = static_cast<size_t>(state.thread_index()) * 7919;
  for (auto _ : state) {
    Action a =
        engine.Check(kTarget, Op::kRead, offsets[i++ & kQueryMask], 4096, &v);
    benchmark::DoNotOptimize(a);
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0 && mode != WriterMode::kNone) {
    s.stop.store(true);
    s.writer.join();
    state.counters["publishes"] = benchmark::Counter(
        static_cast<double>(s.publishes.load() - publishes_before),
        benchmark::Counter::kIsRate);
  }
}

// ---- Publishing -------------------------------------------------------------

// Replacing the rule set: `binary` parses and validates a serialized
// RuleSet first (fc_engine_load_buffer with a .binpb); otherwise the
// already validated RuleSet is compiled, indexed and published.
void BM_Publish(benchmark::State& state, int64_t n, bool binary) {
  const v1::RuleSet set = MediaErrorRules(RuleLbas(Layout::kRandom, n));
  const std::string bytes = binary ? set.SerializeAsString() : std::string();
  std::unique_ptr<Engine> engine = NewEngine();
  for (auto _ : state) {
    absl::Status s =
        binary ? engine->LoadBuffer(bytes, RuleFormat::kBinary, "bench.binpb")
               : engine->LoadValidated(set);
    if (!s.ok()) Die(s.ToString());
  }
  state.counters["rules"] = static_cast<double>(n);
  if (binary) state.SetBytesProcessed(state.iterations() * bytes.size());
}

// Per-check latency of one reader while another thread replaces a rule set
// of 1M rules back to back (or, `publishing` false, while nothing else
// runs).  Reports percentiles from a histogram of TSC-timed checks.
class LatencyHistogram {
 public:
  // 1 ns buckets up to 4 us, then one bucket per 1 us up to 10 ms.
  void Add(double ns) {
    ++count_;
    max_ns_ = std::max(max_ns_, ns);
    size_t b = ns < kFine ? static_cast<size_t>(ns)
                          : kFine + static_cast<size_t>((ns - kFine) / 1000);
    if (b >= kBuckets) b = kBuckets - 1;
    ++buckets_[b];
  }
  double Percentile(double p) const {
    const uint64_t want = static_cast<uint64_t>(p * count_);
    uint64_t seen = 0;
    for (size_t b = 0; b < kBuckets; ++b) {
      seen += buckets_[b];
      if (seen > want)
        return b < kFine ? b + 1.0 : kFine + (b - kFine + 1) * 1000.0;
    }
    return max_ns_;
  }
  uint64_t CountAbove(double ns) const {
    uint64_t n = 0;
    for (size_t b = 0; b < kBuckets; ++b) {
      const double lo = b < kFine ? b : kFine + (b - kFine) * 1000.0;
      if (lo >= ns) n += buckets_[b];
    }
    return n;
  }
  uint64_t count() const { return count_; }
  double max_ns() const { return max_ns_; }

 private:
  static constexpr size_t kFine = 4000;
  static constexpr size_t kBuckets = kFine + 10000;
  std::vector<uint64_t> buckets_ = std::vector<uint64_t>(kBuckets);
  uint64_t count_ = 0;
  double max_ns_ = 0;
};

// Nanoseconds per TSC tick, measured against steady_clock.
double NsPerTick() {
#if defined(__x86_64__)
  static const double ns_per_tick = [] {
    auto t0 = std::chrono::steady_clock::now();
    uint64_t c0 = __rdtsc();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    uint64_t c1 = __rdtsc();
    auto t1 = std::chrono::steady_clock::now();
    return std::chrono::duration<double, std::nano>(t1 - t0).count() /
           static_cast<double>(c1 - c0);
  }();
  return ns_per_tick;
#else
  return 1.0;
#endif
}

// A serializing timestamp (rdtscp waits for earlier instructions).
inline uint64_t Ticks() {
#if defined(__x86_64__)
  unsigned aux;
  return __rdtscp(&aux);
#else
  return std::chrono::steady_clock::now().time_since_epoch().count();
#endif
}

void BM_ReaderLatency(benchmark::State& state, bool publishing) {
  const int64_t n = 1000000;
  RuleFixture& f = GetRuleFixture(Layout::kRandom, n);
  const v1::RuleSet set = MediaErrorRules(f.lbas);
  const std::vector<uint64_t> offsets =
      MissOffsets(Layout::kRandom, f.lbas, 4096, kQueries);
  Engine& engine = *f.engine;
  FireRatio(engine, Op::kRead, offsets, 4096);
  const double ns_per_tick = NsPerTick();
  std::atomic<bool> stop{false};
  std::atomic<int> publishes{0};
  std::atomic<double> publish_ms_max{0};
  for (auto _ : state) {
    LatencyHistogram hist;
    std::thread writer;
    if (publishing) {
      writer = std::thread([&] {
        while (!stop.load()) {
          auto t0 = std::chrono::steady_clock::now();
          MustLoad(engine, set);
          double ms = std::chrono::duration<double, std::milli>(
                          std::chrono::steady_clock::now() - t0)
                          .count();
          if (ms > publish_ms_max.load()) publish_ms_max.store(ms);
          publishes.fetch_add(1);
        }
      });
    }
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(20);
    const auto idle_end =
        std::chrono::steady_clock::now() + std::chrono::seconds(2);
    Verdict v;
    size_t i = 0;
    for (;;) {
      for (int k = 0; k < 4096; ++k) {
        const uint64_t t0 = Ticks();
        Action a = engine.Check(kTarget, Op::kRead, offsets[i++ & kQueryMask],
                                4096, &v);
        const uint64_t t1 = Ticks();
        benchmark::DoNotOptimize(a);
        hist.Add(static_cast<double>(t1 - t0) * ns_per_tick);
      }
      const auto now = std::chrono::steady_clock::now();
      if (publishing ? publishes.load() >= 3 || now > deadline
                     : now > idle_end) {
        break;
      }
    }
    stop.store(true);
    if (writer.joinable()) writer.join();
    state.counters["checks"] = static_cast<double>(hist.count());
    state.counters["p50_ns"] = hist.Percentile(0.50);
    state.counters["p99_ns"] = hist.Percentile(0.99);
    state.counters["p99.9_ns"] = hist.Percentile(0.999);
    state.counters["p99.99_ns"] = hist.Percentile(0.9999);
    state.counters["max_ns"] = hist.max_ns();
    state.counters["over_10us"] = static_cast<double>(hist.CountAbove(10000));
    state.counters["publishes"] = publishes.load();
    state.counters["publish_ms_max"] = publish_ms_max.load();
  }
}

// ---- C ABI against C++
// --------------------------------------------------------

enum class Caller { kCxx, kC, kCTable };

void BM_Api(benchmark::State& state, Caller caller, int64_t n, bool hit) {
  const std::vector<uint64_t> lbas = RuleLbas(Layout::kRandom, n);
  const std::string bytes = MediaErrorRules(lbas).SerializeAsString();
  const std::vector<uint64_t> offsets =
      hit ? HitOffsets(lbas, 4096, kQueries)
          : MissOffsets(Layout::kRandom, lbas, 4096, kQueries);
  const fc_api* api = caller == Caller::kCTable ? faultcore_get_api() : nullptr;
  // n == 0: no rule set loaded (a rule file cannot be empty).
  if (caller == Caller::kCxx) {
    std::unique_ptr<Engine> engine = NewEngine();
    if (n > 0) {
      absl::Status s = engine->LoadBuffer(bytes, RuleFormat::kBinary, "bench");
      if (!s.ok()) Die(s.ToString());
    }
    state.counters["fire_ratio"] = FireRatio(*engine, Op::kRead, offsets, 4096);
    Verdict v;
    size_t i = 0;
    for (auto _ : state) {
      Action a = engine->Check(kTarget, Op::kRead, offsets[i++ & kQueryMask],
                               4096, &v);
      benchmark::DoNotOptimize(a);
    }
    state.SetItemsProcessed(state.iterations());
    return;
  }
  // Through the C ABI: a direct call into the static library, or a call
  // through faultcore_get_api()'s table (as QEMU does).  The same through a
  // dlopen()ed libfaultcore.so, QEMU's exact path, is in
  // dlopen_benchmark.cc: that binary must not link protobuf.
  auto create = api ? api->engine_create : fc_engine_create;
  auto load = api ? api->engine_load_buffer : fc_engine_load_buffer;
  auto destroy = api ? api->engine_destroy : fc_engine_destroy;
  auto check = api ? api->engine_check : fc_engine_check;
  fc_engine* engine = nullptr;
  if (create(&engine, nullptr) != FC_OK) Die("fc_engine_create failed");
  if (n > 0 && load(engine, bytes.data(), bytes.size(), FC_FORMAT_BINARY,
                    "bench", nullptr) != FC_OK) {
    Die("fc_engine_load_buffer failed");
  }
  fc_verdict v;
  v.size = sizeof(v);
  size_t fired = 0;
  for (uint64_t o : offsets) {
    fired += check(engine, kTarget, FC_OP_READ, o, 4096, &v) != FC_ACTION_PASS;
  }
  state.counters["fire_ratio"] = static_cast<double>(fired) / offsets.size();
  size_t i = 0;
  if (caller == Caller::kC) {
    for (auto _ : state) {
      uint32_t a = fc_engine_check(engine, kTarget, FC_OP_READ,
                                   offsets[i++ & kQueryMask], 4096, &v);
      benchmark::DoNotOptimize(a);
    }
  } else {
    // The table pointer is loaded each time, as a host holding `api` would.
    const fc_api* volatile table = api;
    for (auto _ : state) {
      uint32_t a = table->engine_check(engine, kTarget, FC_OP_READ,
                                       offsets[i++ & kQueryMask], 4096, &v);
      benchmark::DoNotOptimize(a);
    }
  }
  state.SetItemsProcessed(state.iterations());
  destroy(engine);
}

// ---- Triggers, counters, state machine
// ---------------------------------------

// 1k random media errors (above 1 GiB) plus one rule per path under test at
// low LBAs, each hit by 4 KiB reads at its LBA.  Loaded from text so the
// validator checks it.
std::string StateMachineRules() {
  std::string text =
      "states: \"initial\"\nstates: \"degraded\"\n"
      "initial_state: \"initial\"\n"
      "transitions { event: \"degrade\" from: \"initial\" to: \"degraded\" }\n"
      "transitions { event: \"recover\" from: \"degraded\" to: \"initial\" }\n"
      "rules { name: \"plain\" range { lba: 1000 } media_error {} }\n"
      "rules { name: \"every_2nd\" range { lba: 2000 } media_error {}"
      "  trigger { every_nth: 2 } }\n"
      "rules { name: \"probability\" range { lba: 3000 } media_error {}"
      "  trigger { probability: 0.5 seed: 1 } }\n"
      "rules { name: \"once\" range { lba: 4000 } media_error {}"
      "  trigger { once: true } }\n"
      "rules { name: \"per_target\" range { lba: 5000 } media_error {}"
      "  trigger { per_target: true } }\n"
      "rules { name: \"gated\" range { lba: 6000 } media_error {}"
      "  states: \"degraded\" }\n"
      "rules { name: \"next_state\" range { lba: 7000 } media_error {}"
      "  next_state: \"initial\" }\n";
  for (uint64_t lba : RuleLbas(Layout::kRandom, 1000)) {
    absl::StrAppend(&text, "rules { range { lba: ", lba,
                    " } media_error {} }\n");
  }
  return text;
}

Engine& StateMachineEngine() {
  static Engine* engine = [] {
    Engine* e = NewEngine().release();
    MustLoadText(*e, StateMachineRules());
    return e;
  }();
  return *engine;
}

// A 4 KiB read at `lba`, by every thread; per-target rules see each thread
// as its own target when `own_target`.
void BM_RulePath(benchmark::State& state, uint64_t lba, bool own_target) {
  Engine& engine = StateMachineEngine();
  const uint32_t target =
      own_target ? static_cast<uint32_t>(state.thread_index()) + 1 : kTarget;
  Verdict v;
  uint64_t fired = 0;
  for (auto _ : state) {
    Action a = engine.Check(target, Op::kRead, lba * 512, 4096, &v);
    fired += a != Action::kPass;
  }
  state.counters["fire_ratio"] = benchmark::Counter(
      static_cast<double>(fired), benchmark::Counter::kAvgIterations);
  state.SetItemsProcessed(state.iterations());
}

void BM_RaiseEvent(benchmark::State& state) {
  Engine& engine = StateMachineEngine();
  bool degraded = false;
  for (auto _ : state) {
    absl::Status s = engine.RaiseEvent(degraded ? "recover" : "degrade");
    benchmark::DoNotOptimize(s);
    degraded = !degraded;
  }
  if (degraded) (void)engine.RaiseEvent("recover");
  state.SetItemsProcessed(state.iterations());
}

// ---- Registration
// ------------------------------------------------------------

void RegisterAll() {
  using benchmark::RegisterBenchmark;
  const std::vector<int64_t> counts = {1, 1000, 10000, 100000, 1000000};
  for (Layout layout : {Layout::kRandom, Layout::kClustered}) {
    for (int64_t n : counts) {
      for (bool hit : {false, true}) {
        for (uint64_t length : {uint64_t{4096}, uint64_t{1} << 20}) {
          const std::string name = absl::StrCat(
              "Check/", hit ? "hit/" : "miss/", LayoutName(layout), "/",
              CountLabel(n), "/", length == 4096 ? "4KiB" : "1MiB");
          RegisterBenchmark(name.c_str(), BM_Check, layout, n, hit, length);
        }
      }
    }
    if (layout == Layout::kRandom) {
      // Same fixture as the last random one (1M), before it is dropped.
      RegisterBenchmark("ReaderLatency/idle/1M", BM_ReaderLatency, false)
          ->Iterations(1)
          ->Unit(benchmark::kMillisecond);
      RegisterBenchmark("ReaderLatency/publishing/1M", BM_ReaderLatency, true)
          ->Iterations(1)
          ->Unit(benchmark::kMillisecond);
    }
  }
  RegisterBenchmark("Check/no_rules/4KiB", BM_CheckNoRules);

  for (int64_t n : {int64_t{0}, int64_t{1}, int64_t{1000}, int64_t{10000},
                    int64_t{100000}, int64_t{1000000}}) {
    for (bool request : {false, true}) {
      const std::string name =
          absl::StrCat("Blkdebug/", request ? "request/" : "rule_check/",
                       CountLabel(n), "/4KiB");
      RegisterBenchmark(name.c_str(), BM_Blkdebug, n, request)
          ->Unit(n >= 100000 ? benchmark::kMicrosecond
                             : benchmark::kNanosecond);
    }
  }

  const std::pair<const char*, WriterMode> writers[] = {
      {"no_writer", WriterMode::kNone},
      {"writer_busy", WriterMode::kBusy},
      {"writer_1ms", WriterMode::kPaced}};
  for (const auto& [label, mode] : writers) {
    RegisterBenchmark(absl::StrCat("Readers/", label, "/1k").c_str(),
                      BM_Readers, mode)
        ->ThreadRange(1, 2)
        ->UseRealTime();
  }

  for (int64_t n : {int64_t{1000}, int64_t{100000}, int64_t{1000000}}) {
    for (bool binary : {false, true}) {
      RegisterBenchmark(
          absl::StrCat("Publish/", binary ? "binary/" : "validated/",
                       CountLabel(n))
              .c_str(),
          BM_Publish, n, binary)
          ->Unit(benchmark::kMillisecond)
          ->MinTime(n >= 1000000 ? 2.0 : 0.5);
    }
  }

  const std::pair<const char*, Caller> callers[] = {
      {"cxx", Caller::kCxx}, {"c", Caller::kC}, {"c_table", Caller::kCTable}};
  for (int64_t n : {int64_t{0}, int64_t{1000}}) {
    for (bool hit : {false, true}) {
      if (hit && n == 0) continue;
      for (const auto& [label, caller] : callers) {
        RegisterBenchmark(absl::StrCat("Api/", label, hit ? "/hit/" : "/miss/",
                                       n == 0 ? "no_rules" : CountLabel(n))
                              .c_str(),
                          BM_Api, caller, n, hit);
      }
    }
  }

  struct Path {
    const char* name;
    uint64_t lba;
    bool own_target;
    bool threads;
  };
  const Path paths[] = {
      {"Trigger/none/hit", 1000, false, true},
      {"Trigger/every_2nd/hit", 2000, false, false},
      {"Trigger/probability_0.5/hit", 3000, false, false},
      {"Trigger/once_exhausted/hit", 4000, false, false},
      {"PerTarget/hit", 5000, true, true},
      {"State/gated_off/hit", 6000, false, false},
      {"State/next_state/hit", 7000, false, false},
  };
  for (const Path& p : paths) {
    benchmark::internal::Benchmark* b =
        RegisterBenchmark(p.name, BM_RulePath, p.lba, p.own_target);
    if (p.threads) b->ThreadRange(1, 2)->UseRealTime();
  }
  RegisterBenchmark("Event/raise", BM_RaiseEvent);
}

}  // namespace
}  // namespace bench
}  // namespace faultcore

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  faultcore::bench::RegisterAll();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
