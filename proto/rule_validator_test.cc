// Validation rules added after the loader's first version: heal_on_write
// with write ops, torn writes that tear nothing.  (rule_loader_test.cc covers
// the rest of the validator through the loader.)
#include "proto/rule_validator.h"

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto/rule_loader.h"

namespace faultcore {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> Load(const std::string& text, bool* ok = nullptr) {
  std::vector<Diagnostic> diagnostics;
  const absl::StatusOr<v1::RuleSet> set =
      LoadRuleSet(text, RuleFormat::kText, "t.txtpb", &diagnostics);
  if (ok != nullptr) *ok = set.ok();
  std::vector<std::string> out;
  for (const Diagnostic& d : diagnostics) out.push_back(d.ToString());
  return out;
}

TEST(HealOnWriteTest, WriteOpsAreErrors) {
  bool ok = true;
  EXPECT_THAT(
      Load("rules {\n"
           "  ops: [READ, WRITE_ZEROES, WRITE]\n"
           "  media_error { heal_on_write { fail_writes: 1 } }\n"
           "}",
           &ok),
      ElementsAre("t.txtpb:2:15: error: rules[0].ops[1]: op WRITE_ZEROES is "
                  "not allowed with heal_on_write: writes to the bad blocks "
                  "heal them (or fail through fail_writes), so the op would "
                  "be ignored",
                  "t.txtpb:2:29: error: rules[0].ops[2]: op WRITE is not "
                  "allowed with heal_on_write: writes to the bad blocks heal "
                  "them (or fail through fail_writes), so the op would be "
                  "ignored"));
  EXPECT_FALSE(ok);
}

TEST(HealOnWriteTest, WithoutReadOnlyTheMissingReadIsReported) {
  EXPECT_THAT(
      Load("rules { ops: WRITE_ZEROES media_error { heal_on_write {} } }"),
      ElementsAre("t.txtpb:1:41: error: rules[0].media_error."
                  "heal_on_write: heal_on_write needs READ in ops (or "
                  "ops left empty): only blocks that fail reads can "
                  "heal"));
}

TEST(HealOnWriteTest, WriteOpsWithoutHealAreFine) {
  bool ok = false;
  EXPECT_THAT(Load("rules { ops: [READ, WRITE] media_error {} }", &ok),
              IsEmpty());
  EXPECT_TRUE(ok);
  EXPECT_THAT(Load("rules { media_error { heal_on_write {} } }", &ok),
              IsEmpty());
  EXPECT_TRUE(ok);
}

TEST(HealOnWriteTest, BinaryInputIsCheckedToo) {
  v1::RuleSet set;
  v1::Rule* rule = set.add_rules();
  rule->set_name("h");
  rule->add_ops(v1::READ);
  rule->add_ops(v1::WRITE);
  rule->mutable_media_error()->mutable_heal_on_write();
  std::vector<std::string> out;
  for (const Diagnostic& d : ValidateRuleSet(set, "b", nullptr)) {
    out.push_back(d.ToString());
  }
  EXPECT_THAT(out, ElementsAre("b: error: rules[0] (\"h\").ops[1]: op WRITE is "
                               "not allowed with heal_on_write: writes to the "
                               "bad blocks heal them (or fail through "
                               "fail_writes), so the op would be ignored"));
}

TEST(TornWriteTest, GoodBlocksCoveringTheRangeIsAWarning) {
  bool ok = false;
  EXPECT_THAT(
      Load("rules {\n"
           "  name: \"t\"\n"
           "  range { lba: 100 count: 8 }\n"
           "  torn_write { good_blocks: 8 }\n"
           "}\n"
           "rules { range { lba: 5 } torn_write { good_blocks: 1 } }\n"
           "rules { range { lba: 9 count: 2 } torn_write { good_blocks: 99 } }",
           &ok),
      ElementsAre("t.txtpb:4:16: warning: rules[0] (\"t\").torn_write."
                  "good_blocks: rule can never fire: good_blocks 8 tears "
                  "nothing: the range has 8 blocks",
                  "t.txtpb:6:39: warning: rules[1].torn_write.good_blocks: "
                  "rule can never fire: good_blocks 1 tears nothing: the "
                  "range has 1 block",
                  "t.txtpb:7:48: warning: rules[2].torn_write.good_blocks: "
                  "rule can never fire: good_blocks 99 tears nothing: the "
                  "range has 2 blocks"));
  EXPECT_TRUE(ok);  // Warnings do not fail the load.
}

TEST(TornWriteTest, TearsInsideTheRangeAreClean) {
  EXPECT_THAT(Load("rules { range { lba: 100 count: 8 } "
                   "torn_write { good_blocks: 7 } }"),
              IsEmpty());
  // Without a range the rule covers the whole device: nothing to compare.
  EXPECT_THAT(Load("rules { torn_write { good_blocks: 1000000 } }"), IsEmpty());
}

}  // namespace
}  // namespace faultcore
