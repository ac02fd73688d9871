// faultcore explain: replay requests against the real engine and show each
// verdict in full.

#include <cinttypes>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libfaultcore/engine.h"
#include "libfaultcore/verdict.h"
#include "proto/rule_facts.h"
#include "tools/cli_args.h"
#include "tools/cli_common.h"
#include "tools/cli_format.h"
#include "tools/commands.h"

namespace faultcore {
namespace cli {

const char kExplainHelp[] = R"(NAME
    faultcore explain - show what the engine decides for a request

SYNOPSIS
    faultcore explain FILE --op OP [--lba N] [--blocks K] [--target T]
                      [--block-size B] [--repeat R] [--events E1,E2,...]
                      [--json] [--from FORMAT]

DESCRIPTION
    Loads FILE into a fresh engine (libfaultcore, the same code a patched
    QEMU runs: no second parser, no second verdict logic), raises the
    --events, then checks the request R times and prints each verdict:
    which rule decided it (index and name), the action, the first bad LBA
    and the good blocks before it, the SCSI sense key/ASC/ASCQ, the NVMe
    status (SCT, SC, DNR, More), the ATA status and error registers with
    their bits decoded (ERR, DF, DRDY, ...; UNC, IDNF, ABRT, ...), the errno,
    delays and holds, and the state before and after.

    Order of events: the file is loaded (state: its initial state); each
    event of --events is raised in the order given, each taking the first
    transition in file order whose "from" contains the current state (an
    event that none matches leaves the state as it is); then the request is
    checked R times, one after the other.  Counters (skip, max_fires,
    every_nth, probability draws), heals and state carry over from one
    repetition to the next, as they do in a running VM, so --repeat shows
    triggers firing and a rule's next_state taking effect.  Nothing is
    ever really held or delayed: explain reports what a host would do.

OPTIONS
    --op OP
        read, write, flush, discard or write-zeroes.
    --lba N
        First LBA of the request, in units of --block-size.  Decimal or 0x
        hexadecimal; a leading 0 is not octal here (unlike protobuf text).
        Required except for flush, which has no LBA (a flush matches only
        rules without a range).
    --blocks K
        Number of blocks, at least 1; default 1.  Not allowed for flush.
    --target T
        The device the request comes from, as rules name it in "target".
        Without it the request comes from no particular device and only
        rules without a target can match.
    --block-size B
        Bytes per LBA for --lba, --blocks and the output: a power of two
        from 512 to 1048576.  Default: the file's block_size (512 if unset).
    --repeat R
        Check the same request R times (1 to 1000000; default 1).
    --events E1,E2,...
        Raise these events, in this order, before the first request.  Each
        must be named by a transition of FILE.
    --json
        Print one JSON object per request, one per line (see OUTPUT).
    --from FORMAT
        Read FILE as "text" or "binary" (default: by extension, then
        content).
    -h, --help
        Print this help.

    FILE "-" reads standard input.  The file's warnings, and notes about
    targets no rule names, go to standard error.

OUTPUT
    Text: a header line, one line per event, then a block per request.
    JSON (--json): one object per request; keys, always present, in this
    order (null when they do not apply to the verdict):

      request         1-based number of the repetition
      op              "read", "write", "flush", "discard", "write-zeroes"
      target          the --target name, "" for none
      lba, blocks, block_size
                      the request, as given
      events          events raised before this request (the first only):
                      [{"event", "state_before", "state_after"}]
      state_before, state_after
                      the engine's state around the request
      action          "pass", "media_error", "write_fault",
                      "recovered_error", "delay", "hold", "corrupt",
                      "torn_write", "lost_write", "ask"
      rule_index      the deciding rule's index in "rules", or null
      rule_name       its name ("" when unnamed), or null
      reported        what the host reports: "success" (pass, delay,
                      corrupt, lost_write, torn_write with report_success,
                      hold that proceeds), "error", "recovered" (data
                      delivered, recovered-error status), "error_on_timeout"
                      (hold or ask with on_timeout FAIL)
      first_bad_lba   first LBA the verdict affects
      good_blocks     blocks of the request before it (transferred)
      bad_blocks      blocks from it to the end of the request or the rule's
                      range, whichever comes first
      first_bad_byte, good_bytes, bad_bytes
                      the same in bytes (exact for any --block-size)
      scsi            {"key", "asc", "ascq", "format": "auto"|"fixed"|
                      "descriptor", "key_name", "text"} or null
      nvme            {"sct", "sc", "dnr", "more", "sct_name", "text"} or null
      ata             {"status", "error", "status_bits", "error_bits"} or null
      errno           {"value", "name"} or null
      delay_ns        delay before the outcome (delay + latency_ns), 0 for none
      hold            {"timeout_ns", "on_timeout": "proceed"|"fail"} or null
                      (for a hold or an ask)
      corrupt         {"bits_per_block", "seed"} or null
      heal_write_failure
                      true when a write to a heal_on_write rule's bad blocks
                      fails through its fail_writes
      healed          [{"rule_index", "rule_name", "healed_blocks_before",
                      "healed_blocks_after"}] for rules this request healed
      matched         [{"rule_index", "rule_name", "fired", "matches",
                      "fires"}]: rules the request was a match for (counters
                      after it); null when reading every rule's counters
                      would be slow (more than 100000 rules, or rules times
                      --repeat above 20000000)

    Device codes are given for verdicts that report them: media_error,
    write_fault, recovered_error, torn_write without report_success, and
    hold or ask with on_timeout FAIL (reported if it times out; an ask
    decided from outside reports what the decision says).  Numbers
    are exact unsigned 64-bit integers.

EXIT STATUS
    0   the requests were explained (whatever the verdicts)
    1   FILE has errors or cannot be read
    2   usage error (bad option or value, unknown event)

EXAMPLES
    faultcore explain examples/unrecoverable_sector.txtpb --op read \
        --lba 123440 --blocks 32
    faultcore explain examples/intermittent_timeouts.txtpb --op read \
        --lba 0 --blocks 8 --repeat 20 --json
    faultcore explain examples/raid_member_fails_mid_rebuild.txtpb \
        --events rebuild_start --op read --lba 4096 --blocks 128 \
        --target sdc --repeat 4

SEE ALSO
    faultcore lint --help, docs/rules.md
)";

namespace {

// Per-request counters of every rule ("matched", "healed") are read only
// while that stays cheap: at most this many rules, and this many rule
// counters over all repetitions.
constexpr uint32_t kMaxTrackedRules = 100000;
constexpr uint64_t kMaxTrackedCounters = 20000000;
constexpr uint64_t kMaxRepeat = 1000000;

struct Request {
  Op op = Op::kRead;
  std::string op_name;
  std::string target;
  uint32_t target_id = kNoTarget;
  uint64_t lba = 0;
  uint64_t blocks = 0;
  uint64_t block_size = 512;
  uint64_t offset = 0;
  uint64_t length = 0;
};

struct EventResult {
  std::string event;
  std::string before;
  std::string after;
};

std::optional<Op> ParseOp(const std::string& name) {
  if (name == "read") return Op::kRead;
  if (name == "write") return Op::kWrite;
  if (name == "flush") return Op::kFlush;
  if (name == "discard") return Op::kDiscard;
  if (name == "write-zeroes" || name == "write_zeroes") return Op::kWriteZeroes;
  return std::nullopt;
}

std::string Quoted(absl::string_view s) { return absl::StrCat("\"", s, "\""); }

// How the host reports a verdict.
const char* Reported(const Verdict& v) {
  switch (v.action) {
    case Action::kMediaError:
    case Action::kWriteFault:
      return "error";
    case Action::kRecovered:
      return "recovered";
    case Action::kTornWrite:
      return (v.flags & kReportSuccess) ? "success" : "error";
    case Action::kHold:
    case Action::kAsk:
      return (v.flags & kFailOnTimeout) ? "error_on_timeout" : "success";
    default:
      return "success";
  }
}

bool CarriesCodes(const Verdict& v) {
  const std::string reported = Reported(v);
  return reported != "success";
}

const char* SenseFormat(uint8_t format) {
  switch (format) {
    case 1:
      return "fixed";
    case 2:
      return "descriptor";
    default:
      return "auto";
  }
}

std::string RuleLabel(const v1::RuleSet& set, uint32_t id) {
  const std::string& name = set.rules(static_cast<int>(id)).name();
  return name.empty() ? absl::StrCat("rules[", id, "]")
                      : absl::StrCat("rules[", id, "] \"", name, "\"");
}

struct Counters {
  uint64_t matches = 0;
  uint64_t fires = 0;
  uint64_t healed_bytes = 0;
};

// Counters of every rule; empty when not `tracked`.
std::vector<Counters> Snapshot(const Engine& engine, uint32_t rules,
                               bool tracked) {
  std::vector<Counters> out;
  if (!tracked) return out;
  out.resize(rules);
  for (uint32_t id = 0; id < rules; ++id) {
    const absl::StatusOr<RuleStats> stats = engine.Stats(id, kNoTarget);
    if (!stats.ok()) continue;
    out[id] = {stats->matches, stats->fires, stats->healed_bytes};
  }
  return out;
}

struct Outcome {
  int number = 0;
  std::string state_before;
  std::string state_after;
  Verdict verdict;
  std::vector<Counters> before;  // empty when not tracked
  std::vector<Counters> after;
};

// Writes the header, events and verdicts of one explain run, as text or
// JSON, to io.out.  Refers to the rule set, the request and the streams,
// which must outlive it.  Not thread-safe.
class Printer {
 public:
  Printer(const v1::RuleSet& set, const Request& request, uint64_t repeat,
          const Streams& io)
      : set_(set), request_(request), repeat_(repeat), io_(io) {}

  void Header(const std::string& path, uint32_t block_size,
              const std::string& initial) {
    io_.out << path << ": " << set_.rules_size()
            << (set_.rules_size() == 1 ? " rule" : " rules") << ", block size "
            << block_size << " bytes, initial state " << Quoted(initial)
            << "\n";
  }

  void Event(const EventResult& e) {
    if (e.before == e.after) {
      io_.out << "event " << Quoted(e.event) << ": state stays "
              << Quoted(e.after) << "\n";
    } else {
      io_.out << "event " << Quoted(e.event) << ": state " << Quoted(e.before)
              << " -> " << Quoted(e.after) << "\n";
    }
  }

  void Text(const Outcome& o) {
    const Verdict& v = o.verdict;
    const uint64_t bs = request_.block_size;
    io_.out << "\nrequest " << o.number;
    if (repeat_ > 1) io_.out << "/" << repeat_;
    io_.out << ": " << request_.op_name;
    if (request_.op != Op::kFlush) {
      io_.out << " LBA " << request_.lba << " +" << request_.blocks
              << (request_.blocks == 1 ? " block" : " blocks");
    }
    io_.out << " (" << bs << "-byte blocks), "
            << (request_.target.empty() ? std::string("no target")
                                        : "target " + Quoted(request_.target))
            << "\n";
    auto line = [&](absl::string_view label, const std::string& text) {
      io_.out << absl::StrFormat("  %-12s%s\n", label, text);
    };

    if (v.action == Action::kPass) {
      line("verdict", "pass: no rule fired");
    } else {
      line("verdict", absl::StrCat(ActionName(v.action), " (the host reports ",
                                   ReportedWords(v), ")"));
      line("rule", RuleLabel(set_, v.rule_id));
    }
    const bool sized = request_.op != Op::kFlush && v.action != Action::kPass;
    if (sized) {
      const std::string first = LbaOf(v.first_bad_byte);
      switch (v.action) {
        case Action::kMediaError:
        case Action::kWriteFault:
        case Action::kTornWrite:
          line("first bad",
               absl::StrCat(first, ": ", Blocks(v.good_bytes, "good"),
                            " before it, ", Blocks(v.bad_bytes, "bad")));
          break;
        case Action::kCorrupt:
          line("first bad",
               absl::StrCat(first, ": ", Blocks(v.good_bytes, "intact"),
                            " before it, ", Blocks(v.bad_bytes, "corrupted")));
          break;
        case Action::kRecovered:
          line("recovered",
               absl::StrCat("at ", first, ", ", Blocks(v.good_bytes, ""),
                            " of the request before it"));
          break;
        default:
          break;  // delay, hold, lost_write: the whole request
      }
    }
    if (v.action == Action::kWriteFault && IsHealRule(v.rule_id)) {
      line("heal", absl::StrFormat(
                       "the write meets bad blocks of a heal_on_write rule and "
                       "fails (fail_writes %u); later writes heal",
                       HealFailWrites(v.rule_id)));
    }
    if (CarriesCodes(v)) {
      const DeviceCodes& c = v.codes;
      std::string scsi = absl::StrFormat("%02X/%02X/%02X", c.scsi_sense_key,
                                         c.scsi_asc, c.scsi_ascq);
      const std::string key = ScsiSenseKeyName(c.scsi_sense_key);
      const std::string asc = ScsiAscText(c.scsi_asc, c.scsi_ascq);
      if (!key.empty()) absl::StrAppend(&scsi, "  ", key);
      if (!asc.empty()) absl::StrAppend(&scsi, ": ", asc);
      if (c.scsi_sense_format != 0) {
        absl::StrAppend(&scsi, " (", SenseFormat(c.scsi_sense_format),
                        " sense)");
      }
      line("SCSI", scsi);
      std::string nvme =
          absl::StrFormat("SCT %u SC 0x%02X DNR %d More %d", c.nvme_sct,
                          c.nvme_sc, c.nvme_dnr ? 1 : 0, c.nvme_more ? 1 : 0);
      const std::string sct = NvmeSctName(c.nvme_sct);
      const std::string sc = NvmeStatusText(c.nvme_sct, c.nvme_sc);
      if (!sct.empty()) absl::StrAppend(&nvme, "  ", sct);
      if (!sc.empty()) absl::StrAppend(&nvme, ": ", sc);
      line("NVMe", nvme);
      line("ATA",
           absl::StrFormat("status 0x%02X %s, error 0x%02X %s", c.ata_status,
                           Bits(AtaStatusBits(c.ata_status)), c.ata_error,
                           Bits(AtaErrorBits(c.ata_error))));
      line("errno", c.errno_value == 0
                        ? std::string("none (0)")
                        : absl::StrCat(ErrnoName(c.errno_value), " (",
                                       c.errno_value, ")"));
    }
    switch (v.action) {
      case Action::kHold:
        line("hold",
             absl::StrCat("parked until the host releases it or ",
                          Duration(v.hold_timeout_ns), " pass; then ",
                          (v.flags & kFailOnTimeout)
                              ? "a timeout fails it with the codes above "
                                "(a release lets it proceed)"
                              : "it proceeds normally"));
        break;
      case Action::kAsk:
        line("ask",
             absl::StrCat("parked until the host's controller decides it "
                          "(QMP blkdebug-faultcore-resolve) or ",
                          Duration(v.hold_timeout_ns), " pass; then ",
                          (v.flags & kFailOnTimeout)
                              ? "a timeout fails it with the codes above"
                              : "it proceeds normally"));
        break;
      case Action::kCorrupt:
        line("corrupt",
             absl::StrFormat("%u bit%s flipped per block, seed %u; the read "
                             "reports success",
                             v.corrupt_bits_per_block,
                             v.corrupt_bits_per_block == 1 ? "" : "s",
                             v.corrupt_seed));
        break;
      case Action::kTornWrite:
        line("torn",
             absl::StrCat(Blocks(v.good_bytes, "good"), " reach the medium, ",
                          LbaOf(v.first_bad_byte), " and after do not; ",
                          (v.flags & kReportSuccess)
                              ? "reported successful (a power-loss tear)"
                              : "reported as a write fault"));
        break;
      case Action::kLostWrite:
        line("lost", "reported successful; nothing reaches the medium");
        break;
      case Action::kRecovered:
        line("data", "delivered in full");
        break;
      default:
        break;
    }
    if (v.action != Action::kPass) {
      line("delay", v.delay_ns == 0 ? std::string("none")
                                    : absl::StrCat(Duration(v.delay_ns),
                                                   " before the outcome"));
    }
    line("state", o.state_before == o.state_after
                      ? absl::StrCat(Quoted(o.state_after), " (unchanged)")
                      : absl::StrCat(Quoted(o.state_before), " -> ",
                                     Quoted(o.state_after)));
    for (const auto& h : Healed(o)) {
      line("healed", absl::StrFormat("%s: %u healed block%s now (was %u)",
                                     RuleLabel(set_, h.rule), h.after,
                                     h.after == 1 ? "" : "s", h.before));
    }
    if (!o.after.empty()) {
      for (uint32_t id : Matched(o)) {
        const bool fired = o.after[id].fires > o.before[id].fires;
        line(fired ? "fired" : "no fire",
             absl::StrFormat("%s (matches %u, fires %u so far)",
                             RuleLabel(set_, id), o.after[id].matches,
                             o.after[id].fires));
      }
    }
  }

  void Json(const Outcome& o, const std::vector<EventResult>& events) {
    const Verdict& v = o.verdict;
    const bool decided = v.action != Action::kPass;
    const bool sized = decided && request_.op != Op::kFlush;
    const uint64_t bs = request_.block_size;
    JsonObject j;
    j.Number("request", static_cast<uint64_t>(o.number))
        .String("op", request_.op_name)
        .String("target", request_.target)
        .Number("lba", request_.lba)
        .Number("blocks", request_.blocks)
        .Number("block_size", bs);
    std::vector<std::string> raised;
    for (const EventResult& e : events) {
      raised.push_back(JsonObject()
                           .String("event", e.event)
                           .String("state_before", e.before)
                           .String("state_after", e.after)
                           .Build());
    }
    j.Raw("events", JsonArray(raised))
        .String("state_before", o.state_before)
        .String("state_after", o.state_after)
        .String("action", ActionName(v.action));
    if (decided) {
      j.Number("rule_index", v.rule_id)
          .String("rule_name", set_.rules(static_cast<int>(v.rule_id)).name());
    } else {
      j.Null("rule_index").Null("rule_name");
    }
    j.String("reported", decided ? Reported(v) : "success");
    if (sized) {
      j.Number("first_bad_lba", v.first_bad_byte / bs)
          .Number("good_blocks", v.good_bytes / bs)
          .Number("bad_blocks", (v.bad_bytes + bs - 1) / bs)
          .Number("first_bad_byte", v.first_bad_byte)
          .Number("good_bytes", v.good_bytes)
          .Number("bad_bytes", v.bad_bytes);
    } else {
      for (const char* key : {"first_bad_lba", "good_blocks", "bad_blocks",
                              "first_bad_byte", "good_bytes", "bad_bytes"}) {
        j.Null(key);
      }
    }
    if (decided && CarriesCodes(v)) {
      const DeviceCodes& c = v.codes;
      j.Raw("scsi", JsonObject()
                        .Number("key", c.scsi_sense_key)
                        .Number("asc", c.scsi_asc)
                        .Number("ascq", c.scsi_ascq)
                        .String("format", SenseFormat(c.scsi_sense_format))
                        .String("key_name", ScsiSenseKeyName(c.scsi_sense_key))
                        .String("text", ScsiAscText(c.scsi_asc, c.scsi_ascq))
                        .Build());
      j.Raw("nvme", JsonObject()
                        .Number("sct", c.nvme_sct)
                        .Number("sc", c.nvme_sc)
                        .Bool("dnr", c.nvme_dnr)
                        .Bool("more", c.nvme_more)
                        .String("sct_name", NvmeSctName(c.nvme_sct))
                        .String("text", NvmeStatusText(c.nvme_sct, c.nvme_sc))
                        .Build());
      j.Raw("ata",
            JsonObject()
                .Number("status", c.ata_status)
                .Number("error", c.ata_error)
                .Raw("status_bits", JsonStrings(AtaStatusBits(c.ata_status)))
                .Raw("error_bits", JsonStrings(AtaErrorBits(c.ata_error)))
                .Build());
      if (c.errno_value != 0) {
        j.Raw("errno",
              JsonObject()
                  .Number("value", static_cast<uint64_t>(c.errno_value))
                  .String("name", ErrnoName(c.errno_value))
                  .Build());
      } else {
        j.Null("errno");
      }
    } else {
      j.Null("scsi").Null("nvme").Null("ata").Null("errno");
    }
    j.Number("delay_ns", decided ? v.delay_ns : 0);
    if (v.action == Action::kHold || v.action == Action::kAsk) {
      j.Raw("hold", JsonObject()
                        .Number("timeout_ns", v.hold_timeout_ns)
                        .String("on_timeout",
                                (v.flags & kFailOnTimeout) ? "fail" : "proceed")
                        .Build());
    } else {
      j.Null("hold");
    }
    if (v.action == Action::kCorrupt) {
      j.Raw("corrupt", JsonObject()
                           .Number("bits_per_block", v.corrupt_bits_per_block)
                           .Number("seed", v.corrupt_seed)
                           .Build());
    } else {
      j.Null("corrupt");
    }
    j.Bool("heal_write_failure",
           v.action == Action::kWriteFault && IsHealRule(v.rule_id));
    std::vector<std::string> healed;
    for (const auto& h : Healed(o)) {
      healed.push_back(
          JsonObject()
              .Number("rule_index", h.rule)
              .String("rule_name", set_.rules(static_cast<int>(h.rule)).name())
              .Number("healed_blocks_before", h.before)
              .Number("healed_blocks_after", h.after)
              .Build());
    }
    j.Raw("healed", JsonArray(healed));
    if (o.after.empty()) {
      j.Null("matched");
    } else {
      std::vector<std::string> matched;
      for (uint32_t id : Matched(o)) {
        matched.push_back(
            JsonObject()
                .Number("rule_index", id)
                .String("rule_name", set_.rules(static_cast<int>(id)).name())
                .Bool("fired", o.after[id].fires > o.before[id].fires)
                .Number("matches", o.after[id].matches)
                .Number("fires", o.after[id].fires)
                .Build());
      }
      j.Raw("matched", JsonArray(matched));
    }
    io_.out << j.Build() << "\n";
  }

 private:
  struct Heal {
    uint32_t rule;
    uint64_t before;
    uint64_t after;
  };

  static std::string Bits(const std::vector<std::string>& bits) {
    return bits.empty() ? "(none)"
                        : absl::StrCat("(", absl::StrJoin(bits, " "), ")");
  }

  static std::string ReportedWords(const Verdict& v) {
    const std::string reported = Reported(v);
    if (reported == "error_on_timeout") {
      return v.action == Action::kAsk ? "an error if the ask times out"
                                      : "an error if the hold times out";
    }
    if (reported == "recovered") return "success with a recovered error";
    return reported;
  }

  std::string LbaOf(uint64_t byte) const {
    const uint64_t bs = request_.block_size;
    if (byte % bs == 0) return absl::StrCat("LBA ", byte / bs);
    return absl::StrCat("LBA ", byte / bs, " (byte ", byte, ")");
  }

  // "10 good blocks", "1 bad block", "700 bad bytes" (not whole blocks).
  std::string Blocks(uint64_t bytes, absl::string_view adjective) const {
    const uint64_t bs = request_.block_size;
    const std::string space = adjective.empty() ? "" : " ";
    if (bytes % bs != 0) {
      return absl::StrCat(bytes, space, adjective,
                          bytes == 1 ? " byte" : " bytes");
    }
    return absl::StrCat(bytes / bs, space, adjective,
                        bytes / bs == 1 ? " block" : " blocks");
  }

  bool IsHealRule(uint32_t id) const {
    const v1::Rule& rule = set_.rules(static_cast<int>(id));
    return rule.has_media_error() && rule.media_error().has_heal_on_write();
  }

  uint32_t HealFailWrites(uint32_t id) const {
    return set_.rules(static_cast<int>(id))
        .media_error()
        .heal_on_write()
        .fail_writes();
  }

  std::vector<Heal> Healed(const Outcome& o) const {
    std::vector<Heal> out;
    const uint64_t bs = schema::BlockSize(set_);
    for (size_t id = 0; id < o.after.size(); ++id) {
      if (o.after[id].healed_bytes != o.before[id].healed_bytes) {
        out.push_back({static_cast<uint32_t>(id),
                       o.before[id].healed_bytes / bs,
                       o.after[id].healed_bytes / bs});
      }
    }
    return out;
  }

  std::vector<uint32_t> Matched(const Outcome& o) const {
    std::vector<uint32_t> out;
    for (size_t id = 0; id < o.after.size(); ++id) {
      if (o.after[id].matches != o.before[id].matches) {
        out.push_back(static_cast<uint32_t>(id));
      }
    }
    return out;
  }

  const v1::RuleSet& set_;
  const Request& request_;
  const uint64_t repeat_;
  const Streams& io_;
};

}  // namespace

int RunExplain(const std::vector<std::string>& argv, const Streams& io) {
  int status = kExitOk;
  const std::optional<Args> args =
      ParseOrExit(argv,
                  {{"op", true},
                   {"lba", true},
                   {"blocks", true},
                   {"target", true},
                   {"block-size", true},
                   {"repeat", true},
                   {"events", true},
                   {"json", false},
                   {"from", true}},
                  "explain", kExplainHelp, io, &status);
  if (!args.has_value()) return status;
  auto usage = [&](absl::string_view message) {
    return UsageError(io, "explain", message);
  };

  // The command line, checked before the file is read.
  if (args->positionals().size() != 1) {
    return usage(args->positionals().empty()
                     ? "no FILE given"
                     : "explain takes one FILE (more than one given)");
  }
  const absl::StatusOr<RuleFormat> format = InputFormat(*args);
  if (!format.ok()) return usage(format.status().message());
  Request request;
  const std::optional<std::string> op = args->Value("op");
  if (!op.has_value()) {
    return usage(
        "--op is required (read, write, flush, discard, "
        "write-zeroes)");
  }
  const std::optional<Op> parsed_op = ParseOp(*op);
  if (!parsed_op.has_value()) {
    return usage(absl::StrCat("--op: \"", *op,
                              "\" is not an op; use read, write, flush, "
                              "discard or write-zeroes"));
  }
  request.op = *parsed_op;
  request.op_name = OpName(request.op);
  if (request.op == Op::kFlush) {
    if (args->Has("lba") || args->Has("blocks")) {
      return usage(
          "--lba and --blocks do not apply to flush (a flush has no "
          "LBA range)");
    }
  } else {
    const std::optional<std::string> lba = args->Value("lba");
    if (!lba.has_value()) return usage("--lba is required for " + *op);
    absl::StatusOr<uint64_t> value = ParseCount(*lba, "--lba");
    if (!value.ok()) return usage(value.status().message());
    request.lba = *value;
    request.blocks = 1;
    if (const auto blocks = args->Value("blocks")) {
      value = ParseCount(*blocks, "--blocks");
      if (!value.ok()) return usage(value.status().message());
      if (*value == 0) return usage("--blocks: must be at least 1");
      request.blocks = *value;
    }
  }
  std::optional<uint64_t> block_size;
  if (const auto text = args->Value("block-size")) {
    const absl::StatusOr<uint64_t> value = ParseSize(*text, "--block-size");
    if (!value.ok()) return usage(value.status().message());
    if (*value < 512 || *value > 1048576 || (*value & (*value - 1)) != 0) {
      return usage(absl::StrCat("--block-size: ", *value,
                                " is not a power of two from 512 to 1048576"));
    }
    block_size = *value;
  }
  uint64_t repeat = 1;
  if (const auto text = args->Value("repeat")) {
    const absl::StatusOr<uint64_t> value = ParseCount(*text, "--repeat");
    if (!value.ok()) return usage(value.status().message());
    if (*value == 0 || *value > kMaxRepeat) {
      return usage(absl::StrCat("--repeat: must be from 1 to ", kMaxRepeat));
    }
    repeat = *value;
  }
  std::vector<std::string> events;
  if (const auto text = args->Value("events")) {
    events = absl::StrSplit(*text, ',');
    for (const std::string& e : events) {
      if (e.empty()) return usage("--events: an event name is empty");
    }
  }
  if (const auto target = args->Value("target")) {
    if (target->empty()) return usage("--target: the name is empty");
    request.target = *target;
  }
  const bool json = args->Has("json");

  // The rules.
  const std::string& path = args->positionals()[0];
  std::unique_ptr<RuleFile> file;
  std::vector<Diagnostic> diagnostics;
  if (!LoadRules(path, *format, &file, &diagnostics)) {
    PrintDiagnostics(io.err, diagnostics);
    return kExitFailure;
  }
  PrintDiagnostics(io.err, diagnostics);  // Warnings only.
  const v1::RuleSet& set = file->rules();

  std::set<std::string> known_events;
  for (const v1::Transition& t : set.transitions())
    known_events.insert(t.event());
  for (const std::string& e : events) {
    if (known_events.count(e) == 0) {
      return usage(absl::StrCat(
          "--events: no transition of ", path, " names event \"", e, "\"",
          known_events.empty()
              ? " (it has no transitions)"
              : absl::StrCat(
                    " (its events: ", absl::StrJoin(known_events, ", "), ")")));
    }
  }

  absl::StatusOr<std::unique_ptr<Engine>> created = Engine::Create();
  if (!created.ok()) {
    io.err << "faultcore explain: " << created.status().message() << "\n";
    return kExitFailure;
  }
  Engine& engine = **created;
  const absl::Status loaded = engine.LoadValidated(set);
  if (!loaded.ok()) {
    io.err << "faultcore explain: " << loaded.message() << "\n";
    return kExitFailure;
  }
  request.block_size = block_size.value_or(engine.BlockSize());
  if (request.op != Op::kFlush) {
    const uint64_t max = std::numeric_limits<uint64_t>::max();
    if (request.lba > max / request.block_size ||
        request.blocks > max / request.block_size ||
        request.lba * request.block_size >
            max - request.blocks * request.block_size) {
      return usage(absl::StrFormat(
          "--lba %u --blocks %u: the request ends beyond 2^64 bytes with "
          "%u-byte blocks",
          request.lba, request.blocks, request.block_size));
    }
    request.offset = request.lba * request.block_size;
    request.length = request.blocks * request.block_size;
  }
  request.target_id = engine.TargetId(request.target);

  // Notes on targets: a request the user thinks reaches a rule may not.
  std::set<std::string> targets;
  for (const v1::Rule& r : set.rules()) {
    if (!r.target().empty() && targets.size() < 1000)
      targets.insert(r.target());
  }
  if (!targets.empty() && request.target.empty()) {
    io.err << "faultcore explain: note: no --target: rules with a target (e.g. "
           << Quoted(*targets.begin()) << ") cannot match\n";
  } else if (!request.target.empty() && targets.count(request.target) == 0) {
    io.err << "faultcore explain: note: no rule names target "
           << Quoted(request.target) << "; only rules without a target apply\n";
  }

  Printer printer(set, request, repeat, io);
  if (!json) printer.Header(path, engine.BlockSize(), engine.CurrentState());
  std::vector<EventResult> raised;
  for (const std::string& e : events) {
    EventResult result{e, engine.CurrentState(), ""};
    engine.RaiseEvent(e).IgnoreError();  // Known: checked above.
    result.after = engine.CurrentState();
    if (!json) printer.Event(result);
    raised.push_back(std::move(result));
  }

  const uint32_t rule_count = engine.RuleCount();
  const bool tracked = rule_count <= kMaxTrackedRules &&
                       uint64_t{rule_count} * repeat <= kMaxTrackedCounters;
  for (uint64_t i = 1; i <= repeat; ++i) {
    Outcome o;
    o.number = static_cast<int>(i);
    o.before = Snapshot(engine, rule_count, tracked);
    o.state_before = engine.CurrentState();
    engine.Check(request.target_id, request.op, request.offset, request.length,
                 &o.verdict);
    o.state_after = engine.CurrentState();
    o.after = Snapshot(engine, rule_count, tracked);
    if (json) {
      printer.Json(o, i == 1 ? raised : std::vector<EventResult>());
    } else {
      printer.Text(o);
    }
  }
  io.out.flush();
  return kExitOk;
}

}  // namespace cli
}  // namespace faultcore
