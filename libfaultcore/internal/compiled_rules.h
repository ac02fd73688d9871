// The engine's own form of a validated rule set: flat structs with every
// default applied, byte addresses instead of LBAs, bitmasks instead of
// names.  Built once per load by CompileRuleSet(); immutable afterwards.
#ifndef FAULTCORE_LIBFAULTCORE_INTERNAL_COMPILED_RULES_H_
#define FAULTCORE_LIBFAULTCORE_INTERNAL_COMPILED_RULES_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "libfaultcore/verdict.h"
#include "proto/faultcore.pb.h"
#include "proto/rule_facts.h"

namespace faultcore {

// Rule.target left empty: the rule applies to every target.
inline constexpr uint32_t kAnyTarget = UINT32_MAX;
// Every state.
inline constexpr uint64_t kAllStates = ~uint64_t{0};
inline constexpr int32_t kNoState = -1;

inline constexpr uint32_t OpBit(Op op) { return 1u << static_cast<int>(op); }
inline constexpr uint32_t kAllOps = OpBit(Op::kRead) | OpBit(Op::kWrite) |
                                    OpBit(Op::kFlush) | OpBit(Op::kDiscard) |
                                    OpBit(Op::kWriteZeroes);

struct CompiledRule {
  std::string name;
  uint32_t target = kAnyTarget;
  uint32_t op_mask = 0;
  bool whole_device = false;
  uint64_t start = 0;  // byte range [start, end)
  uint64_t end = 0;
  uint64_t state_mask = kAllStates;

  // Trigger.
  uint64_t skip = 0;
  uint64_t max_fires = 0;  // 0 = unlimited
  uint64_t every_nth = 1;
  bool draws = false;           // probability < 1
  uint64_t fire_threshold = 0;  // fires when Draw(seed, m) < threshold
  uint64_t seed = 0;
  bool per_target = false;
  int32_t next_state = kNoState;

  // Outcome.
  Action action = Action::kPass;
  DeviceCodes codes;
  uint64_t delay_ns = 0;
  uint64_t hold_timeout_ns = 0;
  bool hold_fail_on_timeout = false;
  uint32_t corrupt_bits_per_block = 0;
  uint64_t corrupt_seed = 0;
  uint64_t torn_good_bytes = 0;
  bool torn_report_success = false;

  // Heal on write (media errors only).
  bool heals = false;
  uint32_t heal_fail_writes = 0;
  DeviceCodes heal_write_codes;
};

struct CompiledTransition {
  std::string event;
  uint64_t from_mask = kAllStates;
  uint32_t to = 0;
};

struct CompiledRuleSet {
  uint32_t block_size = schema::kDefaultBlockSize;
  std::vector<std::string> states;  // never empty ("initial" if none named)
  uint32_t initial_state = 0;
  std::vector<CompiledRule> rules;
  std::vector<CompiledTransition> transitions;
};

// The codes a verdict of `action` carries when its rule sets none (for
// holds and asks: those reported when they fail on timeout).
DeviceCodes DefaultCodes(Action action);

// Maps a target name to the engine's id for it (interning it if new).
using TargetInterner = std::function<uint32_t(absl::string_view)>;

// Compiles a rule set that ValidateRuleSet() accepted.  Total: never fails
// on validated input.
CompiledRuleSet CompileRuleSet(const v1::RuleSet& rules,
                               const TargetInterner& intern_target);

// The pseudo-random draw for match number `m` of a rule with `seed`:
// splitmix64 over both, uniform over uint64_t.
uint64_t Draw(uint64_t seed, uint64_t m);

}  // namespace faultcore

#endif  // FAULTCORE_LIBFAULTCORE_INTERNAL_COMPILED_RULES_H_
