#include "bench/rule_sets.h"

#include "absl/strings/str_cat.h"

namespace faultcore {
namespace bench {

v1::RuleSet MediaErrorRules(const std::vector<uint64_t>& lbas, bool named) {
  v1::RuleSet set;
  set.mutable_rules()->Reserve(static_cast<int>(lbas.size()));
  for (size_t i = 0; i < lbas.size(); ++i) {
    v1::Rule* r = set.add_rules();
    if (named) r->set_name(absl::StrCat("bad-", i));
    r->mutable_range()->set_lba(lbas[i]);
    r->mutable_media_error();
  }
  return set;
}

}  // namespace bench
}  // namespace faultcore
