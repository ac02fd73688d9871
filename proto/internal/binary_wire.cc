#include "proto/internal/binary_wire.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format.h"
#include "google/protobuf/wire_format_lite.h"
#include "proto/internal/limits.h"
#include "proto/internal/strings.h"

namespace faultcore {
namespace internal {
namespace {

namespace pb = ::google::protobuf;

// Walks binary input along the schema before protobuf parses it, for what
// ParseFromArray would accept silently (unknown fields: a newer schema whose
// rules this loader would misread) or reject with a log line instead of an
// error (strings that are not UTF-8).  Judging whether the wire data is well
// formed is left to ParseFromArray.
class WireChecker {
 public:
  WireChecker(absl::string_view source_name, std::vector<Diagnostic>* errors)
      : source_name_(source_name), errors_(errors) {}

  // False if the data is not well-formed wire format.
  bool Check(absl::string_view data) {
    pb::io::CodedInputStream input(
        reinterpret_cast<const uint8_t*>(data.data()),
        static_cast<int>(data.size()));
    input.PushLimit(static_cast<int>(data.size()));
    return Walk(&input, v1::RuleSet::descriptor());
  }

 private:
  using WireFormatLite = pb::internal::WireFormatLite;

  // One step of the path to the message being walked.
  struct Step {
    const pb::FieldDescriptor* field;
    int index;  // -1 for a singular field.
  };

  bool Walk(pb::io::CodedInputStream* input, const pb::Descriptor* type) {
    if (path_.size() > static_cast<size_t>(kMaxNesting)) return false;
    // Values seen so far per repeated field number, for paths.
    std::vector<std::pair<int, int>> seen;
    while (true) {
      const uint32_t tag = input->ReadTagNoLastTag();
      if (tag == 0) return input->BytesUntilLimit() == 0;
      const int number = WireFormatLite::GetTagFieldNumber(tag);
      const WireFormatLite::WireType wire_type =
          WireFormatLite::GetTagWireType(tag);
      const pb::FieldDescriptor* field = type->FindFieldByNumber(number);
      if (field == nullptr) {
        Error(nullptr, -1,
              absl::StrFormat("unknown field number %d in %s (written with a "
                              "newer schema?)",
                              number, type->full_name()));
        if (!WireFormatLite::SkipField(input, tag)) return false;
        continue;
      }
      int index = -1;
      if (field->is_repeated()) {
        auto it = std::find_if(seen.begin(), seen.end(), [&](const auto& s) {
          return s.first == number;
        });
        if (it == seen.end()) it = seen.insert(seen.end(), {number, 0});
        index = it->second++;
      }
      const WireFormatLite::WireType expected =
          pb::internal::WireFormat::WireTypeForFieldType(field->type());
      const bool packed =
          field->is_packable() &&
          wire_type == WireFormatLite::WIRETYPE_LENGTH_DELIMITED;
      if (wire_type != expected && !packed) {
        Error(field, index,
              absl::StrFormat("wire type %d does not match the field's type %s",
                              wire_type, field->type_name()));
        if (!WireFormatLite::SkipField(input, tag)) return false;
        continue;
      }
      if (field->message_type() != nullptr) {
        uint32_t length;
        if (!input->ReadVarint32(&length) || length > Remaining(*input)) {
          return false;
        }
        const pb::io::CodedInputStream::Limit limit =
            input->PushLimit(static_cast<int>(length));
        path_.push_back({field, index});
        const bool ok = Walk(input, field->message_type());
        path_.pop_back();
        if (!ok) return false;
        input->PopLimit(limit);
      } else if (field->type() == pb::FieldDescriptor::TYPE_STRING) {
        uint32_t length;
        if (!input->ReadVarint32(&length) || length > Remaining(*input)) {
          return false;
        }
        const void* data = nullptr;
        int size = 0;
        // The whole input is one flat buffer, so the string is contiguous.
        if (length > 0 && (!input->GetDirectBufferPointer(&data, &size) ||
                           static_cast<uint32_t>(size) < length)) {
          return false;
        }
        if (length > 0 && !IsValidUtf8(absl::string_view(
                              static_cast<const char*>(data), length))) {
          Error(field, index, "string is not valid UTF-8");
        }
        input->Skip(static_cast<int>(length));
      } else if (!WireFormatLite::SkipField(input, tag)) {
        return false;
      }
    }
  }

  static uint32_t Remaining(const pb::io::CodedInputStream& input) {
    return static_cast<uint32_t>(std::max(input.BytesUntilLimit(), 0));
  }

  // An error at `field` (value `index`) of the message being walked, or at
  // that message itself when `field` is null.
  void Error(const pb::FieldDescriptor* field, int index, std::string message) {
    if (errors_->size() >= kMaxDiagnostics) return;
    Diagnostic diagnostic = FileDiagnostic(source_name_, std::move(message));
    std::vector<Step> steps = path_;
    if (field != nullptr) steps.push_back({field, index});
    for (const Step& step : steps) {
      if (!diagnostic.path.empty()) diagnostic.path += '.';
      diagnostic.path += step.field->name();
      if (step.index >= 0)
        absl::StrAppend(&diagnostic.path, "[", step.index, "]");
    }
    errors_->push_back(std::move(diagnostic));
  }

  const absl::string_view source_name_;
  std::vector<Diagnostic>* const errors_;
  std::vector<Step> path_;  // From the root to the message being walked.
};

}  // namespace

bool ParseBinary(absl::string_view data, absl::string_view source_name,
                 v1::RuleSet* set, std::vector<Diagnostic>* diagnostics) {
  std::vector<Diagnostic> errors;
  WireChecker checker(source_name, &errors);
  if (!checker.Check(data)) {
    diagnostics->push_back(
        FileDiagnostic(source_name,
                       "not a valid binary faultcore.v1.RuleSet (malformed "
                       "wire data)"));
    return false;
  }
  if (!errors.empty()) {
    diagnostics->insert(diagnostics->end(), errors.begin(), errors.end());
    return false;
  }
  if (!set->ParseFromArray(data.data(), static_cast<int>(data.size()))) {
    diagnostics->push_back(
        FileDiagnostic(source_name, "not a valid binary faultcore.v1.RuleSet"));
    return false;
  }
  return true;
}

}  // namespace internal
}  // namespace faultcore
