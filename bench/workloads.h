// Rule layouts and request streams shared by the benchmark suites: the
// google-benchmark microbenchmarks, the instruction-count workloads of the
// regression guard, and the rule files of the end-to-end benchmark.  Every
// generator is seeded, so two runs (and the guard's budget) see exactly the
// same rules and requests.
//
// Thread safety: plain functions over values; no shared state.
#ifndef FAULTCORE_BENCH_WORKLOADS_H_
#define FAULTCORE_BENCH_WORKLOADS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace faultcore {
namespace bench {

// The emulated disk: 1 TiB of 512-byte blocks.
inline constexpr uint64_t kBlockSize = 512;
inline constexpr uint64_t kDeviceBlocks = uint64_t{1} << 31;
// No rule lies below this LBA (1 GiB), so the end-to-end benchmark, whose
// requests stay inside the first GiB, never touches one.
inline constexpr uint64_t kRuleFloorLba = uint64_t{1} << 21;

enum class Layout {
  // LBAs uniform over [kRuleFloorLba, kDeviceBlocks): scattered bad sectors.
  kRandom,
  // Scratches: clusters of kClusterRules one-block rules, one every
  // kClusterStride blocks, at random places.  Requests concentrate around
  // the clusters (see MissOffsets).
  kClustered,
};
inline constexpr uint64_t kClusterRules = 64;
inline constexpr uint64_t kClusterStride = 16;  // blocks: 8 KiB

const char* LayoutName(Layout layout);

// The sorted LBAs of `n` one-block rules.  Deterministic in (layout, n,
// seed).  Duplicates are possible in kRandom (they are harmless).
std::vector<uint64_t> RuleLbas(Layout layout, int64_t n, uint64_t seed = 42);

// One `media_error {}` rule per LBA (reads fail; writes pass) as protobuf
// text.  (bench/rule_sets.h builds the same as a v1::RuleSet; this form
// needs no protobuf, for programs that must not link it.)
std::string MediaErrorRulesText(const std::vector<uint64_t>& lbas);

// `count` byte offsets of `length`-byte requests, aligned to `length`,
// none of which overlaps a rule at `lbas` (sorted).  kRandom: uniform over
// the device.  kClustered: near the clusters (within a cluster's own span
// on either side), the worst case for locality-blind indexes and the
// pattern of a guest that retries around a scratch.  With no rules:
// uniform.
std::vector<uint64_t> MissOffsets(Layout layout,
                                  const std::vector<uint64_t>& lbas,
                                  uint64_t length, size_t count,
                                  uint64_t seed = 7);

// `count` byte offsets of `length`-byte requests, aligned to `length`, each
// overlapping at least one rule (a random rule's LBA, rounded down).
std::vector<uint64_t> HitOffsets(const std::vector<uint64_t>& lbas,
                                 uint64_t length, size_t count,
                                 uint64_t seed = 11);

// True when [offset, offset + length) overlaps a one-block rule at `lbas`.
bool Overlaps(const std::vector<uint64_t>& lbas, uint64_t offset,
              uint64_t length);

// "1k", "100k", "1M", "0": the labels used in benchmark names and files.
std::string CountLabel(int64_t n);

}  // namespace bench
}  // namespace faultcore

#endif  // FAULTCORE_BENCH_WORKLOADS_H_
