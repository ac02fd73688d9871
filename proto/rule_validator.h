// Semantic validation of a faultcore rule set: everything faultcore.proto's
// comments require beyond what the protobuf parsers check (ranges, limits,
// state names, ops per action, device codes...), plus warnings for rules
// that can never fire.
//
// Thread-safety: thread-compatible, keeps no state between calls.  Nothing
// is logged.

#ifndef FAULTCORE_PROTO_RULE_VALIDATOR_H_
#define FAULTCORE_PROTO_RULE_VALIDATOR_H_

#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/text_format.h"
#include "proto/diagnostic.h"
#include "proto/faultcore.pb.h"

namespace faultcore {

// Semantic validation of an already parsed rule set: what LoadRuleSet runs
// after parsing, and what tools that build a RuleSet in memory should run
// before they hand it over.  Returns every error (in field order) followed by
// every warning; an empty result means the set is valid and clean.
//
// `locations` may be null (binary input, sets built in code).  When given, it
// is the tree filled by TextFormat::Parser::WriteLocationsTo() while parsing
// `rules`, and diagnostics get the line and column of the offending field.
// Columns then count a tab as protobuf's tokenizer does (to the next multiple
// of 8), and values written with list syntax (`ops: [READ, WRITE]`) are
// located at the list; LoadRuleSet refines both with the source text.
std::vector<Diagnostic> ValidateRuleSet(
    const v1::RuleSet& rules, absl::string_view source_name,
    const google::protobuf::TextFormat::ParseInfoTree* locations);

}  // namespace faultcore

#endif  // FAULTCORE_PROTO_RULE_VALIDATOR_H_
