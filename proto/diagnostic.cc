#include "proto/diagnostic.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace faultcore {

std::string Diagnostic::ToString() const {
  std::string out = file;
  if (line > 0) {
    absl::StrAppend(&out, out.empty() ? "" : ":", line);
    if (column > 0) absl::StrAppend(&out, ":", column);
  }
  if (!out.empty()) out += ": ";
  out += severity == Severity::kError ? "error: " : "warning: ";
  if (!path.empty()) absl::StrAppend(&out, path, ": ");
  out += message;
  return out;
}

Diagnostic FileDiagnostic(absl::string_view file, std::string message,
                          Diagnostic::Severity severity) {
  Diagnostic diagnostic;
  diagnostic.severity = severity;
  diagnostic.file = std::string(file);
  diagnostic.message = std::move(message);
  return diagnostic;
}

}  // namespace faultcore
