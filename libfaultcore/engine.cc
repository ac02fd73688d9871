#include "libfaultcore/engine.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/base/attributes.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "libfaultcore/internal/compiled_rules.h"
#include "libfaultcore/internal/generation.h"
#include "libfaultcore/internal/interval_set.h"
#include "libfaultcore/internal/rcu.h"
#include "proto/rule_facts.h"

namespace faultcore {
namespace {

// A rule the request may trigger, and the first byte of the request where
// it would fault.
struct Candidate {
  uint64_t first_bad;
  uint32_t rule_id;
  bool heal_write;  // a write meeting a heal-on-write media error
};
using Candidates = absl::InlinedVector<Candidate, 16>;

inline bool IsWrite(Op op) {
  return op == Op::kWrite || op == Op::kWriteZeroes;
}

inline Action Pass(Verdict* out) {
  if (out != nullptr) out->action = Action::kPass;
  return Action::kPass;
}

// Counts a match of `rule` and decides whether it fires (Trigger semantics,
// see proto/faultcore.proto).  Exact under concurrency: match numbers come
// from one fetch_add, and the max_fires budget is taken with a CAS.
bool ShouldFire(const CompiledRule& rule, RuleCounters& counters) {
  const uint64_t m =
      counters.matches.fetch_add(1, std::memory_order_relaxed) + 1;
  if (m <= rule.skip) return false;
  if (rule.every_nth > 1 && (m - rule.skip - 1) % rule.every_nth != 0) {
    return false;
  }
  if (rule.draws && Draw(rule.seed, m) >= rule.fire_threshold) return false;
  if (rule.max_fires == 0) {
    counters.fires.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  uint64_t fires = counters.fires.load(std::memory_order_relaxed);
  do {
    if (fires >= rule.max_fires) return false;
  } while (!counters.fires.compare_exchange_weak(fires, fires + 1,
                                                 std::memory_order_relaxed));
  return true;
}

// Takes one of the HealOnWrite.fail_writes failures, if any is left.
bool TakeHealWriteFailure(const CompiledRule& rule, RuleRuntime& rt) {
  uint64_t failed = rt.heal_writes_failed.load(std::memory_order_relaxed);
  do {
    if (failed >= rule.heal_fail_writes) return false;
  } while (!rt.heal_writes_failed.compare_exchange_weak(
      failed, failed + 1, std::memory_order_relaxed));
  return true;
}

void FillVerdict(const CompiledRuleSet& rules, const CompiledRule& rule,
                 const Candidate& winner, uint64_t offset, uint64_t end,
                 Verdict* out) {
  out->rule_id = winner.rule_id;
  out->flags = 0;
  out->first_bad_byte = winner.first_bad;
  out->good_bytes = winner.first_bad - offset;
  out->bad_bytes = std::min(end, rule.end) - winner.first_bad;
  out->delay_ns = rule.delay_ns;
  out->hold_timeout_ns = rule.hold_timeout_ns;
  out->corrupt_seed = rule.corrupt_seed;
  out->corrupt_bits_per_block = rule.corrupt_bits_per_block;
  out->block_size = rules.block_size;
  if (winner.heal_write) {
    out->action = Action::kWriteFault;
    out->codes = rule.heal_write_codes;
    return;
  }
  out->action = rule.action;
  out->codes = rule.codes;
  if (rule.action == Action::kTornWrite && rule.torn_report_success) {
    out->flags |= kReportSuccess;
  }
  if ((rule.action == Action::kHold || rule.action == Action::kAsk) &&
      rule.hold_fail_on_timeout) {
    out->flags |= kFailOnTimeout;
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<Engine>> Engine::Create() {
  return std::unique_ptr<Engine>(new Engine());
}

Engine::~Engine() {
  holds_.Release(std::nullopt, std::nullopt);
  Generation* last = current_.exchange(nullptr, std::memory_order_acq_rel);
  rcu::Synchronize();
  delete last;
  std::lock_guard<std::mutex> lock(heal_mu_);
  for (const Retired& r : retired_) delete r.set;
  retired_.clear();
}

absl::Status Engine::LoadFile(const std::string& path, RuleFormat format) {
  absl::StatusOr<v1::RuleSet> rules = LoadRuleSetFile(path, format);
  if (!rules.ok()) return rules.status();
  return LoadValidated(*rules);
}

absl::Status Engine::LoadBuffer(absl::string_view data, RuleFormat format,
                                absl::string_view source_name) {
  absl::StatusOr<v1::RuleSet> rules = LoadRuleSet(data, format, source_name);
  if (!rules.ok()) return rules.status();
  return LoadValidated(*rules);
}

absl::Status Engine::LoadValidated(const v1::RuleSet& rules) {
  CompiledRuleSet compiled = CompileRuleSet(
      rules, [this](absl::string_view name) { return TargetId(name); });
  WriteScope scope(*this);
  Publish(scope, std::make_unique<Generation>(
                     BuildIndex(std::move(compiled), next_serial_++)));
  synthetic_ = false;
  RegisterNames(current_.load(std::memory_order_relaxed));
  return absl::OkStatus();
}

void Engine::Publish(WriteScope& scope, std::unique_ptr<Generation> next) {
  if (next != nullptr) next->Observe(observer_.active());
  scope.replaced_.emplace_back(
      current_.exchange(next.release(), std::memory_order_seq_cst));
}

Engine::WriteScope::WriteScope(Engine& engine)
    : engine_(engine), lock_(engine.writer_mu_) {}

Engine::WriteScope::~WriteScope() {
  lock_.unlock();
  if (replaced_.empty()) return;
  rcu::Synchronize();
  replaced_.clear();
  std::lock_guard<std::mutex> lock(engine_.heal_mu_);
  engine_.ReclaimRetired();
}

uint32_t Engine::TargetId(absl::string_view name) {
  if (name.empty()) return kNoTarget;
  std::lock_guard<std::mutex> lock(targets_mu_);
  auto [it, inserted] = target_ids_.try_emplace(
      std::string(name), static_cast<uint32_t>(target_ids_.size() + 1));
  return it->second;
}

Action Engine::CheckRules(uint32_t target, Op op, uint64_t offset,
                          uint64_t length, Verdict* out) {
  rcu::OutermostReadSection section;
  const Generation* gen = current_.load(std::memory_order_seq_cst);
  if (gen == nullptr) return Pass(out);
  const uint64_t end = length > std::numeric_limits<uint64_t>::max() - offset
                           ? std::numeric_limits<uint64_t>::max()
                           : offset + length;
  // The common case: no rule's range overlaps the request.
  if (length > 0 && !gen->filter().Overlaps(offset, end)) {
    return Pass(out);
  }
  return Decide(*gen, target, op, offset, length, end, out);
}

ABSL_ATTRIBUTE_NOINLINE Action Engine::Decide(const Generation& gen,
                                              uint32_t target, Op op,
                                              uint64_t offset, uint64_t length,
                                              uint64_t end, Verdict* out) {
  if (!observer_.active()) {
    const Action action = DecideRules(gen, target, op, offset, length, end, out);
    if (action != Action::kPass && out != nullptr) {
      out->seq = observer_.NextSeq();
    }
    return action;
  }
  Verdict local;
  Verdict* v = out != nullptr ? out : &local;
  const uint32_t state = gen.state().load(std::memory_order_acquire);
  const Action action = DecideRules(gen, target, op, offset, length, end, v);
  v->seq = observer_.OnCheck(CheckedRequest{target, op, offset, length, v,
                                            state, gen.compiled().serial});
  return action;
}

Action Engine::DecideRules(const Generation& gen, uint32_t target, Op op,
                           uint64_t offset, uint64_t length, uint64_t end,
                           Verdict* out) {
  const CompiledIndex& c = gen.compiled();
  const uint32_t op_bit = OpBit(op);
  const bool is_write = IsWrite(op);

  // 1. Rules whose range, op and target match: reads only of immutable data.
  Candidates candidates;
  auto consider = [&](uint32_t id) {
    const CompiledRule& r = c.rules.rules[id];
    const bool heal_write = r.heals && is_write && length > 0;
    if ((r.op_mask & op_bit) == 0 && !heal_write) return;
    if (r.target != kAnyTarget && r.target != target) return;
    candidates.push_back(Candidate{std::max(offset, r.start), id, heal_write});
  };
  if (length == 0) {
    for (uint32_t id : c.whole_device) consider(id);
  } else {
    c.index.ForEachOverlap(offset, end,
                           [&](const Interval& iv) { consider(iv.id); });
  }
  if (candidates.empty()) return Pass(out);

  // 2. Armed in the current state; where each would fault (heals and tears
  //    move the first bad byte).
  const uint32_t state = gen.state().load(std::memory_order_acquire);
  const uint64_t state_bit = uint64_t{1} << state;
  auto dropped = [&](Candidate& cand) {
    const CompiledRule& r = c.rules.rules[cand.rule_id];
    if ((r.state_mask & state_bit) == 0) return true;
    if (length == 0) return false;
    const uint64_t window_end = std::min(end, r.end);
    if (r.heals) {
      const IntervalSet* healed =
          gen.runtime(cand.rule_id).healed.load(std::memory_order_acquire);
      if (healed != nullptr) {
        cand.first_bad = healed->FirstUncovered(cand.first_bad, window_end);
      }
    }
    if (r.action == Action::kTornWrite) {
      cand.first_bad = r.torn_good_bytes >= window_end - cand.first_bad
                           ? window_end
                           : cand.first_bad + r.torn_good_bytes;
    }
    return cand.first_bad >= window_end;
  };
  candidates.erase(
      std::remove_if(candidates.begin(), candidates.end(), dropped),
      candidates.end());
  if (candidates.empty()) return Pass(out);
  std::sort(candidates.begin(), candidates.end(),
            [](const Candidate& l, const Candidate& r) {
              return l.first_bad != r.first_bad ? l.first_bad < r.first_bad
                                                : l.rule_id < r.rule_id;
            });

  // 3. In address order, the first rule that fires wins.
  const Candidate* winner = nullptr;
  for (const Candidate& cand : candidates) {
    const CompiledRule& r = c.rules.rules[cand.rule_id];
    RuleRuntime& rt = gen.runtime(cand.rule_id);
    if (cand.heal_write) {
      if (!TakeHealWriteFailure(r, rt)) continue;  // the write will heal
      RuleCounters& counters = rt.CountersFor(r, target);
      counters.matches.fetch_add(1, std::memory_order_relaxed);
      counters.fires.fetch_add(1, std::memory_order_relaxed);
      winner = &cand;
      break;
    }
    if (ShouldFire(r, rt.CountersFor(r, target))) {
      winner = &cand;
      break;
    }
  }

  Verdict local;
  Verdict* v = out != nullptr ? out : &local;
  if (winner == nullptr) {
    v->action = Action::kPass;
  } else {
    const CompiledRule& r = c.rules.rules[winner->rule_id];
    FillVerdict(c.rules, r, *winner, offset, end, v);
    if (length == 0) v->good_bytes = v->bad_bytes = 0;
    if (r.next_state != kNoState) {
      gen.state().store(static_cast<uint32_t>(r.next_state),
                        std::memory_order_release);
    }
  }

  // 4. What a write put on the medium heals the blocks it covered.
  if (is_write) {
    const uint64_t written_end =
        offset + TransferredBytes(v->action, end - offset, v->good_bytes);
    for (const Candidate& cand : candidates) {
      if (!cand.heal_write) continue;
      const CompiledRule& r = c.rules.rules[cand.rule_id];
      if (winner == &cand ||
          gen.runtime(cand.rule_id)
                  .heal_writes_failed.load(std::memory_order_relaxed) <
              r.heal_fail_writes) {
        continue;
      }
      Heal(gen, cand.rule_id, std::max(offset, r.start),
           std::min(written_end, r.end));
    }
  }
  return v->action;
}

void Engine::Heal(const Generation& gen, uint32_t rule_id, uint64_t start,
                  uint64_t end) {
  // Only whole blocks heal.
  const uint64_t bs = gen.compiled().rules.block_size;
  start = (start + bs - 1) / bs * bs;
  end = end / bs * bs;
  if (start >= end) return;
  RuleRuntime& rt = gen.runtime(rule_id);
  std::lock_guard<std::mutex> lock(heal_mu_);
  const IntervalSet* old = rt.healed.load(std::memory_order_relaxed);
  if (old != nullptr && old->FirstUncovered(start, end) == end) return;
  const IntervalSet* next = new IntervalSet(
      old != nullptr ? old->With(start, end) : IntervalSet().With(start, end));
  rt.healed.store(next, std::memory_order_release);
  if (old != nullptr) {
    retired_.push_back(Retired{rcu::StartGracePeriod(), old});
  }
  ReclaimRetired();
}

void Engine::ReclaimRetired() {
  auto passed = [](const Retired& r) {
    if (!rcu::GracePeriodPassed(r.token)) return false;
    delete r.set;
    return true;
  };
  retired_.erase(std::remove_if(retired_.begin(), retired_.end(), passed),
                 retired_.end());
}

absl::Status Engine::RaiseEvent(absl::string_view event) {
  rcu::ReadSection section;
  const Generation* gen = current_.load(std::memory_order_seq_cst);
  if (gen == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("no transition on event \"", event, "\": no rules"));
  }
  const CompiledRuleSet& rules = gen->compiled().rules;
  bool named = false;
  uint32_t state = gen->state().load(std::memory_order_acquire);
  for (;;) {
    const CompiledTransition* match = nullptr;
    for (const CompiledTransition& t : rules.transitions) {
      if (t.event != event) continue;
      named = true;
      if ((t.from_mask >> state) & 1) {
        match = &t;
        break;
      }
    }
    if (match == nullptr) break;
    if (gen->state().compare_exchange_weak(state, match->to,
                                           std::memory_order_acq_rel)) {
      break;
    }
  }
  if (!named) {
    return absl::NotFoundError(
        absl::StrCat("no transition on event \"", event, "\""));
  }
  return absl::OkStatus();
}

std::string Engine::CurrentState() const {
  rcu::ReadSection section;
  const Generation* gen = current_.load(std::memory_order_seq_cst);
  if (gen == nullptr) return "initial";
  return gen->compiled()
      .rules.states[gen->state().load(std::memory_order_acquire)];
}

void Engine::Reset() {
  {
    WriteScope scope(*this);
    Generation* gen = current_.load(std::memory_order_seq_cst);
    if (gen != nullptr) {
      Publish(scope, std::make_unique<Generation>(gen->shared_compiled()));
    }
  }
  holds_.Release(std::nullopt, std::nullopt);
}

uint64_t Engine::Hold(uint32_t target, const Verdict& verdict,
                      HoldRegistry::ReleaseFn release, void* opaque) {
  HoldRegistry::Entry entry;
  entry.target = target;
  entry.rule_id = verdict.rule_id;
  entry.release = release;
  entry.opaque = opaque;
  {
    rcu::ReadSection section;
    const Generation* gen = current_.load(std::memory_order_seq_cst);
    if (gen != nullptr) {
      const CompiledIndex& c = gen->compiled();
      entry.rule_serial = c.serial;
      if (verdict.rule_id < c.rules.rules.size()) {
        entry.rule_name = c.rules.rules[verdict.rule_id].name;
      }
    }
  }
  return holds_.Add(std::move(entry));
}

uint64_t Engine::Ask(uint32_t target, Op op, uint64_t offset,
                     uint64_t length, const Verdict& verdict,
                     HoldRegistry::ReleaseFn release, void* opaque) {
  HoldRegistry::Entry entry;
  entry.target = target;
  entry.rule_id = verdict.rule_id;
  entry.release = release;
  entry.opaque = opaque;
  entry.ask = true;
  entry.op = op;
  entry.offset = offset;
  entry.length = length;
  entry.verdict = verdict;
  {
    rcu::ReadSection section;
    const Generation* gen = current_.load(std::memory_order_seq_cst);
    if (gen != nullptr) {
      const CompiledIndex& c = gen->compiled();
      entry.rule_serial = c.serial;
      if (verdict.rule_id < c.rules.rules.size()) {
        entry.rule_name = c.rules.rules[verdict.rule_id].name;
      }
    }
  }
  return holds_.Add(std::move(entry));
}

namespace {

// The rule-file action a decision's action corresponds to, for the schema's
// facts about which ops it may apply to.
v1::Rule::ActionCase DecisionActionCase(Action action) {
  switch (action) {
    case Action::kMediaError:
      return v1::Rule::kMediaError;
    case Action::kWriteFault:
      return v1::Rule::kWriteFault;
    case Action::kRecovered:
      return v1::Rule::kRecoveredError;
    case Action::kCorrupt:
      return v1::Rule::kCorrupt;
    case Action::kTornWrite:
      return v1::Rule::kTornWrite;
    case Action::kLostWrite:
      return v1::Rule::kLostWrite;
    default:
      return v1::Rule::ACTION_NOT_SET;
  }
}

}  // namespace

absl::Status Engine::Resolve(uint64_t ticket, const Decision& d) {
  if ((d.set & ~kDecideAll) != 0) {
    return absl::InvalidArgumentError("unknown codes in the decision");
  }
  if ((d.set & kDecideErrno) &&
      (d.codes.errno_value < 1 || d.codes.errno_value > 4095)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "errno ", d.codes.errno_value, " is outside 1..4095"));
  }
  const v1::Rule::ActionCase action_case = DecisionActionCase(d.action);
  if (d.action != Action::kPass && action_case == v1::Rule::ACTION_NOT_SET) {
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", ActionName(d.action),
        "\" cannot decide a request: use pass, media_error, write_fault, "
        "recovered_error, corrupt, torn_write or lost_write"));
  }
  auto decide = [&](const HoldRegistry::Entry& e) -> absl::StatusOr<Verdict> {
    Verdict v = e.verdict;
    v.action = d.action;
    v.flags = 0;
    v.delay_ns = 0;
    v.hold_timeout_ns = 0;
    v.codes = DeviceCodes();
    if (d.action == Action::kPass) return v;
    const schema::AllowedOps allowed = schema::AllowedOpsFor(action_case);
    if ((allowed.mask & schema::OpBit(static_cast<v1::Op>(e.op))) == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          ActionName(d.action), " cannot decide a ", OpName(e.op), ": ",
          allowed.why));
    }
    DeviceCodes c = DefaultCodes(d.action);
    if (d.set & kDecideScsiKey) c.scsi_sense_key = d.codes.scsi_sense_key;
    if (d.set & kDecideScsiAsc) c.scsi_asc = d.codes.scsi_asc;
    if (d.set & kDecideScsiAscq) c.scsi_ascq = d.codes.scsi_ascq;
    if (d.set & kDecideNvmeSct) c.nvme_sct = d.codes.nvme_sct;
    if (d.set & kDecideNvmeSc) c.nvme_sc = d.codes.nvme_sc;
    if (d.set & kDecideNvmeDnr) c.nvme_dnr = d.codes.nvme_dnr;
    if (d.set & kDecideAtaStatus) c.ata_status = d.codes.ata_status;
    if (d.set & kDecideAtaError) c.ata_error = d.codes.ata_error;
    if (d.set & kDecideErrno) c.errno_value = d.codes.errno_value;
    v.codes = c;
    if (d.action == Action::kCorrupt) {
      v.corrupt_bits_per_block = 1;
      v.corrupt_seed = ticket;
    }
    if (e.length == 0) v.good_bytes = v.bad_bytes = 0;
    return v;
  };
  return holds_.Resolve(ticket, decide);
}

absl::Status Engine::StartTrace(uint64_t capacity, bool injected_only) {
  WriteScope scope(*this);
  absl::Status status = observer_.StartTrace(capacity, injected_only);
  if (!status.ok()) return status;
  RegisterNames(current_.load(std::memory_order_relaxed));
  UpdateObservation(scope);
  return absl::OkStatus();
}

void Engine::StopTrace() {
  WriteScope scope(*this);
  observer_.StopTrace();
  UpdateObservation(scope);
}

absl::Status Engine::DumpTrace(const std::string& path) const {
  std::vector<std::string> targets;
  {
    std::lock_guard<std::mutex> lock(targets_mu_);
    targets.resize(target_ids_.size() + 1);
    for (const auto& [name, id] : target_ids_) {
      if (id < targets.size()) targets[id] = name;
    }
  }
  return observer_.DumpTrace(path, targets);
}

absl::Status Engine::StartStats(uint64_t heat_bucket_bytes) {
  WriteScope scope(*this);
  absl::Status status = observer_.StartStats(heat_bucket_bytes);
  if (!status.ok()) return status;
  UpdateObservation(scope);
  return absl::OkStatus();
}

void Engine::StopStats() {
  WriteScope scope(*this);
  observer_.StopStats();
  UpdateObservation(scope);
}

void Engine::RegisterNames(const Generation* gen) {
  if (gen == nullptr || !observer_.tracing()) return;
  const CompiledRuleSet& rules = gen->compiled().rules;
  std::vector<std::string> names;
  names.reserve(rules.rules.size());
  for (const CompiledRule& r : rules.rules) names.push_back(r.name);
  observer_.AddNames(gen->compiled().serial, std::move(names), rules.states);
}

void Engine::UpdateObservation(WriteScope& scope) {
  Generation* gen = current_.load(std::memory_order_relaxed);
  if (observer_.active()) {
    if (gen == nullptr) {
      // Observing an engine without rules: an empty rule set routes the
      // requests (Check() passes on a null generation without a look).
      Publish(scope, std::make_unique<Generation>(BuildIndex(
          CompileRuleSet(v1::RuleSet(),
                         [this](absl::string_view n) { return TargetId(n); }),
          next_serial_++)));
      synthetic_ = true;
      RegisterNames(current_.load(std::memory_order_relaxed));
    } else {
      gen->Observe(true);
    }
  } else if (gen != nullptr) {
    if (synthetic_) {
      Publish(scope, nullptr);
      synthetic_ = false;
    } else {
      gen->Observe(false);
    }
  }
}

uint32_t Engine::RuleCount() const {
  rcu::ReadSection section;
  const Generation* gen = current_.load(std::memory_order_seq_cst);
  return gen == nullptr
             ? 0
             : static_cast<uint32_t>(gen->compiled().rules.rules.size());
}

uint32_t Engine::BlockSize() const {
  rcu::ReadSection section;
  const Generation* gen = current_.load(std::memory_order_seq_cst);
  return gen == nullptr ? schema::kDefaultBlockSize
                        : gen->compiled().rules.block_size;
}

absl::StatusOr<std::string> Engine::RuleName(uint32_t rule_id) const {
  rcu::ReadSection section;
  const Generation* gen = current_.load(std::memory_order_seq_cst);
  if (gen == nullptr || rule_id >= gen->compiled().rules.rules.size()) {
    return absl::NotFoundError(absl::StrCat("no rule ", rule_id));
  }
  return gen->compiled().rules.rules[rule_id].name;
}

absl::StatusOr<RuleStats> Engine::Stats(uint32_t rule_id,
                                        uint32_t target) const {
  RuleStats stats;
  uint64_t serial = 0;
  {
    rcu::ReadSection section;
    const Generation* gen = current_.load(std::memory_order_seq_cst);
    if (gen == nullptr || rule_id >= gen->compiled().rules.rules.size()) {
      return absl::NotFoundError(absl::StrCat("no rule ", rule_id));
    }
    RuleRuntime& rt = gen->runtime(rule_id);
    auto add = [&stats](const RuleCounters& c) {
      stats.matches += c.matches.load(std::memory_order_relaxed);
      stats.fires += c.fires.load(std::memory_order_relaxed);
    };
    if (rt.per_target == nullptr) {
      add(rt.counters);
    } else {
      std::lock_guard<std::mutex> lock(rt.per_target->mu);
      for (const auto& [t, counters] : rt.per_target->counters) {
        if (target == kNoTarget || t == target) add(*counters);
      }
    }
    const IntervalSet* healed = rt.healed.load(std::memory_order_acquire);
    if (healed != nullptr) stats.healed_bytes = healed->CoveredBytes();
    serial = gen->compiled().serial;
  }
  stats.held = holds_.CountForRule(rule_id, serial);
  return stats;
}

}  // namespace faultcore
