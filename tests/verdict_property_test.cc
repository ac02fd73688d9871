// The verdict contract (proto/faultcore.proto, top comment and each message)
// against a brute-force model (verdict_model.h).
//
// Thousands of random rule sets -- every action, default and explicit ops,
// targets, ranges near 0 and near 2^64, whole-device rules, triggers, states
// with transitions and next_state, heal_on_write, torn writes, codes -- each
// driven by a random sequence of reads, writes, flushes, discards,
// write-zeroes, events, resets and reloads on several targets.  Every verdict
// field, the state and the counters are compared with the model.  Rule sets
// reach the engine through every load path: LoadValidated, LoadBuffer of the
// text and of the binary form, and the C ABI (text and binary).
//
// Reproducing a failure: the message prints the case number, the rule set
// (text format) and the steps.  FAULTCORE_CASE=<n> runs that case alone,
// FAULTCORE_CASES=<n> changes how many cases run.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "faultcore/faultcore.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "libfaultcore/engine.h"
#include "proto/rule_loader.h"
#include "tests/verdict_model.h"

namespace faultcore {

// Actions by name in gtest's messages.
void PrintTo(Action a, std::ostream* os) { *os << ActionName(a); }

namespace {

using testing_model::CodeFieldName;
using testing_model::CodesOf;
using testing_model::Expected;
using testing_model::kMax;
using testing_model::kNumCodeFields;
using testing_model::Model;

// ---- Subjects: the engine behind each load path ----------------------------

enum class LoadPath { kValidated, kText, kBinary, kCText, kCBinary };

const char* LoadPathName(LoadPath p) {
  switch (p) {
    case LoadPath::kValidated:
      return "Engine::LoadValidated";
    case LoadPath::kText:
      return "Engine::LoadBuffer(text)";
    case LoadPath::kBinary:
      return "Engine::LoadBuffer(binary)";
    case LoadPath::kCText:
      return "fc_engine_load_buffer(text)";
    case LoadPath::kCBinary:
      return "fc_engine_load_buffer(binary)";
  }
  return "?";
}

class Subject {
 public:
  virtual ~Subject() = default;
  // Empty on success, else the error.
  virtual std::string Load(const v1::RuleSet& set) = 0;
  virtual uint32_t TargetId(const std::string& name) = 0;
  // Also checks that the returned action equals the verdict's.
  virtual Verdict Check(uint32_t target, v1::Op op, uint64_t offset,
                        uint64_t length, std::string* error) = 0;
  // 0 OK, 1 NotFound, 2 anything else.
  virtual int RaiseEvent(const std::string& event) = 0;
  virtual std::string State() = 0;
  virtual void Reset() = 0;
  virtual bool Stats(uint32_t rule, uint32_t target, RuleStats* out) = 0;
  virtual uint32_t RuleCount() = 0;
};

class EngineSubject : public Subject {
 public:
  explicit EngineSubject(LoadPath path) : path_(path) {
    engine_ = std::move(Engine::Create()).value();
  }
  std::string Load(const v1::RuleSet& set) override {
    absl::Status s;
    std::string bytes;
    switch (path_) {
      case LoadPath::kValidated:
        s = engine_->LoadValidated(set);
        break;
      case LoadPath::kText:
        google::protobuf::TextFormat::PrintToString(set, &bytes);
        s = engine_->LoadBuffer(bytes, RuleFormat::kText, "case.txtpb");
        break;
      default:
        set.SerializeToString(&bytes);
        s = engine_->LoadBuffer(bytes, RuleFormat::kBinary, "case.binpb");
        break;
    }
    return s.ok() ? "" : s.ToString();
  }
  uint32_t TargetId(const std::string& name) override {
    return engine_->TargetId(name);
  }
  Verdict Check(uint32_t target, v1::Op op, uint64_t offset, uint64_t length,
                std::string* error) override {
    Verdict v;
    Action a = engine_->Check(target, static_cast<Op>(op), offset, length, &v);
    if (a != v.action)
      *error = "Check() returned an action other than the verdict's";
    return v;
  }
  int RaiseEvent(const std::string& event) override {
    absl::Status s = engine_->RaiseEvent(event);
    return s.ok() ? 0 : absl::IsNotFound(s) ? 1 : 2;
  }
  std::string State() override { return engine_->CurrentState(); }
  void Reset() override { engine_->Reset(); }
  bool Stats(uint32_t rule, uint32_t target, RuleStats* out) override {
    absl::StatusOr<RuleStats> s = engine_->Stats(rule, target);
    if (!s.ok()) return false;
    *out = *s;
    return true;
  }
  uint32_t RuleCount() override { return engine_->RuleCount(); }

 private:
  LoadPath path_;
  std::unique_ptr<Engine> engine_;
};

class CSubject : public Subject {
 public:
  explicit CSubject(LoadPath path) : path_(path) {
    if (fc_engine_create(&engine_, nullptr) != FC_OK) std::abort();
  }
  ~CSubject() override { fc_engine_destroy(engine_); }
  std::string Load(const v1::RuleSet& set) override {
    std::string bytes;
    fc_format format;
    if (path_ == LoadPath::kCText) {
      google::protobuf::TextFormat::PrintToString(set, &bytes);
      format = FC_FORMAT_TEXT;
    } else {
      set.SerializeToString(&bytes);
      format = FC_FORMAT_BINARY;
    }
    char* err = nullptr;
    fc_status s = fc_engine_load_buffer(engine_, bytes.data(), bytes.size(),
                                        format, "case", &err);
    std::string out;
    if (s != FC_OK)
      out = "status " + std::to_string(s) + ": " + (err ? err : "");
    fc_free(err);
    return out;
  }
  uint32_t TargetId(const std::string& name) override {
    uint32_t id = 0;
    if (fc_engine_target_id(engine_, name.c_str(), &id) != FC_OK) std::abort();
    return id;
  }
  Verdict Check(uint32_t target, v1::Op op, uint64_t offset, uint64_t length,
                std::string* error) override {
    fc_verdict c;
    std::memset(&c, 0xa5, sizeof(c));
    c.size = sizeof(c);
    uint32_t a = fc_engine_check(engine_, target, static_cast<uint32_t>(op),
                                 offset, length, &c);
    if (a != c.action)
      *error = "fc_engine_check returned an action other than the verdict's";
    Verdict v;
    v.action = static_cast<Action>(c.action);
    if (v.action == Action::kPass) return v;
    v.rule_id = c.rule_id;
    v.flags = c.flags;
    v.first_bad_byte = c.first_bad_byte;
    v.good_bytes = c.good_bytes;
    v.bad_bytes = c.bad_bytes;
    v.delay_ns = c.delay_ns;
    v.hold_timeout_ns = c.hold_timeout_ns;
    v.corrupt_seed = c.corrupt_seed;
    v.corrupt_bits_per_block = c.corrupt_bits_per_block;
    v.block_size = c.block_size;
    v.codes.errno_value = c.errno_value;
    v.codes.scsi_sense_key = c.scsi_sense_key;
    v.codes.scsi_asc = c.scsi_asc;
    v.codes.scsi_ascq = c.scsi_ascq;
    v.codes.scsi_sense_format = c.scsi_sense_format;
    v.codes.nvme_sct = c.nvme_sct;
    v.codes.nvme_sc = c.nvme_sc;
    v.codes.nvme_dnr = c.nvme_dnr != 0;
    v.codes.nvme_more = c.nvme_more != 0;
    v.codes.ata_status = c.ata_status;
    v.codes.ata_error = c.ata_error;
    if (c.nvme_dnr > 1 || c.nvme_more > 1) {
      *error = "nvme_dnr/nvme_more is not 0 or 1";
    }
    return v;
  }
  int RaiseEvent(const std::string& event) override {
    fc_status s = fc_engine_raise_event(engine_, event.c_str());
    return s == FC_OK ? 0 : s == FC_NOT_FOUND ? 1 : 2;
  }
  std::string State() override {
    char* s = nullptr;
    if (fc_engine_state(engine_, &s) != FC_OK) return "<error>";
    std::string out = s;
    fc_free(s);
    return out;
  }
  void Reset() override { fc_engine_reset(engine_); }
  bool Stats(uint32_t rule, uint32_t target, RuleStats* out) override {
    fc_rule_stats s;
    std::memset(&s, 0, sizeof(s));
    s.size = sizeof(s);
    if (fc_engine_rule_stats(engine_, rule, target, &s) != FC_OK) return false;
    out->matches = s.matches;
    out->fires = s.fires;
    out->healed_bytes = s.healed_bytes;
    out->held = s.held;
    return true;
  }
  uint32_t RuleCount() override { return fc_engine_rule_count(engine_); }

 private:
  LoadPath path_;
  fc_engine* engine_ = nullptr;
};

std::unique_ptr<Subject> MakeSubject(LoadPath path) {
  if (path == LoadPath::kCText || path == LoadPath::kCBinary) {
    return std::make_unique<CSubject>(path);
  }
  return std::make_unique<EngineSubject>(path);
}

// ---- Random rule sets
// --------------------------------------------------------

const char* const kRuleTargets[] = {"", "", "disk0", "disk1", "disk3"};
// Requests come from these devices; "" is FC_TARGET_NONE.  No rule names
// disk2; no request comes from disk3.
const char* const kRequestTargets[] = {"", "disk0", "disk1", "disk2"};
const char* const kEvents[] = {"e0", "e1", "e2", "e9"};  // e9: never defined

class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed) {}

  uint64_t U(uint64_t lo, uint64_t hi) {  // inclusive
    return std::uniform_int_distribution<uint64_t>(lo, hi)(rng_);
  }
  bool P(double p) { return std::bernoulli_distribution(p)(rng_); }
  template <typename T, size_t N>
  const T& Pick(const T (&a)[N]) {
    return a[U(0, N - 1)];
  }

  v1::RuleSet RuleSet() {
    v1::RuleSet set;
    const uint32_t sizes[] = {0, 512, 512, 4096, 4096, 1048576};
    set.set_block_size(Pick(sizes));
    bs_ = set.block_size() != 0 ? set.block_size() : 512;
    top_block_ = kMax / bs_;  // (lba + count) may reach this, no further

    states_.clear();
    if (P(0.45)) {
      const int n = static_cast<int>(U(1, 4));
      for (int i = 0; i < n; ++i) {
        states_.push_back("s" + std::to_string(i));
        set.add_states(states_.back());
      }
      if (P(0.5)) set.set_initial_state(states_[U(0, n - 1)]);
      const int nt = static_cast<int>(U(0, 5));
      for (int i = 0; i < nt; ++i) {
        v1::Transition* t = set.add_transitions();
        t->set_event(kEvents[U(0, 2)]);
        for (const std::string& s : states_) {
          if (P(0.3)) t->add_from(s);
        }
        t->set_to(states_[U(0, n - 1)]);
      }
    }

    has_torn_ = false;
    const int n = static_cast<int>(U(1, P(0.2) ? 24 : 8));
    for (int i = 0; i < n; ++i) AddRule(&set, i);
    return set;
  }

  bool has_torn() const { return has_torn_; }
  uint64_t block_size() const { return bs_; }
  uint64_t top_block() const { return top_block_; }

 private:
  void AddRule(v1::RuleSet* set, int index) {
    v1::Rule* r = set->add_rules();
    if (P(0.7)) r->set_name("r" + std::to_string(index));

    enum {
      kMedia,
      kHeal,
      kWriteFault,
      kRecovered,
      kDelay,
      kHold,
      kCorrupt,
      kTorn,
      kLost
    };
    const int weights[] = {16, 10, 12, 9, 9, 8, 10, 10, 8};
    int action = static_cast<int>(std::discrete_distribution<int>(
        std::begin(weights), std::end(weights))(rng_));
    bool failing = false;  // reports failure with codes
    bool uses_codes = false;
    std::vector<int> allowed;
    const std::vector<int> kAll = {v1::READ, v1::WRITE, v1::FLUSH, v1::DISCARD,
                                   v1::WRITE_ZEROES};
    switch (action) {
      case kMedia:
        r->mutable_media_error();
        allowed = kAll;
        failing = uses_codes = true;
        break;
      case kHeal: {
        v1::HealOnWrite* h = r->mutable_media_error()->mutable_heal_on_write();
        h->set_fail_writes(static_cast<uint32_t>(U(0, 3)));
        if (P(0.3)) RandomCodes(h->mutable_write_codes(), true);
        // READ must be among the ops; writes are kept out (see the model).
        allowed = {v1::FLUSH, v1::DISCARD};
        failing = uses_codes = true;
        break;
      }
      case kWriteFault:
        r->mutable_write_fault();
        allowed = {v1::WRITE, v1::WRITE_ZEROES, v1::DISCARD, v1::FLUSH};
        failing = uses_codes = true;
        break;
      case kRecovered:
        r->mutable_recovered_error();
        allowed = {v1::READ, v1::WRITE, v1::WRITE_ZEROES};
        uses_codes = true;
        break;
      case kDelay:
        r->mutable_delay()->set_ns(P(0.2) ? uint64_t{3600} * 1000000000
                                          : U(0, 5000000));
        allowed = kAll;
        break;
      case kHold: {
        v1::Hold* h = r->mutable_hold();
        if (P(0.6)) h->set_timeout_ns(U(1000000, uint64_t{3600} * 1000000000));
        if (P(0.5)) {
          h->set_on_timeout(v1::Hold::FAIL);
          failing = uses_codes = true;
        }
        allowed = kAll;
        break;
      }
      case kCorrupt:
        r->mutable_corrupt();
        if (P(0.7)) r->mutable_corrupt()->set_bits_per_block(U(0, 64));
        if (P(0.5)) r->mutable_corrupt()->set_seed(U(1, kMax));
        allowed = {v1::READ};
        break;
      case kTorn:
        has_torn_ = true;
        r->mutable_torn_write()->set_good_blocks(P(0.05) ? kMax : U(0, 4));
        if (P(0.4)) {
          r->mutable_torn_write()->set_report_success(true);
        } else {
          failing = uses_codes = true;
        }
        allowed = {v1::WRITE, v1::WRITE_ZEROES};
        break;
      case kLost:
        r->mutable_lost_write();
        allowed = {v1::WRITE, v1::WRITE_ZEROES};
        break;
    }

    // Ops: the action's defaults, or a random non-empty allowed subset.
    if (action == kHeal) {
      if (P(0.5)) {
        r->add_ops(v1::READ);
        for (int op : allowed) {
          if (P(0.3)) r->add_ops(static_cast<v1::Op>(op));
        }
      }
    } else if (P(0.45)) {
      std::shuffle(allowed.begin(), allowed.end(), rng_);
      const size_t k = U(1, allowed.size());
      for (size_t i = 0; i < k; ++i)
        r->add_ops(static_cast<v1::Op>(allowed[i]));
    }

    // Target.  SPEC: whether heals of a rule that names no target are per
    // device is open, so healing rules name one.
    r->set_target(action == kHeal ? (P(0.5) ? "disk0" : "disk1")
                                  : Pick(kRuleTargets));

    // Range: most near 0, some near the top of the address space (a few
    // ending at the last whole block below 2^64), some the whole device.
    const double whole = action == kHeal ? 0.05 : 0.15;
    if (!P(whole)) {
      v1::Range* range = r->mutable_range();
      const uint64_t count = U(0, 8);
      const uint64_t blocks = count == 0 ? 1 : count;
      if (P(0.8)) {
        range->set_lba(U(0, 40));
      } else if (P(0.7)) {
        range->set_lba(top_block_ - 48 + U(0, 40));
      } else {
        range->set_lba(top_block_ - blocks);  // ends at the very top
      }
      if (count != 0 || P(0.5)) range->set_count(count);
    }

    if (!states_.empty()) {
      if (P(0.35)) {
        for (const std::string& s : states_) {
          if (P(0.5)) r->add_states(s);
        }
      }
      if (P(0.25)) r->set_next_state(states_[U(0, states_.size() - 1)]);
    }

    if (P(0.55)) {
      v1::Trigger* t = r->mutable_trigger();
      if (P(0.35)) t->set_skip(U(1, 4));
      if (P(0.3)) {
        t->set_once(true);
        if (P(0.2)) t->set_max_fires(1);
      } else if (P(0.3)) {
        t->set_max_fires(U(1, 4));
      }
      if (P(0.3)) t->set_every_nth(U(0, 4));
      if (P(0.35)) {
        const double ps[] = {0.0, 0.25, 0.5, 0.9, 1.0, 0.999};
        t->set_probability(Pick(ps));
      }
      // The model needs the seed of a draw (a zero seed is "derived from
      // the rule's index", tested in determinism_test).
      if (t->has_probability() || P(0.3)) t->set_seed(U(1, kMax));
      if (P(0.3)) t->set_per_target(true);
    }

    if (uses_codes && P(0.35)) RandomCodes(r->mutable_codes(), failing);
    if (P(0.3)) r->set_latency_ns(U(0, 2000000000));
  }

  void RandomCodes(v1::Codes* c, bool failing) {
    if (P(0.5)) {
      v1::ScsiSense* s = c->mutable_scsi();
      if (P(0.6)) s->set_key(U(0, 15));
      if (P(0.6)) s->set_asc(U(0, 255));
      if (P(0.6)) s->set_ascq(U(0, 255));
      if (P(0.4)) s->set_format(static_cast<v1::ScsiSense::Format>(U(0, 2)));
    }
    if (P(0.5)) {
      v1::NvmeStatus* n = c->mutable_nvme();
      if (P(0.6)) n->set_sct(U(0, 7));
      if (P(0.6)) n->set_sc(U(0, 255));
      if (P(0.5)) n->set_dnr(P(0.5));
      if (P(0.5)) n->set_more(P(0.5));
    }
    if (P(0.5)) {
      v1::AtaStatus* a = c->mutable_ata();
      if (P(0.6)) {
        uint32_t status = static_cast<uint32_t>(U(0, 255));
        if (failing) status |= 0x01;  // ERR: a failure must say so
        a->set_status(status);
      }
      if (P(0.6)) a->set_error(U(0, 255));
    }
    if (P(0.5)) c->set_errno_value(U(1, 4095));
  }

  std::mt19937_64 rng_;
  uint64_t bs_ = 512;
  uint64_t top_block_ = 0;
  std::vector<std::string> states_;
  bool has_torn_ = false;
};

// ---- Steps ------------------------------------------------------------------

struct Step {
  enum Kind { kRequest, kEvent, kReset, kReload, kStats } kind = kRequest;
  std::string target;
  v1::Op op = v1::READ;
  uint64_t offset = 0;
  uint64_t length = 0;
  std::string event;
};

std::string Describe(const Step& s) {
  std::ostringstream o;
  switch (s.kind) {
    case Step::kRequest:
      o << "check target=\"" << s.target << "\" op=" << v1::Op_Name(s.op)
        << " offset=" << s.offset << " length=" << s.length;
      break;
    case Step::kEvent:
      o << "raise_event \"" << s.event << "\"";
      break;
    case Step::kReset:
      o << "reset";
      break;
    case Step::kReload:
      o << "reload the same rule set";
      break;
    case Step::kStats:
      o << "compare counters";
      break;
  }
  return o.str();
}

std::vector<Step> MakeSteps(Gen& g) {
  const uint64_t bs = g.block_size();
  // The highest request end: the end of the last whole block below 2^64.
  const uint64_t top_end = g.top_block() * bs;
  std::vector<Step> steps;
  const int n = static_cast<int>(g.U(20, 110));
  for (int i = 0; i < n; ++i) {
    Step s;
    const uint64_t k = g.U(0, 99);
    if (k < 8) {
      s.kind = Step::kEvent;
      s.event = g.Pick(kEvents);
    } else if (k < 9) {
      s.kind = Step::kReset;
    } else if (k < 10) {
      s.kind = Step::kReload;
    } else if (k < 13) {
      s.kind = Step::kStats;
    } else {
      s.target = g.Pick(kRequestTargets);
      const v1::Op ops[] = {v1::READ,    v1::READ,        v1::READ,  v1::READ,
                            v1::WRITE,   v1::WRITE,       v1::WRITE, v1::FLUSH,
                            v1::DISCARD, v1::WRITE_ZEROES};
      s.op = g.Pick(ops);
      if (s.op == v1::FLUSH || g.P(0.02)) {
        // No LBA: a zero-length request at offset 0.
        s.offset = 0;
        s.length = 0;
      } else {
        const bool aligned =
            g.has_torn() && (s.op == v1::WRITE || s.op == v1::WRITE_ZEROES);
        const uint64_t unit = aligned ? bs : (g.P(0.1) ? 1 : 512);
        uint64_t base;
        const uint64_t where = g.U(0, 99);
        if (where < 72) {
          base = 0;
        } else if (where < 90) {
          base = (g.top_block() - 50) * bs;
        } else {
          base = g.U(0, (top_end - 64 * bs) / unit) * unit;
        }
        s.offset = base + g.U(0, 52 * bs / unit) * unit;
        s.length = g.U(1, 12 * bs / unit) * unit;
        if (s.offset >= top_end) s.offset = top_end - unit;
        if (s.length > top_end - s.offset) s.length = top_end - s.offset;
      }
    }
    steps.push_back(s);
  }
  return steps;
}

// ---- Comparison -------------------------------------------------------------

// Empty when `got` is what the model expects; otherwise the differences.
std::string Diff(const Expected& want, const Verdict& got) {
  std::ostringstream o;
  auto field = [&](const char* name, uint64_t w, uint64_t g) {
    if (w != g) o << "  " << name << ": want " << w << ", got " << g << "\n";
  };
  field("action", static_cast<uint32_t>(want.action),
        static_cast<uint32_t>(got.action));
  if (want.action == Action::kPass || want.action != got.action) {
    return o.str();
  }
  field("rule_id", want.rule_id, got.rule_id);
  field("first_bad_byte", want.first_bad_byte, got.first_bad_byte);
  field("good_bytes", want.good_bytes, got.good_bytes);
  field("bad_bytes", want.bad_bytes, got.bad_bytes);
  field("delay_ns", want.delay_ns, got.delay_ns);
  field("flags", want.flags & want.flags_mask, got.flags & want.flags_mask);
  field("block_size", want.block_size, got.block_size);
  if (want.hold_timeout_ns) {
    field("hold_timeout_ns", *want.hold_timeout_ns, got.hold_timeout_ns);
  }
  if (want.corrupt_seed)
    field("corrupt_seed", *want.corrupt_seed, got.corrupt_seed);
  if (want.corrupt_bits_per_block) {
    field("corrupt_bits_per_block", *want.corrupt_bits_per_block,
          got.corrupt_bits_per_block);
  }
  int64_t codes[kNumCodeFields];
  CodesOf(got.codes, codes);
  for (int f = 0; f < kNumCodeFields; ++f) {
    if (want.codes[f]) {
      field(CodeFieldName(f), static_cast<uint64_t>(*want.codes[f]),
            static_cast<uint64_t>(codes[f]));
    }
  }
  return o.str();
}

// ---- The runner
// ---------------------------------------------------------------

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

struct CaseResult {
  bool ok = true;
  std::string report;
  std::string kind;  // the first mismatch, for the summary
  size_t checks = 0;
  size_t fired = 0;
  size_t by_action[9] = {};  // verdicts per Action, for the summary
};

CaseResult RunCase(int case_number) {
  CaseResult result;
  Gen g(0x5eed0000ull + static_cast<uint64_t>(case_number));
  const v1::RuleSet set = g.RuleSet();
  const std::vector<Step> steps = MakeSteps(g);
  const LoadPath path = static_cast<LoadPath>(case_number % 5);

  std::ostringstream log;
  auto fail = [&](const std::string& what) {
    std::string text;
    google::protobuf::TextFormat::PrintToString(set, &text);
    std::ostringstream o;
    o << "case " << case_number << " (FAULTCORE_CASE=" << case_number
      << "), loaded through " << LoadPathName(path) << "\n"
      << "---- rule set ----\n"
      << text << "---- steps ----\n"
      << log.str() << "---- mismatch ----\n"
      << what;
    result.ok = false;
    result.report = o.str();
    std::string first = what.substr(what.find_first_not_of(" \n"));
    first = first.substr(0, first.find_first_of(":\n"));
    result.kind = first;
  };

  // The generator must only produce sets the validator accepts (otherwise
  // either the generator or the validator disagrees with the proto).
  std::vector<Diagnostic> diags = ValidateRuleSet(set, "generated", nullptr);
  for (const Diagnostic& d : diags) {
    if (d.severity == Diagnostic::Severity::kError) {
      fail("the validator refuses a generated rule set: " + d.ToString());
      return result;
    }
  }

  std::unique_ptr<Subject> engine = MakeSubject(path);
  Model model(set);
  if (std::string err = engine->Load(set); !err.empty()) {
    fail("load failed: " + err);
    return result;
  }
  if (engine->RuleCount() != static_cast<uint32_t>(set.rules_size())) {
    fail("RuleCount " + std::to_string(engine->RuleCount()));
    return result;
  }

  auto compare_counters = [&]() -> bool {
    for (int i = 0; i < set.rules_size(); ++i) {
      std::vector<std::pair<std::string, std::optional<std::string>>> views = {
          {"sum", std::nullopt}};
      if (set.rules(i).trigger().per_target()) {
        for (const char* t : kRequestTargets) {
          if (*t != '\0') views.push_back({t, std::string(t)});
        }
      }
      for (const auto& [label, target] : views) {
        RuleStats got;
        const uint32_t id = target ? engine->TargetId(*target) : 0;
        if (!engine->Stats(static_cast<uint32_t>(i), id, &got)) {
          fail("Stats(" + std::to_string(i) + ") failed");
          return false;
        }
        testing_model::Counts want = model.Stats(i, target);
        const uint64_t healed = model.HealedBytes(i);
        if (got.matches != want.matches || got.fires != want.fires ||
            got.healed_bytes != healed || got.held != 0) {
          std::ostringstream o;
          o << "counters of rule " << i << " (" << label << "): want matches "
            << want.matches << " fires " << want.fires << " healed_bytes "
            << healed << " held 0; got matches " << got.matches << " fires "
            << got.fires << " healed_bytes " << got.healed_bytes << " held "
            << got.held << "\n";
          fail(o.str());
          return false;
        }
      }
    }
    return true;
  };

  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& s = steps[i];
    log << "  [" << i << "] " << Describe(s);
    switch (s.kind) {
      case Step::kRequest: {
        const uint32_t target = engine->TargetId(s.target);
        std::string err;
        const Verdict got =
            engine->Check(target, s.op, s.offset, s.length, &err);
        const Expected want = model.Check(s.target, s.op, s.offset, s.length);
        ++result.checks;
        if (want.action != Action::kPass) ++result.fired;
        ++result.by_action[static_cast<int>(want.action) % 9];
        log << " -> " << ActionName(got.action);
        if (got.action != Action::kPass) log << " rule " << got.rule_id;
        log << "\n";
        std::string diff = Diff(want, got);
        if (!err.empty() || !diff.empty()) {
          fail(err + "\n" + diff);
          return result;
        }
        break;
      }
      case Step::kEvent: {
        const int got = engine->RaiseEvent(s.event);
        const int want = model.RaiseEvent(s.event) ? 0 : 1;
        log << " -> "
            << (got == 0   ? "OK"
                : got == 1 ? "NotFound"
                           : "error")
            << "\n";
        if (got != want) {
          fail(std::string("raise_event: want ") +
               (want == 0 ? "OK" : "NotFound"));
          return result;
        }
        break;
      }
      case Step::kReset:
        log << "\n";
        engine->Reset();
        model.Reset();
        break;
      case Step::kReload:
        log << "\n";
        if (std::string err = engine->Load(set); !err.empty()) {
          fail("reload failed: " + err);
          return result;
        }
        model.Reset();
        break;
      case Step::kStats:
        log << "\n";
        if (!compare_counters()) return result;
        break;
    }
    if (engine->State() != model.state()) {
      fail("state: want \"" + model.state() + "\", got \"" + engine->State() +
           "\"\n");
      return result;
    }
  }
  log << "  [end] compare counters\n";
  compare_counters();
  return result;
}

TEST(VerdictPropertyTest, EngineMatchesModel) {
  const int only = EnvInt("FAULTCORE_CASE", -1);
  const int cases = EnvInt("FAULTCORE_CASES", 8000);
  int failures = 0;
  size_t checks = 0, fired = 0;
  size_t by_action[9] = {};
  std::map<std::string, std::pair<int, int>> kinds;  // count, first case
  for (int c = only >= 0 ? only : 0; c < (only >= 0 ? only + 1 : cases); ++c) {
    CaseResult r = RunCase(c);
    checks += r.checks;
    fired += r.fired;
    for (int a = 0; a < 9; ++a) by_action[a] += r.by_action[a];
    if (!r.ok) {
      auto& [count, first_case] = kinds.try_emplace(r.kind, 0, c).first->second;
      ++count;
      (void)first_case;
      // The first few in full; the rest only counted.
      if (++failures <= 3) ADD_FAILURE() << r.report;
    }
  }
  std::ostringstream summary;
  for (const auto& [kind, n] : kinds) {
    summary << "  " << n.first << " x " << kind
            << " (first: FAULTCORE_CASE=" << n.second << ")\n";
  }
  EXPECT_EQ(failures, 0) << "cases failed (the first 3 are shown above); "
                         << "first mismatch per case:\n"
                         << summary.str();
  // The generator must produce interesting cases, not all passes.
  std::printf("%zu requests checked, %zu faulted, %d failing cases\n", checks,
              fired, failures);
  for (int a = 0; a < 9; ++a) {
    std::printf("  %-16s %zu\n", ActionName(static_cast<Action>(a)),
                by_action[a]);
  }
  if (only < 0) {
    EXPECT_GT(fired, checks / 10);
  }
}

// ---- Single cases
// --------------------------------------------------------------
//
// Each pins one sentence of the proto that the property test found the
// engine disagreeing with, so that the failure reads as that sentence.

std::unique_ptr<Engine> LoadText(const std::string& text) {
  std::unique_ptr<Engine> e = std::move(Engine::Create()).value();
  absl::Status s = e->LoadBuffer(text, RuleFormat::kText, "single.txtpb");
  EXPECT_TRUE(s.ok()) << s;
  return e;
}

// RecoveredError: "Defaults: SCSI 01/18/00, NVMe 0/0, ATA DRDY, no errno."
// DRDY is 0x40 (AtaStatus.status: "0x41 = DRDY|ERR").
TEST(VerdictDefaultsTest, RecoveredErrorDefaultsFollowTheProto) {
  std::unique_ptr<Engine> e =
      LoadText("rules { range { lba: 0 count: 4 } recovered_error {} }");
  Verdict v;
  ASSERT_EQ(e->Check(kNoTarget, Op::kRead, 0, 512, &v), Action::kRecovered);
  EXPECT_EQ(v.codes.scsi_sense_key, 0x1);
  EXPECT_EQ(v.codes.scsi_asc, 0x18);
  EXPECT_EQ(v.codes.scsi_ascq, 0x00);
  EXPECT_EQ(v.codes.nvme_sct, 0);
  EXPECT_EQ(v.codes.nvme_sc, 0);
  EXPECT_EQ(v.codes.ata_status, 0x50) << "ATA DRDY|DSC";
  EXPECT_EQ(v.codes.errno_value, 0);
}

// HealOnWrite: "The first fail_writes writes touching the still-bad blocks
// fail".  A zero-length write touches no block: it neither fails nor uses up
// one of the failures.
TEST(VerdictHealTest, ZeroLengthWriteTouchesNoBadBlock) {
  std::unique_ptr<Engine> e = LoadText(
      "rules { target: \"disk0\" "
      "media_error { heal_on_write { fail_writes: 1 } } }");
  const uint32_t disk0 = e->TargetId("disk0");
  Verdict v;
  EXPECT_EQ(e->Check(disk0, Op::kWrite, 0, 0, &v), Action::kPass);
  EXPECT_EQ(e->Check(disk0, Op::kWriteZeroes, 0, 0, &v), Action::kPass);
  // The one failure is still there for the first real write.
  EXPECT_EQ(e->Check(disk0, Op::kWrite, 4096, 512, &v), Action::kWriteFault);
  EXPECT_EQ(e->Check(disk0, Op::kWrite, 4096, 512, &v), Action::kPass);
  EXPECT_EQ(e->Check(disk0, Op::kRead, 4096, 512, &v), Action::kPass)
      << "healed";
}

// A failed heal write is counted as a firing of its rule ("fires: of which
// it fired"); Rule.next_state is the "State entered when this rule fires".
// The two must agree: either the failure is a firing and the state changes,
// or it is neither.
TEST(VerdictHealTest, FailedHealWriteFiresLikeAnyFiring) {
  std::unique_ptr<Engine> e = LoadText(
      "states: [\"ok\", \"failed\"] "
      "rules { target: \"disk0\" range { lba: 8 count: 2 } "
      "next_state: \"failed\" "
      "media_error { heal_on_write { fail_writes: 1 } } }");
  const uint32_t disk0 = e->TargetId("disk0");
  Verdict v;
  ASSERT_EQ(e->Check(disk0, Op::kWrite, 8 * 512, 512, &v), Action::kWriteFault);
  const uint64_t fires = e->Stats(0, kNoTarget)->fires;
  EXPECT_EQ(fires == 1, e->CurrentState() == "failed")
      << "fires " << fires << ", state " << e->CurrentState();
  // And a read failure does enter it.
  e->Reset();
  ASSERT_EQ(e->Check(disk0, Op::kRead, 8 * 512, 512, &v), Action::kMediaError);
  EXPECT_EQ(e->CurrentState(), "failed");
}

}  // namespace
}  // namespace faultcore
