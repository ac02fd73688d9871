// Parsing rule files in protobuf binary wire format, after a walk of the
// wire data along the schema that reports what ParseFromArray would accept
// silently (unknown fields: a newer schema whose rules this loader would
// misread) or reject with a log line instead of an error (strings that are
// not UTF-8).
//
// Thread-safe: no state is kept between calls.

#ifndef FAULTCORE_PROTO_INTERNAL_BINARY_WIRE_H_
#define FAULTCORE_PROTO_INTERNAL_BINARY_WIRE_H_

#include <vector>

#include "absl/strings/string_view.h"
#include "proto/diagnostic.h"
#include "proto/faultcore.pb.h"

namespace faultcore {
namespace internal {

// Parses `data` into `set`.  On failure returns false and appends the
// errors to `diagnostics` (named `source_name`, with field paths but no
// lines).  Nothing is logged.
bool ParseBinary(absl::string_view data, absl::string_view source_name,
                 v1::RuleSet* set, std::vector<Diagnostic>* diagnostics);

}  // namespace internal
}  // namespace faultcore

#endif  // FAULTCORE_PROTO_INTERNAL_BINARY_WIRE_H_
