// A trace dump of libfaultcore (fc_engine_trace_dump(), JSON lines): a
// header line, then one record per request in submission order.  Reading
// it checks every key the CLI uses; keys it does not know are ignored, so
// that newer libraries can add some.
//
// Plain values and pure functions; thread-safe.

#ifndef FAULTCORE_TOOLS_TRACE_DUMP_H_
#define FAULTCORE_TOOLS_TRACE_DUMP_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libfaultcore/verdict.h"

namespace faultcore {
namespace cli {

// The dump format this CLI reads ("faultcore-trace" of the header).
inline constexpr uint64_t kTraceFormatVersion = 1;
// A longer line is refused rather than buffered: a record is a few hundred
// bytes.
inline constexpr size_t kMaxTraceLineBytes = size_t{1} << 20;
// Actions by value, Action::kPass (0) to Action::kAsk.
inline constexpr size_t kTraceActionSlots =
    static_cast<size_t>(Action::kAsk) + 1;

// The actions a rule can give a request, in value order (all but kPass).
std::vector<Action> InjectedActions();
// All ops, in value order.
std::vector<Op> TraceOps();

// A name from a dump for a terminal: control characters as '?', so that a
// dump cannot write escape sequences to the screen.
std::string Printable(absl::string_view name);
// A record's target for text output: Printable(), or "-" for none.
std::string TargetText(const std::optional<std::string>& target);

struct TraceHeader {
  uint64_t version = 0;
  std::string library;
  uint64_t capacity = 0;
  bool injected_only = false;
  uint64_t recorded = 0;
  uint64_t dropped = 0;  // records lost to a full ring (the oldest)
};

// "codes" of a record a rule changed.
struct TraceCodes {
  uint8_t scsi_sense_key = 0;
  uint8_t scsi_asc = 0;
  uint8_t scsi_ascq = 0;
  uint8_t nvme_sct = 0;
  uint8_t nvme_sc = 0;
  bool nvme_dnr = false;
  uint8_t ata_status = 0;
  uint8_t ata_error = 0;
  int32_t errno_value = 0;
};

struct TraceRecord {
  int line = 0;  // 1-based line of the dump
  uint64_t seq = 0;
  uint64_t ns = 0;                    // monotonic submission time
  std::optional<std::string> target;  // nullopt: no target
  Op op = Op::kRead;
  uint64_t offset = 0;
  uint64_t bytes = 0;
  Action action = Action::kPass;  // for an answered ask: the decision
  bool asked = false;             // decided from outside (an ask rule)
  std::optional<std::string> rule;
  std::optional<uint64_t> first_bad_offset;
  uint64_t good_bytes = 0;
  std::optional<int32_t> result;  // 0 or -errno; nullopt: not completed
  std::optional<uint64_t> latency_ns;
  std::string state;
  std::optional<TraceCodes> codes;

  // A rule changed it, or parked it for a decision that let it pass.
  bool injected() const { return action != Action::kPass || asked; }
};

struct TraceDump {
  std::string name;  // the path, or "<stdin>"
  TraceHeader header;
  std::vector<TraceRecord> records;
  // "FILE:LINE: warning: ..." lines: the dump is readable but odd.
  std::vector<std::string> warnings;
};

// Reads and checks the dump at `path` ("-": standard input, "<stdin>" in
// messages).  The error's message is one line, "FILE:LINE:COL: error: ..."
// (just "FILE: error: ..." when the file cannot be opened), naming the key.
absl::StatusOr<TraceDump> ReadTraceDump(const std::string& path);

// The same for a dump already in memory, named `name` in messages.
absl::StatusOr<TraceDump> ParseTraceDump(absl::string_view text,
                                         const std::string& name);

}  // namespace cli
}  // namespace faultcore

#endif  // FAULTCORE_TOOLS_TRACE_DUMP_H_
