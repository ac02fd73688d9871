// The benchmark rule layouts (bench/workloads.h) as faultcore.v1.RuleSet
// messages.
#ifndef FAULTCORE_BENCH_RULE_SETS_H_
#define FAULTCORE_BENCH_RULE_SETS_H_

#include <cstdint>
#include <vector>

#include "proto/faultcore.pb.h"

namespace faultcore {
namespace bench {

// One `media_error {}` rule per LBA (reads fail; writes pass), in the
// order given, unnamed unless `named` (names make files larger).
v1::RuleSet MediaErrorRules(const std::vector<uint64_t>& lbas,
                            bool named = false);

}  // namespace bench
}  // namespace faultcore

#endif  // FAULTCORE_BENCH_RULE_SETS_H_
