// The C ABI: translation only.  Every function is noexcept and catches
// everything, so no exception crosses the boundary; policy lives in Engine.
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "absl/status/status.h"
#include "faultcore/faultcore.h"
#include "libfaultcore/corrupt.h"
#include "libfaultcore/engine.h"

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
// caller's `size` says it has.
void ExportVerdict(const faultcore::Verdict& v, fc_verdict* out) {
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
  return v;
}

// The library's release; bump with every tagged release.
constexpr char kLibraryVersion[] = "0.1.0";

constexpr size_t kActionEnd = offsetof(fc_verdict, action) + sizeof(uint32_t);

}  // namespace

extern "C" {

fc_status fc_engine_create(fc_engine** engine, char** errmsg) {
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
  if (op < FC_OP_READ || op > FC_OP_WRITE_ZEROES) {
    if (verdict != nullptr && verdict->size >= kActionEnd) {
      verdict->action = FC_ACTION_PASS;
    }
    return FC_ACTION_PASS;
  }
  if (!engine->engine->HasRules()) {
    if (verdict != nullptr && verdict->size >= kActionEnd) {
      verdict->action = FC_ACTION_PASS;
    }
    return FC_ACTION_PASS;
  }
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
    if (action == faultcore::Action::kPass) {
      if (verdict->size >= kActionEnd) verdict->action = FC_ACTION_PASS;
    } else {
      ExportVerdict(v, verdict);
    }
  }
  return static_cast<uint32_t>(action);
}

void fc_corrupt_buffer(const fc_verdict* verdict, uint64_t buf_offset,
                       void* buf, size_t len) {
  if (verdict == nullptr || buf == nullptr) return;
  faultcore::CorruptBuffer(ImportVerdict(verdict), buf_offset, buf, len);
}

fc_status fc_engine_raise_event(fc_engine* engine, const char* event) {
  if (event == nullptr) return FC_INVALID_ARGUMENT;
  try {
    return ToStatus(engine->engine->RaiseEvent(event), nullptr);
  } catch (...) {
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

const char* fc_library_version(void) { return kLibraryVersion; }

void fc_free(void* ptr) { std::free(ptr); }

const fc_api* faultcore_get_api(void) {
  static const fc_api kApi = {
      sizeof(fc_api),        FC_ABI_VERSION_MAJOR,
      FC_ABI_VERSION_MINOR,  0,
      fc_library_version,    fc_engine_create,
      fc_engine_destroy,     fc_engine_load_file,
      fc_engine_load_buffer, fc_engine_target_id,
      fc_engine_check,       fc_corrupt_buffer,
      fc_engine_raise_event, fc_engine_state,
      fc_engine_reset,       fc_engine_hold,
      fc_engine_hold_cancel, fc_engine_release,
      fc_engine_rule_count,  fc_engine_rule_name,
      fc_engine_rule_stats,  fc_free,
  };
  return &kApi;
}

}  // extern "C"
