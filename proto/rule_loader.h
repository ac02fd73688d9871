// Loading and validating faultcore rule files.
//
// A rule file is a `faultcore.v1.RuleSet` (proto/faultcore.proto) in protobuf
// text format (written by people) or binary format (written by tools).  Both
// go through the same semantic validation (rule_validator.h), so a set that
// loads is one the engine can compile as is; a set that does not load
// changes nothing.
//
// Problems are reported as `Diagnostic`s (diagnostic.h) that name the file,
// the line and column (text input), and the field
// (`rules[3] ("bad-sector").range.count`), so that a person can fix every
// problem of a file in one pass: validation collects all errors instead of
// stopping at the first.
//
// Thread-safety: every function here is thread-compatible and keeps no state
// between calls; concurrent calls on different inputs are safe.  Nothing is
// logged and nothing is printed: all problems come back to the caller.

#ifndef FAULTCORE_PROTO_RULE_LOADER_H_
#define FAULTCORE_PROTO_RULE_LOADER_H_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/text_format.h"
#include "proto/diagnostic.h"
#include "proto/faultcore.pb.h"
#include "proto/rule_validator.h"

namespace faultcore {

// How the bytes of a rule file are encoded.
enum class RuleFormat {
  // By the source name's extension (.txtpb .textproto .pbtxt .fc: text;
  // .binpb .pb: binary, case-insensitive), otherwise by content: valid UTF-8
  // without NUL bytes is text, anything else binary.
  kAuto,
  // Protobuf text format.
  kText,
  // Protobuf binary wire format.
  kBinary,
};

// Largest rule file or buffer that the loader accepts: 256 MiB.
inline constexpr size_t kMaxRuleFileBytes = size_t{256} << 20;

// Parses `data` as a RuleSet in `format` and validates it (ValidateRuleSet).
// `source_name` names the input in diagnostics and, for kAuto, chooses the
// format by its extension.
//
// Returns the rule set when it has no errors (it may have warnings).
// Otherwise returns InvalidArgument, or ResourceExhausted when `data` is
// larger than kMaxRuleFileBytes, with every error diagnostic's ToString()
// joined by '\n' as the message.
//
// If `diagnostics` is not null it is cleared and then receives every error
// (in input order) followed by every warning.
//
// Never crashes, aborts or prints on any input.
absl::StatusOr<v1::RuleSet> LoadRuleSet(
    absl::string_view data, RuleFormat format, absl::string_view source_name,
    std::vector<Diagnostic>* diagnostics = nullptr);

// Reads the file at `path` and loads it like LoadRuleSet, with `path` as the
// source name.  A file larger than kMaxRuleFileBytes is refused with
// ResourceExhausted before it is read (and reading stops at the limit for
// files whose size stat cannot tell, such as pipes), so memory stays bounded
// by the limit.  A missing file gives NotFound and other I/O failures the
// status code of their errno; the message names the path.  A file that
// changes while it is read (another size or modification time afterwards,
// or other bytes when read again) gives Unavailable: it never loads as a
// mix of two versions.  Replace a rule file by renaming a new one over it.
absl::StatusOr<v1::RuleSet> LoadRuleSetFile(
    const std::string& path, RuleFormat format,
    std::vector<Diagnostic>* diagnostics = nullptr);

// A rule file that loaded, together with what locates its fields in the
// text: for tools (faultcore lint) that report findings of their own, placed
// and worded like the loader's diagnostics.
//
// Owns its data.  Thread-compatible: Locate() caches locations, so calls on
// one RuleFile must not run concurrently.
class RuleFile {
 public:
  // One step of a path from the RuleSet to a field: the field's name and,
  // for a repeated field, the index of a value (-1: the field as a whole).
  struct Step {
    absl::string_view field;
    int index = -1;
  };

  ~RuleFile();
  RuleFile(const RuleFile&) = delete;
  RuleFile& operator=(const RuleFile&) = delete;

  const v1::RuleSet& rules() const;
  const std::string& source_name() const;
  // kText or kBinary: how the file was read.
  RuleFormat format() const;
  // Text input: the text that was parsed (without a byte order mark).
  // Empty for binary input.
  absl::string_view text() const;

  // A diagnostic at the field reached by `path`, e.g. {{"rules", 3},
  // {"range"}} gives `FILE:LINE:COL: warning: rules[3] ("name").range: ...`
  // (an absent field is located where its message is; binary input has no
  // lines).  A name that is not a field of the message reached ends the path.
  Diagnostic Locate(Diagnostic::Severity severity,
                    const std::vector<Step>& path, std::string message) const;

 private:
  struct Impl;
  friend class RuleFileLoader;
  explicit RuleFile(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// LoadRuleSetFile() and LoadRuleSet(), keeping the locations: the same
// checks, diagnostics and status codes.
absl::StatusOr<std::unique_ptr<RuleFile>> LoadRuleFile(
    const std::string& path, RuleFormat format,
    std::vector<Diagnostic>* diagnostics = nullptr);
absl::StatusOr<std::unique_ptr<RuleFile>> LoadRuleFileFromBuffer(
    std::string data, RuleFormat format, absl::string_view source_name,
    std::vector<Diagnostic>* diagnostics = nullptr);

}  // namespace faultcore

#endif  // FAULTCORE_PROTO_RULE_LOADER_H_
