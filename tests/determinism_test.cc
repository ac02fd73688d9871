// Reproducibility: "the same seed and request sequence replay the same
// outcomes" (Trigger.probability), flip positions are "a pure function of
// (seed, byte address)" (Corrupt), and probability p fires about p of the
// time.  Every random number here comes from a fixed seed, so the statistical
// bounds are checked once and cannot flake; they are also wide enough (six
// standard deviations) to hold for any seed.
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "faultcore/faultcore.h"
#include "gtest/gtest.h"
#include "libfaultcore/engine.h"

namespace faultcore {
namespace {

constexpr uint64_t kMax = UINT64_MAX;

std::unique_ptr<Engine> Load(const std::string& text) {
  std::unique_ptr<Engine> e = std::move(Engine::Create()).value();
  absl::Status s = e->LoadBuffer(text, RuleFormat::kText, "determinism.txtpb");
  EXPECT_TRUE(s.ok()) << s << "\n" << text;
  return e;
}

struct Request {
  uint32_t target;
  Op op;
  uint64_t offset;
  uint64_t length;
};

// Everything of a verdict, as one comparable string.
std::string Flatten(const Verdict& v) {
  if (v.action == Action::kPass) return "pass";
  return absl::StrCat(static_cast<int>(v.action), "/", v.rule_id, "/", v.flags,
                      "/", v.first_bad_byte, "/", v.good_bytes, "/",
                      v.bad_bytes, "/", v.delay_ns, "/", v.hold_timeout_ns, "/",
                      v.corrupt_seed, "/", v.corrupt_bits_per_block, "/",
                      v.block_size, "/", v.codes.errno_value, "/",
                      v.codes.scsi_sense_key, "/", v.codes.scsi_asc, "/",
                      v.codes.nvme_sc, "/", v.codes.ata_status);
}

// A rule set with randomness everywhere: probabilities with explicit and
// derived (0) seeds, per-target counting, every_nth, skip, corruption.
std::string RandomRules(uint64_t seed_a, uint64_t seed_b) {
  return absl::StrFormat(
      R"pb(
        block_size: 4096
        states: [ "ok", "bad" ]
        rules {
          name: "flaky-read"
          ops: READ
          range { lba: 0 count: 64 }
          trigger { probability: 0.3 seed: %u }
          media_error {}
        }
        rules {
          name: "flaky-write"
          range { lba: 16 count: 64 }
          trigger { probability: 0.4 seed: %u per_target: true every_nth: 2 }
          next_state: "bad"
          write_fault {}
        }
        rules {
          name: "derived-seed"
          ops: [ READ, WRITE ]
          range { lba: 8 count: 100 }
          trigger { probability: 0.5 skip: 3 }
          delay { ns: 1000 }
        }
        rules {
          name: "rot"
          range { lba: 0 count: 200 }
          trigger { probability: 0.5 seed: %u }
          corrupt { bits_per_block: 5 }
        }
        rules {
          name: "in-bad-state"
          states: "bad"
          trigger { probability: 0.2 seed: %u }
          recovered_error {}
        }
        transitions { event: "repair" to: "ok" }
      )pb",
      seed_a, seed_b, seed_a ^ 0x1234, seed_b + 7);
}

std::vector<Request> RandomRequests(Engine& e, uint64_t seed, int n) {
  std::mt19937_64 rng(seed);
  const uint32_t targets[] = {0, e.TargetId("disk0"), e.TargetId("disk1")};
  const Op ops[] = {Op::kRead, Op::kRead, Op::kWrite, Op::kFlush,
                    Op::kWriteZeroes};
  std::vector<Request> out;
  for (int i = 0; i < n; ++i) {
    Request r;
    r.target = targets[rng() % 3];
    r.op = ops[rng() % 5];
    r.offset = (rng() % 256) * 512;
    r.length = r.op == Op::kFlush ? 0 : (1 + rng() % 64) * 512;
    r.offset = r.op == Op::kFlush ? 0 : r.offset * 4;
    out.push_back(r);
  }
  return out;
}

std::vector<std::string> Replay(Engine& e, const std::vector<Request>& reqs) {
  std::vector<std::string> out;
  int i = 0;
  for (const Request& r : reqs) {
    Verdict v;
    e.Check(r.target, r.op, r.offset, r.length, &v);
    out.push_back(Flatten(v));
    if (++i % 97 == 0) (void)e.RaiseEvent("repair");
  }
  return out;
}

TEST(DeterminismTest, SameSeedSameOutcomesAcrossEnginesAndAfterReset) {
  const std::string rules = RandomRules(42, 4242);
  std::unique_ptr<Engine> a = Load(rules);
  std::unique_ptr<Engine> b = Load(rules);
  // The same target names in the same order: the same ids in both engines.
  const std::vector<Request> reqs = RandomRequests(*a, 7, 3000);
  (void)RandomRequests(*b, 7, 1);
  const std::vector<std::string> first = Replay(*a, reqs);
  EXPECT_EQ(first, Replay(*b, reqs));
  a->Reset();
  EXPECT_EQ(first, Replay(*a, reqs)) << "after Reset()";
  // A reload is a reset too.
  ASSERT_TRUE(b->LoadBuffer(rules, RuleFormat::kText, "again.txtpb").ok());
  EXPECT_EQ(first, Replay(*b, reqs)) << "after reloading";

  // The sequence is not trivial: every rule fired and some requests passed.
  int passes = 0;
  for (const std::string& s : first) passes += s == "pass";
  EXPECT_GT(passes, 100);
  for (uint32_t rule = 0; rule < a->RuleCount(); ++rule) {
    EXPECT_GT(a->Stats(rule, kNoTarget)->fires, 0u) << "rule " << rule;
  }
}

TEST(DeterminismTest, DifferentSeedsGiveDifferentOutcomes) {
  std::unique_ptr<Engine> a = Load(RandomRules(42, 4242));
  std::unique_ptr<Engine> b = Load(RandomRules(43, 4243));
  const std::vector<Request> reqs = RandomRequests(*a, 7, 2000);
  (void)RandomRequests(*b, 7, 1);
  EXPECT_NE(Replay(*a, reqs), Replay(*b, reqs));
}

// The fire pattern of a rule over its first `n` matches, as a bit string.
std::string FirePattern(Engine& e, uint32_t target, uint64_t offset, int n) {
  std::string bits;
  for (int i = 0; i < n; ++i) {
    bits += e.Check(target, Op::kRead, offset, 512, nullptr) == Action::kPass
                ? '0'
                : '1';
  }
  return bits;
}

std::string OneRule(double p, uint64_t seed, const std::string& extra = "") {
  return absl::StrFormat(
      "rules { range { lba: 0 count: 1000 } trigger { probability: %.17g "
      "seed: %u %s } media_error {} }",
      p, seed, extra);
}

// "The draw is a pure function of (seed, match number)": not of the address,
// the target or the time.
TEST(DeterminismTest, DrawDependsOnlyOnSeedAndMatchNumber) {
  std::unique_ptr<Engine> a = Load(OneRule(0.5, 99));
  std::unique_ptr<Engine> b = Load(OneRule(0.5, 99));
  std::string pa, pb;
  std::mt19937_64 rng(1);
  for (int i = 0; i < 400; ++i) {
    pa += a->Check(0, Op::kRead, (rng() % 999) * 512, 512, nullptr) ==
                  Action::kPass
              ? '0'
              : '1';
    pb += b->Check(b->TargetId("disk" + std::to_string(i % 5)), Op::kRead,
                   (rng() % 999) * 512, 100, nullptr) == Action::kPass
              ? '0'
              : '1';
  }
  EXPECT_EQ(pa, pb);
  EXPECT_NE(pa.find('0'), std::string::npos);
  EXPECT_NE(pa.find('1'), std::string::npos);
}

// Per-target counting: each target's match numbers start at 1, so each
// target replays the same pattern.
TEST(DeterminismTest, PerTargetRulesDrawPerTargetMatchNumbers) {
  std::unique_ptr<Engine> e = Load(OneRule(0.5, 5, "per_target: true"));
  const uint32_t t1 = e->TargetId("disk1");
  const uint32_t t2 = e->TargetId("disk2");
  std::string p1, p2;
  for (int i = 0; i < 300; ++i) {
    p1 += e->Check(t1, Op::kRead, 0, 512, nullptr) == Action::kPass ? '0' : '1';
    p2 += e->Check(t2, Op::kRead, 0, 512, nullptr) == Action::kPass ? '0' : '1';
  }
  EXPECT_EQ(p1, p2);
  EXPECT_EQ(e->Stats(0, t1)->matches, 300u);
  EXPECT_EQ(e->Stats(0, kNoTarget)->matches, 600u);
}

// "0 means a seed derived from the rule's index": the same index gives the
// same pattern whatever else the set holds; another index another pattern.
TEST(DeterminismTest, ZeroSeedIsDerivedFromTheRuleIndex) {
  const std::string rule2 =
      "rules { name: \"x\" range { lba: 100 count: 10 } "
      "trigger { probability: 0.5 } media_error {} }";
  const std::string set_a =
      "rules { range { lba: 0 count: 1 } delay {} }"
      "rules { range { lba: 1 count: 1 } write_fault {} }" +
      rule2;
  const std::string set_b =
      "block_size: 512 rules { ops: WRITE range { lba: 7 count: 3 } "
      "lost_write {} }"
      "rules { target: \"other\" recovered_error {} }" +
      rule2;
  const std::string set_c =
      "rules { range { lba: 0 count: 1 } delay {} }" + rule2;
  std::unique_ptr<Engine> a = Load(set_a);
  std::unique_ptr<Engine> b = Load(set_b);
  std::unique_ptr<Engine> c = Load(set_c);  // "x" is rule 1 here
  const std::string pa = FirePattern(*a, 0, 100 * 512, 256);
  EXPECT_EQ(pa, FirePattern(*b, 0, 100 * 512, 256));
  EXPECT_NE(pa, FirePattern(*c, 0, 100 * 512, 256));
}

struct Rate {
  double p;
  int matches;
};

// Probability p fires about p of the otherwise firing matches: the count is
// within six standard deviations (plus one) of n * p.
TEST(DeterminismTest, ProbabilityFiresAboutP) {
  const double ps[] = {0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999};
  uint64_t seed = 1000;
  for (double p : ps) {
    for (const std::string extra : {"", "skip: 10 every_nth: 3"}) {
      ++seed;
      std::unique_ptr<Engine> e = Load(OneRule(p, seed, extra));
      const int n = 30000;
      int fires = 0;
      for (int i = 0; i < n; ++i) {
        fires += e->Check(0, Op::kRead, 4096, 512, nullptr) != Action::kPass;
      }
      // Matches that would fire without the probability.
      const double eligible =
          extra.empty() ? n : std::floor((n - 10 + 2) / 3.0);
      const double mean = eligible * p;
      const double bound = 6 * std::sqrt(eligible * p * (1 - p)) + 1;
      EXPECT_NEAR(fires, mean, bound)
          << "p=" << p << " seed=" << seed << " " << extra;
      EXPECT_EQ(e->Stats(0, kNoTarget)->fires, static_cast<uint64_t>(fires));
      EXPECT_EQ(e->Stats(0, kNoTarget)->matches, static_cast<uint64_t>(n));
    }
  }
}

TEST(DeterminismTest, ProbabilityZeroNeverFiresAndOneAlwaysFires) {
  std::unique_ptr<Engine> never = Load(OneRule(0.0, 3));
  std::unique_ptr<Engine> always = Load(OneRule(1.0, 3));
  for (int i = 0; i < 5000; ++i) {
    ASSERT_EQ(never->Check(0, Op::kRead, 0, 512, nullptr), Action::kPass);
    ASSERT_EQ(always->Check(0, Op::kRead, 0, 512, nullptr),
              Action::kMediaError);
  }
  EXPECT_EQ(never->Stats(0, kNoTarget)->matches, 5000u);
  EXPECT_EQ(never->Stats(0, kNoTarget)->fires, 0u);
}

// ---- Corruption
// ---------------------------------------------------------------

class Corruption {
 public:
  explicit Corruption(const std::string& rules) {
    EXPECT_EQ(fc_engine_create(&engine_, nullptr), FC_OK);
    char* err = nullptr;
    EXPECT_EQ(fc_engine_load_buffer(engine_, rules.data(), rules.size(),
                                    FC_FORMAT_TEXT, "corrupt.txtpb", &err),
              FC_OK)
        << (err ? err : "");
    fc_free(err);
  }
  ~Corruption() { fc_engine_destroy(engine_); }

  fc_verdict Check(uint64_t offset, uint64_t length) {
    fc_verdict v;
    std::memset(&v, 0, sizeof(v));
    v.size = sizeof(v);
    fc_engine_check(engine_, 0, FC_OP_READ, offset, length, &v);
    return v;
  }

  // What a host does: read [offset, offset + len) from `medium`, and
  // corrupt it as the verdict says.
  std::vector<uint8_t> Read(const std::vector<uint8_t>& medium, uint64_t offset,
                            uint64_t len) {
    std::vector<uint8_t> buf(medium.begin() + offset,
                             medium.begin() + offset + len);
    fc_verdict v = Check(offset, len);
    if (v.action == FC_ACTION_CORRUPT) {
      fc_corrupt_buffer(&v, offset, buf.data(), buf.size());
    } else {
      EXPECT_EQ(v.action, FC_ACTION_PASS);
    }
    return buf;
  }

 private:
  fc_engine* engine_ = nullptr;
};

int Popcount(uint8_t x) { return __builtin_popcount(x); }

TEST(CorruptionTest, FlipsExactlyBitsPerBlockInsideTheWindowOnly) {
  for (uint32_t bs : {512u, 4096u}) {
    for (uint32_t bits : {0u, 1u, 3u, 64u}) {
      Corruption c(
          absl::StrFormat("block_size: %u rules { range { lba: 8 count: 32 } "
                          "corrupt { bits_per_block: %u seed: 77 } }",
                          bs, bits));
      const uint64_t offset = 4 * bs, len = 44 * bs;
      fc_verdict v = c.Check(offset, len);
      ASSERT_EQ(v.action, FC_ACTION_CORRUPT);
      ASSERT_EQ(v.first_bad_byte, 8u * bs);
      ASSERT_EQ(v.bad_bytes, 32u * bs);
      ASSERT_EQ(v.corrupt_bits_per_block, bits == 0 ? 1 : bits);
      ASSERT_EQ(v.block_size, bs);

      std::vector<uint8_t> buf(len);
      std::mt19937_64 rng(bs + bits);
      for (uint8_t& b : buf) b = static_cast<uint8_t>(rng());
      const std::vector<uint8_t> original = buf;
      fc_corrupt_buffer(&v, offset, buf.data(), buf.size());
      for (uint64_t block = 4; block < 48; ++block) {
        int flipped = 0;
        for (uint64_t i = 0; i < bs; ++i) {
          const uint64_t at = (block - 4) * bs + i;
          flipped += Popcount(buf[at] ^ original[at]);
        }
        const bool inside = block >= 8 && block < 40;
        EXPECT_EQ(flipped,
                  inside ? static_cast<int>(v.corrupt_bits_per_block) : 0)
            << "block " << block << " bs " << bs << " bits " << bits;
      }
      // Flipping again restores the data.
      fc_corrupt_buffer(&v, offset, buf.data(), buf.size());
      EXPECT_EQ(buf, original);
    }
  }
}

TEST(CorruptionTest, SameFlipsWhetherReadInOneBufferOrSplit) {
  const uint32_t bs = 4096;
  Corruption c(
      "block_size: 4096 rules { range { lba: 2 count: 20 } "
      "corrupt { bits_per_block: 17 seed: 1234 } }");
  std::vector<uint8_t> medium(32 * bs);
  std::mt19937_64 rng(5);
  for (uint8_t& b : medium) b = static_cast<uint8_t>(rng());

  // One read of everything.
  const std::vector<uint8_t> whole = c.Read(medium, 0, medium.size());
  ASSERT_NE(whole, medium);

  // The same bytes read as many requests split at random sector (and some
  // odd byte) boundaries, some of them cutting blocks in two.
  for (int round = 0; round < 50; ++round) {
    std::vector<uint8_t> pieces;
    uint64_t at = 0;
    while (at < medium.size()) {
      uint64_t len = (1 + rng() % 24) * (rng() % 4 == 0 ? 1 : 512);
      len = std::min<uint64_t>(len, medium.size() - at);
      std::vector<uint8_t> part = c.Read(medium, at, len);
      pieces.insert(pieces.end(), part.begin(), part.end());
      at += len;
    }
    ASSERT_EQ(pieces, whole) << "round " << round;
  }

  // And the corrupted copy of one block does not depend on the buffer it
  // lands in: the verdict of a big read applied to a buffer holding only
  // part of the window.
  fc_verdict v = c.Check(0, medium.size());
  for (int round = 0; round < 50; ++round) {
    const uint64_t off = rng() % medium.size();
    const uint64_t len = 1 + rng() % (medium.size() - off);
    std::vector<uint8_t> buf(medium.begin() + off, medium.begin() + off + len);
    fc_corrupt_buffer(&v, off, buf.data(), buf.size());
    ASSERT_TRUE(std::equal(buf.begin(), buf.end(), whole.begin() + off))
        << "buffer [" << off << ", " << off + len << ")";
  }
}

TEST(CorruptionTest, PartialWindowFlipsOnlyInsideIt) {
  // A read starting in the middle of a block of the range: the window starts
  // at the request's first byte; nothing before it changes.
  const uint32_t bs = 512;
  Corruption c(
      "rules { range { lba: 0 count: 8 } corrupt { bits_per_block: 64 seed: "
      "9 } }");
  std::vector<uint8_t> medium(16 * bs, 0);
  const uint64_t off = 3 * bs + 200, len = 2 * bs;
  fc_verdict v = c.Check(off, len);
  ASSERT_EQ(v.action, FC_ACTION_CORRUPT);
  EXPECT_EQ(v.first_bad_byte, off);
  EXPECT_EQ(v.good_bytes, 0u);
  EXPECT_EQ(v.bad_bytes, len);
  // Hand the whole medium to fc_corrupt_buffer: only the window may change.
  std::vector<uint8_t> buf = medium;
  fc_corrupt_buffer(&v, 0, buf.data(), buf.size());
  for (uint64_t i = 0; i < buf.size(); ++i) {
    if (i < off || i >= off + len) {
      ASSERT_EQ(buf[i], 0) << "byte " << i << " outside the window changed";
    }
  }
  // The window's flips are those a whole-block read sees there.
  fc_verdict full = c.Check(0, 8 * bs);
  std::vector<uint8_t> ref = medium;
  fc_corrupt_buffer(&full, 0, ref.data(), ref.size());
  EXPECT_TRUE(std::equal(buf.begin() + off, buf.begin() + off + len,
                         ref.begin() + off));
}

TEST(CorruptionTest, OtherSeedOtherFlipsAndOtherActionsAreNoOps) {
  Corruption a("rules { range { lba: 0 count: 4 } corrupt { seed: 1 } }");
  Corruption b("rules { range { lba: 0 count: 4 } corrupt { seed: 2 } }");
  std::vector<uint8_t> medium(4 * 512, 0);
  EXPECT_NE(a.Read(medium, 0, medium.size()), b.Read(medium, 0, medium.size()));

  Corruption media("rules { range { lba: 0 count: 4 } media_error {} }");
  fc_verdict v = media.Check(0, 2048);
  ASSERT_EQ(v.action, FC_ACTION_MEDIA_ERROR);
  std::vector<uint8_t> buf = medium;
  fc_corrupt_buffer(&v, 0, buf.data(), buf.size());
  EXPECT_EQ(buf, medium);
}

// A whole-device corrupt rule read at the very top of the 64-bit address
// space.  The check runs in a child process with an alarm so that a hang
// fails the test instead of timing it out.
TEST(CorruptionTest, TopOfTheAddressSpace) {
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    alarm(5);
    Corruption c("rules { corrupt { bits_per_block: 8 seed: 3 } }");
    const uint64_t len = 2 * 512 - 1;  // ends at byte 2^64 - 2
    const uint64_t off = kMax - len;
    fc_verdict v = c.Check(off, len);
    if (v.action != FC_ACTION_CORRUPT || v.first_bad_byte != off ||
        v.bad_bytes != len) {
      _exit(2);
    }
    std::vector<uint8_t> buf(len, 0);
    fc_corrupt_buffer(&v, off, buf.data(), buf.size());
    int flipped = 0;
    for (uint8_t b : buf) flipped += Popcount(b);
    // One whole block (the last but one) and a partial last block.
    _exit(flipped >= 8 && flipped <= 16 ? 0 : 3);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  if (WIFSIGNALED(status)) {
    FAIL() << "fc_corrupt_buffer did not finish near 2^64 (signal "
           << WTERMSIG(status)
           << (WTERMSIG(status) == SIGALRM ? ": hung for 5 s" : "") << ")";
  }
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace faultcore
