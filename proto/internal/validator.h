// The validator's entry point for the loader, which also has the parsed text
// and so can locate every value exactly (see rule_validator.h).

#ifndef FAULTCORE_PROTO_INTERNAL_VALIDATOR_H_
#define FAULTCORE_PROTO_INTERNAL_VALIDATOR_H_

#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/text_format.h"
#include "proto/diagnostic.h"
#include "proto/faultcore.pb.h"
#include "proto/internal/source_text.h"

namespace faultcore {
namespace internal {

// ValidateRuleSet(), with columns counted in bytes of `text` and values in
// list syntax located one by one.  `locations` and `text` may be null.
std::vector<Diagnostic> ValidateParsedRuleSet(
    const v1::RuleSet& rules, absl::string_view source_name,
    const google::protobuf::TextFormat::ParseInfoTree* locations,
    const SourceText* text);

}  // namespace internal
}  // namespace faultcore

#endif  // FAULTCORE_PROTO_INTERNAL_VALIDATOR_H_
