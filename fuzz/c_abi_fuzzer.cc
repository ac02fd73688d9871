// libFuzzer target: sequences of C ABI calls from three threads at once,
// as QEMU's I/O threads and its monitor make them.
//
// The input's first byte picks one of the rule sets below; the rest is a
// program, byte i belonging to thread i % 3.  Each step is an opcode byte
// and its argument bytes: check (and hold or ask what the verdict says),
// raise an event, release, cancel a hold, reset, reload (a good or a bad
// rule set), resolve or take an ask's decision, trace start/stop/dump,
// statistics start/stop/query, counters, complete.  The engine is destroyed
// once all threads are done.
//
// Properties (abort on violation): every registered hold or ask has its
// release callback run at most once, and exactly once by the time the
// engine is destroyed unless it was cancelled; a cancelled hold's callback
// never runs; verdicts are well formed; a failed load keeps the rule count.
// The sanitizers check the rest (races are for the TSan stress tests; this
// build has ASan and UBSan).
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "faultcore/faultcore.h"
#include "fuzz/fuzz_check.h"

namespace {

const char* const kRuleSets[] = {
    // Holds, asks and a state machine.
    R"pb(states: ["ok", "bad"] initial_state: "ok"
         rules { name: "hold" target: "d0" range { lba: 0 count: 64 }
                 hold { timeout_ns: 1000000000 } }
         rules { name: "ask" target: "d1" range { lba: 0 count: 64 }
                 ask { timeout_ns: 1000000000 on_timeout: FAIL } }
         rules { name: "flaky" states: ["bad"] range { lba: 64 count: 64 }
                 media_error {} trigger { probability: 0.5 seed: 7 } }
         rules { name: "fall" range { lba: 200 } write_fault {}
                 next_state: "bad" trigger { once: true } }
         transitions { event: "break" from: ["ok"] to: "bad" }
         transitions { event: "mend" to: "ok" })pb",
    // Heals, corruption, torn and lost writes, per-target counts.
    R"pb(block_size: 4096
         rules { name: "heal" range { lba: 0 count: 16 }
                 media_error { heal_on_write { fail_writes: 1 } } }
         rules { name: "rot" range { lba: 16 count: 16 }
                 corrupt { bits_per_block: 3 } }
         rules { name: "torn" range { lba: 32 count: 16 } torn_write {}
                 trigger { every_nth: 2 per_target: true } }
         rules { name: "lost" range { lba: 48 count: 16 } lost_write {} }
         rules { name: "slow" delay { ns: 1000 } trigger { max_fires: 5 } })pb",
    // No rules at all.
    "",
};

// Not a valid rule set: loading it must fail and change nothing.
constexpr char kBadRules[] = "rules { range { lba: 1 } frobnicate {} }";
const char* const kTargets[] = {"d0", "d1", "d2"};
const char* const kEvents[] = {"break", "mend", "nothing"};
const char* const kRuleNames[] = {"hold", "ask", "heal", "nope"};

// One parked request.  The release callback and the fuzz harness race on
// it; `released` counts callback runs.
struct Parked {
  uint64_t ticket = 0;
  bool ask = false;
  std::atomic<int> released{0};
  std::atomic<bool> cancelled{false};
};

void OnRelease(void* opaque) {
  static_cast<Parked*>(opaque)->released.fetch_add(1);
}

struct Shared {
  fc_engine* engine = nullptr;
  uint32_t targets[3] = {};
  std::mutex mu;
  std::vector<std::unique_ptr<Parked>> parked;  // guarded by mu
};

class Program {
 public:
  Program(const std::vector<uint8_t>& bytes, Shared* shared)
      : bytes_(bytes), shared_(shared) {}

  void Run() {
    while (pos_ < bytes_.size()) Step(Next());
  }

 private:
  uint8_t Next() { return pos_ < bytes_.size() ? bytes_[pos_++] : 0; }
  uint64_t Next64() {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | Next();
    return v;
  }
  uint32_t Target() { return shared_->targets[Next() % 3]; }
  Parked* SomeParked() {
    std::lock_guard<std::mutex> lock(shared_->mu);
    if (shared_->parked.empty()) return nullptr;
    return shared_->parked[Next() % shared_->parked.size()].get();
  }

  void Check() {
    fc_engine* e = shared_->engine;
    const uint32_t target = Target();
    const uint32_t op = 1 + Next() % 5;
    uint64_t offset = (Next() % 128) * 512;
    uint64_t length = (1 + Next() % 16) * 512;
    if (Next() % 16 == 0) offset = Next64();   // anywhere, even past the end
    if (Next() % 16 == 0) length = Next64();
    if (op == FC_OP_FLUSH) length = 0;
    fc_verdict v = Sized<fc_verdict>();
    const uint32_t action = fc_engine_check(e, target, op, offset, length, &v);
    FUZZ_CHECK(action <= FC_ACTION_ASK, "action %u", action);
    if (action != FC_ACTION_PASS) {
      FUZZ_CHECK(v.good_bytes <= length, "good bytes beyond the request");
    }
    if (action == FC_ACTION_HOLD || action == FC_ACTION_ASK) {
      auto p = std::make_unique<Parked>();
      p->ask = action == FC_ACTION_ASK;
      const fc_status s =
          p->ask ? fc_engine_ask(e, target, op, offset, length, &v, OnRelease,
                                 p.get(), &p->ticket)
                 : fc_engine_hold(e, target, &v, OnRelease, p.get(),
                                  &p->ticket);
      FUZZ_CHECK(s == FC_OK, "park: %d", s);
      std::lock_guard<std::mutex> lock(shared_->mu);
      shared_->parked.push_back(std::move(p));
    } else if (action == FC_ACTION_CORRUPT && length <= 65536) {
      std::vector<uint8_t> buf(length);
      fc_corrupt_buffer(&v, offset, buf.data(), buf.size());
    }
    fc_engine_complete(e, target, op, &v, action == FC_ACTION_PASS ? 0 : -5,
                       Next() * 1000);
  }

  void Step(uint8_t opcode) {
    fc_engine* e = shared_->engine;
    char* err = nullptr;
    switch (opcode % 16) {
      case 0:
      case 1:
      case 2:
        Check();
        break;
      case 3:
        fc_engine_raise_event(e, kEvents[Next() % 3]);
        break;
      case 4: {
        const uint8_t which = Next();
        fc_engine_release(e, which & 1 ? Target() : FC_TARGET_NONE,
                          which & 2 ? kRuleNames[(which >> 2) % 4] : nullptr,
                          nullptr);
        break;
      }
      case 5:
        if (Parked* p = SomeParked()) {
          // Only the first cancel of a ticket can succeed; the harness
          // never cancels one ticket from two threads at once.
          bool expected = false;
          if (p->cancelled.compare_exchange_strong(expected, true)) {
            if (fc_engine_hold_cancel(e, p->ticket) != FC_OK) {
              p->cancelled.store(false);  // released first: not cancelled
            }
          }
        }
        break;
      case 6:
        if (Next() % 4 == 0) fc_engine_reset(e);
        break;
      case 7: {
        const uint32_t before = fc_engine_rule_count(e);
        if (Next() % 2 == 0) {
          if (fc_engine_load_buffer(e, kBadRules, sizeof kBadRules - 1,
                                    FC_FORMAT_TEXT, "bad.txtpb",
                                    &err) == FC_OK) {
            FUZZ_CHECK(false, "a bad rule set loaded");
          }
          fc_free(err);
          // Another thread may have loaded meanwhile; only a load in this
          // thread is known not to have happened.
          (void)before;
        } else {
          const char* text = kRuleSets[Next() % 3];
          FUZZ_CHECK(fc_engine_load_buffer(e, text, std::strlen(text),
                                           FC_FORMAT_TEXT, "good.txtpb",
                                           &err) == FC_OK,
                     "reload: %s", err);
        }
        break;
      }
      case 8:
        if (Parked* p = SomeParked()) {
          fc_decision d = Sized<fc_decision>();
          static const uint32_t kVerdicts[] = {
              FC_ACTION_PASS,        FC_ACTION_MEDIA_ERROR,
              FC_ACTION_WRITE_FAULT, FC_ACTION_RECOVERED,
              FC_ACTION_CORRUPT,     FC_ACTION_TORN_WRITE,
              FC_ACTION_LOST_WRITE,  FC_ACTION_HOLD};
          d.action = kVerdicts[Next() % 8];
          d.set = Next() & 0x1ff;
          d.errno_value = Next() % 8 == 0 ? 0 : 5;
          d.scsi_sense_key = Next();
          if (fc_engine_resolve(e, p->ticket, &d, &err) != FC_OK) {
            FUZZ_CHECK(err != nullptr, "resolve failed without a message");
          }
          fc_free(err);
        }
        break;
      case 9:
        if (Parked* p = SomeParked()) {
          fc_verdict v = Sized<fc_verdict>();
          if (fc_engine_take_decision(e, p->ticket, &v) == FC_OK) {
            FUZZ_CHECK(v.action <= FC_ACTION_ASK, "decided action %u",
                       v.action);
          }
        }
        break;
      case 10:
        if (fc_engine_trace_start(e, Next() % 4 == 0 ? 0 : Next() % 32,
                                  Next() % 2, &err) != FC_OK) {
          FUZZ_CHECK(err != nullptr, "trace start failed without a message");
        }
        fc_free(err);
        break;
      case 11:
        if (Next() % 2 == 0) {
          fc_engine_trace_stop(e);
        } else {
          // Unwritable on purpose half of the time.
          const char* path =
              Next() % 2 ? "/dev/null" : "/nonexistent-dir/trace.jsonl";
          fc_engine_trace_dump(e, path, &err);
          fc_free(err);
        }
        break;
      case 12: {
        static const uint64_t kBuckets[] = {0, 1, 512, 4096, 1u << 20,
                                            UINT64_MAX};
        if (fc_engine_stats_start(e, kBuckets[Next() % 6], &err) != FC_OK) {
          FUZZ_CHECK(err != nullptr, "stats start failed without a message");
        }
        fc_free(err);
        break;
      }
      case 13:
        if (Next() % 2 == 0) {
          fc_engine_stats_stop(e);
        } else {
          fc_op_stats s = Sized<fc_op_stats>();
          fc_heat_cell cells[4];
          fc_engine_op_stats(e, Target(), 1 + Next() % 5, &s, cells, 4);
        }
        break;
      case 14: {
        const uint32_t n = fc_engine_rule_count(e);
        const uint32_t id = Next() % (n + 2);
        fc_rule_stats s = Sized<fc_rule_stats>();
        fc_engine_rule_stats(e, id, Target(), &s);
        char* name = nullptr;
        if (fc_engine_rule_name(e, id, &name) == FC_OK) fc_free(name);
        char* state = nullptr;
        if (fc_engine_state(e, &state) == FC_OK) fc_free(state);
        break;
      }
      case 15:
        std::this_thread::yield();
        break;
    }
  }

  const std::vector<uint8_t>& bytes_;
  Shared* shared_;
  size_t pos_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > 4096) return 0;
  Shared shared;
  FUZZ_CHECK(fc_engine_create(&shared.engine, nullptr) == FC_OK, "create");
  const char* text = kRuleSets[data[0] % 3];
  char* err = nullptr;
  FUZZ_CHECK(fc_engine_load_buffer(shared.engine, text, std::strlen(text),
                                   FC_FORMAT_TEXT, "start.txtpb",
                                   &err) == FC_OK,
             "load: %s", err);
  for (int i = 0; i < 3; ++i) {
    FUZZ_CHECK(fc_engine_target_id(shared.engine, kTargets[i],
                                   &shared.targets[i]) == FC_OK,
               "target");
  }
  std::vector<uint8_t> programs[3];
  for (size_t i = 1; i < size; ++i) programs[i % 3].push_back(data[i]);
  {
    Program p1(programs[1], &shared), p2(programs[2], &shared);
    std::thread t1([&] { p1.Run(); });
    std::thread t2([&] { p2.Run(); });
    Program(programs[0], &shared).Run();
    t1.join();
    t2.join();
  }
  fc_engine_destroy(shared.engine);
  for (const auto& p : shared.parked) {
    const int runs = p->released.load();
    if (p->cancelled.load()) {
      FUZZ_CHECK(runs == 0, "a cancelled hold was released %d times", runs);
    } else {
      FUZZ_CHECK(runs == 1, "ticket %llu released %d times",
                 (unsigned long long)p->ticket, runs);
    }
  }
  return 0;
}
