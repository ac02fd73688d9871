// RuleFile: a loaded rule file that can still locate its fields.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "proto/internal/field_locator.h"
#include "proto/internal/load.h"
#include "proto/rule_loader.h"

namespace faultcore {

struct RuleFile::Impl {
  std::string source_name;
  std::string data;  // What `parsed.text` views.
  internal::ParsedRuleSet parsed;
  // Built on the first Locate().
  mutable std::unique_ptr<internal::FieldLocator> locator;
};

// Builds RuleFiles (the constructor is private).
class RuleFileLoader {
 public:
  static absl::StatusOr<std::unique_ptr<RuleFile>> Load(
      std::string data, RuleFormat format, absl::string_view source_name,
      std::vector<Diagnostic>* diagnostics) {
    auto impl = std::make_unique<RuleFile::Impl>();
    impl->source_name = std::string(source_name);
    impl->data = std::move(data);
    std::vector<Diagnostic> local;
    const absl::Status status = internal::ParseAndValidate(
        impl->data, format, impl->source_name,
        diagnostics != nullptr ? diagnostics : &local, &impl->parsed);
    if (!status.ok()) return status;
    return std::unique_ptr<RuleFile>(new RuleFile(std::move(impl)));
  }
};

RuleFile::RuleFile(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RuleFile::~RuleFile() = default;

const v1::RuleSet& RuleFile::rules() const { return impl_->parsed.set; }
const std::string& RuleFile::source_name() const { return impl_->source_name; }
RuleFormat RuleFile::format() const { return impl_->parsed.format; }
absl::string_view RuleFile::text() const {
  return impl_->parsed.text == nullptr ? absl::string_view()
                                       : impl_->parsed.text->text();
}

Diagnostic RuleFile::Locate(Diagnostic::Severity severity,
                            const std::vector<Step>& path,
                            std::string message) const {
  Diagnostic diagnostic;
  diagnostic.severity = severity;
  diagnostic.file = impl_->source_name;
  diagnostic.message = std::move(message);
  std::vector<internal::FieldStep> steps;
  const google::protobuf::Descriptor* type = v1::RuleSet::descriptor();
  for (const Step& step : path) {
    if (type == nullptr) break;
    const google::protobuf::FieldDescriptor* field =
        type->FindFieldByName(std::string(step.field));
    if (field == nullptr) break;
    steps.push_back({field, field->is_repeated() ? step.index : -1});
    type = field->message_type();
  }
  if (impl_->locator == nullptr) {
    impl_->locator = std::make_unique<internal::FieldLocator>(
        impl_->parsed.set, impl_->parsed.tree.get(), impl_->parsed.text.get());
  }
  impl_->locator->Describe(steps, &diagnostic);
  return diagnostic;
}

absl::StatusOr<std::unique_ptr<RuleFile>> LoadRuleFile(
    const std::string& path, RuleFormat format,
    std::vector<Diagnostic>* diagnostics) {
  std::string data;
  const absl::Status read = internal::ReadRuleFile(path, &data, diagnostics);
  if (!read.ok()) return read;
  return RuleFileLoader::Load(std::move(data), format, path, diagnostics);
}

absl::StatusOr<std::unique_ptr<RuleFile>> LoadRuleFileFromBuffer(
    std::string data, RuleFormat format, absl::string_view source_name,
    std::vector<Diagnostic>* diagnostics) {
  return RuleFileLoader::Load(std::move(data), format, source_name,
                              diagnostics);
}

}  // namespace faultcore
