// Diagnostic: one located problem in a rule file, as the loader, the
// validator and the tools built on them (faultcore lint) report it.
//
// A plain value type; thread-compatible.

#ifndef FAULTCORE_PROTO_DIAGNOSTIC_H_
#define FAULTCORE_PROTO_DIAGNOSTIC_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace faultcore {

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

// A diagnostic about the file as a whole: no line, no path.
Diagnostic FileDiagnostic(
    absl::string_view file, std::string message,
    Diagnostic::Severity severity = Diagnostic::Severity::kError);

}  // namespace faultcore

#endif  // FAULTCORE_PROTO_DIAGNOSTIC_H_
