// What a trace dump adds up to: per (target, op) requests, bytes, outcomes,
// injected requests by action and latency percentiles; as text and JSON.
//
// Pure functions over plain values; thread-safe.

#ifndef FAULTCORE_TOOLS_TRACE_SUMMARY_H_
#define FAULTCORE_TOOLS_TRACE_SUMMARY_H_

#include <array>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "libfaultcore/verdict.h"
#include "tools/trace_dump.h"

namespace faultcore {
namespace cli {

// Latencies of the completed requests of a group (nearest-rank
// percentiles: the smallest latency at least p% of them do not exceed).
struct LatencySummary {
  uint64_t count = 0;
  uint64_t p50 = 0;
  uint64_t p99 = 0;
  uint64_t max = 0;
};

struct GroupSummary {
  std::optional<std::string> target;  // nullopt: no target
  Op op = Op::kRead;
  uint64_t requests = 0;
  uint64_t bytes = 0;
  uint64_t completed = 0;  // with a result
  uint64_t failed = 0;     // completed with a negative result
  uint64_t injected = 0;   // action other than pass
  std::array<uint64_t, kTraceActionSlots> by_action{};  // by Action value
  std::optional<LatencySummary> latency;  // nullopt: none completed
};

struct TraceSummary {
  uint64_t records = 0;
  uint64_t first_ns = 0;  // the earliest submission time of a record
  uint64_t last_ns = 0;   // the latest
  // By target (no target first, then by name), then op in value order.
  std::vector<GroupSummary> groups;
  GroupSummary total;  // every record; target and op unused
};

TraceSummary Summarize(const TraceDump& dump);

// The summary as text: the dump's header, then a table of the groups and,
// when there are several, a row "all".
void PrintSummary(const TraceDump& dump, const TraceSummary& summary,
                  std::ostream& out);
// The summary as one JSON object (keys: faultcore trace --help, OUTPUT).
std::string SummaryJson(const TraceDump& dump, const TraceSummary& summary);

// The nearest-rank percentile `percent` (1..100) of `sorted` (ascending,
// not empty): sorted[ceil(percent / 100 * n) - 1].
uint64_t NearestRank(const std::vector<uint64_t>& sorted, int percent);

}  // namespace cli
}  // namespace faultcore

#endif  // FAULTCORE_TOOLS_TRACE_SUMMARY_H_
