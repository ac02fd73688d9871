#include "libfaultcore/observer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "libfaultcore/version.h"

namespace faultcore {
namespace {

uint64_t MonotonicNs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u +
         static_cast<uint64_t>(ts.tv_nsec);
}

// A JSON string literal for `s` (names are restricted by the schema, but
// the dump must stay valid JSON whatever they hold).
std::string JsonString(absl::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      static const char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
  return out;
}

const char* Bool(bool b) { return b ? "true" : "false"; }

// Whether a trace record shows device codes: for the actions that report
// them when they happen (a hold or ask failing on timeout shows its result).
bool ReportsCodes(Action action) {
  switch (action) {
    case Action::kMediaError:
    case Action::kWriteFault:
    case Action::kRecovered:
    case Action::kTornWrite:
      return true;
    default:
      return false;
  }
}

// Writes all of `data` to `path` (created or truncated).
absl::Status WriteFile(const std::string& path, const std::string& data) {
  auto fail = [&path](const char* what) {
    return absl::UnavailableError(absl::StrCat(
        "cannot ", what, " the trace file '", path, "': ", std::strerror(errno)));
  };
  // O_NONBLOCK: a FIFO without a reader fails (ENXIO) instead of blocking
  // the caller (in QEMU, the main loop); anything but a regular file is
  // refused, since writing to a pipe or device could block as well.
  int fd = open(path.c_str(),
                O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NONBLOCK, 0644);
  if (fd < 0) return fail("create");
  struct stat info;
  if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    close(fd);
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot dump the trace to '", path, "': not a regular file"));
  }
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      absl::Status status = fail("write");
      close(fd);
      return status;
    }
    done += static_cast<size_t>(n);
  }
  if (close(fd) != 0) return fail("write");
  return absl::OkStatus();
}

}  // namespace

size_t HistogramBucket(uint64_t value) {
  return value == 0 ? 0 : 64 - static_cast<size_t>(__builtin_clzll(value));
}

absl::Status Observer::StartTrace(uint64_t capacity, bool injected_only) {
  if (capacity == 0) capacity = kTraceDefaultCapacity;
  if (capacity > kTraceMaxCapacity) {
    return absl::InvalidArgumentError(
        absl::StrCat("trace capacity ", capacity, " is more than the limit ",
                     kTraceMaxCapacity, " records"));
  }
  std::vector<Record> ring(capacity);  // allocated outside the lock
  std::lock_guard<std::mutex> lock(mu_);
  ring_.swap(ring);
  written_ = 0;
  names_.clear();
  injected_only_ = injected_only;
  trace_started_ = tracing_ = true;
  records_kept_.store(true, std::memory_order_relaxed);
  UpdateActive();
  return absl::OkStatus();
}

void Observer::StopTrace() {
  std::lock_guard<std::mutex> lock(mu_);
  tracing_ = false;
  UpdateActive();
}

bool Observer::tracing() const {
  std::lock_guard<std::mutex> lock(mu_);
  return tracing_;
}

void Observer::AddNames(uint64_t serial, std::vector<std::string> rules,
                        std::vector<std::string> states) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!trace_started_) return;
  names_[serial] = Names{std::move(rules), std::move(states)};
}

absl::Status Observer::StartStats(uint64_t heat_bucket_bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  stats_.clear();
  heat_bucket_bytes_ =
      heat_bucket_bytes != 0 ? heat_bucket_bytes : kHeatDefaultBucketBytes;
  collecting_ = true;
  UpdateActive();
  return absl::OkStatus();
}

void Observer::StopStats() {
  std::lock_guard<std::mutex> lock(mu_);
  collecting_ = false;
  UpdateActive();
}

bool Observer::stats_active() const {
  std::lock_guard<std::mutex> lock(mu_);
  return collecting_;
}

void Observer::UpdateActive() {
  active_.store(tracing_ || collecting_, std::memory_order_relaxed);
}

uint64_t Observer::OnCheck(const CheckedRequest& r) {
  const Verdict& v = *r.verdict;
  const bool injected = v.action != Action::kPass;
  std::lock_guard<std::mutex> lock(mu_);
  // Numbered and stamped under the lock, so that seq, ns and the ring's
  // order agree.
  const uint64_t seq = NextSeq();
  if (tracing_ && (injected || !injected_only_) && !ring_.empty()) {
    Record& rec = ring_[written_++ % ring_.size()];
    rec = Record();
    rec.seq = seq;
    rec.ns = MonotonicNs();
    rec.offset = r.offset;
    rec.bytes = r.length;
    rec.target = r.target;
    rec.op = r.op;
    rec.action = v.action;
    rec.state = r.state;
    rec.serial = r.serial;
    rec.good_bytes = TransferredBytes(v.action, r.length, v.good_bytes);
    if (injected) {
      rec.rule_id = v.rule_id;
      rec.first_bad = v.first_bad_byte;
      rec.codes = v.codes;
    }
  }
  if (collecting_) {
    StatsEntry& e = stats_[StatsKey(r.target, static_cast<uint32_t>(r.op))];
    OpStats& t = e.totals;
    ++t.requests;
    t.bytes += r.length;
    if (injected) ++t.injected[static_cast<size_t>(v.action) % kActionSlots];
    ++t.size_histogram[HistogramBucket(r.length)];
    // The heat map is of blocks: a flush touches none.
    const uint64_t bucket = r.offset / heat_bucket_bytes_;
    auto it = r.length == 0 ? e.heat.end() : e.heat.find(bucket);
    if (it == e.heat.end() && r.length != 0 &&
        e.heat.size() < kHeatMaxCells) {
      it = e.heat.emplace(bucket, HeatCell{bucket, 0, 0, 0}).first;
    }
    if (it == e.heat.end()) {
      if (r.length != 0) ++t.heat_dropped;
    } else {
      ++it->second.requests;
      it->second.bytes += r.length;
      if (injected) ++it->second.injected;
    }
  }
  return seq;
}

Observer::Record* Observer::FindRecord(uint64_t seq) {
  const uint64_t size = ring_.size();
  if (size == 0 || written_ == 0) return nullptr;
  // Records are in seq order from the oldest kept to the newest.
  uint64_t lo = written_ > size ? written_ - size : 0;
  uint64_t hi = written_;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    if (ring_[mid % size].seq < seq) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo == written_) return nullptr;
  Record& rec = ring_[lo % size];
  return rec.seq == seq ? &rec : nullptr;
}

void Observer::OnComplete(uint32_t target, Op op, uint64_t seq,
                          const Verdict* final, int32_t result,
                          uint64_t latency_ns) {
  // After a trace stop the records stay for a dump: requests in flight
  // still complete theirs (else they would read "still in flight").
  if (seq == 0) return;
  if (!active() && !records_kept_.load(std::memory_order_relaxed)) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (trace_started_) {
    Record* rec = FindRecord(seq);
    if (rec != nullptr && !rec->completed) {
      rec->completed = true;
      rec->result = result;
      rec->latency_ns = latency_ns;
      if (final != nullptr && rec->action == Action::kAsk) {
        rec->asked = true;
        rec->action = final->action;
        rec->first_bad = final->first_bad_byte;
        rec->good_bytes =
            TransferredBytes(final->action, rec->bytes, final->good_bytes);
        rec->codes = final->codes;
      }
    }
  }
  if (collecting_) {
    OpStats& t =
        stats_[StatsKey(target, static_cast<uint32_t>(op))].totals;
    ++t.completed;
    if (result < 0) ++t.failed;
    ++t.latency_histogram[HistogramBucket(latency_ns)];
    t.latency_max_ns = std::max(t.latency_max_ns, latency_ns);
    t.latency_total_ns += latency_ns;
  }
}

absl::StatusOr<OpStats> Observer::Stats(uint32_t target, Op op) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!collecting_) {
    return absl::FailedPreconditionError(
        "statistics are not being collected (start them first)");
  }
  OpStats out;
  out.heat_bucket_bytes = heat_bucket_bytes_;
  auto it = stats_.find(StatsKey(target, static_cast<uint32_t>(op)));
  if (it == stats_.end()) return out;
  out = it->second.totals;
  out.heat_bucket_bytes = heat_bucket_bytes_;
  out.heat.reserve(it->second.heat.size());
  for (const auto& [bucket, cell] : it->second.heat) out.heat.push_back(cell);
  std::sort(out.heat.begin(), out.heat.end(),
            [](const HeatCell& l, const HeatCell& r) {
              return l.bucket < r.bucket;
            });
  return out;
}

std::vector<Observer::Record> Observer::Snapshot() const {
  std::vector<Record> out;
  const uint64_t size = ring_.size();
  const uint64_t first = written_ > size ? written_ - size : 0;
  out.reserve(written_ - first);
  for (uint64_t i = first; i < written_; ++i) out.push_back(ring_[i % size]);
  return out;
}

absl::Status Observer::DumpTrace(
    const std::string& path, const std::vector<std::string>& targets) const {
  std::vector<Record> records;
  std::map<uint64_t, Names> names;
  uint64_t capacity, written;
  bool injected_only;
  {
    // Copy under the lock, format outside it: requests keep flowing.
    std::lock_guard<std::mutex> lock(mu_);
    if (!trace_started_) {
      return absl::FailedPreconditionError(
          "no trace was started: there is nothing to dump");
    }
    records = Snapshot();
    names = names_;
    capacity = ring_.size();
    written = written_;
    injected_only = injected_only_;
  }
  std::string out = absl::StrCat(
      "{\"faultcore-trace\":1,\"library\":", JsonString(kLibraryVersion),
      ",\"capacity\":", capacity, ",\"injected-only\":", Bool(injected_only),
      ",\"recorded\":", records.size(), ",\"dropped\":",
      written - records.size(), "}\n");
  for (const Record& r : records) {
    const auto n = names.find(r.serial);
    const Names* nm = n != names.end() ? &n->second : nullptr;
    const bool injected = r.action != Action::kPass;
    std::string rule = "null";
    if ((injected || r.asked) && r.rule_id != kNoRule) {
      rule = nm != nullptr && r.rule_id < nm->rules.size()
                 ? JsonString(nm->rules[r.rule_id])
                 : JsonString(absl::StrCat("#", r.rule_id));
    }
    const std::string target = r.target < targets.size() && r.target != 0
                                   ? JsonString(targets[r.target])
                                   : "null";
    const std::string state = nm != nullptr && r.state < nm->states.size()
                                  ? JsonString(nm->states[r.state])
                                  : JsonString("initial");
    absl::StrAppend(&out, "{\"seq\":", r.seq, ",\"ns\":", r.ns,
                    ",\"target\":", target, ",\"op\":",
                    JsonString(OpName(r.op)), ",\"offset\":", r.offset,
                    ",\"bytes\":", r.bytes, ",\"action\":",
                    JsonString(ActionName(r.action)), ",\"rule\":", rule);
    if (AffectsBlocks(r.action)) {
      absl::StrAppend(&out, ",\"first-bad-offset\":", r.first_bad);
    } else {
      absl::StrAppend(&out, ",\"first-bad-offset\":null");
    }
    absl::StrAppend(&out, ",\"good-bytes\":", r.good_bytes);
    if (r.completed) {
      absl::StrAppend(&out, ",\"result\":", r.result, ",\"latency-ns\":",
                      r.latency_ns);
    } else {
      absl::StrAppend(&out, ",\"result\":null,\"latency-ns\":null");
    }
    absl::StrAppend(&out, ",\"state\":", state);
    if (r.asked) absl::StrAppend(&out, ",\"asked\":true");
    if (ReportsCodes(r.action)) {
      const DeviceCodes& c = r.codes;
      absl::StrAppend(&out, ",\"codes\":{\"scsi\":[", c.scsi_sense_key, ",",
                      c.scsi_asc, ",", c.scsi_ascq, "],\"nvme\":[",
                      c.nvme_sct, ",", c.nvme_sc, ",", c.nvme_dnr ? 1 : 0,
                      "],\"ata\":[", c.ata_status, ",", c.ata_error,
                      "],\"errno\":", c.errno_value, "}");
    }
    out += "}\n";
  }
  return WriteFile(path, out);
}

}  // namespace faultcore
