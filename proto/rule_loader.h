// Loading and validating faultcore rule files.
//
// A rule file is a `faultcore.v1.RuleSet` (proto/faultcore.proto) in protobuf
// text format (written by people) or binary format (written by tools).  Both
// go through the same semantic validation, so a set that loads is one the
// engine can compile as is; a set that does not load changes nothing.
//
// Problems are reported as `Diagnostic`s that name the file, the line and
// column (text input), and the field (`rules[3] ("bad-sector").range.count`),
// so that a person can fix every problem of a file in one pass: validation
// collects all errors instead of stopping at the first.
//
// Thread-safety: every function here is thread-compatible and keeps no state
// between calls; concurrent calls on different inputs are safe.  Nothing is
// logged and nothing is printed: all problems come back to the caller.

#ifndef FAULTCORE_PROTO_RULE_LOADER_H_
#define FAULTCORE_PROTO_RULE_LOADER_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/text_format.h"
#include "proto/faultcore.pb.h"

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

// At most this many errors, and separately this many warnings, are kept; one
// more diagnostic then says how many were left out.  (A file with a million
// broken rules must not produce a gigabyte of messages.)
inline constexpr size_t kMaxDiagnostics = 1000;

// One located problem in a rule file.  A plain value.
struct Diagnostic {
  enum class Severity { kError, kWarning };

  Severity severity = Severity::kError;
  // Source name as given to the loader (a path, or e.g. "<stdin>").
  std::string file;
  // 1-based; 0 when unknown (binary input, file-level problems).
  int line = 0;
  // 1-based, in bytes (a tab counts as one byte); 0 when unknown.
  int column = 0;
  // The offending field, e.g. `rules[3] ("bad-sector").range.count`; empty
  // for file-level problems (and for syntax errors, which have a line).
  std::string path;
  // What is wrong, in lower case without a final period.
  std::string message;

  // "FILE:LINE:COL: error: PATH: MESSAGE" ("warning" for warnings).
  // ":LINE:COL" is left out when the line is unknown, ":COL" when only the
  // column is, "PATH: " when the path is empty and "FILE" when the file name
  // is empty.
  std::string ToString() const;
};

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
// status code of their errno; the message names the path.
absl::StatusOr<v1::RuleSet> LoadRuleSetFile(
    const std::string& path, RuleFormat format,
    std::vector<Diagnostic>* diagnostics = nullptr);

// Semantic validation of an already parsed rule set: what LoadRuleSet runs
// after parsing, and what tools that build a RuleSet in memory should run
// before they hand it over.  Returns every error (in field order) followed by
// every warning; an empty result means the set is valid and clean.
//
// `locations` may be null (binary input, sets built in code).  When given, it
// is the tree filled by TextFormat::Parser::WriteLocationsTo() while parsing
// `rules`, and diagnostics get the line and column of the offending field.
// Columns then count a tab as protobuf's tokenizer does (to the next multiple
// of 8), and values written with list syntax (`ops: [READ, WRITE]`) are
// located at the list; LoadRuleSet refines both with the source text.
std::vector<Diagnostic> ValidateRuleSet(
    const v1::RuleSet& rules, absl::string_view source_name,
    const google::protobuf::TextFormat::ParseInfoTree* locations);

}  // namespace faultcore

#endif  // FAULTCORE_PROTO_RULE_LOADER_H_
