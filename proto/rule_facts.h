// Facts of the rule schema that faultcore.proto states in its comments and
// that more than one tool needs: which ops each action applies to by default
// and may apply to at all, and which actions report their device codes.
//
// The validator enforces these; faultcore lint reasons with them; the
// engine compiles rules with DefaultOps().
//
// Pure functions; thread-safe.

#ifndef FAULTCORE_PROTO_RULE_FACTS_H_
#define FAULTCORE_PROTO_RULE_FACTS_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/strings/string_view.h"
#include "proto/faultcore.pb.h"

namespace faultcore {
namespace schema {

// Sets of ops as bit masks: bit `op` for each v1::Op.
constexpr uint32_t OpBit(v1::Op op) { return uint32_t{1} << op; }
inline constexpr uint32_t kAllOps = OpBit(v1::READ) | OpBit(v1::WRITE) |
                                    OpBit(v1::FLUSH) | OpBit(v1::DISCARD) |
                                    OpBit(v1::WRITE_ZEROES);

// Block sizes a rule file may set (faultcore.proto, RuleSet.block_size):
// a power of two in [kMinBlockSize, kMaxBlockSize]; 0 or absent means
// kDefaultBlockSize.
inline constexpr uint32_t kDefaultBlockSize = 512;
inline constexpr uint32_t kMinBlockSize = 512;
inline constexpr uint32_t kMaxBlockSize = 1048576;

// The block size `set` addresses its ranges in.
inline uint32_t BlockSize(const v1::RuleSet& set) {
  return set.block_size() != 0 ? set.block_size() : kDefaultBlockSize;
}

// The blocks of `range`: its count, where 0 or absent means 1.
inline uint64_t RangeBlocks(const v1::Range& range) {
  return range.count() != 0 ? range.count() : 1;
}

// The action's field name ("media_error", ...), or "no action".
const char* ActionName(v1::Rule::ActionCase action);

// The ops an action can apply to, and why the others are refused.
struct AllowedOps {
  uint32_t mask;
  const char* why;  // e.g. "it only alters data read"; "" for every op
};
AllowedOps AllowedOpsFor(v1::Rule::ActionCase action);

// The ops a rule with empty `ops` applies to: read for media_error,
// recovered_error and corrupt; write and write-zeroes for write_fault,
// torn_write and lost_write; every op for delay and hold.
uint32_t DefaultOps(v1::Rule::ActionCase action);

// The ops `rule` applies to: its `ops`, or its action's default ops.
uint32_t EffectiveOps(const v1::Rule& rule);

// Whether a firing rule fails the request with its codes (so that ATA
// status must carry ERR): media and write faults, torn writes that are not
// reported successful, holds that fail on timeout.
bool ReportsFailure(const v1::Rule& rule);

// For rules whose action never reports a status: the words that end "codes
// are ignored for ..." ("delay", "hold with on_timeout PROCEED").  Empty
// when the action uses its codes.
std::string IgnoresCodes(const v1::Rule& rule);

// The states of a rule set as bit masks: bit i is `states[i]` (the first
// declaration of a name).  Refers to the rule set, which must outlive it.
class StateMasks {
 public:
  explicit StateMasks(const v1::RuleSet& set);

  // Whether `name` is a declared state.
  bool Known(absl::string_view name) const {
    return bits_.find(name) != bits_.end();
  }
  // The declared states among `names`; every state (~0) when `names` is
  // empty, as `states` of a Rule and `from` of a Transition mean.
  uint64_t MaskOf(
      const google::protobuf::RepeatedPtrField<std::string>& names) const;
  // The states that some sequence of events and firings can enter from the
  // initial state (a fixed point over the transitions and the rules'
  // next_state).  Every state (~0) when the set declares none; 0 when the
  // initial state is not declared (an error of its own).
  uint64_t Reachable() const;

 private:
  const v1::RuleSet& set_;
  std::map<absl::string_view, int> bits_;
};

}  // namespace schema
}  // namespace faultcore

#endif  // FAULTCORE_PROTO_RULE_FACTS_H_
