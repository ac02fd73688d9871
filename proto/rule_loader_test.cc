#include "proto/rule_loader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "proto/internal/load.h"

namespace faultcore {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::StartsWith;

std::string TestDataPath(const std::string& name) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  const std::string relative = "proto/testdata/" + name;
  if (srcdir == nullptr || workspace == nullptr) return relative;
  return absl::StrCat(srcdir, "/", workspace, "/", relative);
}

std::string ReadTestData(const std::string& name) {
  std::ifstream in(TestDataPath(name), std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string TempPath(const std::string& name) {
  const char* tmpdir = std::getenv("TEST_TMPDIR");
  return absl::StrCat(tmpdir != nullptr ? tmpdir : "/tmp", "/", name);
}

std::vector<std::string> Strings(const std::vector<Diagnostic>& diagnostics) {
  std::vector<std::string> out;
  for (const Diagnostic& diagnostic : diagnostics) {
    out.push_back(diagnostic.ToString());
  }
  return out;
}

// Every test also checks that the loader printed nothing: protobuf logs parse
// problems to stderr unless it is given an error collector, and the loader
// must report through diagnostics only.
class RuleLoaderTest : public ::testing::Test {
 protected:
  void SetUp() override { ::testing::internal::CaptureStderr(); }
  void TearDown() override {
    EXPECT_EQ(::testing::internal::GetCapturedStderr(), "")
        << "the loader wrote to stderr";
  }

  // Loads `text` as a text rule file named "t.txtpb"; diagnostics_ gets the
  // diagnostics.
  absl::StatusOr<v1::RuleSet> LoadText(const std::string& text) {
    return LoadRuleSet(text, RuleFormat::kText, "t.txtpb", &diagnostics_);
  }

  // The one error `text` must give, as "FILE:LINE:COL: error: PATH: MESSAGE";
  // also checks that the status carries it.
  std::string OnlyError(const std::string& text) {
    const absl::StatusOr<v1::RuleSet> result = LoadText(text);
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(diagnostics_, SizeIs(1))
        << absl::StrJoin(Strings(diagnostics_), "\n");
    if (diagnostics_.empty()) return "";
    EXPECT_EQ(result.status().message(), diagnostics_[0].ToString());
    return diagnostics_[0].ToString();
  }

  std::vector<Diagnostic> diagnostics_;
};

// --- Diagnostic ------------------------------------------------------------

TEST(DiagnosticTest, ToStringLeavesOutWhatIsUnknown) {
  Diagnostic d;
  d.file = "f.txtpb";
  d.line = 3;
  d.column = 7;
  d.path = "rules[0].range";
  d.message = "bad";
  EXPECT_EQ(d.ToString(), "f.txtpb:3:7: error: rules[0].range: bad");
  d.severity = Diagnostic::Severity::kWarning;
  EXPECT_EQ(d.ToString(), "f.txtpb:3:7: warning: rules[0].range: bad");
  d.column = 0;
  EXPECT_EQ(d.ToString(), "f.txtpb:3: warning: rules[0].range: bad");
  d.line = 0;
  d.path.clear();
  EXPECT_EQ(d.ToString(), "f.txtpb: warning: bad");
  d.file.clear();
  EXPECT_EQ(d.ToString(), "warning: bad");
}

// --- Good input ------------------------------------------------------------

TEST_F(RuleLoaderTest, GoodFileLoadsEveryActionTriggerAndCode) {
  const absl::StatusOr<v1::RuleSet> set = LoadRuleSetFile(
      TestDataPath("good.txtpb"), RuleFormat::kAuto, &diagnostics_);
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_THAT(diagnostics_, IsEmpty())
      << absl::StrJoin(Strings(diagnostics_), "\n");

  EXPECT_EQ(set->block_size(), 4096u);
  EXPECT_THAT(set->states(), ElementsAre("healthy", "degraded", "scrubbing"));
  ASSERT_EQ(set->rules_size(), 8);
  const v1::Rule& bad = set->rules(0);
  EXPECT_EQ(bad.name(), "bad-sector");
  EXPECT_EQ(bad.range().lba(), 1000u);
  EXPECT_EQ(bad.trigger().every_nth(), 3u);
  EXPECT_DOUBLE_EQ(bad.trigger().probability(), 0.5);
  EXPECT_TRUE(bad.trigger().per_target());
  EXPECT_EQ(bad.codes().scsi().asc(), 0x11u);
  EXPECT_EQ(bad.codes().scsi().format(), v1::ScsiSense::DESCRIPTOR);
  EXPECT_EQ(bad.codes().nvme().sc(), 0x81u);
  EXPECT_TRUE(bad.codes().nvme().dnr());
  EXPECT_EQ(bad.codes().ata().error(), 0x40u);
  EXPECT_EQ(bad.media_error().heal_on_write().write_codes().ata().status(),
            0x61u);
  EXPECT_EQ(set->rules(1).action_case(), v1::Rule::kWriteFault);
  EXPECT_EQ(set->rules(2).action_case(), v1::Rule::kRecoveredError);
  EXPECT_EQ(set->rules(3).delay().ns(), 1000000u);
  EXPECT_EQ(set->rules(4).hold().on_timeout(), v1::Hold::FAIL);
  EXPECT_EQ(set->rules(5).corrupt().bits_per_block(), 3u);
  EXPECT_EQ(set->rules(6).torn_write().good_blocks(), 3u);
  EXPECT_EQ(set->rules(7).action_case(), v1::Rule::kLostWrite);
  ASSERT_EQ(set->transitions_size(), 2);
  EXPECT_THAT(set->transitions(0).from(), ElementsAre("healthy", "degraded"));
}

TEST_F(RuleLoaderTest, BinaryRoundTrip) {
  const absl::StatusOr<v1::RuleSet> text =
      LoadRuleSetFile(TestDataPath("good.txtpb"), RuleFormat::kText, nullptr);
  ASSERT_TRUE(text.ok()) << text.status();
  const std::string binary = text->SerializeAsString();

  // Explicit format, format by extension, and format by content.
  for (const auto& [format, name] :
       std::vector<std::pair<RuleFormat, std::string>>{
           {RuleFormat::kBinary, "rules"},
           {RuleFormat::kAuto, "rules.binpb"},
           {RuleFormat::kAuto, "rules.PB"},
           {RuleFormat::kAuto, "rules"}}) {
    const absl::StatusOr<v1::RuleSet> back =
        LoadRuleSet(binary, format, name, &diagnostics_);
    ASSERT_TRUE(back.ok()) << name << ": " << back.status();
    EXPECT_THAT(diagnostics_, IsEmpty());
    EXPECT_TRUE(
        google::protobuf::util::MessageDifferencer::Equals(*text, *back))
        << name;
  }

  // And back to text, through the text printer.
  std::string printed;
  ASSERT_TRUE(google::protobuf::TextFormat::PrintToString(*text, &printed));
  const absl::StatusOr<v1::RuleSet> reparsed =
      LoadRuleSet(printed, RuleFormat::kAuto, "printed", &diagnostics_);
  ASSERT_TRUE(reparsed.ok()) << reparsed.status();
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(*text, *reparsed));
}

TEST_F(RuleLoaderTest, FormatByExtensionWins) {
  // Text content in a .pb file is read as binary (and is not valid binary).
  const absl::StatusOr<v1::RuleSet> set = LoadRuleSet(
      "rules { media_error {} }", RuleFormat::kAuto, "x.pb", &diagnostics_);
  EXPECT_EQ(set.status().code(), absl::StatusCode::kInvalidArgument);
  ASSERT_THAT(diagnostics_, SizeIs(1));
  EXPECT_THAT(diagnostics_[0].message,
              StartsWith("not a valid binary faultcore.v1.RuleSet"));
  // The same text in a .fc file loads.
  EXPECT_TRUE(
      LoadRuleSet("rules { media_error {} }", RuleFormat::kAuto, "x.fc").ok());
  // A byte order mark is skipped.
  EXPECT_TRUE(LoadRuleSet("\xEF\xBB\xBFrules { media_error {} }",
                          RuleFormat::kAuto, "x")
                  .ok());
}

// --- Empty and undecodable input -------------------------------------------

TEST_F(RuleLoaderTest, EmptyInputIsAValidSetWithoutRules) {
  for (const std::string& text : {std::string(""), std::string("  \n\t\n"),
                                  std::string("# only a comment\n")}) {
    const absl::StatusOr<v1::RuleSet> set =
        LoadRuleSet(text, RuleFormat::kAuto, "t.txtpb", &diagnostics_);
    ASSERT_TRUE(set.ok()) << set.status();
    EXPECT_EQ(set->rules_size(), 0);
    EXPECT_THAT(diagnostics_, IsEmpty());
  }
  const absl::StatusOr<v1::RuleSet> binary =
      LoadRuleSet("", RuleFormat::kBinary, "e.binpb", &diagnostics_);
  ASSERT_TRUE(binary.ok()) << binary.status();
  EXPECT_EQ(binary->rules_size(), 0);
}

TEST_F(RuleLoaderTest, RuleSetWithoutRulesIsStillChecked) {
  const absl::StatusOr<v1::RuleSet> set =
      LoadRuleSet("states: \"a\"", RuleFormat::kAuto, "t.txtpb", &diagnostics_);
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->states_size(), 1);
  // What is there is still validated.
  EXPECT_EQ(OnlyError("initial_state: \"nowhere\""),
            "t.txtpb:1:1: error: initial_state: unknown state \"nowhere\" "
            "(the rule set declares no states)");
}

TEST_F(RuleLoaderTest, BinaryGarbage) {
  const absl::StatusOr<v1::RuleSet> set =
      LoadRuleSet(std::string("\xff\xfe\x00\x01garbage", 11), RuleFormat::kAuto,
                  "garbage", &diagnostics_);
  EXPECT_EQ(set.status().code(), absl::StatusCode::kInvalidArgument);
  ASSERT_THAT(diagnostics_, SizeIs(1));
  EXPECT_EQ(diagnostics_[0].line, 0);
  EXPECT_THAT(
      std::string(set.status().message()),
      StartsWith("garbage: error: not a valid binary faultcore.v1.RuleSet"));
}

TEST_F(RuleLoaderTest, BinaryWithUnknownFieldOrBadUtf8) {
  v1::RuleSet set;
  set.add_rules()->mutable_media_error();
  std::string binary = set.SerializeAsString();
  // Field 99 of RuleSet, varint 1: what a newer schema could write.
  binary += std::string("\x98\x06\x01", 3);
  EXPECT_FALSE(
      LoadRuleSet(binary, RuleFormat::kBinary, "new.binpb", &diagnostics_)
          .ok());
  EXPECT_THAT(
      Strings(diagnostics_),
      ElementsAre("new.binpb: error: unknown field number 99 in "
                  "faultcore.v1.RuleSet (written with a newer schema?)"));

  // rules[0].name = "\xff": protobuf would refuse it and log; we report it.
  const std::string bad_name("\x22\x06\x0a\x01\xff\xa2\x01\x00", 8);
  EXPECT_FALSE(
      LoadRuleSet(bad_name, RuleFormat::kBinary, "b", &diagnostics_).ok());
  EXPECT_THAT(
      Strings(diagnostics_),
      ElementsAre("b: error: rules[0].name: string is not valid UTF-8"));
}

TEST_F(RuleLoaderTest, BinaryEmptyStringAtTheEnd) {
  v1::RuleSet set;
  set.add_rules()->mutable_media_error();
  set.add_transitions()->add_from("");
  const std::string binary = set.SerializeAsString();
  ASSERT_EQ(binary.back(), '\0');  // The empty string ends the input.
  EXPECT_FALSE(
      LoadRuleSet(binary, RuleFormat::kBinary, "b", &diagnostics_).ok());
  EXPECT_THAT(
      Strings(diagnostics_),
      ElementsAre("b: error: transitions[0].event: no event: a "
                  "transition needs the name of the event the host "
                  "raises",
                  "b: error: transitions[0].from[0]: state name is empty",
                  "b: error: transitions[0].to: no state: a transition "
                  "needs the state it enters in `to`"));
}

TEST_F(RuleLoaderTest, BinaryOpenEnumValuesAreChecked) {
  v1::RuleSet set;
  v1::Rule* rule = set.add_rules();
  rule->add_ops(static_cast<v1::Op>(9));
  rule->mutable_hold()->set_on_timeout(static_cast<v1::Hold::Expiry>(5));
  EXPECT_FALSE(LoadRuleSet(set.SerializeAsString(), RuleFormat::kBinary, "b",
                           &diagnostics_)
                   .ok());
  EXPECT_THAT(
      Strings(diagnostics_),
      ElementsAre("b: error: rules[0].ops[0]: unknown op 9",
                  "b: error: rules[0].hold.on_timeout: unknown on_timeout 5"));
}

// --- Syntax errors ---------------------------------------------------------

TEST_F(RuleLoaderTest, TruncatedText) {
  const absl::StatusOr<v1::RuleSet> set = LoadRuleSetFile(
      TestDataPath("truncated.txtpb"), RuleFormat::kAuto, &diagnostics_);
  ASSERT_THAT(diagnostics_, SizeIs(1));
  EXPECT_EQ(diagnostics_[0].line, 11);
  EXPECT_EQ(diagnostics_[0].column, 1);
  EXPECT_EQ(diagnostics_[0].message,
            "unexpected end of input: \"{\" at line 6, column 7 is not closed");
  EXPECT_THAT(std::string(set.status().message()),
              HasSubstr("truncated.txtpb:11:1: error: "));

  EXPECT_EQ(OnlyError("block_size:"),
            "t.txtpb:1:12: error: unexpected end of input (expected integer)");
}

TEST_F(RuleLoaderTest, UnknownField) {
  EXPECT_EQ(
      OnlyError("rules {\n  media_error {}\n  trigger { skp: 1 }\n}"),
      "t.txtpb:3:13: error: unknown field \"skp\" in faultcore.v1.Trigger; "
      "did you mean \"skip\"?");
  EXPECT_EQ(OnlyError("rules { media_error {} once: true }"),
            "t.txtpb:1:24: error: unknown field \"once\" in faultcore.v1.Rule; "
            "did you mean trigger { once: ... }?");
  EXPECT_EQ(OnlyError("frobnicate: 1"),
            "t.txtpb:1:1: error: unknown field \"frobnicate\" in "
            "faultcore.v1.RuleSet (its fields: block_size, states, "
            "initial_state, rules, transitions)");
}

TEST_F(RuleLoaderTest, LongUnknownNamesAreCut) {
  const std::string name(5000, 'D');
  EXPECT_EQ(
      OnlyError(name),
      absl::StrCat("t.txtpb:1:1: error: unknown field \"", std::string(64, 'D'),
                   "...\" in faultcore.v1.RuleSet (its fields: "
                   "block_size, states, initial_state, rules, "
                   "transitions)"));
}

TEST_F(RuleLoaderTest, UnknownEnumValue) {
  EXPECT_EQ(OnlyError("rules { media_error {} ops: [READ, REED] }"),
            "t.txtpb:1:36: error: unknown value \"REED\" for \"ops\"; did you "
            "mean READ?");
  EXPECT_EQ(OnlyError("rules { hold { on_timeout: EXPLODE } }"),
            "t.txtpb:1:28: error: unknown value \"EXPLODE\" for \"on_timeout\" "
            "(values: PROCEED, FAIL)");
}

TEST_F(RuleLoaderTest, NumbersOutOfRange) {
  EXPECT_EQ(
      OnlyError("rules {\n  media_error {}\n  range { lba: -5 }\n}"),
      "t.txtpb:3:16: error: value -5 is out of range for \"lba\" (uint64: "
      "0..18446744073709551615)");
  EXPECT_EQ(
      OnlyError(
          "rules { media_error {} range { count: 18446744073709551616 } }"),
      "t.txtpb:1:39: error: value 18446744073709551616 is out of range for "
      "\"count\" (uint64: 0..18446744073709551615)");
  EXPECT_EQ(OnlyError("block_size: -1"),
            "t.txtpb:1:13: error: value -1 is out of range for \"block_size\" "
            "(uint32: 0..4294967295)");
  EXPECT_EQ(OnlyError("block_size: 4294967296"),
            "t.txtpb:1:13: error: value 4294967296 is out of range for "
            "\"block_size\" (uint32: 0..4294967295)");
  EXPECT_EQ(OnlyError("rules { media_error {} trigger { once: 2 } }"),
            "t.txtpb:1:40: error: value 2 is out of range for \"once\" (bool: "
            "true, false, 1 or 0)");
  EXPECT_EQ(OnlyError("rules { media_error {} range { lba: 1.5 } }"),
            "t.txtpb:1:37: error: expected integer for \"lba\", got: 1.5");
}

TEST_F(RuleLoaderTest, TwoActionsAreRejectedByTheParser) {
  // The text parser refuses a second member of a oneof, so this is a syntax
  // error located at the second action.
  EXPECT_EQ(
      OnlyError("rules {\n  media_error {}\n  write_fault {}\n}"),
      "t.txtpb:3:3: error: rule has a second action \"write_fault\" after "
      "\"media_error\": a rule has exactly one action");
}

TEST_F(RuleLoaderTest, SyntaxErrorColumnsCountBytesNotTabStops) {
  // Protobuf counts a tab as up to 8 columns; diagnostics count bytes.
  EXPECT_EQ(
      OnlyError("\trules {\n\t\tmedia_error {} bogus: 1\n\t}"),
      "t.txtpb:2:18: error: unknown field \"bogus\" in faultcore.v1.Rule "
      "(its fields: name, target, ops, range, states, trigger, next_state, "
      "codes, latency_ns, media_error, write_fault, recovered_error, delay, "
      "hold, corrupt, torn_write, lost_write, ask)");
}

// --- Semantic errors -------------------------------------------------------

TEST_F(RuleLoaderTest, ListSyntaxLocatesEachValue) {
  // The parser records one location per statement; values in lists and the
  // statements after them are still located exactly.
  EXPECT_FALSE(
      LoadText("states: [\"a\",  # first\n"
               "         \"b\"]\n"
               "states: \"a\"\n"
               "rules: [{ media_error {} },\n"
               "        { corrupt {} ops: [READ, WRITE] }]\n"
               "rules { name: \"x\" delay {} ops: [] ops: [READ] ops: DISCARD "
               "ops: READ }\n")
          .ok());
  EXPECT_THAT(
      Strings(diagnostics_),
      ElementsAre("t.txtpb:3:1: error: states[2]: duplicate state \"a\" "
                  "(first declared as states[0])",
                  "t.txtpb:5:34: error: rules[1].ops[1]: op WRITE is not "
                  "allowed with corrupt (it only alters data read)",
                  "t.txtpb:6:61: error: rules[2] (\"x\").ops[2]: duplicate "
                  "op READ (also ops[0])"));
  // Tabs inside a list count as one byte each.
  EXPECT_EQ(
      OnlyError("rules { corrupt {}\tops: [READ,\tWRITE] }"),
      "t.txtpb:1:32: error: rules[0].ops[1]: op WRITE is not allowed with "
      "corrupt (it only alters data read)");
}

TEST_F(RuleLoaderTest, RangeOverflowingWithBlockSize) {
  // (2^52 - 1 + 1) * 4096 = 2^64: the end does not fit.
  EXPECT_EQ(OnlyError("block_size: 4096\n"
                      "rules {\n"
                      "  name: \"edge\"\n"
                      "  range { lba: 4503599627370495 count: 1 }\n"
                      "  media_error {}\n"
                      "}"),
            "t.txtpb:4:33: error: rules[0] (\"edge\").range.count: range ends "
            "beyond 2^64 bytes: (lba 4503599627370495 + count 1) * block_size "
            "4096");
  // One block less fits.
  EXPECT_TRUE(
      LoadText("block_size: 4096 rules { range { lba: 4503599627370494 } "
               "media_error {} }")
          .ok());
  // Without count, the lba is blamed.
  EXPECT_EQ(
      OnlyError("rules { range { lba: 36028797018963967 } media_error {} }"),
      "t.txtpb:1:17: error: rules[0].range.lba: range ends beyond 2^64 "
      "bytes: (lba 36028797018963967 + count 1) * block_size 512");
}

TEST_F(RuleLoaderTest, Probability) {
  EXPECT_EQ(
      OnlyError("rules {\n  media_error {}\n  trigger { probability: 1.5 }\n}"),
      "t.txtpb:3:13: error: rules[0].trigger.probability: probability 1.5 "
      "is outside [0, 1]");
  EXPECT_EQ(OnlyError("rules { media_error {} trigger { probability: nan } }"),
            "t.txtpb:1:34: error: rules[0].trigger.probability: probability is "
            "NaN: use a number from 0 to 1");
  EXPECT_EQ(OnlyError("rules { media_error {} trigger { probability: -inf } }"),
            "t.txtpb:1:34: error: rules[0].trigger.probability: probability "
            "-inf is outside [0, 1]");
}

TEST_F(RuleLoaderTest, DuplicateRuleNames) {
  EXPECT_EQ(OnlyError("rules { name: \"a\" media_error {} }\n"
                      "rules { name: \"b\" media_error {} }\n"
                      "rules { name: \"a\" write_fault {} }\n"),
            "t.txtpb:3:9: error: rules[2] (\"a\").name: duplicate rule name "
            "\"a\" (first used by rules[0])");
}

TEST_F(RuleLoaderTest, UnknownStates) {
  EXPECT_EQ(OnlyError("states: [\"up\", \"down\"]\n"
                      "rules { states: [\"up\", \"dwon\"] media_error {} }"),
            "t.txtpb:2:24: error: rules[0].states[1]: unknown state \"dwon\"; "
            "declared: up, down");
  EXPECT_EQ(OnlyError("rules { next_state: \"x\" media_error {} }"),
            "t.txtpb:1:9: error: rules[0].next_state: unknown state \"x\" (the "
            "rule set declares no states)");
  EXPECT_EQ(
      OnlyError("states: \"a\" initial_state: \"b\" rules { media_error {} }"),
      "t.txtpb:1:13: error: initial_state: unknown state \"b\"; declared: a");
  EXPECT_EQ(OnlyError("states: \"a\"\nrules { media_error {} }\n"
                      "transitions { event: \"e\" from: \"q\" to: \"a\" }"),
            "t.txtpb:3:26: error: transitions[0].from[0]: unknown state \"q\"; "
            "declared: a");
}

TEST_F(RuleLoaderTest, StateDeclarations) {
  EXPECT_FALSE(LoadText("states: [\"a\", \"\", \"b c\", \"a\"]\n"
                        "rules { media_error {} }")
                   .ok());
  EXPECT_THAT(
      Strings(diagnostics_),
      ElementsAre("t.txtpb:1:15: error: states[1]: state name is empty",
                  "t.txtpb:1:19: error: states[2]: invalid state name "
                  "\"b c\": use 1 to 64 characters from [A-Za-z0-9_.:-]",
                  "t.txtpb:1:26: error: states[3]: duplicate state \"a\" "
                  "(first declared as states[0])"));
  std::string many = "rules { media_error {} }\n";
  for (int i = 0; i < 65; ++i) absl::StrAppend(&many, "states: \"s", i, "\"\n");
  EXPECT_EQ(OnlyError(many),
            "t.txtpb:2:1: error: states: too many states: 65 (at most 64)");
}

TEST_F(RuleLoaderTest, NoAction) {
  EXPECT_EQ(
      OnlyError("rules {\n  name: \"idle\"\n  ops: READ\n}"),
      "t.txtpb:1:1: error: rules[0] (\"idle\"): rule has no action: set one "
      "of media_error, write_fault, recovered_error, delay, hold, corrupt, "
      "torn_write, lost_write, ask");
}

TEST_F(RuleLoaderTest, BadBlockSize) {
  for (const char* size : {"1000", "256", "2097152"}) {
    EXPECT_EQ(
        OnlyError(
            absl::StrCat("block_size: ", size, "\nrules { media_error {} }")),
        absl::StrCat("t.txtpb:1:1: error: block_size: block_size ", size,
                     " is not a power of two from 512 to 1048576 (0 means "
                     "512)"));
  }
  EXPECT_TRUE(LoadText("block_size: 1048576 rules { media_error {} }").ok());
}

TEST_F(RuleLoaderTest, OnceContradictsMaxFires) {
  EXPECT_EQ(
      OnlyError("rules { media_error {} trigger { once: true max_fires: 3 } }"),
      "t.txtpb:1:45: error: rules[0].trigger.max_fires: once contradicts "
      "max_fires 3 (once means max_fires 1)");
}

TEST_F(RuleLoaderTest, OpsAllowedPerAction) {
  EXPECT_EQ(
      OnlyError("rules {\n  corrupt {}\n  ops: [READ,\n        WRITE]\n}"),
      "t.txtpb:4:9: error: rules[0].ops[1]: op WRITE is not allowed with "
      "corrupt (it only alters data read)");
  EXPECT_EQ(OnlyError("rules { lost_write {} ops: READ }"),
            "t.txtpb:1:23: error: rules[0].ops[0]: op READ is not allowed with "
            "lost_write (it only drops writes and write-zeroes)");
  EXPECT_EQ(OnlyError("rules { write_fault {} ops: [WRITE, FLUSH, READ] }"),
            "t.txtpb:1:44: error: rules[0].ops[2]: op READ is not allowed with "
            "write_fault (it only fails writes, write-zeroes, discards and "
            "flushes)");
  EXPECT_EQ(OnlyError("rules { recovered_error {} ops: DISCARD }"),
            "t.txtpb:1:28: error: rules[0].ops[0]: op DISCARD is not allowed "
            "with recovered_error (it only applies to reads, writes and "
            "write-zeroes)");
  EXPECT_EQ(
      OnlyError("rules { torn_write {} ops: FLUSH }"),
      "t.txtpb:1:23: error: rules[0].ops[0]: op FLUSH is not allowed with "
      "torn_write (it only tears writes and write-zeroes)");
  EXPECT_EQ(OnlyError("rules { delay {} ops: [READ, FLUSH, READ] }"),
            "t.txtpb:1:37: error: rules[0].ops[2]: duplicate op READ (also "
            "ops[0])");
  EXPECT_EQ(
      OnlyError("rules { hold {} ops: OP_UNSPECIFIED }"),
      "t.txtpb:1:17: error: rules[0].ops[0]: OP_UNSPECIFIED is not an op: "
      "use READ, WRITE, FLUSH, DISCARD or WRITE_ZEROES");
  EXPECT_EQ(OnlyError("rules { ops: WRITE media_error { heal_on_write {} } }"),
            "t.txtpb:1:34: error: rules[0].media_error.heal_on_write: "
            "heal_on_write needs READ in ops (or ops left empty): only blocks "
            "that fail reads can heal");
  // Writes heal (or fail through fail_writes): a write op would be ignored.
  EXPECT_EQ(
      OnlyError(
          "rules { ops: [READ, WRITE] media_error { heal_on_write {} } }"),
      "t.txtpb:1:21: error: rules[0].ops[1]: op WRITE is not allowed with "
      "heal_on_write: writes to the bad blocks heal them (or fail through "
      "fail_writes), so the op would be ignored");
  EXPECT_TRUE(
      LoadText(
          "rules { ops: [READ, DISCARD] media_error { heal_on_write {} } }")
          .ok());
  EXPECT_TRUE(LoadText("rules { ops: [DISCARD, FLUSH] media_error {} }").ok());
}

TEST_F(RuleLoaderTest, Errno) {
  EXPECT_EQ(OnlyError("rules { media_error {} codes { errno_value: 0 } }"),
            "t.txtpb:1:32: error: rules[0].codes.errno_value: errno_value 0 is "
            "out of range 1..4095");
  EXPECT_EQ(OnlyError("rules { media_error {} codes { errno_value: 5000 } }"),
            "t.txtpb:1:32: error: rules[0].codes.errno_value: errno_value 5000 "
            "is out of range 1..4095");
}

TEST_F(RuleLoaderTest, DeviceCodes) {
  EXPECT_FALSE(LoadText("rules { write_fault {} codes {\n"
                        "  scsi { key: 16 asc: 256 ascq: 300 }\n"
                        "  nvme { sct: 8 sc: 256 }\n"
                        "  ata { status: 0x50 error: 256 }\n"
                        "} }")
                   .ok());
  EXPECT_THAT(Strings(diagnostics_),
              ElementsAre("t.txtpb:2:10: error: rules[0].codes.scsi.key: key "
                          "16 is out of range 0..15",
                          "t.txtpb:2:18: error: rules[0].codes.scsi.asc: asc "
                          "256 is out of range 0..255",
                          "t.txtpb:2:27: error: rules[0].codes.scsi.ascq: ascq "
                          "300 is out of range "
                          "0..255",
                          "t.txtpb:3:10: error: rules[0].codes.nvme.sct: sct 8 "
                          "is out of range 0..7",
                          "t.txtpb:3:17: error: rules[0].codes.nvme.sc: sc 256 "
                          "is out of range 0..255",
                          "t.txtpb:4:9: error: rules[0].codes.ata.status: "
                          "ata.status 0x50 lacks ERR "
                          "(0x01): the host would report success",
                          "t.txtpb:4:22: error: rules[0].codes.ata.error: "
                          "error 256 is out of range "
                          "0..255"));
  // A recovered error reports success with a status: no ERR needed.
  EXPECT_TRUE(
      LoadText("rules { recovered_error {} codes { ata { status: 0x50 } } }")
          .ok());
  // heal_on_write's codes fail writes: ERR is needed.
  EXPECT_EQ(
      OnlyError("rules { media_error { heal_on_write { write_codes { ata { "
                "status: 0x40 } } } } }"),
      "t.txtpb:1:59: error: rules[0].media_error.heal_on_write.write_codes."
      "ata.status: ata.status 0x40 lacks ERR (0x01): the host would report "
      "success");
}

TEST_F(RuleLoaderTest, TimesAndSizes) {
  EXPECT_FALSE(
      LoadText(
          "rules { latency_ns: 3600000000001 delay { ns: 3600000000001 } }\n"
          "rules { hold { timeout_ns: 999999 } }\n"
          "rules { hold { timeout_ns: 3600000000001 } }\n"
          "rules { corrupt { bits_per_block: 65 } }\n")
          .ok());
  EXPECT_THAT(
      Strings(diagnostics_),
      ElementsAre(
          "t.txtpb:1:9: error: rules[0].latency_ns: latency_ns "
          "3600000000001 is more than one hour (3600000000000)",
          "t.txtpb:1:43: error: rules[0].delay.ns: ns 3600000000001 is more "
          "than one hour (3600000000000)",
          "t.txtpb:2:16: error: rules[1].hold.timeout_ns: timeout_ns 999999 "
          "is outside 1 ms..1 hour (1000000..3600000000000; 0 means 30 s)",
          "t.txtpb:3:16: error: rules[2].hold.timeout_ns: timeout_ns "
          "3600000000001 is outside 1 ms..1 hour (1000000..3600000000000; "
          "0 means 30 s)",
          "t.txtpb:4:19: error: rules[3].corrupt.bits_per_block: "
          "bits_per_block 65 is out of range 1..64 (0 means 1)"));
  EXPECT_TRUE(
      LoadText(
          "rules { latency_ns: 3600000000000 hold { timeout_ns: 1000000 } }")
          .ok());
}

TEST_F(RuleLoaderTest, NamesAndTargets) {
  EXPECT_FALSE(
      LoadText("rules { name: \"has space\" target: \"a*b\" media_error {} }\n"
               "rules { name: \"\\x01\" media_error {} }\n")
          .ok());
  EXPECT_THAT(
      Strings(diagnostics_),
      ElementsAre("t.txtpb:1:9: error: rules[0] (\"has space\").name: invalid "
                  "rule name \"has space\": use 1 to 128 characters from "
                  "[A-Za-z0-9_.:-]",
                  "t.txtpb:1:27: error: rules[0] (\"has space\").target: "
                  "invalid target \"a*b\": use 1 to 128 characters from "
                  "[A-Za-z0-9_.:#/-]",
                  "t.txtpb:2:9: error: rules[1] (\"\\x01\").name: invalid "
                  "rule name \"\\x01\": use 1 to 128 characters from "
                  "[A-Za-z0-9_.:-]"));
}

TEST_F(RuleLoaderTest, Transitions) {
  EXPECT_FALSE(LoadText("states: [\"a\", \"b\"]\nrules { media_error {} }\n"
                        "transitions { from: \"a\" }\n"
                        "transitions { event: \"bad event\" to: \"c\" }\n")
                   .ok());
  EXPECT_THAT(
      Strings(diagnostics_),
      ElementsAre("t.txtpb:3:1: error: transitions[0].event: no event: a "
                  "transition needs the name of the event the host raises",
                  "t.txtpb:3:1: error: transitions[0].to: no state: a "
                  "transition needs the state it enters in `to`",
                  "t.txtpb:4:15: error: transitions[1].event: invalid event "
                  "name \"bad event\": use 1 to 64 characters from "
                  "[A-Za-z0-9_.:-]",
                  "t.txtpb:4:34: error: transitions[1].to: unknown state "
                  "\"c\"; declared: a, b"));
}

TEST_F(RuleLoaderTest, EveryErrorOfAFileIsReported) {
  const absl::StatusOr<v1::RuleSet> set = LoadRuleSetFile(
      TestDataPath("many_errors.txtpb"), RuleFormat::kAuto, &diagnostics_);
  EXPECT_EQ(set.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string f = TestDataPath("many_errors.txtpb");
  const std::vector<std::string> expected = {
      f + ":2:1: error: block_size: block_size 1000 is not a power of two from "
          "512 to 1048576 (0 means 512)",
      f + ":3:20: error: states[2]: duplicate state \"a\" (first declared as "
          "states[0])",
      f + ":6:15: error: rules[0] (\"first\").ops[1]: op WRITE is not allowed "
          "with corrupt (it only alters data read)",
      f + ":10:3: error: rules[1] (\"first\").name: duplicate rule name "
          "\"first\" "
          "(first used by rules[0])",
      f + ":11:34: error: rules[1] (\"first\").range.count: range ends beyond "
          "2^64 bytes: (lba 36028797018963967 + count 1) * block_size 512",
      f + ":12:13: error: rules[1] (\"first\").trigger.probability: "
          "probability "
          "1.5 is outside [0, 1]",
      f + ":12:41: error: rules[1] (\"first\").trigger.max_fires: once "
          "contradicts max_fires 3 (once means max_fires 1)",
      f + ":13:35: error: rules[1] (\"first\").codes.ata.status: ata.status "
          "0x50 "
          "lacks ERR (0x01): the host would report success",
      f + ":13:11: error: rules[1] (\"first\").codes.errno_value: errno_value "
          "5000 is out of range 1..4095",
      f + ":16:1: error: rules[2]: rule has no action: set one of media_error, "
          "write_fault, recovered_error, delay, hold, corrupt, torn_write, "
          "lost_write, ask",
      f + ":17:3: error: rules[2].states[0]: unknown state \"c\"; declared: a, "
          "b",
      f + ":19:27: error: transitions[0].to: unknown state \"z\"; declared: a, "
          "b",
  };
  EXPECT_THAT(Strings(diagnostics_), ::testing::ElementsAreArray(expected));
  EXPECT_EQ(set.status().message(), absl::StrJoin(expected, "\n"));
}

TEST_F(RuleLoaderTest, ErrorsAreCapped) {
  // All on one line, with tabs: locating errors must not rescan the line.
  std::string text;
  for (int i = 0; i < 1500; ++i) text += "rules {}\t";
  EXPECT_FALSE(LoadText(text).ok());
  ASSERT_THAT(diagnostics_, SizeIs(kMaxDiagnostics + 1));
  EXPECT_EQ(diagnostics_[999].ToString(),
            "t.txtpb:1:8992: error: rules[999]: rule has no action: set one of "
            "media_error, write_fault, recovered_error, delay, hold, corrupt, "
            "torn_write, lost_write, ask");
  EXPECT_EQ(diagnostics_.back().ToString(),
            "t.txtpb: error: too many errors: 500 more not shown");
}

// --- Warnings --------------------------------------------------------------

TEST_F(RuleLoaderTest, WarningsDoNotFailTheLoad) {
  const absl::StatusOr<v1::RuleSet> set = LoadText(
      "states: [\"up\", \"down\", \"limbo\", \"gone\"]\n"
      "rules { name: \"never\" trigger { probability: 0 } media_error {} }\n"
      "rules { name: \"down-only\" states: \"down\" next_state: \"gone\" "
      "delay {} }\n"
      "rules { name: \"limbo\" states: [\"limbo\", \"gone\"] delay { ns: 1 } "
      "codes { "
      "errno_value: 5 } }\n"
      "rules { name: \"up\" states: \"up\" hold {} codes { errno_value: 5 } "
      "}\n");
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_THAT(
      Strings(diagnostics_),
      ElementsAre(
          "t.txtpb:2:33: warning: rules[0] (\"never\").trigger.probability: "
          "rule "
          "can never fire: probability 0",
          "t.txtpb:4:65: warning: rules[2] (\"limbo\").codes: codes are "
          "ignored "
          "for delay",
          "t.txtpb:5:41: warning: rules[3] (\"up\").codes: codes are ignored "
          "for "
          "hold with on_timeout PROCEED",
          "t.txtpb:3:27: warning: rules[1] (\"down-only\").states: rule can "
          "never "
          "fire: state \"down\" is never entered",
          "t.txtpb:4:23: warning: rules[2] (\"limbo\").states: rule can never "
          "fire: states \"limbo\", \"gone\" are never entered"));
  // An event into "down" makes both reachable.
  EXPECT_TRUE(
      LoadText("states: [\"up\", \"down\", \"gone\"]\n"
               "rules { states: \"down\" next_state: \"gone\" delay {} }\n"
               "rules { states: \"gone\" delay {} }\n"
               "transitions { event: \"fail\" from: \"up\" to: \"down\" }")
          .ok());
  EXPECT_THAT(diagnostics_, IsEmpty())
      << absl::StrJoin(Strings(diagnostics_), "\n");
}

// --- Files -----------------------------------------------------------------

TEST_F(RuleLoaderTest, MissingFile) {
  const std::string path = TempPath("does-not-exist.txtpb");
  const absl::StatusOr<v1::RuleSet> set =
      LoadRuleSetFile(path, RuleFormat::kAuto, &diagnostics_);
  EXPECT_EQ(set.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(set.status().message()),
              StartsWith(path + ": error: cannot open rule file"));
  ASSERT_THAT(diagnostics_, SizeIs(1));
}

// Found by //fuzz:cli_args: an empty name used to give a message that named
// no file at all (": error: cannot open rule file").
TEST_F(RuleLoaderTest, EmptyFileNameIsNamedInTheError) {
  const absl::StatusOr<v1::RuleSet> set =
      LoadRuleSetFile("", RuleFormat::kAuto, &diagnostics_);
  EXPECT_EQ(set.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(set.status().message()),
              StartsWith("\"\": error: the rule file's name is empty"));
}

// Found by tests/qemu/cases/019-qmp-bad-input: loading a FIFO that no one
// writes blocked in open() (in QEMU, the main loop, for good).  Only
// regular files are rule files; the CLI reads standard input as "-".
TEST_F(RuleLoaderTest, FifoWithoutWriterIsRefusedAtOnce) {
  const std::string path = TempPath("rules.fifo");
  unlink(path.c_str());
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
  const absl::StatusOr<v1::RuleSet> set =
      LoadRuleSetFile(path, RuleFormat::kAuto, &diagnostics_);
  EXPECT_EQ(set.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(set.status().message()),
            path + ": error: is a FIFO, not a rule file (a rule file is a "
                   "regular file)");
}

TEST_F(RuleLoaderTest, EndlessCharacterDeviceIsRefused) {
  const absl::StatusOr<v1::RuleSet> set =
      LoadRuleSetFile("/dev/zero", RuleFormat::kAuto, &diagnostics_);
  EXPECT_EQ(set.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(set.status().message()),
              HasSubstr("/dev/zero: error: is a character device"));
}

// Rule files that change while they are read.  The two versions have the
// same size and the same shape, so that any mix of them would parse.
std::string Version(char tag, int rules) {
  std::string text;
  for (int i = 0; i < rules; i++) {
    absl::StrAppend(&text, "rules { name: \"", std::string(1, tag),
                    absl::Dec(i, absl::kZeroPad6), "\" range { lba: ",
                    absl::Dec(i, absl::kSpacePad6), " } media_error {} }\n");
  }
  return text;
}

void WriteWhole(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

TEST(RuleFileUnchangedTest, RefusesAFileRewrittenAfterItWasRead) {
  const std::string a = Version('a', 5000), b = Version('b', 5000);
  const std::string path = TempPath("reread.txtpb");
  WriteWhole(path, a);
  const int fd = open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  struct stat before;
  ASSERT_EQ(fstat(fd, &before), 0);
  EXPECT_TRUE(internal::CheckRuleFileUnchanged(fd, before, a).ok());

  // Another version of the same size, and its times set back to the first's
  // (as when both writes fall in one tick of the kernel's clock).
  const int wfd = open(path.c_str(), O_WRONLY);
  ASSERT_GE(wfd, 0);
  const size_t half = b.size() / 2;
  ASSERT_EQ(pwrite(wfd, b.data() + half, b.size() - half, half),
            static_cast<ssize_t>(b.size() - half));
  const struct timespec times[2] = {before.st_atim, before.st_mtim};
  ASSERT_EQ(futimens(wfd, times), 0);
  close(wfd);
  const absl::Status changed = internal::CheckRuleFileUnchanged(fd, before, a);
  EXPECT_EQ(changed.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(changed.message()),
              StartsWith("changed while it was read; nothing was loaded"));

  // Grown, and cut short.
  WriteWhole(path, a + a);
  EXPECT_FALSE(internal::CheckRuleFileUnchanged(fd, before, a).ok());
  WriteWhole(path, a.substr(0, 100));
  EXPECT_FALSE(internal::CheckRuleFileUnchanged(fd, before, a).ok());
  close(fd);
}

// A rule file replaced by renaming a new one over it, as the docs advise,
// while loads run: every load gets one whole version, never an error.
TEST_F(RuleLoaderTest, FileReplacedDuringLoadsLoadsOneWholeVersion) {
  const std::string a = Version('a', 12000), b = Version('b', 12000);
  const std::string path = TempPath("replaced.txtpb");
  WriteWhole(path, a);
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int n = 0; !stop.load(); n++) {
      const std::string next = absl::StrCat(path, ".new");
      WriteWhole(next, n % 2 ? a : b);
      ASSERT_EQ(rename(next.c_str(), path.c_str()), 0);
    }
  });
  int loads = 0;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (std::chrono::steady_clock::now() < deadline) {
    std::vector<Diagnostic> diagnostics;
    const absl::StatusOr<v1::RuleSet> set =
        LoadRuleSetFile(path, RuleFormat::kAuto, &diagnostics);
    ASSERT_TRUE(set.ok()) << set.status();
    ASSERT_EQ(set->rules_size(), 12000);
    const char first = set->rules(0).name()[0];
    for (const v1::Rule& rule : set->rules()) {
      ASSERT_EQ(rule.name()[0], first) << "a mix of the file's versions";
    }
    loads++;
  }
  stop = true;
  writer.join();
  EXPECT_GT(loads, 0);
}

TEST_F(RuleLoaderTest, DirectoryIsNotARuleFile) {
  const absl::StatusOr<v1::RuleSet> set =
      LoadRuleSetFile(TempPath(""), RuleFormat::kAuto, &diagnostics_);
  EXPECT_EQ(set.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(set.status().message()), HasSubstr("is a directory"));
}

TEST_F(RuleLoaderTest, HugeFileIsRefusedBeforeReading) {
  const std::string path = TempPath("huge.txtpb");
  const int fd = open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0600);
  ASSERT_GE(fd, 0);
  // Sparse: takes no disk space, and must not be read.
  ASSERT_EQ(ftruncate(fd, static_cast<off_t>(kMaxRuleFileBytes) + 1), 0);
  close(fd);
  const auto start = std::chrono::steady_clock::now();
  const absl::StatusOr<v1::RuleSet> set =
      LoadRuleSetFile(path, RuleFormat::kAuto, &diagnostics_);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(set.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(set.status().message(),
            path +
                ": error: rule file is 268435457 bytes; the limit is "
                "268435456 bytes (256 MiB)");
  EXPECT_LT(elapsed, std::chrono::seconds(1));
  unlink(path.c_str());
}

TEST_F(RuleLoaderTest, FileAtTheLimitIsRead) {
  // Exactly at the limit is allowed: the failure is the content (NULs are
  // not a valid RuleSet), not the size.
  const std::string path = TempPath("limit.binpb");
  const int fd = open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ftruncate(fd, 1 << 20), 0);
  close(fd);
  const absl::StatusOr<v1::RuleSet> set =
      LoadRuleSetFile(path, RuleFormat::kAuto, &diagnostics_);
  EXPECT_EQ(set.status().code(), absl::StatusCode::kInvalidArgument);
  unlink(path.c_str());
}

// --- Robustness ------------------------------------------------------------

// Mutates `input` with a few random byte edits (overwrite, insert, delete,
// truncate, duplicate a slice).
std::string Mutate(const std::string& input, std::mt19937_64& random) {
  std::string out = input;
  const int edits = 1 + static_cast<int>(random() % 4);
  for (int i = 0; i < edits; ++i) {
    const size_t at = out.empty() ? 0 : random() % out.size();
    switch (random() % 6) {
      case 0:
      case 1:
        if (!out.empty()) out[at] = static_cast<char>(random());
        break;
      case 2:
        out.insert(out.begin() + at, static_cast<char>(random()));
        break;
      case 3:
        if (!out.empty()) out.erase(at, 1 + random() % 8);
        break;
      case 4:
        out.resize(at);
        break;
      case 5: {
        const size_t length = std::min<size_t>(out.size() - at, random() % 32);
        out.insert(at, out.substr(at, length));
        break;
      }
    }
  }
  return out;
}

TEST_F(RuleLoaderTest, RandomMutationsNeverCrash) {
  const std::string text = ReadTestData("good.txtpb");
  ASSERT_FALSE(text.empty());
  v1::RuleSet set;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &set));
  const std::string binary = set.SerializeAsString();

  std::mt19937_64 random(20240601);
  int loaded = 0;
  int failed = 0;
  for (int i = 0; i < 2000; ++i) {
    const bool use_text = i % 2 == 0;
    const std::string input = Mutate(use_text ? text : binary, random);
    std::vector<Diagnostic> diagnostics;
    const absl::StatusOr<v1::RuleSet> result =
        LoadRuleSet(input, use_text ? RuleFormat::kText : RuleFormat::kAuto,
                    "fuzz", &diagnostics);
    if (result.ok()) {
      ++loaded;
      for (const Diagnostic& d : diagnostics) {
        EXPECT_EQ(d.severity, Diagnostic::Severity::kWarning) << d.ToString();
      }
      // What loads must be valid by itself.
      for (const Diagnostic& d : ValidateRuleSet(*result, "fuzz", nullptr)) {
        EXPECT_EQ(d.severity, Diagnostic::Severity::kWarning) << d.ToString();
      }
    } else {
      ++failed;
      EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_FALSE(result.status().message().empty());
      ASSERT_FALSE(diagnostics.empty());
      for (const Diagnostic& d : diagnostics) EXPECT_FALSE(d.message.empty());
    }
  }
  // Both outcomes occur, or the mutations test nothing.
  EXPECT_GT(loaded, 50);
  EXPECT_GT(failed, 500);
}

TEST_F(RuleLoaderTest, ValidateRuleSetWithoutLocations) {
  v1::RuleSet set;
  v1::Rule* rule = set.add_rules();
  rule->set_name("r");
  rule->mutable_corrupt();
  rule->add_ops(v1::WRITE);
  EXPECT_THAT(
      Strings(ValidateRuleSet(set, "tool", nullptr)),
      ElementsAre("tool: error: rules[0] (\"r\").ops[0]: op WRITE is not "
                  "allowed with corrupt (it only alters data read)"));
  EXPECT_THAT(Strings(ValidateRuleSet(v1::RuleSet(), "", nullptr)), IsEmpty());
}

TEST_F(RuleLoaderTest, OversizedBufferIsRefused) {
  // A string_view over a big buffer: the limit holds for LoadRuleSet too.
  std::string big(kMaxRuleFileBytes + 1, ' ');
  const absl::StatusOr<v1::RuleSet> set =
      LoadRuleSet(big, RuleFormat::kAuto, "big", &diagnostics_);
  EXPECT_EQ(set.status().code(), absl::StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace faultcore
