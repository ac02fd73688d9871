// What `faultcore lint` finds beyond the loader's own checks: rules that can
// never win because an earlier rule takes every request they match
// (shadowed), pairs of rules whose order in the file decides the verdict
// (overlaps), and ranges beyond the device.
//
// The reasoning follows the verdict contract of proto/faultcore.proto: among
// the rules a request matches, the one whose fault lies at the lowest
// address is considered first, ties broken by file order, and the first
// that fires wins.
//
// Work is O(n log n) in the number of rules: rules are swept in order of
// their first LBA, and each rule is compared with at most
// LintOptions::max_compared others.  Pure functions; thread-safe.

#ifndef FAULTCORE_TOOLS_LINT_CHECKS_H_
#define FAULTCORE_TOOLS_LINT_CHECKS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "proto/diagnostic.h"
#include "proto/faultcore.pb.h"
#include "proto/rule_loader.h"

namespace faultcore {
namespace cli {

// A rule reduced to what decides which requests it can win.
struct RuleShape {
  uint32_t index = 0;
  // LBAs [start, end); a rule without range covers [0, UINT64_MAX) and is
  // `whole` (it also matches requests without LBAs, such as flushes).
  uint64_t start = 0;
  uint64_t end = 0;
  bool whole = false;
  // The ops on which the rule can decide a verdict: its ops (or its
  // action's defaults), plus write and write-zeroes for a healing media
  // error that fails writes (HealOnWrite.fail_writes > 0).
  uint32_t ops = 0;
  std::string target;  // "" = every device
  // The states in which the rule is armed and that can be entered.
  uint64_t states = 0;
  // Whether the rule can ever fire (probability not 0, armed in a reachable
  // state, a torn write that tears something).  Rules that cannot are left
  // to the loader's warnings.
  bool can_fire = false;
  // Whether every match fires and its fault address never moves: no skip,
  // max_fires, once, every_nth > 1 or probability < 1, and neither a
  // healing media error (heals move its fault) nor a torn write (only some
  // writes match).
  bool always_fires = false;
  // Equal for rules that give the same verdict (action and its parameters,
  // codes, latency, next_state).
  uint32_t verdict_id = 0;
};

std::vector<RuleShape> ShapesOf(const v1::RuleSet& rules);

// Whether `a` (earlier in the file) takes every request that `b` could win:
// `a` always fires and covers b's range, ops, target and states.
bool Covers(const RuleShape& a, const RuleShape& b);

// Whether `a` and `b` can both match one request and decide it differently.
bool Conflict(const RuleShape& a, const RuleShape& b);

struct Shadowing {
  uint32_t rule;  // never wins
  uint32_t by;    // an earlier rule that Covers() it
};
// Every rule that can fire and is covered by an earlier rule, in rule
// order.  Compares each rule with at most `max_groups` groups of earlier
// always-firing rules (rules with the same target, ops and states form a
// group), which finds every shadowed rule unless a file has more than
// `max_groups` such groups per target.
std::vector<Shadowing> FindShadowed(const std::vector<RuleShape>& shapes,
                                    size_t max_groups = 64);

struct Overlap {
  uint32_t rule;   // the later rule in the file: it loses ties
  uint32_t other;  // the first earlier-in-file conflicting rule found
  uint32_t more;   // further conflicting rules found
};
// Rules in Conflict(), except shadowed ones (`shadowed[i]` true), one entry
// per later rule, in rule order.  Each rule is compared with at most
// `max_compared` rules whose ranges are open at its start.
std::vector<Overlap> FindOverlaps(const std::vector<RuleShape>& shapes,
                                  const std::vector<bool>& shadowed,
                                  size_t max_compared = 64);

struct LintOptions {
  // Device size in bytes, for the range checks.
  std::optional<uint64_t> device_size;
};

// The findings above as diagnostics located in `file`: shadowed rules and
// overlaps are warnings; a range that starts beyond the device is an error
// (the rule can never match) and one that ends beyond it a warning.  In rule
// order, at most kMaxDiagnostics errors and warnings each (then one more
// saying how many were left out).
std::vector<Diagnostic> LintRuleFile(const RuleFile& file,
                                     const LintOptions& options);

}  // namespace cli
}  // namespace faultcore

#endif  // FAULTCORE_TOOLS_LINT_CHECKS_H_
