// Limits the parsers share.

#ifndef FAULTCORE_PROTO_INTERNAL_LIMITS_H_
#define FAULTCORE_PROTO_INTERNAL_LIMITS_H_

namespace faultcore {
namespace internal {

// Deeper than anything faultcore.proto can express; bounds the recursion of
// the text parser and of the binary pre-check on hostile input.
inline constexpr int kMaxNesting = 32;

}  // namespace internal
}  // namespace faultcore

#endif  // FAULTCORE_PROTO_INTERNAL_LIMITS_H_
