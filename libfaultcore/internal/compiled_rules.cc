#include "libfaultcore/internal/compiled_rules.h"

#include <cerrno>
#include <cmath>
#include <limits>

#include "proto/rule_facts.h"

namespace faultcore {
namespace {

constexpr uint64_t kDefaultHoldTimeoutNs = 30ull * 1000 * 1000 * 1000;

uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

DeviceCodes MakeCodes(uint8_t key, uint8_t asc, uint8_t ascq, uint8_t sct,
                      uint8_t sc, bool dnr, uint8_t ata_status,
                      uint8_t ata_error, int32_t err) {
  DeviceCodes c;
  c.scsi_sense_key = key;
  c.scsi_asc = asc;
  c.scsi_ascq = ascq;
  c.nvme_sct = sct;
  c.nvme_sc = sc;
  c.nvme_dnr = dnr;
  c.ata_status = ata_status;
  c.ata_error = ata_error;
  c.errno_value = err;
  return c;
}

// Defaults per action; docs/rules.md has the same table.
// ATA status: 0x41 = DRDY|ERR, 0x61 = DRDY|DF|ERR, 0x50 = DRDY|DSC (what
// drives report on success).
// ATA error: 0x40 = UNC, 0x04 = ABRT.
DeviceCodes MediaErrorDefaults() {
  return MakeCodes(0x3, 0x11, 0x00, 0x2, 0x81, true, 0x41, 0x40, EIO);
}
DeviceCodes WriteFaultDefaults() {
  return MakeCodes(0x3, 0x0c, 0x00, 0x2, 0x80, true, 0x61, 0x04, EIO);
}
DeviceCodes RecoveredDefaults() {
  return MakeCodes(0x1, 0x18, 0x00, 0x0, 0x00, false, 0x50, 0x00, 0);
}
DeviceCodes HoldTimeoutDefaults() {
  return MakeCodes(0xb, 0x00, 0x00, 0x0, 0x06, false, 0x41, 0x04, ETIMEDOUT);
}

}  // namespace

DeviceCodes DefaultCodes(Action action) {
  switch (action) {
    case Action::kMediaError:
      return MediaErrorDefaults();
    case Action::kWriteFault:
    case Action::kTornWrite:
      return WriteFaultDefaults();
    case Action::kRecovered:
      return RecoveredDefaults();
    case Action::kHold:
    case Action::kAsk:
      return HoldTimeoutDefaults();
    default:
      return DeviceCodes();
  }
}

namespace {

// Overlays the fields the rule file sets on `base`.
DeviceCodes ApplyCodes(DeviceCodes base, const v1::Codes& codes) {
  if (codes.has_scsi()) {
    const v1::ScsiSense& s = codes.scsi();
    if (s.has_key()) base.scsi_sense_key = static_cast<uint8_t>(s.key());
    if (s.has_asc()) base.scsi_asc = static_cast<uint8_t>(s.asc());
    if (s.has_ascq()) base.scsi_ascq = static_cast<uint8_t>(s.ascq());
    base.scsi_sense_format = static_cast<uint8_t>(s.format());
  }
  if (codes.has_nvme()) {
    const v1::NvmeStatus& n = codes.nvme();
    if (n.has_sct()) base.nvme_sct = static_cast<uint8_t>(n.sct());
    if (n.has_sc()) base.nvme_sc = static_cast<uint8_t>(n.sc());
    if (n.has_dnr()) base.nvme_dnr = n.dnr();
    if (n.has_more()) base.nvme_more = n.more();
  }
  if (codes.has_ata()) {
    const v1::AtaStatus& a = codes.ata();
    if (a.has_status()) base.ata_status = static_cast<uint8_t>(a.status());
    if (a.has_error()) base.ata_error = static_cast<uint8_t>(a.error());
  }
  if (codes.has_errno_value()) {
    base.errno_value = static_cast<int32_t>(codes.errno_value());
  }
  return base;
}

int32_t StateIndex(const std::vector<std::string>& states,
                   const std::string& name) {
  for (size_t i = 0; i < states.size(); ++i) {
    if (states[i] == name) return static_cast<int32_t>(i);
  }
  return kNoState;  // unreachable for validated input
}

uint64_t StateMask(
    const std::vector<std::string>& states,
    const google::protobuf::RepeatedPtrField<std::string>& names) {
  if (names.empty()) return kAllStates;
  uint64_t mask = 0;
  for (const std::string& name : names) {
    int32_t i = StateIndex(states, name);
    if (i >= 0) mask |= uint64_t{1} << i;
  }
  return mask;
}

void CompileAction(const v1::Rule& in, CompiledRule& out) {
  switch (in.action_case()) {
    case v1::Rule::kMediaError:
      out.action = Action::kMediaError;
      out.codes = ApplyCodes(MediaErrorDefaults(), in.codes());
      if (in.media_error().has_heal_on_write()) {
        const v1::HealOnWrite& heal = in.media_error().heal_on_write();
        out.heals = true;
        out.heal_fail_writes = heal.fail_writes();
        out.heal_write_codes =
            ApplyCodes(WriteFaultDefaults(), heal.write_codes());
      }
      break;
    case v1::Rule::kWriteFault:
      out.action = Action::kWriteFault;
      out.codes = ApplyCodes(WriteFaultDefaults(), in.codes());
      break;
    case v1::Rule::kRecoveredError:
      out.action = Action::kRecovered;
      out.codes = ApplyCodes(RecoveredDefaults(), in.codes());
      break;
    case v1::Rule::kDelay:
      out.action = Action::kDelay;
      out.delay_ns += in.delay().ns();
      break;
    case v1::Rule::kHold:
      out.action = Action::kHold;
      out.hold_timeout_ns = in.hold().timeout_ns() != 0 ? in.hold().timeout_ns()
                                                        : kDefaultHoldTimeoutNs;
      out.hold_fail_on_timeout = in.hold().on_timeout() == v1::Hold::FAIL;
      out.codes = ApplyCodes(HoldTimeoutDefaults(), in.codes());
      break;
    case v1::Rule::kCorrupt:
      out.action = Action::kCorrupt;
      out.corrupt_bits_per_block = in.corrupt().bits_per_block() != 0
                                       ? in.corrupt().bits_per_block()
                                       : 1;
      out.corrupt_seed =
          in.corrupt().seed() != 0 ? in.corrupt().seed() : out.seed;
      break;
    case v1::Rule::kTornWrite:
      out.action = Action::kTornWrite;
      out.torn_report_success = in.torn_write().report_success();
      out.codes = ApplyCodes(WriteFaultDefaults(), in.codes());
      break;
    case v1::Rule::kLostWrite:
      out.action = Action::kLostWrite;
      break;
    case v1::Rule::kAsk:
      out.action = Action::kAsk;
      out.hold_timeout_ns = in.ask().timeout_ns() != 0 ? in.ask().timeout_ns()
                                                       : kDefaultHoldTimeoutNs;
      out.hold_fail_on_timeout = in.ask().on_timeout() == v1::Hold::FAIL;
      out.codes = ApplyCodes(HoldTimeoutDefaults(), in.codes());
      break;
    case v1::Rule::ACTION_NOT_SET:
      break;  // rejected by validation
  }
}

}  // namespace

uint64_t Draw(uint64_t seed, uint64_t m) {
  return SplitMix64(seed ^ SplitMix64(m));
}

CompiledRuleSet CompileRuleSet(const v1::RuleSet& in,
                               const TargetInterner& intern_target) {
  CompiledRuleSet out;
  out.block_size = schema::BlockSize(in);
  for (const std::string& s : in.states()) out.states.push_back(s);
  if (out.states.empty()) out.states.push_back("initial");
  out.initial_state =
      in.initial_state().empty()
          ? 0
          : static_cast<uint32_t>(StateIndex(out.states, in.initial_state()));

  const uint64_t bs = out.block_size;
  out.rules.reserve(in.rules_size());
  for (int i = 0; i < in.rules_size(); ++i) {
    const v1::Rule& r = in.rules(i);
    CompiledRule c;
    c.name = r.name();
    c.target = r.target().empty() ? kAnyTarget : intern_target(r.target());
    if (r.ops().empty()) {
      // Same bit per op in both encodings (1 << op value).
      c.op_mask = schema::DefaultOps(r.action_case());
    } else {
      for (int op : r.ops()) c.op_mask |= OpBit(static_cast<Op>(op));
    }
    if (r.has_range()) {
      const uint64_t count = schema::RangeBlocks(r.range());
      c.start = r.range().lba() * bs;
      c.end = (r.range().lba() + count) * bs;
    } else {
      c.whole_device = true;
      c.start = 0;
      c.end = std::numeric_limits<uint64_t>::max();
    }
    c.state_mask = StateMask(out.states, r.states());
    c.next_state = r.next_state().empty()
                       ? kNoState
                       : StateIndex(out.states, r.next_state());

    const v1::Trigger& t = r.trigger();
    c.skip = t.skip();
    c.max_fires = t.once() ? 1 : t.max_fires();
    c.every_nth = t.every_nth() > 1 ? t.every_nth() : 1;
    c.seed = t.seed() != 0 ? t.seed() : SplitMix64(0xfa017c0deull + i);
    c.per_target = t.per_target();
    if (t.has_probability() && t.probability() < 1.0) {
      c.draws = true;
      // p * 2^64, computed without overflow; p == 0 gives 0 (never fires).
      c.fire_threshold = static_cast<uint64_t>(std::ldexp(t.probability(), 64));
    }
    c.delay_ns = r.latency_ns();
    CompileAction(r, c);
    if (c.action == Action::kTornWrite) {
      uint64_t blocks = r.torn_write().good_blocks();
      c.torn_good_bytes = blocks > std::numeric_limits<uint64_t>::max() / bs
                              ? std::numeric_limits<uint64_t>::max()
                              : blocks * bs;
    }
    out.rules.push_back(std::move(c));
  }

  for (const v1::Transition& t : in.transitions()) {
    CompiledTransition c;
    c.event = t.event();
    c.from_mask = StateMask(out.states, t.from());
    c.to = static_cast<uint32_t>(StateIndex(out.states, t.to()));
    out.transitions.push_back(std::move(c));
  }
  return out;
}

}  // namespace faultcore
