// Fixed hot-path workloads for the instruction-count regression guard
// (bench/instruction_guard.py, `make bench-guard`).
//
// Run under `valgrind --tool=callgrind --collect-atstart=no`: for each
// workload the setup (building rules, loading them) and a warm-up pass
// (registering the thread's RCU slot, faulting pages in) run uncounted;
// then collection is switched on for exactly kChecks checks and the counts
// are dumped under the workload's name.  Everything is seeded and nothing
// depends on time, so the instruction counts are exact and repeat from run
// to run; only the compiler, the flags (-c opt) and the libraries can
// change them.
//
// Without valgrind the program runs the same checks and prints the table
// of workloads (useful to see what is measured).
//
//   hot_path_workloads [--list] [--plain] [WORKLOAD...]
//
// --plain issues no callgrind client requests, for profiling a workload
// with callgrind's own options, e.g.
//   valgrind --tool=callgrind '--toggle-collect=*RunChecks*'
//       hot_path_workloads --plain hit_1k
//   callgrind_annotate --inclusive=yes callgrind.out.*
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define FAULTCORE_HAVE_CALLGRIND 1
#endif
#endif
#ifndef FAULTCORE_HAVE_CALLGRIND
#define CALLGRIND_ZERO_STATS
#define CALLGRIND_TOGGLE_COLLECT
#define CALLGRIND_DUMP_STATS_AT(name)
#define RUNNING_ON_VALGRIND 0
#endif

#include "bench/rule_sets.h"
#include "bench/workloads.h"
#include "faultcore/faultcore.h"
#include "libfaultcore/engine.h"
#include "proto/faultcore.pb.h"

#if !defined(__OPTIMIZE__)
#error \
    "hot_path_workloads must be built with -c opt: budgets are for optimized code"
#endif

namespace faultcore {
namespace bench {
namespace {

// Checks per workload: enough that the per-check count has three exact
// digits after the point, few enough that the guard runs in seconds.
constexpr size_t kChecks = 100000;
constexpr size_t kQueries = 4096;  // distinct requests, cycled
constexpr uint32_t kTarget = 1;

void Die(const std::string& message) {
  std::fprintf(stderr, "hot_path_workloads: %s\n", message.c_str());
  std::exit(2);
}

std::unique_ptr<Engine> EngineWith(const v1::RuleSet* rules) {
  auto engine = Engine::Create();
  if (!engine.ok()) Die(engine.status().ToString());
  if (rules != nullptr) {
    absl::Status s = (*engine)->LoadValidated(*rules);
    if (!s.ok()) Die(s.ToString());
  }
  return std::move(*engine);
}

// The measured loop, kept out of line so the profile names it.
__attribute__((noinline)) size_t RunChecks(Engine& engine, Op op,
                                           const uint64_t* offsets,
                                           uint64_t length) {
  size_t fired = 0;
  Verdict v;
  for (size_t i = 0; i < kChecks; ++i) {
    fired += engine.Check(kTarget, op, offsets[i % kQueries], length, &v) !=
             Action::kPass;
  }
  return fired;
}

__attribute__((noinline)) size_t RunCChecks(fc_engine* engine, uint32_t op,
                                            const uint64_t* offsets,
                                            uint64_t length) {
  size_t fired = 0;
  fc_verdict v;
  v.size = sizeof(v);
  for (size_t i = 0; i < kChecks; ++i) {
    fired += fc_engine_check(engine, kTarget, op, offsets[i % kQueries], length,
                             &v) != FC_ACTION_PASS;
  }
  return fired;
}

bool g_client_requests = true;  // false with --plain; set before any run

// Runs `body` once uncounted (warm-up), then once counted.
size_t Measured(const char* name, const std::function<size_t()>& body) {
  body();
  if (!g_client_requests) return body();
  CALLGRIND_ZERO_STATS;
  CALLGRIND_TOGGLE_COLLECT;
  size_t fired = body();
  CALLGRIND_TOGGLE_COLLECT;
  CALLGRIND_DUMP_STATS_AT(name);
  return fired;
}

// A C++ workload: `n` random rules (n < 0: no rule set loaded at all; a
// rule file cannot be empty), 4 KiB requests of `op`.
size_t CxxWorkload(const char* name, int64_t n, Op op, bool hit) {
  std::vector<uint64_t> lbas = RuleLbas(Layout::kRandom, n < 0 ? 0 : n);
  v1::RuleSet rules = MediaErrorRules(lbas);
  std::unique_ptr<Engine> engine = EngineWith(n < 0 ? nullptr : &rules);
  const std::vector<uint64_t> offsets =
      hit ? HitOffsets(lbas, 4096, kQueries)
          : MissOffsets(Layout::kRandom, lbas, 4096, kQueries);
  return Measured(name,
                  [&] { return RunChecks(*engine, op, offsets.data(), 4096); });
}

// Writes over the rules' own blocks: the coverage filter says "maybe",
// the interval index finds the rule, and its op mask (reads only) drops
// it.  The path of every request near a rule that does not fire.
size_t OverlapNoFire(const char* name) {
  std::vector<uint64_t> lbas = RuleLbas(Layout::kRandom, 1000);
  v1::RuleSet rules = MediaErrorRules(lbas);
  std::unique_ptr<Engine> engine = EngineWith(&rules);
  const std::vector<uint64_t> offsets = HitOffsets(lbas, 4096, kQueries);
  return Measured(name, [&] {
    return RunChecks(*engine, Op::kWrite, offsets.data(), 4096);
  });
}

// A rule with a trigger (every 2nd match fires): the counter path.
size_t TriggerHit(const char* name) {
  std::vector<uint64_t> lbas = RuleLbas(Layout::kRandom, 1000);
  v1::RuleSet rules = MediaErrorRules(lbas);
  for (v1::Rule& r : *rules.mutable_rules()) {
    r.mutable_trigger()->set_every_nth(2);
  }
  std::unique_ptr<Engine> engine = EngineWith(&rules);
  const std::vector<uint64_t> offsets = HitOffsets(lbas, 4096, kQueries);
  return Measured(name, [&] {
    return RunChecks(*engine, Op::kRead, offsets.data(), 4096);
  });
}

// Through the C ABI; n == 0: no rule set loaded.
size_t CAbiMiss(const char* name, int64_t n) {
  std::vector<uint64_t> lbas = RuleLbas(Layout::kRandom, n);
  const std::string bytes = MediaErrorRules(lbas).SerializeAsString();
  fc_engine* engine = nullptr;
  if (fc_engine_create(&engine, nullptr) != FC_OK ||
      (n > 0 &&
       fc_engine_load_buffer(engine, bytes.data(), bytes.size(),
                             FC_FORMAT_BINARY, "guard", nullptr) != FC_OK)) {
    Die("C ABI engine setup failed");
  }
  const std::vector<uint64_t> offsets =
      MissOffsets(Layout::kRandom, lbas, 4096, kQueries);
  size_t fired = Measured(name, [&] {
    return RunCChecks(engine, FC_OP_READ, offsets.data(), 4096);
  });
  fc_engine_destroy(engine);
  return fired;
}

struct Entry {
  const char* name;
  const char* what;
  std::function<size_t(const char*)> run;
  // Requests of the counted pass that must not pass: [min, max].
  size_t min_fired;
  size_t max_fired;
};

const std::vector<Entry>& Entries() {
  static const std::vector<Entry> entries = {
      {"no_rules", "C++ Check, 4 KiB read, no rule set loaded",
       [](const char* n) { return CxxWorkload(n, -1, Op::kRead, false); }, 0,
       0},
      {"miss_1", "C++ Check, 4 KiB read missing the only rule",
       [](const char* n) { return CxxWorkload(n, 1, Op::kRead, false); }, 0, 0},
      {"miss_1k", "C++ Check, 4 KiB read missing 1k random rules",
       [](const char* n) { return CxxWorkload(n, 1000, Op::kRead, false); }, 0,
       0},
      {"miss_100k", "C++ Check, 4 KiB read missing 100k random rules",
       [](const char* n) { return CxxWorkload(n, 100000, Op::kRead, false); },
       0, 0},
      {"hit_1k", "C++ Check, 4 KiB read hitting one of 1k media errors",
       [](const char* n) { return CxxWorkload(n, 1000, Op::kRead, true); },
       kChecks, kChecks},
      {"overlap_nofire_1k", "C++ Check, 4 KiB write over a read-only rule",
       [](const char* n) { return OverlapNoFire(n); }, 0, 0},
      {"trigger_hit_1k", "C++ Check, read hitting an every_nth: 2 rule",
       [](const char* n) { return TriggerHit(n); }, kChecks * 2 / 5,
       kChecks * 3 / 5},
      {"c_abi_no_rules", "fc_engine_check, 4 KiB read, no rule set loaded",
       [](const char* n) { return CAbiMiss(n, 0); }, 0, 0},
      {"c_abi_miss_1k", "fc_engine_check, 4 KiB read missing 1k rules",
       [](const char* n) { return CAbiMiss(n, 1000); }, 0, 0},
  };
  return entries;
}

}  // namespace
}  // namespace bench
}  // namespace faultcore

int main(int argc, char** argv) {
  using faultcore::bench::Entries;
  using faultcore::bench::kChecks;
  std::vector<std::string> wanted;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--list") == 0) {
      for (const auto& e : Entries()) std::printf("%s\t%s\n", e.name, e.what);
      return 0;
    }
    if (std::strcmp(argv[i], "--plain") == 0) {
      faultcore::bench::g_client_requests = false;
      continue;
    }
    wanted.push_back(argv[i]);
  }
  int status = 0;
  std::printf("checks_per_workload %zu\n", kChecks);
  for (const auto& e : Entries()) {
    if (!wanted.empty() &&
        std::find(wanted.begin(), wanted.end(), e.name) == wanted.end()) {
      continue;
    }
    const size_t fired = e.run(e.name);
    // A workload that stops doing what it says would make its budget
    // meaningless: fail loudly instead.
    const bool ok = fired >= e.min_fired && fired <= e.max_fired;
    std::printf("workload %s fired %zu expected %zu..%zu %s\n", e.name, fired,
                e.min_fired, e.max_fired, ok ? "ok" : "WRONG");
    if (!ok) status = 3;
  }
  return status;
}
