// fc_engine_check() exactly as QEMU calls it: through the function table of
// a dlopen()ed libfaultcore.so.  A binary of its own because it must not
// link protobuf or the engine: the shared object carries its own copy of
// the generated rule schema, and a second copy in the same process makes
// protobuf abort ("File already exists in database").  Names continue
// engine_benchmark's Api/* family:
//   Api/c_dlopen/{miss,hit}/{no_rules,1k}
//
// The library: $FAULTCORE_LIB, else libfaultcore.so in this binary's
// runfiles (a Bazel data dependency).
#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench/workloads.h"
#include "benchmark/benchmark.h"
#include "faultcore/faultcore.h"

namespace faultcore {
namespace bench {
namespace {

constexpr size_t kQueries = size_t{1} << 16;
constexpr size_t kQueryMask = kQueries - 1;
constexpr uint32_t kTarget = 1;

const fc_api* Api() {
  static const fc_api* api = []() -> const fc_api* {
    std::string path;
    if (const char* env = std::getenv("FAULTCORE_LIB")) {
      path = env;
    } else {
      char exe[4096];
      ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
      if (len <= 0) return nullptr;
      exe[len] = '\0';
      path =
          std::string(exe) + ".runfiles/faultcore/libfaultcore/libfaultcore.so";
    }
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      std::fprintf(stderr, "dlopen_benchmark: %s\n", dlerror());
      return nullptr;
    }
    auto get =
        reinterpret_cast<fc_get_api_fn>(dlsym(handle, FC_GET_API_SYMBOL));
    if (get == nullptr) return nullptr;
    const fc_api* table = get();
    return table->abi_major == FC_ABI_VERSION_MAJOR ? table : nullptr;
  }();
  return api;
}

// n == 0: no rule set loaded (a rule file cannot be empty).
void BM_Dlopen(benchmark::State& state, int64_t n, bool hit) {
  const fc_api* api = Api();
  if (api == nullptr) {
    state.SkipWithError("libfaultcore.so not found (set FAULTCORE_LIB)");
    return;
  }
  const std::vector<uint64_t> lbas = RuleLbas(Layout::kRandom, n);
  const std::vector<uint64_t> offsets =
      hit ? HitOffsets(lbas, 4096, kQueries)
          : MissOffsets(Layout::kRandom, lbas, 4096, kQueries);
  fc_engine* engine = nullptr;
  if (api->engine_create(&engine, nullptr) != FC_OK) {
    state.SkipWithError("engine_create failed");
    return;
  }
  if (n > 0) {
    const std::string text = MediaErrorRulesText(lbas);
    char* err = nullptr;
    if (api->engine_load_buffer(engine, text.data(), text.size(),
                                FC_FORMAT_TEXT, "bench", &err) != FC_OK) {
      state.SkipWithError(err != nullptr ? err : "load failed");
      api->free(err);
      api->engine_destroy(engine);
      return;
    }
  }
  fc_verdict v;
  v.size = sizeof(v);
  size_t fired = 0;
  for (uint64_t o : offsets) {
    fired += api->engine_check(engine, kTarget, FC_OP_READ, o, 4096, &v) !=
             FC_ACTION_PASS;
  }
  state.counters["fire_ratio"] = static_cast<double>(fired) / offsets.size();
  // The table pointer is loaded each time, as a host holding `api` would.
  const fc_api* volatile table = api;
  size_t i = 0;
  for (auto _ : state) {
    uint32_t a = table->engine_check(engine, kTarget, FC_OP_READ,
                                     offsets[i++ & kQueryMask], 4096, &v);
    benchmark::DoNotOptimize(a);
  }
  state.SetItemsProcessed(state.iterations());
  api->engine_destroy(engine);
}

BENCHMARK_CAPTURE(BM_Dlopen, miss_no_rules, 0, false)
    ->Name("Api/c_dlopen/miss/no_rules");
BENCHMARK_CAPTURE(BM_Dlopen, miss_1k, 1000, false)
    ->Name("Api/c_dlopen/miss/1k");
BENCHMARK_CAPTURE(BM_Dlopen, hit_1k, 1000, true)->Name("Api/c_dlopen/hit/1k");

}  // namespace
}  // namespace bench
}  // namespace faultcore

BENCHMARK_MAIN();
