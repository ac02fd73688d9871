// Readers on threads the library did not create check requests without pause
// while other threads republish rule sets, reset, raise events, heal bad
// blocks by writing, and hold and release requests.  The header promises:
// "Replacing the rule set is atomic: a check sees either the old set or the
// new one."  Sets A and B below give every probe request a verdict that names
// its set in several fields at once (rule id, action, codes, delay), so a
// verdict built from parts of both is caught.  Counters must never go down
// between two resets or loads.
//
// Runs for a fixed time (not a fixed number of iterations), so it takes the
// same few seconds under ThreadSanitizer (CI: --config=tsan) as without.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <random>
#include <shared_mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "faultcore/faultcore.h"
#include "gtest/gtest.h"
#include "libfaultcore/engine.h"

namespace faultcore {
namespace {

constexpr char kSetA[] = R"pb(
  states: [ "up", "down" ]
  rules {
    name: "a-probe"
    ops: READ
    range { lba: 0 count: 8 }
    codes {
      errno_value: 101
      scsi { asc: 0xA1 }
    }
    latency_ns: 1111
    media_error {}
  }
  rules {
    name: "a-heal"
    target: "disk1"
    range { lba: 100 count: 8 }
    codes { errno_value: 102 }
    media_error {
      heal_on_write {
        fail_writes: 1
        write_codes { errno_value: 112 }
      }
    }
  }
  rules {
    name: "a-hold"
    ops: READ
    range { lba: 200 }
    hold { timeout_ns: 1000000000 }
  }
  rules {
    name: "a-state"
    ops: READ
    range { lba: 300 }
    states: "down"
    codes { errno_value: 103 }
    media_error {}
  }
  transitions { event: "toggle" from: "up" to: "down" }
  transitions { event: "toggle" from: "down" to: "up" }
)pb";

constexpr char kSetB[] = R"pb(
  states: [ "up", "down" ]
  initial_state: "down"
  rules {
    name: "b-pad"
    ops: READ
    range { lba: 5000 }
    delay { ns: 5 }
  }
  rules {
    name: "b-probe"
    ops: READ
    range { lba: 0 count: 8 }
    codes { scsi { asc: 0xB1 } }
    latency_ns: 2222
    recovered_error {}
  }
  rules {
    name: "b-heal"
    target: "disk1"
    range { lba: 100 count: 8 }
    codes { errno_value: 202 }
    media_error {
      heal_on_write {
        fail_writes: 2
        write_codes { errno_value: 212 }
      }
    }
  }
  rules {
    name: "b-state"
    ops: READ
    range { lba: 300 }
    states: "up"
    codes { scsi { asc: 0xB3 } }
    recovered_error {}
  }
  rules {
    name: "b-hold"
    ops: READ
    range { lba: 200 }
    hold { timeout_ns: 2000000000 }
  }
  transitions { event: "toggle" from: "up" to: "down" }
  transitions { event: "toggle" from: "down" to: "up" }
)pb";

constexpr uint64_t kProbe = 0, kProbeLen = 8 * 512;
constexpr uint64_t kHeal = 100 * 512, kHealLen = 8 * 512;
constexpr uint64_t kHold = 200 * 512;
constexpr uint64_t kState = 300 * 512;

// The two ways in: the C++ engine and the C ABI.
class Api {
 public:
  virtual ~Api() = default;
  virtual void Load(const char* text) = 0;
  virtual uint32_t TargetId(const char* name) = 0;
  virtual Verdict Check(uint32_t target, Op op, uint64_t off, uint64_t len) = 0;
  virtual void RaiseEvent(const char* event) = 0;
  virtual void Reset() = 0;
  virtual uint64_t Hold(const Verdict& v, void (*fn)(void*), void* opaque) = 0;
  virtual bool Cancel(uint64_t ticket) = 0;
  virtual void Release(const char* rule) = 0;  // nullptr: all
  virtual bool Stats(uint32_t rule, RuleStats* out) = 0;
};

class CppApi : public Api {
 public:
  CppApi() : e_(std::move(Engine::Create()).value()) {}
  void Load(const char* text) override {
    absl::Status s = e_->LoadBuffer(text, RuleFormat::kText, "stress.txtpb");
    if (!s.ok()) ADD_FAILURE() << s;
  }
  uint32_t TargetId(const char* name) override { return e_->TargetId(name); }
  Verdict Check(uint32_t target, Op op, uint64_t off, uint64_t len) override {
    Verdict v;
    e_->Check(target, op, off, len, &v);
    return v;
  }
  void RaiseEvent(const char* event) override {
    absl::Status s = e_->RaiseEvent(event);
    if (!s.ok()) ADD_FAILURE() << s;
  }
  void Reset() override { e_->Reset(); }
  uint64_t Hold(const Verdict& v, void (*fn)(void*), void* opaque) override {
    return e_->Hold(kNoTarget, v, fn, opaque);
  }
  bool Cancel(uint64_t ticket) override { return e_->CancelHold(ticket); }
  void Release(const char* rule) override {
    if (rule == nullptr) {
      e_->Release(std::nullopt, std::nullopt);
    } else {
      e_->Release(std::nullopt, absl::string_view(rule));
    }
  }
  bool Stats(uint32_t rule, RuleStats* out) override {
    absl::StatusOr<RuleStats> s = e_->Stats(rule, kNoTarget);
    if (!s.ok()) return false;
    *out = *s;
    return true;
  }

 private:
  std::unique_ptr<Engine> e_;
};

class CApi : public Api {
 public:
  CApi() {
    if (fc_engine_create(&e_, nullptr) != FC_OK) std::abort();
  }
  ~CApi() override { fc_engine_destroy(e_); }
  void Load(const char* text) override {
    char* err = nullptr;
    if (fc_engine_load_buffer(e_, text, std::strlen(text), FC_FORMAT_TEXT,
                              "stress.txtpb", &err) != FC_OK) {
      ADD_FAILURE() << err;
    }
    fc_free(err);
  }
  uint32_t TargetId(const char* name) override {
    uint32_t id = 0;
    fc_engine_target_id(e_, name, &id);
    return id;
  }
  Verdict Check(uint32_t target, Op op, uint64_t off, uint64_t len) override {
    fc_verdict c;
    std::memset(&c, 0, sizeof(c));
    c.size = sizeof(c);
    fc_engine_check(e_, target, static_cast<uint32_t>(op), off, len, &c);
    Verdict v;
    v.action = static_cast<Action>(c.action);
    v.rule_id = c.rule_id;
    v.first_bad_byte = c.first_bad_byte;
    v.good_bytes = c.good_bytes;
    v.bad_bytes = c.bad_bytes;
    v.delay_ns = c.delay_ns;
    v.hold_timeout_ns = c.hold_timeout_ns;
    v.codes.errno_value = c.errno_value;
    v.codes.scsi_asc = c.scsi_asc;
    return v;
  }
  void RaiseEvent(const char* event) override {
    if (fc_engine_raise_event(e_, event) != FC_OK) ADD_FAILURE() << event;
  }
  void Reset() override { fc_engine_reset(e_); }
  uint64_t Hold(const Verdict& v, void (*fn)(void*), void* opaque) override {
    fc_verdict c;
    std::memset(&c, 0, sizeof(c));
    c.size = sizeof(c);
    c.action = static_cast<uint32_t>(v.action);
    c.rule_id = v.rule_id;
    c.hold_timeout_ns = v.hold_timeout_ns;
    uint64_t ticket = 0;
    if (fc_engine_hold(e_, FC_TARGET_NONE, &c, fn, opaque, &ticket) != FC_OK) {
      ADD_FAILURE() << "fc_engine_hold failed";
    }
    return ticket;
  }
  bool Cancel(uint64_t ticket) override {
    return fc_engine_hold_cancel(e_, ticket) == FC_OK;
  }
  void Release(const char* rule) override {
    size_t n = 0;
    if (fc_engine_release(e_, FC_TARGET_NONE, rule, &n) != FC_OK) {
      ADD_FAILURE() << "fc_engine_release failed";
    }
  }
  bool Stats(uint32_t rule, RuleStats* out) override {
    fc_rule_stats s;
    std::memset(&s, 0, sizeof(s));
    s.size = sizeof(s);
    if (fc_engine_rule_stats(e_, rule, FC_TARGET_NONE, &s) != FC_OK) {
      return false;
    }
    out->matches = s.matches;
    out->fires = s.fires;
    out->healed_bytes = s.healed_bytes;
    out->held = s.held;
    return true;
  }

 private:
  fc_engine* e_ = nullptr;
};

// Problems seen by any thread; the first few are kept for the report.
class Errors {
 public:
  void Add(const std::string& what) {
    if (count_.fetch_add(1) < 5) {
      std::lock_guard<std::mutex> lock(mu_);
      first_.push_back(what);
    }
  }
  int count() const { return count_.load(); }
  std::string Report() {
    std::lock_guard<std::mutex> lock(mu_);
    std::ostringstream o;
    for (const std::string& s : first_) o << s << "\n";
    return o.str();
  }

 private:
  std::atomic<int> count_{0};
  std::mutex mu_;
  std::vector<std::string> first_;
};

std::string Show(const Verdict& v) {
  std::ostringstream o;
  o << "action " << static_cast<int>(v.action) << " rule " << v.rule_id
    << " first_bad " << v.first_bad_byte << " good " << v.good_bytes << " bad "
    << v.bad_bytes << " delay " << v.delay_ns << " errno "
    << v.codes.errno_value << " asc " << int{v.codes.scsi_asc} << " hold "
    << v.hold_timeout_ns;
  return o.str();
}

bool Geometry(const Verdict& v, uint64_t start, uint64_t len, bool aligned) {
  return v.first_bad_byte >= start && v.first_bad_byte < start + len &&
         (!aligned || v.first_bad_byte % 512 == 0) &&
         v.good_bytes == v.first_bad_byte - start &&
         v.bad_bytes == start + len - v.first_bad_byte;
}

// Is `v` a verdict set A or set B can give for the probe at `where`?
bool Consistent(uint64_t where, Op op, const Verdict& v) {
  const Action a = v.action;
  if (where == kProbe) {
    const bool from_a = a == Action::kMediaError && v.rule_id == 0 &&
                        v.codes.errno_value == 101 &&
                        v.codes.scsi_asc == 0xA1 && v.delay_ns == 1111;
    const bool from_b = a == Action::kRecovered && v.rule_id == 1 &&
                        v.codes.errno_value == 0 && v.codes.scsi_asc == 0xB1 &&
                        v.delay_ns == 2222;
    return (from_a || from_b) && Geometry(v, kProbe, kProbeLen, false) &&
           v.first_bad_byte == kProbe;
  }
  if (where == kHeal && op == Op::kRead) {
    if (a == Action::kPass) return true;  // healed
    const bool from_a = a == Action::kMediaError && v.rule_id == 1 &&
                        v.codes.errno_value == 102;
    const bool from_b = a == Action::kMediaError && v.rule_id == 2 &&
                        v.codes.errno_value == 202;
    return (from_a || from_b) && Geometry(v, kHeal, kHealLen, true);
  }
  if (where == kHeal) {                   // a write
    if (a == Action::kPass) return true;  // it heals
    const bool from_a = a == Action::kWriteFault && v.rule_id == 1 &&
                        v.codes.errno_value == 112;
    const bool from_b = a == Action::kWriteFault && v.rule_id == 2 &&
                        v.codes.errno_value == 212;
    return (from_a || from_b) && Geometry(v, kHeal, kHealLen, true);
  }
  if (where == kState) {
    if (a == Action::kPass) return true;  // the rule is not armed
    const bool from_a = a == Action::kMediaError && v.rule_id == 3 &&
                        v.codes.errno_value == 103;
    const bool from_b = a == Action::kRecovered && v.rule_id == 3 &&
                        v.codes.scsi_asc == 0xB3 && v.codes.errno_value == 0;
    return (from_a || from_b) && Geometry(v, kState, 512, true);
  }
  if (where == kHold) {
    const bool from_a =
        a == Action::kHold && v.rule_id == 2 && v.hold_timeout_ns == 1000000000;
    const bool from_b =
        a == Action::kHold && v.rule_id == 4 && v.hold_timeout_ns == 2000000000;
    return (from_a || from_b) && Geometry(v, kHold, 512, true);
  }
  return a == Action::kPass;  // nothing there in either set
}

struct HoldSlot {
  std::atomic<int> callbacks{0};
  std::atomic<int> cancelled{0};
};

void OnRelease(void* opaque) {
  static_cast<HoldSlot*>(opaque)->callbacks.fetch_add(1);
}

class ConcurrencyStressTest : public ::testing::TestWithParam<bool> {};

TEST_P(ConcurrencyStressTest, ReadersSeeOneSetOrTheOtherNeverAMix) {
  std::unique_ptr<Api> api;
  if (GetParam()) {
    api = std::make_unique<CApi>();
  } else {
    api = std::make_unique<CppApi>();
  }
  Api& e = *api;
  e.Load(kSetA);
  const uint32_t disk1 = e.TargetId("disk1");
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(2000);
  auto running = [&] { return std::chrono::steady_clock::now() < deadline; };
  Errors errors;

  // Loads and resets take this exclusively; the counter checker shares it,
  // so that it knows when counters may legitimately start over.  Readers
  // never touch it.
  std::shared_mutex epoch_mu;
  uint64_t epoch = 0;  // guarded by epoch_mu
  std::atomic<uint64_t> checks{0}, loads{0};

  auto reader = [&](uint64_t seed, bool forever) {
    std::mt19937_64 rng(seed);
    uint64_t n = 0;
    do {
      for (int i = 0; i < 200; ++i, ++n) {
        static const uint64_t kWhere[] = {
            kProbe, kProbe, kProbe, kHeal, kState, kHold, 5000 * 512 + 4096,
            1 << 30};
        const uint64_t where = kWhere[rng() % 8];
        const uint64_t len = where == kProbe  ? kProbeLen
                             : where == kHeal ? kHealLen
                                              : 512;
        const uint32_t target = where == kHeal ? disk1 : kNoTarget;
        Verdict v = e.Check(target, Op::kRead, where, len);
        if (!Consistent(where, Op::kRead, v)) {
          errors.Add("reader at " + std::to_string(where) + ": " + Show(v));
        }
      }
    } while (forever && running());
    checks.fetch_add(n);
  };

  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) threads.emplace_back(reader, 100 + i, true);

  // Short-lived readers: threads come and go (their RCU slots are recycled).
  threads.emplace_back([&] {
    for (uint64_t i = 0; running(); ++i) {
      std::thread t(reader, 1000 + i, false);
      t.join();
    }
  });

  // Writers to the healing range: their writes fail, then heal.
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] {
      std::mt19937_64 rng(7 + i);
      while (running()) {
        Verdict v = e.Check(disk1, rng() % 2 ? Op::kWrite : Op::kWriteZeroes,
                            kHeal, kHealLen);
        if (!Consistent(kHeal, Op::kWrite, v)) {
          errors.Add("heal writer: " + Show(v));
        }
        std::this_thread::yield();
      }
    });
  }

  // Holds and releases.
  std::vector<std::unique_ptr<HoldSlot>> slots;
  std::vector<uint64_t> tickets;
  threads.emplace_back([&] {
    std::mt19937_64 rng(11);
    while (running()) {
      Verdict v = e.Check(kNoTarget, Op::kRead, kHold, 512);
      if (!Consistent(kHold, Op::kRead, v)) {
        errors.Add("hold thread: " + Show(v));
        continue;
      }
      slots.push_back(std::make_unique<HoldSlot>());
      HoldSlot* slot = slots.back().get();
      tickets.push_back(e.Hold(v, OnRelease, slot));
      switch (rng() % 4) {
        case 0:
          if (e.Cancel(tickets.back())) slot->cancelled.fetch_add(1);
          break;
        case 1:
          e.Release(v.rule_id == 2 ? "a-hold" : "b-hold");
          break;
        default:
          break;  // left for a reset, a release of another thread, or the end
      }
    }
  });
  threads.emplace_back([&] {
    while (running()) {
      e.Release(nullptr);
      std::this_thread::sleep_for(std::chrono::microseconds(300));
    }
  });

  // Counters never go down within one epoch.  (Not checked: fires <=
  // matches in one sample.  Stats() reads the two counters one after the
  // other while checks move them, and nothing promises a snapshot.)
  threads.emplace_back([&] {
    uint64_t seen_epoch = ~uint64_t{0};
    RuleStats last[5];
    while (running()) {
      std::shared_lock<std::shared_mutex> lock(epoch_mu);
      if (epoch != seen_epoch) {
        seen_epoch = epoch;
        for (RuleStats& s : last) s = RuleStats();
      }
      for (uint32_t rule = 0; rule < 5; ++rule) {
        RuleStats now;
        if (!e.Stats(rule, &now)) continue;  // set A has 4 rules
        if (now.matches < last[rule].matches || now.fires < last[rule].fires ||
            now.healed_bytes < last[rule].healed_bytes) {
          errors.Add("counters of rule " + std::to_string(rule) +
                     " went from matches/fires/healed " +
                     std::to_string(last[rule].matches) + "/" +
                     std::to_string(last[rule].fires) + "/" +
                     std::to_string(last[rule].healed_bytes) + " to " +
                     std::to_string(now.matches) + "/" +
                     std::to_string(now.fires) + "/" +
                     std::to_string(now.healed_bytes) + " within one epoch");
        }
        last[rule] = now;
      }
    }
  });

  // The republisher (this thread): loads, resets and events.
  std::mt19937_64 rng(3);
  bool on_a = true;
  while (running()) {
    const uint64_t k = rng() % 8;
    if (k < 4) {
      std::unique_lock<std::shared_mutex> lock(epoch_mu);
      on_a = !on_a;
      e.Load(on_a ? kSetA : kSetB);
      ++epoch;
      loads.fetch_add(1);
    } else if (k < 5) {
      std::unique_lock<std::shared_mutex> lock(epoch_mu);
      e.Reset();
      ++epoch;
    } else {
      e.RaiseEvent("toggle");
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  for (std::thread& t : threads) t.join();

  // Every hold was released exactly once (callback) or cancelled, never
  // both.
  e.Release(nullptr);
  size_t bad_holds = 0;
  for (const auto& slot : slots) {
    if (slot->callbacks.load() + slot->cancelled.load() != 1) ++bad_holds;
  }
  EXPECT_EQ(bad_holds, 0u) << "of " << slots.size() << " holds";
  EXPECT_EQ(errors.count(), 0) << errors.Report();
  std::printf("%s: %llu checks, %llu loads, %zu holds\n",
              GetParam() ? "C ABI" : "C++", (unsigned long long)checks.load(),
              (unsigned long long)loads.load(), slots.size());
  EXPECT_GT(checks.load(), 1000u);
  EXPECT_GT(loads.load(), 10u);
  EXPECT_GT(slots.size(), 10u);
}

INSTANTIATE_TEST_SUITE_P(Apis, ConcurrencyStressTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "CAbi" : "Engine";
                         });

}  // namespace
}  // namespace faultcore
