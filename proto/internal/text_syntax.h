// Parsing rule files written in protobuf text format, with protobuf's syntax
// errors rewritten into located messages in the user's terms ("value -5 is
// out of range for \"lba\" (uint64: 0..18446744073709551615)", "unknown
// field \"skp\" in faultcore.v1.Trigger; did you mean \"skip\"?").
//
// Thread-safe: no state is kept between calls.

#ifndef FAULTCORE_PROTO_INTERNAL_TEXT_SYNTAX_H_
#define FAULTCORE_PROTO_INTERNAL_TEXT_SYNTAX_H_

#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/text_format.h"
#include "proto/diagnostic.h"
#include "proto/faultcore.pb.h"
#include "proto/internal/source_text.h"

namespace faultcore {
namespace internal {

// Parses `text` into `set`, recording field locations in `tree`.  On
// failure returns false and appends every syntax error to `diagnostics`
// (named `source_name`, located in bytes).  On success appends the parser's
// warnings, if any, and returns true.  Nothing is logged.
bool ParseText(const SourceText& text, absl::string_view source_name,
               v1::RuleSet* set,
               google::protobuf::TextFormat::ParseInfoTree* tree,
               std::vector<Diagnostic>* diagnostics);

}  // namespace internal
}  // namespace faultcore

#endif  // FAULTCORE_PROTO_INTERNAL_TEXT_SYNTAX_H_
