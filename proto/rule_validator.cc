#include "proto/rule_validator.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/descriptor.h"
#include "proto/internal/field_locator.h"
#include "proto/internal/strings.h"
#include "proto/internal/validator.h"
#include "proto/rule_facts.h"

namespace faultcore {
namespace {

namespace pb = ::google::protobuf;
using ParseInfoTree = pb::TextFormat::ParseInfoTree;
using internal::FieldLocator;
using internal::FieldStep;
using internal::IsValidName;
using internal::Quote;
using internal::SourceText;

// Limits from faultcore.proto.
using schema::kMaxBlockSize;
using schema::kMinBlockSize;
constexpr int kMaxStates = 64;
constexpr int kMaxRules = 16777216;
constexpr size_t kMaxStateNameLength = 64;
constexpr size_t kMaxEventNameLength = 64;
constexpr size_t kMaxRuleNameLength = 128;
constexpr size_t kMaxTargetLength = 128;
constexpr uint64_t kOneHourNs = uint64_t{3600} * 1000 * 1000 * 1000;
constexpr uint64_t kOneMillisecondNs = 1000 * 1000;
constexpr uint32_t kMaxBitsPerBlock = 64;
constexpr uint32_t kMaxErrno = 4095;
constexpr uint32_t kAtaErr = 0x01;

// Checks one RuleSet and collects diagnostics.  Used once per set.
//
// Paths and locations are only worked out for the diagnostics actually
// reported: walking a set of millions of rules builds no strings.
class Validator {
 public:
  Validator(const v1::RuleSet& set, absl::string_view source_name,
            const ParseInfoTree* tree, const SourceText* text)
      : set_(set), source_name_(source_name), locator_(set, tree, text) {}

  std::vector<Diagnostic> Run() {
    const Node root{nullptr, nullptr, -1, &set_};
    // A set without rules is valid (an empty file included): the engine
    // then passes every request until rules are loaded.
    CheckBlockSize(root);
    CheckStates(root);
    if (!set_.initial_state().empty()) {
      CheckStateReference(Child(root, "initial_state"), set_.initial_state());
    }
    if (set_.rules_size() > kMaxRules) {
      Error(Child(root, "rules"),
            absl::StrFormat("too many rules: %d (at most %d)",
                            set_.rules_size(), kMaxRules));
    }
    std::unordered_map<std::string_view, int> rule_names;
    rule_names.reserve(static_cast<size_t>(set_.rules_size()));
    for (int i = 0; i < set_.rules_size(); ++i) {
      CheckRule(Child(root, "rules", i), set_.rules(i), i, &rule_names);
    }
    for (int i = 0; i < set_.transitions_size(); ++i) {
      CheckTransition(Child(root, "transitions", i), set_.transitions(i));
    }
    WarnUnreachableStates(root);
    return Finish();
  }

 private:
  // A field of the rule set being checked, as a link in a chain up to the
  // root (the RuleSet itself).  Nodes live on the stack of the checks: a
  // node must not outlive its parent.
  struct Node {
    const Node* parent;                // Null for the root.
    const pb::FieldDescriptor* field;  // Null for the root.
    // The value of a repeated field, or -1: a singular field, or a repeated
    // field as a whole.
    int index;
    // The message this field holds; null for scalars and whole repeated
    // fields.
    const pb::Message* message;
  };

  // The field `name` of `parent`, value `index` of it if repeated (-1: the
  // repeated field as a whole).
  Node Child(const Node& parent, const char* name, int index = -1) const {
    const pb::FieldDescriptor* field =
        parent.message->GetDescriptor()->FindFieldByName(name);
    Node child{&parent, field, index, nullptr};
    if (field == nullptr || field->message_type() == nullptr) return child;
    const pb::Reflection* reflection = parent.message->GetReflection();
    if (!field->is_repeated()) {
      child.message = &reflection->GetMessage(*parent.message, field);
    } else if (index >= 0 &&
               index < reflection->FieldSize(*parent.message, field)) {
      child.message =
          &reflection->GetRepeatedMessage(*parent.message, field, index);
    }
    return child;
  }
  // A child of a temporary would point at it after it is gone.
  Node Child(const Node&& parent, const char* name,
             int index = -1) const = delete;

  // Fills in the path and the location of `node` (see FieldLocator).
  void Describe(const Node& node, Diagnostic* diagnostic) {
    std::vector<FieldStep> steps;
    for (const Node* n = &node; n->parent != nullptr; n = n->parent) {
      steps.push_back({n->field, n->index});
    }
    std::reverse(steps.begin(), steps.end());
    locator_.Describe(steps, diagnostic);
  }

  void Add(std::vector<Diagnostic>* list, size_t* dropped,
           Diagnostic::Severity severity, const Node& node,
           std::string message) {
    if (list->size() >= kMaxDiagnostics) {
      ++*dropped;
      return;
    }
    Diagnostic diagnostic;
    diagnostic.severity = severity;
    diagnostic.file = std::string(source_name_);
    diagnostic.message = std::move(message);
    Describe(node, &diagnostic);
    list->push_back(std::move(diagnostic));
  }
  void Error(const Node& node, std::string message) {
    Add(&errors_, &dropped_errors_, Diagnostic::Severity::kError, node,
        std::move(message));
  }
  void Warning(const Node& node, std::string message) {
    Add(&warnings_, &dropped_warnings_, Diagnostic::Severity::kWarning, node,
        std::move(message));
  }

  std::vector<Diagnostic> Finish() {
    std::vector<Diagnostic> all = std::move(errors_);
    if (dropped_errors_ > 0) {
      all.push_back(FileDiagnostic(
          source_name_, absl::StrFormat("too many errors: %d more not shown",
                                        dropped_errors_)));
    }
    all.insert(all.end(), std::make_move_iterator(warnings_.begin()),
               std::make_move_iterator(warnings_.end()));
    if (dropped_warnings_ > 0) {
      all.push_back(
          FileDiagnostic(source_name_,
                         absl::StrFormat("too many warnings: %d more not shown",
                                         dropped_warnings_),
                         Diagnostic::Severity::kWarning));
    }
    return all;
  }

  // --- The rule set --------------------------------------------------------

  void CheckBlockSize(const Node& root) {
    const uint32_t size = set_.block_size();
    if (size == 0) return;
    if (size < kMinBlockSize || size > kMaxBlockSize ||
        (size & (size - 1)) != 0) {
      Error(Child(root, "block_size"),
            absl::StrFormat("block_size %u is not a power of two from %u to %u "
                            "(0 means %u)",
                            size, kMinBlockSize, kMaxBlockSize, kMinBlockSize));
    }
  }

  uint64_t BlockSize() const {
    return schema::BlockSize(set_);
  }

  void CheckStates(const Node& root) {
    if (set_.states_size() > kMaxStates) {
      Error(Child(root, "states"),
            absl::StrFormat("too many states: %d (at most %d)",
                            set_.states_size(), kMaxStates));
    }
    for (int i = 0; i < set_.states_size(); ++i) {
      const std::string& state = set_.states(i);
      if (state.empty()) {
        Error(Child(root, "states", i), "state name is empty");
      } else if (!IsValidName(state, kMaxStateNameLength, false)) {
        Error(Child(root, "states", i),
              absl::StrFormat("invalid state name %s: use 1 to %d characters "
                              "from [A-Za-z0-9_.:-]",
                              Quote(state), kMaxStateNameLength));
      }
      const auto [it, inserted] = states_.emplace(state, i);
      if (!inserted && !state.empty()) {
        Error(
            Child(root, "states", i),
            absl::StrFormat("duplicate state %s (first declared as states[%d])",
                            Quote(state), it->second));
      }
    }
  }

  // "a, b, c" for messages about unknown states.
  std::string DeclaredStates() const {
    constexpr size_t kShown = 16;
    std::vector<std::string> names;
    for (int i = 0; i < set_.states_size(); ++i) {
      const auto it = states_.find(set_.states(i));
      if (it == states_.end() || it->second != i) continue;  // A duplicate.
      if (names.size() == kShown) {
        absl::StrAppend(&names.back(), ", ... (", states_.size(), " in all)");
        break;
      }
      names.push_back(absl::CHexEscape(set_.states(i)));
    }
    return absl::StrJoin(names, ", ");
  }

  void CheckStateReference(const Node& node, const std::string& state) {
    if (state.empty()) {
      Error(node, "state name is empty");
    } else if (set_.states_size() == 0) {
      Error(node, absl::StrFormat("unknown state %s (the rule set declares no "
                                  "states)",
                                  Quote(state)));
    } else if (states_.find(state) == states_.end()) {
      Error(node, absl::StrFormat("unknown state %s; declared: %s",
                                  Quote(state), DeclaredStates()));
    }
  }

  // --- Rules ---------------------------------------------------------------

  void CheckRule(const Node& node, const v1::Rule& rule, int index,
                 std::unordered_map<std::string_view, int>* names) {
    if (!rule.name().empty()) {
      if (!IsValidName(rule.name(), kMaxRuleNameLength, false)) {
        Error(Child(node, "name"),
              absl::StrFormat("invalid rule name %s: use 1 to %d characters "
                              "from [A-Za-z0-9_.:-]",
                              Quote(rule.name()), kMaxRuleNameLength));
      }
      const auto [it, inserted] = names->emplace(
          std::string_view(rule.name().data(), rule.name().size()), index);
      if (!inserted) {
        Error(
            Child(node, "name"),
            absl::StrFormat("duplicate rule name %s (first used by rules[%d])",
                            Quote(rule.name()), it->second));
      }
    }
    if (!rule.target().empty() &&
        !IsValidName(rule.target(), kMaxTargetLength, true)) {
      Error(Child(node, "target"),
            absl::StrFormat("invalid target %s: use 1 to %d characters from "
                            "[A-Za-z0-9_.:#/-]",
                            Quote(rule.target()), kMaxTargetLength));
    }
    if (rule.action_case() == v1::Rule::ACTION_NOT_SET) {
      std::vector<std::string> actions;
      const pb::OneofDescriptor* oneof =
          v1::Rule::descriptor()->FindOneofByName("action");
      for (int i = 0; i < oneof->field_count(); ++i) {
        actions.push_back(oneof->field(i)->name());
      }
      Error(node, absl::StrCat("rule has no action: set one of ",
                               absl::StrJoin(actions, ", ")));
    }
    CheckOps(node, rule);
    if (rule.has_range()) CheckRange(Child(node, "range"), rule.range());
    for (int i = 0; i < rule.states_size(); ++i) {
      CheckStateReference(Child(node, "states", i), rule.states(i));
    }
    if (!rule.next_state().empty()) {
      CheckStateReference(Child(node, "next_state"), rule.next_state());
    }
    if (rule.has_trigger())
      CheckTrigger(Child(node, "trigger"), rule.trigger());
    if (rule.has_codes()) {
      const Node codes = Child(node, "codes");
      CheckCodes(codes, rule.codes(), schema::ReportsFailure(rule));
      const std::string ignored_by = schema::IgnoresCodes(rule);
      if (!ignored_by.empty()) {
        Warning(codes, absl::StrCat("codes are ignored for ", ignored_by));
      }
    }
    if (rule.latency_ns() > kOneHourNs) {
      Error(Child(node, "latency_ns"),
            absl::StrFormat("latency_ns %u is more than one hour (%u)",
                            rule.latency_ns(), kOneHourNs));
    }
    CheckAction(node, rule);
  }

  void CheckOps(const Node& node, const v1::Rule& rule) {
    const schema::AllowedOps allowed =
        schema::AllowedOpsFor(rule.action_case());
    const bool heals =
        rule.has_media_error() && rule.media_error().has_heal_on_write();
    const bool reads =
        (schema::EffectiveOps(rule) & schema::OpBit(v1::READ)) != 0;
    int first[v1::Op_ARRAYSIZE];
    for (int& index : first) index = -1;
    for (int i = 0; i < rule.ops_size(); ++i) {
      const int op = rule.ops(i);
      if (!v1::Op_IsValid(op)) {
        Error(Child(node, "ops", i), absl::StrFormat("unknown op %d", op));
        continue;
      }
      const v1::Op known = static_cast<v1::Op>(op);
      if (known == v1::OP_UNSPECIFIED) {
        Error(Child(node, "ops", i),
              "OP_UNSPECIFIED is not an op: use READ, WRITE, FLUSH, DISCARD or "
              "WRITE_ZEROES");
        continue;
      }
      if (first[op] >= 0) {
        Error(Child(node, "ops", i),
              absl::StrFormat("duplicate op %s (also ops[%d])",
                              v1::Op_Name(known), first[op]));
        continue;
      }
      first[op] = i;
      if ((allowed.mask & schema::OpBit(known)) == 0) {
        Error(Child(node, "ops", i),
              absl::StrFormat(
                  "op %s is not allowed with %s (%s)", v1::Op_Name(known),
                  schema::ActionName(rule.action_case()), allowed.why));
      } else if (heals && reads &&
                 (known == v1::WRITE || known == v1::WRITE_ZEROES)) {
        // (Without READ, CheckAction reports the rule's real problem.)
        Error(Child(node, "ops", i),
              absl::StrFormat(
                  "op %s is not allowed with heal_on_write: writes to the bad "
                  "blocks heal them (or fail through fail_writes), so the op "
                  "would be ignored",
                  v1::Op_Name(known)));
      }
    }
  }

  // Hold and Ask: how long a parked request may wait, and what then.
  void ValidateWait(const Node& node, uint64_t timeout, int on_timeout) {
    if (timeout != 0 &&
        (timeout < kOneMillisecondNs || timeout > kOneHourNs)) {
      Error(Child(node, "timeout_ns"),
            absl::StrFormat("timeout_ns %u is outside 1 ms..1 hour (%u..%u; "
                            "0 means 30 s)",
                            timeout, kOneMillisecondNs, kOneHourNs));
    }
    if (!v1::Hold::Expiry_IsValid(on_timeout)) {
      Error(Child(node, "on_timeout"),
            absl::StrFormat("unknown on_timeout %d", on_timeout));
    }
  }

  void CheckRange(const Node& node, const v1::Range& range) {
    // An invalid block_size has its own error; measure with the default then.
    const uint64_t block_size =
        set_.block_size() == 0 ||
                (set_.block_size() >= kMinBlockSize &&
                 set_.block_size() <= kMaxBlockSize &&
                 (set_.block_size() & (set_.block_size() - 1)) == 0)
            ? BlockSize()
            : kMinBlockSize;
    const uint64_t count = schema::RangeBlocks(range);
    constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
    // The end, (lba + count) * block_size, must be below 2^64.
    if (range.lba() > kMax - count || range.lba() + count > kMax / block_size) {
      Error(
          Child(node, range.count() != 0 ? "count" : "lba"),
          absl::StrFormat("range ends beyond 2^64 bytes: (lba %u + count %u) * "
                          "block_size %u",
                          range.lba(), count, block_size));
    }
  }

  void CheckTrigger(const Node& node, const v1::Trigger& trigger) {
    if (trigger.has_probability()) {
      const double probability = trigger.probability();
      if (std::isnan(probability)) {
        Error(Child(node, "probability"),
              "probability is NaN: use a number from 0 to 1");
      } else if (probability < 0 || probability > 1) {
        Error(Child(node, "probability"),
              absl::StrFormat("probability %g is outside [0, 1]", probability));
      } else if (probability == 0) {
        Warning(Child(node, "probability"),
                "rule can never fire: probability 0");
      }
    }
    if (trigger.once() && trigger.max_fires() > 1) {
      Error(Child(node, "max_fires"),
            absl::StrFormat("once contradicts max_fires %u (once means "
                            "max_fires 1)",
                            trigger.max_fires()));
    }
  }

  // Range checks on `codes`; with `reports_failure`, ATA status must carry ERR.
  void CheckCodes(const Node& node, const v1::Codes& codes,
                  bool reports_failure) {
    auto check = [&](const Node& parent, const char* name, uint32_t value,
                     uint32_t low, uint32_t high) {
      if (value < low || value > high) {
        Error(Child(parent, name),
              absl::StrFormat("%s %u is out of range %u..%u", name, value, low,
                              high));
        return false;
      }
      return true;
    };
    if (codes.has_scsi()) {
      const Node scsi = Child(node, "scsi");
      const v1::ScsiSense& sense = codes.scsi();
      if (sense.has_key()) check(scsi, "key", sense.key(), 0, 15);
      if (sense.has_asc()) check(scsi, "asc", sense.asc(), 0, 255);
      if (sense.has_ascq()) check(scsi, "ascq", sense.ascq(), 0, 255);
      if (!v1::ScsiSense::Format_IsValid(sense.format())) {
        Error(Child(scsi, "format"),
              absl::StrFormat("unknown format %d",
                              static_cast<int>(sense.format())));
      }
    }
    if (codes.has_nvme()) {
      const Node nvme = Child(node, "nvme");
      if (codes.nvme().has_sct()) check(nvme, "sct", codes.nvme().sct(), 0, 7);
      if (codes.nvme().has_sc()) check(nvme, "sc", codes.nvme().sc(), 0, 255);
    }
    if (codes.has_ata()) {
      const Node ata = Child(node, "ata");
      const v1::AtaStatus& status = codes.ata();
      if (status.has_status() &&
          check(ata, "status", status.status(), 0, 255) && reports_failure &&
          (status.status() & kAtaErr) == 0) {
        Error(Child(ata, "status"),
              absl::StrFormat("ata.status 0x%02x lacks ERR (0x01): the host "
                              "would report success",
                              status.status()));
      }
      if (status.has_error()) check(ata, "error", status.error(), 0, 255);
    }
    if (codes.has_errno_value()) {
      check(node, "errno_value", codes.errno_value(), 1, kMaxErrno);
    }
  }

  void CheckAction(const Node& node, const v1::Rule& rule) {
    switch (rule.action_case()) {
      case v1::Rule::kMediaError: {
        if (!rule.media_error().has_heal_on_write()) break;
        const Node media_error = Child(node, "media_error");
        const Node heal = Child(media_error, "heal_on_write");
        bool reads = rule.ops_size() == 0;
        for (int op : rule.ops()) reads = reads || op == v1::READ;
        if (!reads) {
          Error(heal,
                "heal_on_write needs READ in ops (or ops left empty): only "
                "blocks that fail reads can heal");
        }
        if (rule.media_error().heal_on_write().has_write_codes()) {
          CheckCodes(Child(heal, "write_codes"),
                     rule.media_error().heal_on_write().write_codes(),
                     /*reports_failure=*/true);
        }
        break;
      }
      case v1::Rule::kDelay:
        if (rule.delay().ns() > kOneHourNs) {
          const Node delay = Child(node, "delay");
          Error(Child(delay, "ns"),
                absl::StrFormat("ns %u is more than one hour (%u)",
                                rule.delay().ns(), kOneHourNs));
        }
        break;
      case v1::Rule::kHold:
        ValidateWait(Child(node, "hold"), rule.hold().timeout_ns(),
                     rule.hold().on_timeout());
        break;
      case v1::Rule::kAsk:
        ValidateWait(Child(node, "ask"), rule.ask().timeout_ns(),
                     rule.ask().on_timeout());
        break;
      case v1::Rule::kTornWrite: {
        // A tear point at or after the end of the range is never inside a
        // write (see the verdict contract), so such a rule never matches.
        if (!rule.has_range()) break;
        const uint64_t blocks = schema::RangeBlocks(rule.range());
        if (rule.torn_write().good_blocks() >= blocks) {
          const Node torn = Child(node, "torn_write");
          Warning(Child(torn, "good_blocks"),
                  absl::StrFormat("rule can never fire: good_blocks %u tears "
                                  "nothing: the range has %u block%s",
                                  rule.torn_write().good_blocks(), blocks,
                                  blocks == 1 ? "" : "s"));
        }
        break;
      }
      case v1::Rule::kCorrupt:
        if (rule.corrupt().bits_per_block() > kMaxBitsPerBlock) {
          const Node corrupt = Child(node, "corrupt");
          Error(Child(corrupt, "bits_per_block"),
                absl::StrFormat("bits_per_block %u is out of range 1..%u (0 "
                                "means 1)",
                                rule.corrupt().bits_per_block(),
                                kMaxBitsPerBlock));
        }
        break;
      default:
        break;
    }
  }

  // --- Transitions ---------------------------------------------------------

  void CheckTransition(const Node& node, const v1::Transition& transition) {
    if (transition.event().empty()) {
      Error(
          Child(node, "event"),
          "no event: a transition needs the name of the event the host raises");
    } else if (!IsValidName(transition.event(), kMaxEventNameLength, false)) {
      Error(
          Child(node, "event"),
          absl::StrFormat("invalid event name %s: use 1 to %d characters from "
                          "[A-Za-z0-9_.:-]",
                          Quote(transition.event()), kMaxEventNameLength));
    }
    for (int i = 0; i < transition.from_size(); ++i) {
      CheckStateReference(Child(node, "from", i), transition.from(i));
    }
    if (transition.to().empty()) {
      Error(Child(node, "to"),
            "no state: a transition needs the state it enters in `to`");
    } else {
      CheckStateReference(Child(node, "to"), transition.to());
    }
  }

  // --- Warnings ------------------------------------------------------------

  // Rules armed only in states that no sequence of events and firings can
  // enter.  Reachability is a fixed point over the transitions and the
  // rules' next_state, starting from the initial state.
  void WarnUnreachableStates(const Node& root) {
    if (set_.states_size() == 0) return;
    const schema::StateMasks masks(set_);
    const uint64_t reached = masks.Reachable();
    if (reached == 0) return;  // The initial state is unknown: an error.

    for (int i = 0; i < set_.rules_size(); ++i) {
      const v1::Rule& rule = set_.rules(i);
      if (rule.states().empty()) continue;
      const uint64_t armed = masks.MaskOf(rule.states());
      if (armed == 0 || (armed & reached) != 0) continue;
      std::vector<std::string> never;
      for (const std::string& state : rule.states()) {
        if (masks.Known(state)) never.push_back(Quote(state));
      }
      const Node rule_node = Child(root, "rules", i);
      Warning(Child(rule_node, "states"),
              never.size() == 1
                  ? absl::StrFormat("rule can never fire: state %s is never "
                                    "entered",
                                    never.front())
                  : absl::StrFormat("rule can never fire: states %s are never "
                                    "entered",
                                    absl::StrJoin(never, ", ")));
    }
  }

  const v1::RuleSet& set_;
  const absl::string_view source_name_;
  FieldLocator locator_;
  // State name -> index of its first declaration.
  std::map<std::string, int> states_;
  std::vector<Diagnostic> errors_;
  std::vector<Diagnostic> warnings_;
  size_t dropped_errors_ = 0;
  size_t dropped_warnings_ = 0;
};

}  // namespace

namespace internal {

std::vector<Diagnostic> ValidateParsedRuleSet(const v1::RuleSet& rules,
                                              absl::string_view source_name,
                                              const ParseInfoTree* locations,
                                              const SourceText* text) {
  return Validator(rules, source_name, locations, text).Run();
}

}  // namespace internal

std::vector<Diagnostic> ValidateRuleSet(const v1::RuleSet& rules,
                                        absl::string_view source_name,
                                        const ParseInfoTree* locations) {
  return Validator(rules, source_name, locations, nullptr).Run();
}

}  // namespace faultcore
