// faultcore::Observer: what an engine records about requests while a host
// watches them -- an ordered, bounded trace of requests and statistics per
// (target, op): counts, bytes, injected requests by action, size and latency
// histograms and an LBA heat map.
//
// Ownership: one per Engine, for the engine's life.  The engine routes every
// request to OnCheck() only while active() (see Engine::Decide); when nothing
// is being recorded the request path never reaches this class.
//
// Thread safety: every method may be called from any thread.  One mutex
// guards the trace and the statistics: observing costs a lock per request
// and one per completion, which is what a host asked for by turning it on.
// `active_` and `next_seq_` are atomics readable without the lock.
#ifndef FAULTCORE_LIBFAULTCORE_OBSERVER_H_
#define FAULTCORE_LIBFAULTCORE_OBSERVER_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libfaultcore/verdict.h"

namespace faultcore {

// Limits and defaults; the C ABI's FC_TRACE_* / FC_STATS_* macros are
// static_assert-ed equal to these in c_api.cc.
inline constexpr uint64_t kTraceDefaultCapacity = 65536;
inline constexpr uint64_t kTraceMaxCapacity = uint64_t{1} << 21;
inline constexpr uint64_t kHeatDefaultBucketBytes = uint64_t{1} << 20;
// Distinct heat-map buckets kept per (target, op); requests beyond go to
// OpStats::heat_dropped.
inline constexpr size_t kHeatMaxCells = size_t{1} << 18;
// Histogram buckets: bucket 0 counts the value 0, bucket i (1..64) the
// values in [2^(i-1), 2^i).
inline constexpr size_t kHistogramBuckets = 65;
// Actions, indexed by their value (Action::kAsk is the last).
inline constexpr size_t kActionSlots = 16;

size_t HistogramBucket(uint64_t value);

struct HeatCell {
  uint64_t bucket = 0;  // offset / bucket size
  uint64_t requests = 0;
  uint64_t bytes = 0;
  uint64_t injected = 0;
};

struct OpStats {
  uint64_t requests = 0;
  uint64_t bytes = 0;
  uint64_t completed = 0;
  uint64_t failed = 0;  // completed with a negative result
  std::array<uint64_t, kActionSlots> injected{};  // by Action of the verdict
  std::array<uint64_t, kHistogramBuckets> size_histogram{};
  std::array<uint64_t, kHistogramBuckets> latency_histogram{};
  uint64_t latency_max_ns = 0;
  uint64_t latency_total_ns = 0;
  uint64_t heat_bucket_bytes = 0;
  uint64_t heat_dropped = 0;
  std::vector<HeatCell> heat;  // sorted by bucket (filled by Stats())
};

// What the engine decided for one request, as OnCheck() records it.
struct CheckedRequest {
  uint32_t target;
  Op op;
  uint64_t offset;
  uint64_t length;
  const Verdict* verdict;  // rule fields meaningful unless action is kPass
  uint32_t state;          // the state the request was decided in
  uint64_t serial;         // the rule set load that decided it
};

class Observer {
 public:
  Observer() = default;
  Observer(const Observer&) = delete;
  Observer& operator=(const Observer&) = delete;

  // True while a trace or statistics are being recorded.  Relaxed: a
  // request that races with a start or stop may go unrecorded.
  bool active() const { return active_.load(std::memory_order_relaxed); }

  // A fresh sequence number (never 0), for requests a rule changed while
  // nothing is recorded; recorded requests get theirs from OnCheck().
  uint64_t NextSeq() {
    return next_seq_.fetch_add(1, std::memory_order_relaxed) + 1;
  }

  // Starts a new trace of at most `capacity` records (0: the default),
  // dropping the previous one.  InvalidArgument beyond kTraceMaxCapacity.
  absl::Status StartTrace(uint64_t capacity, bool injected_only);
  // Stops recording; the records stay for DumpTrace().
  void StopTrace();
  // Writes the records as JSON lines (docs/observability.md): a header,
  // then one object per request in submission order.  `targets[i]` names
  // target id i.  Unavailable (with the path and the reason) when the file
  // cannot be written; FailedPrecondition when no trace was ever started.
  absl::Status DumpTrace(const std::string& path,
                         const std::vector<std::string>& targets) const;

  // Clears the statistics and collects from now on, with heat-map buckets
  // of `heat_bucket_bytes` (0: the default).
  absl::Status StartStats(uint64_t heat_bucket_bytes);
  void StopStats();
  bool stats_active() const;
  // The statistics of (target, op) since StartStats(); zeros for a pair
  // with no request yet.  FailedPrecondition when not collecting.
  absl::StatusOr<OpStats> Stats(uint32_t target, Op op) const;

  // The names rule set load `serial` gives rule ids and state indexes, for
  // DumpTrace().  Kept while a trace exists.
  void AddNames(uint64_t serial, std::vector<std::string> rules,
                std::vector<std::string> states);
  bool tracing() const;

  // Records a decided request; returns its sequence number.
  uint64_t OnCheck(const CheckedRequest& request);
  // Records how request `seq` ended: `final` is the verdict carried out (an
  // ask's decision; may be null: as checked), `result` 0 or -errno.
  void OnComplete(uint32_t target, Op op, uint64_t seq, const Verdict* final,
                  int32_t result, uint64_t latency_ns);

 private:
  struct Record {
    uint64_t seq = 0;
    uint64_t ns = 0;
    uint64_t offset = 0;
    uint64_t bytes = 0;
    uint64_t first_bad = 0;
    uint64_t good_bytes = 0;
    uint64_t latency_ns = 0;
    uint64_t serial = 0;
    uint32_t target = 0;
    uint32_t rule_id = kNoRule;
    uint32_t state = 0;
    int32_t result = 0;
    Op op = Op::kRead;
    Action action = Action::kPass;
    bool completed = false;
    bool asked = false;  // an ask decided from outside: action = decision
    DeviceCodes codes;
  };
  struct Names {
    std::vector<std::string> rules;
    std::vector<std::string> states;
  };
  using StatsKey = std::pair<uint32_t, uint32_t>;  // (target, op)
  struct StatsEntry {
    OpStats totals;  // heat left empty; cells live in `heat`
    absl::flat_hash_map<uint64_t, HeatCell> heat;
  };

  void UpdateActive();                   // caller holds mu_
  Record* FindRecord(uint64_t seq);      // caller holds mu_
  std::vector<Record> Snapshot() const;  // caller holds mu_, in order

  std::atomic<bool> active_{false};
  // Its own cache line: every faulted request on every thread bumps it,
  // while every Decide() reads active_.
  alignas(64) std::atomic<uint64_t> next_seq_{0};
  // A trace was started, so its records (kept after a stop until the next
  // start) may still wait for their requests' completions.
  std::atomic<bool> records_kept_{false};

  alignas(64) mutable std::mutex mu_;
  // Trace: a ring of `ring_.size()` records; `written_` ever pushed, so the
  // oldest kept is written_ - size when written_ > size.  Guarded by mu_.
  bool trace_started_ = false;
  bool tracing_ = false;
  bool injected_only_ = false;
  std::vector<Record> ring_;
  uint64_t written_ = 0;
  std::map<uint64_t, Names> names_;  // by rule set serial
  // Statistics.  Guarded by mu_.
  bool collecting_ = false;
  uint64_t heat_bucket_bytes_ = kHeatDefaultBucketBytes;
  std::map<StatsKey, StatsEntry> stats_;
};

}  // namespace faultcore

#endif  // FAULTCORE_LIBFAULTCORE_OBSERVER_H_
