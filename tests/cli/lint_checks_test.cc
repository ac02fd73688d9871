// faultcore lint's shadow and overlap analysis (tools/lint_checks.h):
//  - the O(n log n) sweeps agree with brute force over every pair;
//  - soundness against the real engine: a rule reported as shadowed never
//    decides a request, over random rule sets, events and requests.
#include "tools/lint_checks.h"

#include <algorithm>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "libfaultcore/engine.h"
#include "proto/rule_facts.h"
#include "proto/rule_loader.h"

namespace faultcore {
namespace cli {
namespace {

class Random {
 public:
  explicit Random(uint64_t seed) : rng_(seed) {}
  uint64_t U(uint64_t lo, uint64_t hi) {
    return std::uniform_int_distribution<uint64_t>(lo, hi)(rng_);
  }
  bool P(double p) { return std::bernoulli_distribution(p)(rng_); }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[U(0, v.size() - 1)];
  }

 private:
  std::mt19937_64 rng_;
};

// A valid random rule set over a small address space, with states, events,
// targets and every action, so that rules overlap often.
v1::RuleSet RandomRuleSet(Random& r) {
  v1::RuleSet set;
  const bool with_states = r.P(0.5);
  if (with_states) {
    for (const char* s : {"s0", "s1", "s2"}) set.add_states(s);
    for (int i = 0; i < 3; ++i) {
      v1::Transition* t = set.add_transitions();
      t->set_event(absl::StrCat("go", i));
      t->set_to(absl::StrCat("s", i));
    }
  }
  const int n = static_cast<int>(r.U(1, 14));
  for (int i = 0; i < n; ++i) {
    v1::Rule* rule = set.add_rules();
    rule->set_name(absl::StrCat("r", i));
    std::vector<v1::Op> allowed;
    switch (r.U(0, 8)) {
      case 0:
        rule->mutable_media_error();
        allowed = {v1::READ, v1::WRITE, v1::FLUSH, v1::DISCARD,
                   v1::WRITE_ZEROES};
        break;
      case 1:
        rule->mutable_media_error()->mutable_heal_on_write()->set_fail_writes(
            static_cast<uint32_t>(r.U(0, 1)));
        allowed = {v1::READ, v1::FLUSH, v1::DISCARD};
        break;
      case 2:
        rule->mutable_write_fault();
        allowed = {v1::WRITE, v1::WRITE_ZEROES, v1::FLUSH, v1::DISCARD};
        break;
      case 3:
        rule->mutable_recovered_error();
        allowed = {v1::READ, v1::WRITE, v1::WRITE_ZEROES};
        break;
      case 4:
        rule->mutable_delay()->set_ns(r.U(0, 3));
        allowed = {v1::READ, v1::WRITE, v1::FLUSH, v1::DISCARD,
                   v1::WRITE_ZEROES};
        break;
      case 5:
        rule->mutable_hold();
        allowed = {v1::READ, v1::WRITE, v1::FLUSH, v1::DISCARD,
                   v1::WRITE_ZEROES};
        break;
      case 6:
        rule->mutable_corrupt();
        allowed = {v1::READ};
        break;
      case 7:
        rule->mutable_torn_write()->set_good_blocks(r.U(0, 3));
        allowed = {v1::WRITE, v1::WRITE_ZEROES};
        break;
      default:
        rule->mutable_lost_write();
        allowed = {v1::WRITE, v1::WRITE_ZEROES};
        break;
    }
    if (r.P(0.5)) {
      const bool heals =
          rule->has_media_error() && rule->media_error().has_heal_on_write();
      if (heals) rule->add_ops(v1::READ);
      for (v1::Op op : allowed) {
        if ((!heals || op != v1::READ) && r.P(0.4)) rule->add_ops(op);
      }
    }
    if (r.P(0.85)) {
      rule->mutable_range()->set_lba(r.U(0, 40));
      rule->mutable_range()->set_count(r.U(0, 24));
    }
    if (r.P(0.3)) rule->set_target(r.P(0.5) ? "d1" : "d2");
    if (with_states && r.P(0.5)) {
      for (const char* s : {"s0", "s1", "s2"}) {
        if (r.P(0.5)) rule->add_states(s);
      }
    }
    if (with_states && r.P(0.15)) {
      rule->set_next_state(absl::StrCat("s", r.U(0, 2)));
    }
    if (r.P(0.4)) {
      v1::Trigger* t = rule->mutable_trigger();
      switch (r.U(0, 4)) {
        case 0:
          t->set_skip(r.U(1, 2));
          break;
        case 1:
          t->set_every_nth(r.U(0, 3));
          break;
        case 2:
          t->set_probability(r.P(0.5) ? 1.0 : 0.5);
          t->set_seed(r.U(1, 100));
          break;
        case 3:
          t->set_once(true);
          break;
        default:
          t->set_per_target(true);
          break;
      }
    }
    if (r.P(0.2)) {
      rule->mutable_codes()->set_errno_value(static_cast<uint32_t>(r.U(1, 3)));
      if (!schema::IgnoresCodes(*rule).empty()) rule->clear_codes();
    }
  }
  return set;
}

// Random shapes, for the sweeps against brute force.
std::vector<RuleShape> RandomShapes(Random& r, size_t n) {
  std::vector<RuleShape> shapes(n);
  for (size_t i = 0; i < n; ++i) {
    RuleShape& s = shapes[i];
    s.index = static_cast<uint32_t>(i);
    if (r.P(0.1)) {
      s.whole = true;
      s.start = 0;
      s.end = UINT64_MAX;
    } else {
      s.start = r.U(0, 50);
      s.end = s.start + r.U(1, 20);
    }
    s.ops = static_cast<uint32_t>(r.U(1, 31)) << 1;
    s.target = r.P(0.6) ? "" : (r.P(0.5) ? "a" : "b");
    s.states = r.P(0.6) ? ~uint64_t{0} : r.U(1, 7);
    s.can_fire = r.P(0.95);
    s.always_fires = s.can_fire && r.P(0.5);
    s.verdict_id = static_cast<uint32_t>(r.U(0, 3));
  }
  return shapes;
}

TEST(LintChecksTest, ShadowSweepAgreesWithBruteForce) {
  Random r(1);
  size_t found_any = 0;
  for (int round = 0; round < 3000; ++round) {
    const std::vector<RuleShape> shapes = RandomShapes(r, r.U(1, 30));
    std::vector<bool> expected(shapes.size(), false);
    for (const RuleShape& b : shapes) {
      for (const RuleShape& a : shapes) {
        if (Covers(a, b)) expected[b.index] = true;
      }
    }
    std::vector<bool> got(shapes.size(), false);
    for (const Shadowing& s : FindShadowed(shapes)) {
      ASSERT_TRUE(Covers(shapes[s.by], shapes[s.rule]))
          << "round " << round << ": rule " << s.rule << " by " << s.by;
      EXPECT_FALSE(got[s.rule]) << "reported twice";
      got[s.rule] = true;
      ++found_any;
    }
    ASSERT_EQ(got, expected) << "round " << round;
  }
  EXPECT_GT(found_any, 1000u);  // The cases exercise shadowing.
}

TEST(LintChecksTest, OverlapSweepAgreesWithBruteForce) {
  Random r(2);
  size_t found_any = 0;
  for (int round = 0; round < 3000; ++round) {
    const std::vector<RuleShape> shapes = RandomShapes(r, r.U(1, 30));
    std::vector<bool> shadowed(shapes.size(), false);
    for (size_t i = 0; i < shapes.size(); ++i) shadowed[i] = r.P(0.1);
    // Expected: for each later rule, the first earlier conflicting rule and
    // how many more there are.
    std::vector<Overlap> expected;
    for (const RuleShape& b : shapes) {
      if (shadowed[b.index]) continue;
      std::vector<uint32_t> earlier;
      for (const RuleShape& a : shapes) {
        if (a.index < b.index && !shadowed[a.index] && Conflict(a, b)) {
          earlier.push_back(a.index);
        }
      }
      if (!earlier.empty()) {
        expected.push_back({b.index, earlier.front(),
                            static_cast<uint32_t>(earlier.size() - 1)});
      }
    }
    const std::vector<Overlap> got =
        FindOverlaps(shapes, shadowed, /*max_compared=*/1000);
    ASSERT_EQ(got.size(), expected.size()) << "round " << round;
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].rule, expected[i].rule) << "round " << round;
      EXPECT_EQ(got[i].other, expected[i].other) << "round " << round;
      EXPECT_EQ(got[i].more, expected[i].more) << "round " << round;
    }
    found_any += got.size();
  }
  EXPECT_GT(found_any, 1000u);
}

TEST(LintChecksTest, OverlapWorkIsBounded) {
  // 20000 rules on the same LBAs: every pair conflicts, but each rule is
  // compared with at most 64 others, and each later rule is reported once.
  std::vector<RuleShape> shapes(20000);
  for (size_t i = 0; i < shapes.size(); ++i) {
    shapes[i].index = static_cast<uint32_t>(i);
    shapes[i].start = 100;
    shapes[i].end = 200;
    shapes[i].ops = 2;
    shapes[i].states = ~uint64_t{0};
    shapes[i].can_fire = true;
    shapes[i].verdict_id = static_cast<uint32_t>(i);
  }
  const std::vector<Overlap> got =
      FindOverlaps(shapes, std::vector<bool>(shapes.size(), false));
  ASSERT_EQ(got.size(), shapes.size() - 1);
  EXPECT_EQ(got[0].rule, 1u);
  EXPECT_EQ(got[0].other, 0u);
  EXPECT_EQ(got.back().other, 0u);
}

// The soundness that lint's "rule can never fire" promises, checked with the
// engine itself: no request, in any state, is ever decided by a rule that
// FindShadowed reports.
TEST(LintChecksTest, EngineNeverLetsAShadowedRuleWin) {
  Random r(3);
  const std::vector<Op> ops = {Op::kRead, Op::kWrite, Op::kFlush, Op::kDiscard,
                               Op::kWriteZeroes};
  const std::vector<std::string> targets = {"", "d1", "d2", "d3"};
  size_t shadowed_rules = 0;
  size_t wins = 0;
  for (int round = 0; round < 400; ++round) {
    const v1::RuleSet set = RandomRuleSet(r);
    std::string text;
    google::protobuf::TextFormat::PrintToString(set, &text);
    for (const Diagnostic& d : ValidateRuleSet(set, "random", nullptr)) {
      ASSERT_NE(d.severity, Diagnostic::Severity::kError)
          << d.ToString() << "\n"
          << text;
    }
    std::set<uint32_t> shadowed;
    for (const Shadowing& s : FindShadowed(ShapesOf(set))) {
      shadowed.insert(s.rule);
    }
    shadowed_rules += shadowed.size();
    auto engine = Engine::Create();
    ASSERT_TRUE(engine.ok());
    ASSERT_TRUE((*engine)->LoadValidated(set).ok());
    std::vector<uint32_t> target_ids;
    for (const std::string& t : targets) {
      target_ids.push_back((*engine)->TargetId(t));
    }
    for (int step = 0; step < 300; ++step) {
      if (set.transitions_size() > 0 && r.P(0.05)) {
        (*engine)->RaiseEvent(absl::StrCat("go", r.U(0, 2))).IgnoreError();
      }
      const Op op = r.Pick(ops);
      const uint64_t lba = r.U(0, 70);
      const uint64_t blocks = op == Op::kFlush ? 0 : r.U(1, 12);
      Verdict v;
      (*engine)->Check(target_ids[r.U(0, target_ids.size() - 1)], op, lba * 512,
                       blocks * 512, &v);
      if (v.action == Action::kPass) continue;
      ++wins;
      ASSERT_EQ(shadowed.count(v.rule_id), 0u)
          << "rule " << v.rule_id << " was reported shadowed but decided a "
          << OpName(op) << " at LBA " << lba << "\n"
          << text;
    }
  }
  EXPECT_GT(shadowed_rules, 100u);
  EXPECT_GT(wins, 10000u);
}

// lint reasons with proto/rule_facts.h's default ops; the engine compiles
// its own.  They must agree.
TEST(LintChecksTest, DefaultOpsAgreeWithTheEngine) {
  const std::vector<std::string> actions = {
      "media_error {}", "write_fault {}", "recovered_error {}",
      "delay {}",       "hold {}",        "corrupt {}",
      "torn_write {}",  "lost_write {}"};
  const std::vector<std::pair<Op, v1::Op>> ops = {
      {Op::kRead, v1::READ},
      {Op::kWrite, v1::WRITE},
      {Op::kFlush, v1::FLUSH},
      {Op::kDiscard, v1::DISCARD},
      {Op::kWriteZeroes, v1::WRITE_ZEROES}};
  for (const std::string& action : actions) {
    absl::StatusOr<v1::RuleSet> set = LoadRuleSet(
        absl::StrCat("rules { ", action, " }"), RuleFormat::kText, "defaults");
    ASSERT_TRUE(set.ok()) << set.status();
    const uint32_t expected = schema::DefaultOps(set->rules(0).action_case());
    auto engine = Engine::Create();
    ASSERT_TRUE(engine.ok());
    ASSERT_TRUE((*engine)->LoadValidated(*set).ok());
    for (const auto& [op, proto_op] : ops) {
      const uint64_t length = op == Op::kFlush ? 0 : 4096;
      const bool fires =
          (*engine)->Check(kNoTarget, op, 0, length, nullptr) != Action::kPass;
      EXPECT_EQ(fires, (expected & schema::OpBit(proto_op)) != 0)
          << action << " with " << OpName(op);
    }
  }
}

}  // namespace
}  // namespace cli
}  // namespace faultcore
