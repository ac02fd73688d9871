// The canonical text form of a rule set: what `faultcore fmt` prints and
// `faultcore convert` writes for text output.
//
// Fields in schema order, two-space indents, `ops: [READ, WRITE]` lists,
// device codes that specs write in hexadecimal (ASC, ASCQ, NVMe SC, ATA
// status and error) in hexadecimal, and a blank line between top-level
// rules and transitions.  Comments are not kept (the parsed rule set has
// none).  Printing, parsing and printing again gives the same text.

#ifndef FAULTCORE_TOOLS_CANONICAL_TEXT_H_
#define FAULTCORE_TOOLS_CANONICAL_TEXT_H_

#include <string>

#include "proto/faultcore.pb.h"

namespace faultcore {
namespace cli {

std::string CanonicalText(const v1::RuleSet& rules);

}  // namespace cli
}  // namespace faultcore

#endif  // FAULTCORE_TOOLS_CANONICAL_TEXT_H_
