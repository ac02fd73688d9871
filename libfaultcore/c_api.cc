// The C ABI: translation only.  Every function is noexcept and catches
// everything, so no exception crosses the boundary; policy lives in Engine.
#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "absl/status/status.h"
#include "faultcore/faultcore.h"
#include "libfaultcore/corrupt.h"
#include "libfaultcore/engine.h"
#include "libfaultcore/version.h"

struct fc_engine {
  std::unique_ptr<faultcore::Engine> engine;
};

namespace {

using faultcore::Engine;

char* CopyString(const std::string& s) {
  char* out = static_cast<char*>(std::malloc(s.size() + 1));
  if (out != nullptr) std::memcpy(out, s.c_str(), s.size() + 1);
  return out;
}

void SetError(char** errmsg, const std::string& message) {
  if (errmsg == nullptr) return;
  std::free(*errmsg);
  *errmsg = CopyString(message);
}

fc_status ToStatus(const absl::Status& status, char** errmsg) {
  if (status.ok()) return FC_OK;
  SetError(errmsg, std::string(status.message()));
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
      return FC_INVALID_ARGUMENT;
    case absl::StatusCode::kNotFound:
      return FC_NOT_FOUND;
    case absl::StatusCode::kResourceExhausted:
      return FC_RESOURCE_EXHAUSTED;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kPermissionDenied:
      return FC_IO_ERROR;
    default:
      return FC_INTERNAL;
  }
}

faultcore::RuleFormat ToFormat(fc_format format) {
  switch (format) {
    case FC_FORMAT_TEXT:
      return faultcore::RuleFormat::kText;
    case FC_FORMAT_BINARY:
      return faultcore::RuleFormat::kBinary;
    default:
      return faultcore::RuleFormat::kAuto;
  }
}

// Copies a C++ verdict into the caller's struct, writing no more than the
// caller's `size` says it has.  Out of line: the pass path of
// fc_engine_check() stays small (no extra registers to save).
__attribute__((noinline)) void ExportVerdict(const faultcore::Verdict& v,
                                             fc_verdict* out) {
  fc_verdict full;
  std::memset(&full, 0, sizeof(full));
  full.action = static_cast<uint32_t>(v.action);
  full.rule_id = v.rule_id;
  full.flags = v.flags;
  full.first_bad_byte = v.first_bad_byte;
  full.good_bytes = v.good_bytes;
  full.bad_bytes = v.bad_bytes;
  full.delay_ns = v.delay_ns;
  full.hold_timeout_ns = v.hold_timeout_ns;
  full.corrupt_seed = v.corrupt_seed;
  full.corrupt_bits_per_block = v.corrupt_bits_per_block;
  full.block_size = v.block_size;
  full.errno_value = v.codes.errno_value;
  full.scsi_sense_key = v.codes.scsi_sense_key;
  full.scsi_asc = v.codes.scsi_asc;
  full.scsi_ascq = v.codes.scsi_ascq;
  full.scsi_sense_format = v.codes.scsi_sense_format;
  full.nvme_sct = v.codes.nvme_sct;
  full.nvme_sc = v.codes.nvme_sc;
  full.nvme_dnr = v.codes.nvme_dnr ? 1 : 0;
  full.nvme_more = v.codes.nvme_more ? 1 : 0;
  full.ata_status = v.codes.ata_status;
  full.ata_error = v.codes.ata_error;
  full.seq = v.seq;
  size_t n = out->size < sizeof(full) ? out->size : sizeof(full);
  if (n > sizeof(uint32_t)) {
    std::memcpy(reinterpret_cast<char*>(out) + sizeof(uint32_t),
                reinterpret_cast<const char*>(&full) + sizeof(uint32_t),
                n - sizeof(uint32_t));
  }
}

// The inverse, for verdicts handed back to the library.
faultcore::Verdict ImportVerdict(const fc_verdict* in) {
  fc_verdict full;
  std::memset(&full, 0, sizeof(full));
  size_t n = in->size < sizeof(full) ? in->size : sizeof(full);
  std::memcpy(&full, in, n);
  faultcore::Verdict v;
  v.action = static_cast<faultcore::Action>(full.action);
  v.rule_id = full.rule_id;
  v.flags = full.flags;
  v.first_bad_byte = full.first_bad_byte;
  v.good_bytes = full.good_bytes;
  v.bad_bytes = full.bad_bytes;
  v.corrupt_seed = full.corrupt_seed;
  v.corrupt_bits_per_block = full.corrupt_bits_per_block;
  v.block_size = full.block_size;
  v.delay_ns = full.delay_ns;
  v.hold_timeout_ns = full.hold_timeout_ns;
  v.codes.errno_value = full.errno_value;
  v.codes.scsi_sense_key = full.scsi_sense_key;
  v.codes.scsi_asc = full.scsi_asc;
  v.codes.scsi_ascq = full.scsi_ascq;
  v.codes.scsi_sense_format = full.scsi_sense_format;
  v.codes.nvme_sct = full.nvme_sct;
  v.codes.nvme_sc = full.nvme_sc;
  v.codes.nvme_dnr = full.nvme_dnr != 0;
  v.codes.nvme_more = full.nvme_more != 0;
  v.codes.ata_status = full.ata_status;
  v.codes.ata_error = full.ata_error;
  v.seq = full.seq;
  return v;
}

// Copies `full` into a caller's sized struct (the first field is `size`).
template <typename T>
void ExportSized(const T& full, T* out) {
  size_t n = out->size < sizeof(full) ? out->size : sizeof(full);
  if (n > sizeof(uint32_t)) {
    std::memcpy(reinterpret_cast<char*>(out) + sizeof(uint32_t),
                reinterpret_cast<const char*>(&full) + sizeof(uint32_t),
                n - sizeof(uint32_t));
  }
}

bool ValidOp(uint32_t op) {
  return op >= FC_OP_READ && op <= FC_OP_WRITE_ZEROES;
}

static_assert(FC_TRACE_DEFAULT_CAPACITY == faultcore::kTraceDefaultCapacity);
static_assert(FC_TRACE_MAX_CAPACITY == faultcore::kTraceMaxCapacity);
static_assert(FC_HISTOGRAM_BUCKETS == faultcore::kHistogramBuckets);
static_assert(FC_STATS_DEFAULT_HEAT_BUCKET ==
              faultcore::kHeatDefaultBucketBytes);
static_assert(FC_STATS_MAX_HEAT_CELLS == faultcore::kHeatMaxCells);
static_assert(sizeof(fc_op_stats::injected) / sizeof(uint64_t) ==
              faultcore::kActionSlots);
static_assert(FC_DECIDE_SCSI_SENSE_KEY == faultcore::kDecideScsiKey &&
              FC_DECIDE_SCSI_ASC == faultcore::kDecideScsiAsc &&
              FC_DECIDE_SCSI_ASCQ == faultcore::kDecideScsiAscq &&
              FC_DECIDE_NVME_SCT == faultcore::kDecideNvmeSct &&
              FC_DECIDE_NVME_SC == faultcore::kDecideNvmeSc &&
              FC_DECIDE_NVME_DNR == faultcore::kDecideNvmeDnr &&
              FC_DECIDE_ATA_STATUS == faultcore::kDecideAtaStatus &&
              FC_DECIDE_ATA_ERROR == faultcore::kDecideAtaError &&
              FC_DECIDE_ERRNO == faultcore::kDecideErrno);
// The C enums and constants are the C++ core's values (verdict.h, engine.h):
// verdicts and ops cross the boundary by value.
constexpr bool SameOp(uint32_t c, faultcore::Op cc) {
  return c == static_cast<uint32_t>(cc);
}
constexpr bool SameAction(uint32_t c, faultcore::Action cc) {
  return c == static_cast<uint32_t>(cc);
}
static_assert(SameOp(FC_OP_READ, faultcore::Op::kRead) &&
              SameOp(FC_OP_WRITE, faultcore::Op::kWrite) &&
              SameOp(FC_OP_FLUSH, faultcore::Op::kFlush) &&
              SameOp(FC_OP_DISCARD, faultcore::Op::kDiscard) &&
              SameOp(FC_OP_WRITE_ZEROES, faultcore::Op::kWriteZeroes));
static_assert(SameAction(FC_ACTION_PASS, faultcore::Action::kPass) &&
              SameAction(FC_ACTION_MEDIA_ERROR, faultcore::Action::kMediaError) &&
              SameAction(FC_ACTION_WRITE_FAULT, faultcore::Action::kWriteFault) &&
              SameAction(FC_ACTION_RECOVERED, faultcore::Action::kRecovered) &&
              SameAction(FC_ACTION_DELAY, faultcore::Action::kDelay) &&
              SameAction(FC_ACTION_HOLD, faultcore::Action::kHold) &&
              SameAction(FC_ACTION_CORRUPT, faultcore::Action::kCorrupt) &&
              SameAction(FC_ACTION_TORN_WRITE, faultcore::Action::kTornWrite) &&
              SameAction(FC_ACTION_LOST_WRITE, faultcore::Action::kLostWrite) &&
              SameAction(FC_ACTION_ASK, faultcore::Action::kAsk));
static_assert(FC_VERDICT_REPORT_SUCCESS == faultcore::kReportSuccess &&
              FC_VERDICT_FAIL_ON_TIMEOUT == faultcore::kFailOnTimeout);
static_assert(FC_NO_RULE == faultcore::kNoRule);
static_assert(FC_TARGET_NONE == faultcore::kNoTarget);

constexpr size_t kActionEnd = offsetof(fc_verdict, action) + sizeof(uint32_t);

// An unobserved pass: `action` only (see fc_verdict: the caller zeroes seq).
inline void ExportPass(fc_verdict* verdict) {
  if (verdict->size >= kActionEnd) verdict->action = FC_ACTION_PASS;
}

// fc_engine_check() once a rule set exists.  Out of line, so that an
// engine without rules costs a test and a return, not a stack frame.
__attribute__((noinline)) uint32_t CheckWithRules(fc_engine* engine,
                                                  uint32_t target, uint32_t op,
                                                  uint64_t offset,
                                                  uint64_t length,
                                                  fc_verdict* verdict) {
  faultcore::Verdict v;
  faultcore::Action action;
  try {
    action = engine->engine->Check(target, static_cast<faultcore::Op>(op),
                                   offset, length, &v);
  } catch (...) {
    // Only a candidate list beyond its inline capacity allocates; failing
    // that allocation lets the request through rather than crash the host.
    action = faultcore::Action::kPass;
  }
  if (verdict != nullptr) {
    if (action == faultcore::Action::kPass && v.seq == 0) {
      ExportPass(verdict);
    } else {
      ExportVerdict(v, verdict);
    }
  }
  return static_cast<uint32_t>(action);
}

}  // namespace

extern "C" {

fc_status fc_engine_create(fc_engine** engine, char** errmsg) {
  if (engine == nullptr) {
    SetError(errmsg, "no place for the engine (engine is NULL)");
    return FC_INVALID_ARGUMENT;
  }
  try {
    absl::StatusOr<std::unique_ptr<Engine>> created = Engine::Create();
    if (!created.ok()) return ToStatus(created.status(), errmsg);
    *engine = new fc_engine{std::move(*created)};
    return FC_OK;
  } catch (const std::bad_alloc&) {
    SetError(errmsg, "out of memory");
    return FC_RESOURCE_EXHAUSTED;
  } catch (...) {
    SetError(errmsg, "internal error creating an engine");
    return FC_INTERNAL;
  }
}

void fc_engine_destroy(fc_engine* engine) {
  try {
    delete engine;
  } catch (...) {
  }
}

fc_status fc_engine_load_file(fc_engine* engine, const char* path,
                              fc_format format, char** errmsg) {
  if (path == nullptr) {
    SetError(errmsg, "no rule file given");
    return FC_INVALID_ARGUMENT;
  }
  try {
    return ToStatus(engine->engine->LoadFile(path, ToFormat(format)), errmsg);
  } catch (const std::bad_alloc&) {
    SetError(errmsg, std::string(path) + ": out of memory loading rules");
    return FC_RESOURCE_EXHAUSTED;
  } catch (...) {
    SetError(errmsg, std::string(path) + ": internal error loading rules");
    return FC_INTERNAL;
  }
}

fc_status fc_engine_load_buffer(fc_engine* engine, const void* data, size_t len,
                                fc_format format, const char* name,
                                char** errmsg) {
  if (data == nullptr && len != 0) {
    SetError(errmsg, "no rule data given");
    return FC_INVALID_ARGUMENT;
  }
  const char* source = name != nullptr ? name : "<buffer>";
  try {
    return ToStatus(engine->engine->LoadBuffer(
                        absl::string_view(static_cast<const char*>(data), len),
                        ToFormat(format), source),
                    errmsg);
  } catch (const std::bad_alloc&) {
    SetError(errmsg, std::string(source) + ": out of memory loading rules");
    return FC_RESOURCE_EXHAUSTED;
  } catch (...) {
    SetError(errmsg, std::string(source) + ": internal error loading rules");
    return FC_INTERNAL;
  }
}

fc_status fc_engine_target_id(fc_engine* engine, const char* name,
                              uint32_t* id) {
  if (name == nullptr || id == nullptr) return FC_INVALID_ARGUMENT;
  try {
    *id = engine->engine->TargetId(name);
    return FC_OK;
  } catch (...) {
    return FC_RESOURCE_EXHAUSTED;
  }
}

uint32_t fc_engine_check(fc_engine* engine, uint32_t target, uint32_t op,
                         uint64_t offset, uint64_t length,
                         fc_verdict* verdict) {
  if (op < FC_OP_READ || op > FC_OP_WRITE_ZEROES ||
      !engine->engine->HasRules()) {
    if (verdict != nullptr) ExportPass(verdict);
    return FC_ACTION_PASS;
  }
  return CheckWithRules(engine, target, op, offset, length, verdict);
}

void fc_corrupt_buffer(const fc_verdict* verdict, uint64_t buf_offset,
                       void* buf, size_t len) {
  if (verdict == nullptr || buf == nullptr) return;
  faultcore::CorruptBuffer(ImportVerdict(verdict), buf_offset, buf, len);
}

fc_status fc_engine_raise_event(fc_engine* engine, const char* event) {
  return fc_engine_raise_event_ex(engine, event, nullptr);
}

fc_status fc_engine_raise_event_ex(fc_engine* engine, const char* event,
                                   char** errmsg) {
  if (event == nullptr) {
    SetError(errmsg, "no event given");
    return FC_INVALID_ARGUMENT;
  }
  try {
    return ToStatus(engine->engine->RaiseEvent(event), errmsg);
  } catch (...) {
    SetError(errmsg, "internal error raising an event");
    return FC_INTERNAL;
  }
}

fc_status fc_engine_state(fc_engine* engine, char** state) {
  if (state == nullptr) return FC_INVALID_ARGUMENT;
  try {
    *state = CopyString(engine->engine->CurrentState());
    return *state != nullptr ? FC_OK : FC_RESOURCE_EXHAUSTED;
  } catch (...) {
    return FC_RESOURCE_EXHAUSTED;
  }
}

void fc_engine_reset(fc_engine* engine) {
  try {
    engine->engine->Reset();
  } catch (...) {
  }
}

fc_status fc_engine_hold(fc_engine* engine, uint32_t target,
                         const fc_verdict* verdict, fc_release_fn release,
                         void* opaque, uint64_t* ticket) {
  if (verdict == nullptr || ticket == nullptr) return FC_INVALID_ARGUMENT;
  try {
    *ticket =
        engine->engine->Hold(target, ImportVerdict(verdict), release, opaque);
    return FC_OK;
  } catch (...) {
    return FC_RESOURCE_EXHAUSTED;
  }
}

fc_status fc_engine_hold_cancel(fc_engine* engine, uint64_t ticket) {
  try {
    return engine->engine->CancelHold(ticket) ? FC_OK : FC_NOT_FOUND;
  } catch (...) {
    return FC_INTERNAL;
  }
}

fc_status fc_engine_release(fc_engine* engine, uint32_t target,
                            const char* rule, size_t* released) {
  try {
    std::optional<uint32_t> t;
    if (target != FC_TARGET_NONE) t = target;
    std::optional<absl::string_view> r;
    if (rule != nullptr) r = rule;
    size_t n = engine->engine->Release(t, r);
    if (released != nullptr) *released = n;
    return FC_OK;
  } catch (...) {
    return FC_INTERNAL;
  }
}

fc_status fc_engine_ask(fc_engine* engine, uint32_t target, uint32_t op,
                        uint64_t offset, uint64_t length,
                        const fc_verdict* verdict, fc_release_fn release,
                        void* opaque, uint64_t* ticket) {
  if (verdict == nullptr || ticket == nullptr || !ValidOp(op)) {
    return FC_INVALID_ARGUMENT;
  }
  try {
    *ticket = engine->engine->Ask(target, static_cast<faultcore::Op>(op),
                                  offset, length, ImportVerdict(verdict),
                                  release, opaque);
    return FC_OK;
  } catch (...) {
    return FC_RESOURCE_EXHAUSTED;
  }
}

fc_status fc_engine_resolve(fc_engine* engine, uint64_t ticket,
                            const fc_decision* decision, char** errmsg) {
  if (decision == nullptr) {
    SetError(errmsg, "no decision given");
    return FC_INVALID_ARGUMENT;
  }
  fc_decision full;
  std::memset(&full, 0, sizeof(full));
  std::memcpy(&full, decision,
              decision->size < sizeof(full) ? decision->size : sizeof(full));
  faultcore::Decision d;
  d.action = static_cast<faultcore::Action>(full.action);
  d.set = full.set;
  d.codes.errno_value = full.errno_value;
  d.codes.scsi_sense_key = full.scsi_sense_key;
  d.codes.scsi_asc = full.scsi_asc;
  d.codes.scsi_ascq = full.scsi_ascq;
  d.codes.nvme_sct = full.nvme_sct;
  d.codes.nvme_sc = full.nvme_sc;
  d.codes.nvme_dnr = full.nvme_dnr != 0;
  d.codes.ata_status = full.ata_status;
  d.codes.ata_error = full.ata_error;
  try {
    return ToStatus(engine->engine->Resolve(ticket, d), errmsg);
  } catch (...) {
    SetError(errmsg, "internal error deciding a request");
    return FC_INTERNAL;
  }
}

fc_status fc_engine_take_decision(fc_engine* engine, uint64_t ticket,
                                  fc_verdict* verdict) {
  if (verdict == nullptr) return FC_INVALID_ARGUMENT;
  try {
    std::optional<faultcore::Verdict> v = engine->engine->TakeDecision(ticket);
    if (!v) return FC_NOT_FOUND;
    ExportVerdict(*v, verdict);
    return FC_OK;
  } catch (...) {
    return FC_INTERNAL;
  }
}

fc_status fc_engine_trace_start(fc_engine* engine, uint64_t capacity,
                                uint32_t flags, char** errmsg) {
  if ((flags & ~FC_TRACE_INJECTED_ONLY) != 0) {
    SetError(errmsg, "unknown trace flags");
    return FC_INVALID_ARGUMENT;
  }
  try {
    return ToStatus(engine->engine->StartTrace(
                        capacity, (flags & FC_TRACE_INJECTED_ONLY) != 0),
                    errmsg);
  } catch (const std::bad_alloc&) {
    SetError(errmsg, "out of memory for a trace of " +
                         std::to_string(capacity) + " records");
    return FC_RESOURCE_EXHAUSTED;
  } catch (...) {
    SetError(errmsg, "internal error starting a trace");
    return FC_INTERNAL;
  }
}

void fc_engine_trace_stop(fc_engine* engine) {
  try {
    engine->engine->StopTrace();
  } catch (...) {
  }
}

fc_status fc_engine_trace_dump(fc_engine* engine, const char* path,
                               char** errmsg) {
  if (path == nullptr || *path == '\0') {
    SetError(errmsg, "no file to dump the trace to");
    return FC_INVALID_ARGUMENT;
  }
  try {
    return ToStatus(engine->engine->DumpTrace(path), errmsg);
  } catch (const std::bad_alloc&) {
    SetError(errmsg, "out of memory dumping the trace");
    return FC_RESOURCE_EXHAUSTED;
  } catch (...) {
    SetError(errmsg, "internal error dumping the trace");
    return FC_INTERNAL;
  }
}

void fc_engine_complete(fc_engine* engine, uint32_t target, uint32_t op,
                        const fc_verdict* verdict, int32_t result,
                        uint64_t latency_ns) {
  if (verdict == nullptr || !ValidOp(op)) return;
  if (verdict->size < offsetof(fc_verdict, seq) + sizeof(uint64_t) ||
      verdict->seq == 0) {
    return;
  }
  try {
    engine->engine->Complete(target, static_cast<faultcore::Op>(op),
                             ImportVerdict(verdict), result, latency_ns);
  } catch (...) {
  }
}

fc_status fc_engine_stats_start(fc_engine* engine, uint64_t heat_bucket_bytes,
                                char** errmsg) {
  try {
    return ToStatus(engine->engine->StartStats(heat_bucket_bytes), errmsg);
  } catch (...) {
    SetError(errmsg, "internal error starting statistics");
    return FC_INTERNAL;
  }
}

void fc_engine_stats_stop(fc_engine* engine) {
  try {
    engine->engine->StopStats();
  } catch (...) {
  }
}

fc_status fc_engine_op_stats(fc_engine* engine, uint32_t target, uint32_t op,
                             fc_op_stats* stats, fc_heat_cell* cells,
                             size_t capacity) {
  if (stats == nullptr || !ValidOp(op) || (cells == nullptr && capacity)) {
    return FC_INVALID_ARGUMENT;
  }
  try {
    absl::StatusOr<faultcore::OpStats> s =
        engine->engine->OpStatistics(target, static_cast<faultcore::Op>(op));
    if (!s.ok()) return ToStatus(s.status(), nullptr);
    fc_op_stats full;
    std::memset(&full, 0, sizeof(full));
    full.requests = s->requests;
    full.bytes = s->bytes;
    full.completed = s->completed;
    full.failed = s->failed;
    std::copy(s->injected.begin(), s->injected.end(), full.injected);
    std::copy(s->size_histogram.begin(), s->size_histogram.end(),
              full.size_histogram);
    std::copy(s->latency_histogram.begin(), s->latency_histogram.end(),
              full.latency_histogram);
    full.latency_max_ns = s->latency_max_ns;
    full.latency_total_ns = s->latency_total_ns;
    full.heat_bucket_bytes = s->heat_bucket_bytes;
    full.heat_cells = s->heat.size();
    full.heat_dropped = s->heat_dropped;
    ExportSized(full, stats);
    for (size_t i = 0; i < capacity && i < s->heat.size(); ++i) {
      cells[i] = fc_heat_cell{s->heat[i].bucket, s->heat[i].requests,
                              s->heat[i].bytes, s->heat[i].injected};
    }
    return FC_OK;
  } catch (...) {
    return FC_INTERNAL;
  }
}

uint32_t fc_engine_rule_count(fc_engine* engine) {
  try {
    return engine->engine->RuleCount();
  } catch (...) {
    return 0;
  }
}

fc_status fc_engine_rule_name(fc_engine* engine, uint32_t rule_id,
                              char** name) {
  if (name == nullptr) return FC_INVALID_ARGUMENT;
  try {
    absl::StatusOr<std::string> n = engine->engine->RuleName(rule_id);
    if (!n.ok()) return ToStatus(n.status(), nullptr);
    *name = CopyString(*n);
    return *name != nullptr ? FC_OK : FC_RESOURCE_EXHAUSTED;
  } catch (...) {
    return FC_RESOURCE_EXHAUSTED;
  }
}

fc_status fc_engine_rule_stats(fc_engine* engine, uint32_t rule_id,
                               uint32_t target, fc_rule_stats* stats) {
  if (stats == nullptr) return FC_INVALID_ARGUMENT;
  try {
    absl::StatusOr<faultcore::RuleStats> s =
        engine->engine->Stats(rule_id, target);
    if (!s.ok()) return ToStatus(s.status(), nullptr);
    fc_rule_stats full;
    std::memset(&full, 0, sizeof(full));
    full.matches = s->matches;
    full.fires = s->fires;
    full.healed_bytes = s->healed_bytes;
    full.held = s->held;
    size_t n = stats->size < sizeof(full) ? stats->size : sizeof(full);
    if (n > sizeof(uint32_t)) {
      std::memcpy(reinterpret_cast<char*>(stats) + sizeof(uint32_t),
                  reinterpret_cast<const char*>(&full) + sizeof(uint32_t),
                  n - sizeof(uint32_t));
    }
    return FC_OK;
  } catch (...) {
    return FC_INTERNAL;
  }
}

uint32_t fc_abi_version(void) {
  return (uint32_t{FC_ABI_VERSION_MAJOR} << 16) | FC_ABI_VERSION_MINOR;
}

const char* fc_library_version(void) { return faultcore::kLibraryVersion; }

void fc_free(void* ptr) { std::free(ptr); }

const fc_api* faultcore_get_api(void) {
  // Designated, in declaration order (the compiler checks both): a field
  // added to fc_api and not filled here stays NULL, never shifted.
  static const fc_api kApi = {
      .size = sizeof(fc_api),
      .abi_major = FC_ABI_VERSION_MAJOR,
      .abi_minor = FC_ABI_VERSION_MINOR,
      .reserved = 0,
      .library_version = fc_library_version,
      .engine_create = fc_engine_create,
      .engine_destroy = fc_engine_destroy,
      .engine_load_file = fc_engine_load_file,
      .engine_load_buffer = fc_engine_load_buffer,
      .engine_target_id = fc_engine_target_id,
      .engine_check = fc_engine_check,
      .corrupt_buffer = fc_corrupt_buffer,
      .engine_raise_event = fc_engine_raise_event,
      .engine_state = fc_engine_state,
      .engine_reset = fc_engine_reset,
      .engine_hold = fc_engine_hold,
      .engine_hold_cancel = fc_engine_hold_cancel,
      .engine_release = fc_engine_release,
      .engine_rule_count = fc_engine_rule_count,
      .engine_rule_name = fc_engine_rule_name,
      .engine_rule_stats = fc_engine_rule_stats,
      .free = fc_free,
      .engine_ask = fc_engine_ask,
      .engine_resolve = fc_engine_resolve,
      .engine_take_decision = fc_engine_take_decision,
      .engine_trace_start = fc_engine_trace_start,
      .engine_trace_stop = fc_engine_trace_stop,
      .engine_trace_dump = fc_engine_trace_dump,
      .engine_complete = fc_engine_complete,
      .engine_stats_start = fc_engine_stats_start,
      .engine_stats_stop = fc_engine_stats_stop,
      .engine_op_stats = fc_engine_op_stats,
      .engine_raise_event_ex = fc_engine_raise_event_ex,
  };
  return &kApi;
}

}  // extern "C"
