#include "proto/rule_facts.h"

#include <set>
#include <utility>

#include "google/protobuf/descriptor.h"

namespace faultcore {
namespace schema {

const char* ActionName(v1::Rule::ActionCase action) {
  const google::protobuf::FieldDescriptor* field =
      v1::Rule::descriptor()->FindFieldByNumber(static_cast<int>(action));
  return field == nullptr ? "no action" : field->name().c_str();
}

AllowedOps AllowedOpsFor(v1::Rule::ActionCase action) {
  switch (action) {
    case v1::Rule::kCorrupt:
      return {OpBit(v1::READ), "it only alters data read"};
    case v1::Rule::kTornWrite:
      return {OpBit(v1::WRITE) | OpBit(v1::WRITE_ZEROES),
              "it only tears writes and write-zeroes"};
    case v1::Rule::kLostWrite:
      return {OpBit(v1::WRITE) | OpBit(v1::WRITE_ZEROES),
              "it only drops writes and write-zeroes"};
    case v1::Rule::kWriteFault:
      return {OpBit(v1::WRITE) | OpBit(v1::WRITE_ZEROES) | OpBit(v1::DISCARD) |
                  OpBit(v1::FLUSH),
              "it only fails writes, write-zeroes, discards and flushes"};
    case v1::Rule::kRecoveredError:
      return {OpBit(v1::READ) | OpBit(v1::WRITE) | OpBit(v1::WRITE_ZEROES),
              "it only applies to reads, writes and write-zeroes"};
    default:
      return {kAllOps, ""};
  }
}

uint32_t DefaultOps(v1::Rule::ActionCase action) {
  switch (action) {
    case v1::Rule::kMediaError:
    case v1::Rule::kRecoveredError:
    case v1::Rule::kCorrupt:
      return OpBit(v1::READ);
    case v1::Rule::kWriteFault:
    case v1::Rule::kTornWrite:
    case v1::Rule::kLostWrite:
      return OpBit(v1::WRITE) | OpBit(v1::WRITE_ZEROES);
    default:
      return kAllOps;
  }
}

uint32_t EffectiveOps(const v1::Rule& rule) {
  if (rule.ops().empty()) return DefaultOps(rule.action_case());
  uint32_t mask = 0;
  for (int op : rule.ops()) {
    if (v1::Op_IsValid(op)) mask |= OpBit(static_cast<v1::Op>(op));
  }
  return mask & kAllOps;
}

bool ReportsFailure(const v1::Rule& rule) {
  switch (rule.action_case()) {
    case v1::Rule::kMediaError:
    case v1::Rule::kWriteFault:
      return true;
    case v1::Rule::kTornWrite:
      return !rule.torn_write().report_success();
    case v1::Rule::kHold:
      return rule.hold().on_timeout() == v1::Hold::FAIL;
    case v1::Rule::kAsk:
      return rule.ask().on_timeout() == v1::Hold::FAIL;
    default:
      return false;
  }
}

std::string IgnoresCodes(const v1::Rule& rule) {
  switch (rule.action_case()) {
    case v1::Rule::kDelay:
    case v1::Rule::kCorrupt:
    case v1::Rule::kLostWrite:
      return ActionName(rule.action_case());
    case v1::Rule::kTornWrite:
      return rule.torn_write().report_success()
                 ? "torn_write with report_success"
                 : "";
    case v1::Rule::kHold:
      return rule.hold().on_timeout() == v1::Hold::PROCEED
                 ? "hold with on_timeout PROCEED"
                 : "";
    case v1::Rule::kAsk:
      return rule.ask().on_timeout() == v1::Hold::PROCEED
                 ? "ask with on_timeout PROCEED"
                 : "";
    default:
      return "";
  }
}

StateMasks::StateMasks(const v1::RuleSet& set) : set_(set) {
  // At most 64 states are valid; more are an error of their own.
  for (int i = 0; i < set.states_size() && i < 64; ++i) {
    bits_.emplace(set.states(i), i);
  }
}

uint64_t StateMasks::MaskOf(
    const google::protobuf::RepeatedPtrField<std::string>& names) const {
  if (names.empty()) return ~uint64_t{0};
  uint64_t mask = 0;
  for (const std::string& name : names) {
    const auto it = bits_.find(name);
    if (it != bits_.end()) mask |= uint64_t{1} << it->second;
  }
  return mask;
}

uint64_t StateMasks::Reachable() const {
  if (set_.states_size() == 0) return ~uint64_t{0};
  const std::string& initial =
      set_.initial_state().empty() ? set_.states(0) : set_.initial_state();
  const auto initial_bit = bits_.find(initial);
  if (initial_bit == bits_.end()) return 0;

  std::set<std::pair<uint64_t, int>> edges;  // (from mask, to bit)
  for (const v1::Transition& transition : set_.transitions()) {
    const auto to = bits_.find(transition.to());
    if (to != bits_.end()) edges.emplace(MaskOf(transition.from()), to->second);
  }
  for (const v1::Rule& rule : set_.rules()) {
    const auto to = bits_.find(rule.next_state());
    if (to != bits_.end()) edges.emplace(MaskOf(rule.states()), to->second);
  }
  uint64_t reached = uint64_t{1} << initial_bit->second;
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& [from, to] : edges) {
      const uint64_t bit = uint64_t{1} << to;
      if ((from & reached) != 0 && (reached & bit) == 0) {
        reached |= bit;
        grew = true;
      }
    }
  }
  return reached;
}

}  // namespace schema
}  // namespace faultcore
