// Checks and quoting of the strings a rule file supplies (names, targets,
// states, events), shared by the text parser, the binary pre-check and the
// validator.  Pure functions; thread-safe.

#ifndef FAULTCORE_PROTO_INTERNAL_STRINGS_H_
#define FAULTCORE_PROTO_INTERNAL_STRINGS_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace faultcore {
namespace internal {

// `s` in double quotes, C-escaped (so control bytes and invalid UTF-8 cannot
// reach a terminal raw) and cut to 64 bytes.
std::string Quote(absl::string_view s);

// [A-Za-z0-9_.:-]{1,max_length}, plus '#' and '/' when `target`.
bool IsValidName(absl::string_view s, size_t max_length, bool target);

// Strict UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above
// U+10FFFF).  At least as strict as protobuf's own check, so that a string
// accepted here never makes protobuf complain (and log) later.
bool IsValidUtf8(absl::string_view s);

// The candidate closest to `name` (case-insensitive edit distance) if it is
// close enough to be a typo; empty otherwise.  For "did you mean" hints.
std::string ClosestName(absl::string_view name,
                        const std::vector<std::string>& candidates);

}  // namespace internal
}  // namespace faultcore

#endif  // FAULTCORE_PROTO_INTERNAL_STRINGS_H_
