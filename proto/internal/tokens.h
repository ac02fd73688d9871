// Helpers around protobuf's text tokenizer, shared by the text parser (to
// explain syntax errors) and the locator (to find values in list syntax).

#ifndef FAULTCORE_PROTO_INTERNAL_TOKENS_H_
#define FAULTCORE_PROTO_INTERNAL_TOKENS_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/io/tokenizer.h"

namespace faultcore {
namespace internal {

// Collects the errors of the text parser and of the tokenizer, at most
// kMaxDiagnostics of each kind.  Nothing is logged when a parser has an
// error collector.
class CollectingErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  struct Entry {
    int line;    // 0-based, -1 when unknown.
    int column;  // 0-based, tab-expanded.
    std::string message;
  };

  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override;
  void AddWarning(int line, google::protobuf::io::ColumnNumber column,
                  const std::string& message) override;

  std::vector<Entry> errors;
  std::vector<Entry> warnings;
};

// Sets up `tokenizer` to read protobuf text format as TextFormat::Parser
// does ('#' comments, "1.5f", "1e3x" without a space, multi-line strings).
void ConfigureTextTokenizer(google::protobuf::io::Tokenizer* tokenizer);

// Skips spaces and '#' comments from `offset`.
size_t SkipSpaceAndComments(absl::string_view text, size_t offset);

}  // namespace internal
}  // namespace faultcore

#endif  // FAULTCORE_PROTO_INTERNAL_TOKENS_H_
