// RuleFile: loading that keeps locations, for tools that report findings of
// their own (faultcore lint).
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto/rule_loader.h"

namespace faultcore {
namespace {

using Severity = Diagnostic::Severity;

constexpr char kText[] =
    "states: [\"up\", \"down\"]\n"
    "rules {\n"
    "  name: \"a\"\n"
    "  range { lba: 10 count: 2 }\n"
    "  media_error {}\n"
    "}\n"
    "rules {\n"
    "\tops: [READ,\tWRITE]\n"
    "\tdelay {}\n"
    "}\n";

TEST(RuleFileTest, LocatesFieldsLikeTheValidator) {
  std::vector<Diagnostic> diagnostics;
  absl::StatusOr<std::unique_ptr<RuleFile>> file =
      LoadRuleFileFromBuffer(kText, RuleFormat::kAuto, "x.txtpb", &diagnostics);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_TRUE(diagnostics.empty());
  const RuleFile& f = **file;
  EXPECT_EQ(f.format(), RuleFormat::kText);
  EXPECT_EQ(f.source_name(), "x.txtpb");
  EXPECT_EQ(f.text(), kText);
  ASSERT_EQ(f.rules().rules_size(), 2);

  EXPECT_EQ(
      f.Locate(Severity::kWarning, {{"rules", 0}, {"range"}}, "m").ToString(),
      "x.txtpb:4:3: warning: rules[0] (\"a\").range: m");
  EXPECT_EQ(
      f.Locate(Severity::kError, {{"rules", 0}, {"range"}, {"count"}}, "m")
          .ToString(),
      "x.txtpb:4:19: error: rules[0] (\"a\").range.count: m");
  // Values in list syntax, with tabs counted as one byte.
  EXPECT_EQ(
      f.Locate(Severity::kWarning, {{"rules", 1}, {"ops", 1}}, "m").ToString(),
      "x.txtpb:8:14: warning: rules[1].ops[1]: m");
  // An absent field is located at its message.
  EXPECT_EQ(
      f.Locate(Severity::kWarning, {{"rules", 1}, {"range"}}, "m").ToString(),
      "x.txtpb:7:1: warning: rules[1].range: m");
  // A name that is no field ends the path.
  EXPECT_EQ(
      f.Locate(Severity::kWarning, {{"rules", 0}, {"nope"}}, "m").ToString(),
      "x.txtpb:2:1: warning: rules[0] (\"a\"): m");
  EXPECT_EQ(f.Locate(Severity::kWarning, {}, "m").ToString(),
            "x.txtpb: warning: m");
}

TEST(RuleFileTest, BinaryHasPathsButNoLines) {
  absl::StatusOr<std::unique_ptr<RuleFile>> text =
      LoadRuleFileFromBuffer(kText, RuleFormat::kText, "x");
  ASSERT_TRUE(text.ok());
  absl::StatusOr<std::unique_ptr<RuleFile>> binary = LoadRuleFileFromBuffer(
      (*text)->rules().SerializeAsString(), RuleFormat::kAuto, "x.binpb");
  ASSERT_TRUE(binary.ok()) << binary.status();
  EXPECT_EQ((*binary)->format(), RuleFormat::kBinary);
  EXPECT_TRUE((*binary)->text().empty());
  EXPECT_EQ((*binary)
                ->Locate(Severity::kWarning, {{"rules", 0}, {"range"}}, "m")
                .ToString(),
            "x.binpb: warning: rules[0] (\"a\").range: m");
}

TEST(RuleFileTest, TextLeavesOutTheByteOrderMark) {
  absl::StatusOr<std::unique_ptr<RuleFile>> file = LoadRuleFileFromBuffer(
      "\xEF\xBB\xBFrules { media_error {} }", RuleFormat::kAuto, "bom");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ((*file)->text(), "rules { media_error {} }");
}

TEST(RuleFileTest, FailuresAreTheLoadersFailures) {
  std::vector<Diagnostic> diagnostics;
  absl::StatusOr<std::unique_ptr<RuleFile>> file =
      LoadRuleFileFromBuffer("rules { range { lba: -1 } media_error {} }",
                             RuleFormat::kText, "t", &diagnostics);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0].ToString(),
            "t:1:22: error: value -1 is out of range for \"lba\" (uint64: "
            "0..18446744073709551615)");

  file =
      LoadRuleFile("/nonexistent/rules.txtpb", RuleFormat::kAuto, &diagnostics);
  EXPECT_EQ(file.status().code(), absl::StatusCode::kNotFound);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_THAT(diagnostics[0].ToString(),
              ::testing::StartsWith("/nonexistent/rules.txtpb: error: cannot "
                                    "open rule file"));
}

}  // namespace
}  // namespace faultcore
