// The loader's steps, shared by LoadRuleSet*() (rule_loader.cc) and
// LoadRuleFile*() (rule_file.cc).

#ifndef FAULTCORE_PROTO_INTERNAL_LOAD_H_
#define FAULTCORE_PROTO_INTERNAL_LOAD_H_

#include <sys/stat.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/text_format.h"
#include "proto/diagnostic.h"
#include "proto/faultcore.pb.h"
#include "proto/internal/source_text.h"
#include "proto/rule_loader.h"

namespace faultcore {
namespace internal {

// A parsed rule set and, for text input, where its fields were written.
struct ParsedRuleSet {
  v1::RuleSet set;
  RuleFormat format = RuleFormat::kText;  // as read: kText or kBinary
  // Text input only: the text (without a byte order mark) and the locations
  // of the fields in it.  `text` views the data given to ParseAndValidate.
  std::unique_ptr<SourceText> text;
  std::unique_ptr<google::protobuf::TextFormat::ParseInfoTree> tree;
};

// Parses and validates `data` as LoadRuleSet() documents.  `*out` (cleared
// first) receives the errors, then the warnings.  `data` must outlive
// `parsed`.  Returns OK when there are no errors.
absl::Status ParseAndValidate(absl::string_view data, RuleFormat format,
                              absl::string_view source_name,
                              std::vector<Diagnostic>* out,
                              ParsedRuleSet* parsed);

// Reads the file at `path` into `*data`, within kMaxRuleFileBytes, as
// LoadRuleSetFile() documents.  Clears `*diagnostics` (may be null) first; on
// failure appends the error to it and returns the status LoadRuleSetFile()
// returns.
absl::Status ReadRuleFile(const std::string& path, std::string* data,
                          std::vector<Diagnostic>* diagnostics);

// How ReadRuleFile() refuses a file rewritten while it was read: OK when the
// regular file open as `fd`, which `before` (its fstat) described before
// `data` was read from it, has the same size and modification time now and
// reads back as exactly `data`; otherwise UNAVAILABLE, "changed while it was
// read; ...".  A file held half-written during both reads cannot be told
// from one written that way: writers should rename a new file into place.
absl::Status CheckRuleFileUnchanged(int fd, const struct stat& before,
                                    const std::string& data);

}  // namespace internal
}  // namespace faultcore

#endif  // FAULTCORE_PROTO_INTERNAL_LOAD_H_
