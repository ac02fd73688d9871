#include "proto/internal/tokens.h"

#include "absl/strings/ascii.h"
#include "proto/diagnostic.h"

namespace faultcore {
namespace internal {

void CollectingErrorCollector::AddError(
    int line, google::protobuf::io::ColumnNumber column,
    const std::string& message) {
  if (errors.size() < kMaxDiagnostics) {
    errors.push_back({line, column, message});
  }
}

void CollectingErrorCollector::AddWarning(
    int line, google::protobuf::io::ColumnNumber column,
    const std::string& message) {
  if (warnings.size() < kMaxDiagnostics) {
    warnings.push_back({line, column, message});
  }
}

void ConfigureTextTokenizer(google::protobuf::io::Tokenizer* tokenizer) {
  tokenizer->set_comment_style(
      google::protobuf::io::Tokenizer::SH_COMMENT_STYLE);
  tokenizer->set_allow_f_after_float(true);
  tokenizer->set_require_space_after_number(false);
  tokenizer->set_allow_multiline_strings(true);
}

size_t SkipSpaceAndComments(absl::string_view text, size_t offset) {
  while (offset < text.size()) {
    const char c = text[offset];
    if (c == '#') {
      const size_t newline = text.find('\n', offset);
      if (newline == absl::string_view::npos) return text.size();
      offset = newline + 1;
    } else if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      ++offset;
    } else {
      break;
    }
  }
  return offset;
}

}  // namespace internal
}  // namespace faultcore
