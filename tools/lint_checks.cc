#include "tools/lint_checks.h"

#include <algorithm>
#include <limits>
#include <map>
#include <queue>
#include <set>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "proto/rule_facts.h"
#include "tools/cli_args.h"
#include "tools/cli_format.h"

namespace faultcore {
namespace cli {
namespace {

constexpr uint64_t kNoEnd = std::numeric_limits<uint64_t>::max();
constexpr uint32_t kWriteOps =
    schema::OpBit(v1::WRITE) | schema::OpBit(v1::WRITE_ZEROES);

// Deterministic bytes of `message`, for comparing verdicts.
std::string Bytes(const google::protobuf::Message& message) {
  std::string out;
  {
    // The streams must be gone (flushed) before `out` is read.
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return out;
}

// What a rule does when it wins, as bytes: equal keys, equal verdicts.
std::string VerdictKey(const v1::Rule& rule) {
  v1::Rule outcome;
  outcome.CopyFrom(rule);
  outcome.clear_name();
  outcome.clear_target();
  outcome.clear_ops();
  outcome.clear_range();
  outcome.clear_states();
  outcome.clear_trigger();
  return Bytes(outcome);
}

// Fenwick tree over positions 0..n-1 keeping, for each prefix, the largest
// `end` inserted and the rule that has it: O(log n) insert and query, no
// allocation after construction.  A plain value, not thread-safe.
class PrefixMax {
 public:
  explicit PrefixMax(size_t n) : tree_(n + 1, {0, 0, false}) {}
  void Insert(size_t position, uint64_t end, uint32_t rule) {
    for (size_t i = position + 1; i < tree_.size(); i += i & (~i + 1)) {
      if (!tree_[i].set || end > tree_[i].end) tree_[i] = {end, rule, true};
    }
  }
  // The entry with the largest end among positions [0, count).
  bool Max(size_t count, uint64_t* end, uint32_t* rule) const {
    bool found = false;
    for (size_t i = count; i > 0; i -= i & (~i + 1)) {
      if (tree_[i].set && (!found || tree_[i].end > *end)) {
        *end = tree_[i].end;
        *rule = tree_[i].rule;
        found = true;
      }
    }
    return found;
  }

 private:
  struct Node {
    uint64_t end;
    uint32_t rule;
    bool set;
  };
  std::vector<Node> tree_;
};

std::string RuleRef(const v1::RuleSet& set, uint32_t index) {
  const std::string& name = set.rules(static_cast<int>(index)).name();
  if (name.empty()) return absl::StrCat("rules[", index, "]");
  return absl::StrCat("rules[", index, "] (\"", name, "\")");
}

std::string OpNames(uint32_t mask) {
  std::vector<std::string> names;
  for (int op = v1::READ; op <= v1::WRITE_ZEROES; ++op) {
    if (mask & schema::OpBit(static_cast<v1::Op>(op))) {
      names.push_back(v1::Op_Name(static_cast<v1::Op>(op)));
    }
  }
  return absl::StrJoin(names, ", ");
}

// "every state" when `mask` has every state in `reachable`, otherwise
// "state \"a\"" / "states \"a\", \"b\"".
std::string StateNames(const v1::RuleSet& set, uint64_t mask,
                       uint64_t reachable) {
  if (set.states_size() == 0 || (mask & reachable) == reachable) {
    return "every state";
  }
  std::vector<std::string> names;
  for (int i = 0; i < set.states_size() && i < 64; ++i) {
    if ((mask >> i) & 1) {
      names.push_back(absl::StrCat("\"", set.states(i), "\""));
    }
  }
  return absl::StrCat(names.size() == 1 ? "state " : "states ",
                      absl::StrJoin(names, ", "));
}

std::string RangeOf(const RuleShape& shape) {
  return LbaRange(shape.start, shape.end, shape.whole);
}

// Why the verdicts of two conflicting rules differ, in a few words.
std::string Difference(const v1::Rule& a, const v1::Rule& b) {
  if (a.action_case() != b.action_case()) return "";
  if (Bytes(a.codes()) != Bytes(b.codes())) return "other codes";
  if (a.latency_ns() != b.latency_ns()) return "another latency";
  if (a.next_state() != b.next_state()) return "another next_state";
  return "other parameters";
}

}  // namespace

std::vector<RuleShape> ShapesOf(const v1::RuleSet& set) {
  const schema::StateMasks masks(set);
  const uint64_t reachable = masks.Reachable();
  std::map<std::string, uint32_t> verdicts;
  std::vector<RuleShape> shapes;
  shapes.reserve(static_cast<size_t>(set.rules_size()));
  for (int i = 0; i < set.rules_size(); ++i) {
    const v1::Rule& rule = set.rules(i);
    RuleShape s;
    s.index = static_cast<uint32_t>(i);
    const uint64_t count = schema::RangeBlocks(rule.range());
    if (rule.has_range()) {
      s.start = rule.range().lba();
      s.end = rule.range().lba() + count;  // Validated: no overflow.
    } else {
      s.whole = true;
      s.start = 0;
      s.end = kNoEnd;
    }
    const bool heals =
        rule.has_media_error() && rule.media_error().has_heal_on_write();
    s.ops = schema::EffectiveOps(rule);
    if (heals && rule.media_error().heal_on_write().fail_writes() > 0) {
      s.ops |= kWriteOps;
    }
    s.target = rule.target();
    s.states = masks.MaskOf(rule.states()) & reachable;
    const v1::Trigger& t = rule.trigger();
    const bool torn = rule.has_torn_write();
    const bool tears_nothing =
        torn && rule.has_range() && rule.torn_write().good_blocks() >= count;
    s.can_fire = s.ops != 0 && s.states != 0 && !tears_nothing &&
                 !(t.has_probability() && !(t.probability() > 0));
    s.always_fires = s.can_fire && t.skip() == 0 && t.max_fires() == 0 &&
                     !t.once() && t.every_nth() <= 1 &&
                     (!t.has_probability() || t.probability() >= 1) && !heals &&
                     !torn;
    s.verdict_id =
        verdicts
            .emplace(VerdictKey(rule), static_cast<uint32_t>(verdicts.size()))
            .first->second;
    shapes.push_back(std::move(s));
  }
  return shapes;
}

bool Covers(const RuleShape& a, const RuleShape& b) {
  return a.index < b.index && a.always_fires && b.can_fire &&
         a.start <= b.start && a.end >= b.end && (a.ops & b.ops) == b.ops &&
         (a.target.empty() || a.target == b.target) &&
         (a.states & b.states) == b.states;
}

bool Conflict(const RuleShape& a, const RuleShape& b) {
  return a.can_fire && b.can_fire && a.start < b.end && b.start < a.end &&
         (a.ops & b.ops) != 0 &&
         (a.target.empty() || b.target.empty() || a.target == b.target) &&
         (a.states & b.states) != 0 && a.verdict_id != b.verdict_id;
}

std::vector<Shadowing> FindShadowed(const std::vector<RuleShape>& shapes,
                                    size_t max_groups) {
  // Groups of always-firing rules by (target, ops, states); members in rule
  // order.
  std::map<std::tuple<std::string, uint32_t, uint64_t>, uint32_t> group_ids;
  std::vector<std::vector<uint32_t>> members;
  std::vector<uint32_t> group_of(shapes.size(), 0);
  std::map<std::string, std::vector<uint32_t>> groups_by_target;
  for (const RuleShape& s : shapes) {
    if (!s.always_fires) continue;
    const auto [it, inserted] =
        group_ids.emplace(std::make_tuple(s.target, s.ops, s.states),
                          static_cast<uint32_t>(members.size()));
    if (inserted) {
      members.emplace_back();
      groups_by_target[s.target].push_back(it->second);
    }
    group_of[s.index] = it->second;
    members[it->second].push_back(s.index);
  }
  if (members.empty()) return {};
  std::vector<PrefixMax> trees;
  trees.reserve(members.size());
  for (const auto& m : members) trees.emplace_back(m.size());

  // Sweep by start; at equal starts, insert before querying (a rule that
  // starts at the same LBA can cover).
  struct Event {
    uint64_t start;
    bool query;
    uint32_t rule;
  };
  std::vector<Event> events;
  events.reserve(shapes.size() * 2);
  for (const RuleShape& s : shapes) {
    if (s.always_fires) events.push_back({s.start, false, s.index});
    if (s.can_fire) events.push_back({s.start, true, s.index});
  }
  std::sort(events.begin(), events.end(), [](const Event& l, const Event& r) {
    return std::tie(l.start, l.query, l.rule) <
           std::tie(r.start, r.query, r.rule);
  });

  static const std::vector<uint32_t> kNone;
  auto groups_for =
      [&](const std::string& target) -> const std::vector<uint32_t>& {
    const auto it = groups_by_target.find(target);
    return it == groups_by_target.end() ? kNone : it->second;
  };
  std::vector<Shadowing> found;
  for (const Event& e : events) {
    const RuleShape& s = shapes[e.rule];
    if (!e.query) {
      const std::vector<uint32_t>& m = members[group_of[e.rule]];
      const size_t position =
          std::lower_bound(m.begin(), m.end(), e.rule) - m.begin();
      trees[group_of[e.rule]].Insert(position, s.end, e.rule);
      continue;
    }
    // Groups for every device, and for this rule's own target.
    std::vector<const std::vector<uint32_t>*> lists = {&groups_for("")};
    if (!s.target.empty()) lists.push_back(&groups_for(s.target));
    size_t examined = 0;
    bool shadowed = false;
    for (const std::vector<uint32_t>* list : lists) {
      for (uint32_t g : *list) {
        if (shadowed || examined++ >= max_groups) break;
        const RuleShape& key = shapes[members[g].front()];
        if ((key.ops & s.ops) != s.ops || (key.states & s.states) != s.states) {
          continue;
        }
        const std::vector<uint32_t>& m = members[g];
        const size_t before =
            std::lower_bound(m.begin(), m.end(), e.rule) - m.begin();
        uint64_t end = 0;
        uint32_t by = 0;
        if (trees[g].Max(before, &end, &by) && end >= s.end) {
          found.push_back({e.rule, by});
          shadowed = true;
        }
      }
    }
  }
  std::sort(
      found.begin(), found.end(),
      [](const Shadowing& l, const Shadowing& r) { return l.rule < r.rule; });
  return found;
}

std::vector<Overlap> FindOverlaps(const std::vector<RuleShape>& shapes,
                                  const std::vector<bool>& shadowed,
                                  size_t max_compared) {
  std::vector<uint32_t> order;
  for (const RuleShape& s : shapes) {
    if (s.can_fire && !shadowed[s.index]) order.push_back(s.index);
  }
  std::sort(order.begin(), order.end(), [&](uint32_t l, uint32_t r) {
    return std::tie(shapes[l].start, l) < std::tie(shapes[r].start, r);
  });
  // Rules whose range is still open, by rule index; and by end, to close.
  std::set<uint32_t> open;
  using Closing = std::pair<uint64_t, uint32_t>;
  std::priority_queue<Closing, std::vector<Closing>, std::greater<Closing>>
      closing;
  std::vector<int64_t> slot(shapes.size(), -1);  // index into `found`
  std::vector<Overlap> found;
  for (uint32_t x : order) {
    const RuleShape& a = shapes[x];
    while (!closing.empty() && closing.top().first <= a.start) {
      open.erase(closing.top().second);
      closing.pop();
    }
    size_t compared = 0;
    for (uint32_t y : open) {
      if (compared++ >= max_compared) break;
      if (!Conflict(a, shapes[y])) continue;
      const uint32_t later = std::max(x, y);
      const uint32_t earlier = std::min(x, y);
      if (slot[later] < 0) {
        slot[later] = static_cast<int64_t>(found.size());
        found.push_back({later, earlier, 0});
      } else {
        Overlap& o = found[static_cast<size_t>(slot[later])];
        if (earlier < o.other) {
          o.other = earlier;  // Report the first rule of the file.
        }
        ++o.more;
      }
    }
    open.insert(x);
    closing.push({a.end, x});
  }
  std::sort(found.begin(), found.end(),
            [](const Overlap& l, const Overlap& r) { return l.rule < r.rule; });
  return found;
}

std::vector<Diagnostic> LintRuleFile(const RuleFile& file,
                                     const LintOptions& options) {
  const v1::RuleSet& set = file.rules();
  const std::vector<RuleShape> shapes = ShapesOf(set);
  std::vector<bool> shadowed(shapes.size(), false);
  const std::vector<Shadowing> shadows = FindShadowed(shapes);
  for (const Shadowing& s : shadows) shadowed[s.rule] = true;
  const std::vector<Overlap> overlaps = FindOverlaps(shapes, shadowed);

  std::vector<Diagnostic> errors;
  std::vector<Diagnostic> warnings;
  size_t dropped_errors = 0;
  size_t dropped_warnings = 0;
  using Severity = Diagnostic::Severity;
  // A diagnostic at field `tail` of rules[rule].
  auto add = [&](Severity severity, int rule, std::vector<RuleFile::Step> tail,
                 std::string message) {
    std::vector<Diagnostic>& list =
        severity == Severity::kError ? errors : warnings;
    if (list.size() >= kMaxDiagnostics) {
      ++(severity == Severity::kError ? dropped_errors : dropped_warnings);
      return;
    }
    tail.insert(tail.begin(), RuleFile::Step{"rules", rule});
    list.push_back(file.Locate(severity, tail, std::move(message)));
  };

  // Ranges and the device.
  if (options.device_size.has_value()) {
    const uint64_t block_size = schema::BlockSize(set);
    const uint64_t blocks = *options.device_size / block_size;
    const std::string device = absl::StrFormat(
        "the device has %u blocks of %u bytes (%s)%s", blocks, block_size,
        FormatSize(*options.device_size),
        blocks == 0 ? "" : absl::StrCat(", last LBA ", blocks - 1));
    for (int i = 0; i < set.rules_size(); ++i) {
      const v1::Rule& rule = set.rules(i);
      if (!rule.has_range()) continue;
      const RuleShape& s = shapes[static_cast<size_t>(i)];
      if (s.start >= blocks) {
        add(Severity::kError, i, {{"range"}, {"lba"}},
            absl::StrFormat("range starts at LBA %u, beyond the end of the "
                            "device: %s; the rule can never match",
                            s.start, device));
      } else if (s.end > blocks) {
        add(Severity::kWarning, i,
            {{"range"}, {rule.range().count() != 0 ? "count" : "lba"}},
            absl::StrFormat("range %s ends beyond the device: %s; its last "
                            "%u block%s can never be reached",
                            RangeOf(s), device, s.end - blocks,
                            s.end - blocks == 1 ? "" : "s"));
      }
    }
  }

  // Shadowed rules.
  const uint64_t reachable = schema::StateMasks(set).Reachable();
  for (const Shadowing& sh : shadows) {
    const RuleShape& a = shapes[sh.by];
    const RuleShape& b = shapes[sh.rule];
    std::vector<std::string> why;
    why.push_back(a.whole ? std::string("the whole device")
                          : absl::StrCat(RangeOf(a), " contain this rule's ",
                                         RangeOf(b)));
    why.push_back(a.ops == schema::kAllOps
                      ? std::string("every op")
                      : absl::StrCat("ops ", OpNames(a.ops), " include ",
                                     OpNames(b.ops)));
    why.push_back(a.target.empty() ? "every device" : "the same target");
    why.push_back((a.states & reachable) == reachable
                      ? std::string("every state")
                      : absl::StrCat(StateNames(set, a.states, reachable),
                                     " include ",
                                     StateNames(set, b.states, reachable)));
    add(Severity::kWarning, static_cast<int>(sh.rule), {},
        absl::StrFormat(
            "rule can never fire: %s comes first in the file, fires on every "
            "match (no skip, max_fires, every_nth or probability below 1) and "
            "matches every request this rule could win (%s)",
            RuleRef(set, sh.by), absl::StrJoin(why, ", ")));
  }

  // Overlaps whose order matters.
  for (const Overlap& o : overlaps) {
    const RuleShape& first = shapes[o.other];  // earlier in the file
    const RuleShape& self = shapes[o.rule];
    const v1::Rule& first_rule = set.rules(static_cast<int>(o.other));
    const v1::Rule& self_rule = set.rules(static_cast<int>(o.rule));
    const uint64_t from = std::max(first.start, self.start);
    const uint64_t to = std::min(first.end, self.end);
    std::string where = LbaRange(from, to, first.whole && self.whole);
    std::string states;
    const uint64_t both = first.states & self.states;
    if ((both & reachable) != reachable) {
      states = absl::StrCat(" in ", StateNames(set, both, reachable));
    }
    const std::string first_action =
        schema::ActionName(first_rule.action_case());
    const std::string self_action = schema::ActionName(self_rule.action_case());
    const std::string difference = Difference(first_rule, self_rule);
    std::string message = absl::StrFormat(
        "order matters: this rule and %s can both match %s of %s%s and "
        "decide differently%s; a request starting there gets %s's %s%s, "
        "because it comes first in the file",
        RuleRef(set, o.other), OpNames(first.ops & self.ops), where, states,
        difference.empty() ? ""
                           : absl::StrCat(" (same action, ", difference, ")"),
        absl::StrCat("rules[", o.other, "]"), first_action,
        first.always_fires
            ? ""
            : absl::StrCat(" whenever it fires (otherwise this rule's ",
                           self_action, ")"));
    // An always-firing earlier rule that starts first and matches all the
    // ops, targets and states of this one leaves it the requests that start
    // past its range.
    RuleShape unbounded = first;
    unbounded.end = kNoEnd;
    if (!first.whole && Covers(unbounded, self)) {
      absl::StrAppendFormat(&message,
                            "; it always fires, so this rule decides only "
                            "requests that start at LBA %u or later",
                            first.end);
    }
    if (self.start < first.start) {
      absl::StrAppendFormat(
          &message,
          "; requests starting before LBA %u get this rule's %s%s (the "
          "lowest fault address wins)",
          first.start, self_action, self.always_fires ? "" : " when it fires");
    }
    if (o.more > 0) {
      absl::StrAppendFormat(&message, "; %u more rule%s overlap it too", o.more,
                            o.more == 1 ? "" : "s");
    }
    if (self_rule.has_range()) {
      add(Severity::kWarning, static_cast<int>(o.rule), {{"range"}},
          std::move(message));
    } else {
      add(Severity::kWarning, static_cast<int>(o.rule), {}, std::move(message));
    }
  }

  std::vector<Diagnostic> all = std::move(errors);
  if (dropped_errors > 0) {
    all.push_back(FileDiagnostic(
        file.source_name(),
        absl::StrFormat("too many lint errors: %u more not shown",
                        dropped_errors)));
  }
  all.insert(all.end(), warnings.begin(), warnings.end());
  if (dropped_warnings > 0) {
    all.push_back(FileDiagnostic(
        file.source_name(),
        absl::StrFormat("too many lint warnings: %u more not shown",
                        dropped_warnings),
        Severity::kWarning));
  }
  return all;
}

}  // namespace cli
}  // namespace faultcore
