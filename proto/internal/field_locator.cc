#include "proto/internal/field_locator.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "proto/internal/strings.h"
#include "proto/internal/tokens.h"

namespace faultcore {
namespace internal {

namespace pb = ::google::protobuf;

void FieldLocator::Describe(absl::Span<const FieldStep> steps,
                            Diagnostic* diagnostic) {
  const pb::Message* message = &set_;  // Holds the field of the next step.
  const ParseInfoTree* tree = tree_;
  for (const FieldStep& step : steps) {
    const pb::FieldDescriptor* field = step.field;
    if (field == nullptr || message == nullptr) break;
    if (!diagnostic->path.empty()) diagnostic->path += '.';
    diagnostic->path += field->name();
    if (step.index >= 0)
      absl::StrAppend(&diagnostic->path, "[", step.index, "]");

    // The message this step reaches, if any.
    const pb::Reflection* reflection = message->GetReflection();
    const int size =
        field->is_repeated() ? reflection->FieldSize(*message, field) : 0;
    const pb::Message* child = nullptr;
    if (field->message_type() != nullptr) {
      if (!field->is_repeated()) {
        child = &reflection->GetMessage(*message, field);
      } else if (step.index >= 0 && step.index < size) {
        child = &reflection->GetRepeatedMessage(*message, field, step.index);
      }
    }
    if (child != nullptr && child->GetDescriptor() == v1::Rule::descriptor()) {
      const std::string& name = static_cast<const v1::Rule*>(child)->name();
      if (!name.empty())
        absl::StrAppend(&diagnostic->path, " (", Quote(name), ")");
    }

    if (tree != nullptr) {
      const Location location =
          Find(tree, field, field->is_repeated() ? step.index : -1, size);
      if (location.line > 0) {
        diagnostic->line = location.line;
        diagnostic->column = location.column;
      }
      tree = field->message_type() == nullptr ||
                     (field->is_repeated() && step.index < 0)
                 ? nullptr
                 : tree->GetTreeForNested(field, step.index);
    }
    message = child;
  }
}

Location FieldLocator::Convert(
    const pb::TextFormat::ParseLocation& location) const {
  if (location.line < 0) return {};
  if (text_ != nullptr) {
    return text_->ToLocation(location.line, location.column);
  }
  return {location.line + 1, location.column + 1};
}

Location FieldLocator::Find(const ParseInfoTree* tree,
                            const pb::FieldDescriptor* field, int index,
                            int size) {
  if (tree == nullptr) return {};
  if (!field->is_repeated()) return Convert(tree->GetLocation(field, -1));
  // The field as a whole: its first statement.
  if (index < 0) return Convert(tree->GetLocation(field, 0));
  const std::vector<Location>& values = ValueLocations(tree, field, size);
  if (values.empty()) return {};
  if (text_ == nullptr && static_cast<int>(values.size()) != size) {
    return values.front();  // Statement locations do not match values.
  }
  return static_cast<size_t>(index) < values.size() ? values[index]
                                                    : values.back();
}

// The ParseInfoTree records one location per field *statement*, so for
// `ops: [READ, WRITE]` there is one entry for two values, and later entries
// shift.  With the source text, such lists are re-tokenized to locate every
// value; without it, values of a field that used list syntax are located at
// their first statement.
const std::vector<Location>& FieldLocator::ValueLocations(
    const ParseInfoTree* tree, const pb::FieldDescriptor* field, int size) {
  auto [it, inserted] = cache_.try_emplace({tree, field});
  std::vector<Location>& values = it->second;
  if (!inserted) return values;
  for (int k = 0; static_cast<int>(values.size()) <= size; ++k) {
    const pb::TextFormat::ParseLocationRange range =
        tree->GetLocationRange(field, k);
    if (range.start.line < 0) break;
    if (text_ == nullptr || !AppendListValues(range.start, &values)) {
      values.push_back(Convert(range.start));
    }
  }
  return values;
}

bool FieldLocator::AppendListValues(const pb::TextFormat::ParseLocation& start,
                                    std::vector<Location>* values) const {
  const absl::string_view text = text_->text();
  size_t offset = text_->Offset(start.line, start.column);
  while (offset < text.size() &&
         (absl::ascii_isalnum(static_cast<unsigned char>(text[offset])) ||
          text[offset] == '_')) {
    ++offset;
  }
  offset = SkipSpaceAndComments(text, offset);
  if (offset < text.size() && text[offset] == ':') {
    offset = SkipSpaceAndComments(text, offset + 1);
  }
  if (offset >= text.size() || text[offset] != '[') return false;

  // Tokenize from the bracket to its match.  The tokenizer counts columns
  // from the bracket on the first line and from each line's start after.
  pb::io::ArrayInputStream input(text.data() + offset,
                                 static_cast<int>(text.size() - offset));
  CollectingErrorCollector ignored;
  pb::io::Tokenizer tokenizer(&input, &ignored);
  ConfigureTextTokenizer(&tokenizer);
  if (!tokenizer.Next() || tokenizer.current().text != "[") return false;
  const size_t first_line = text_->LineOf(offset);
  // On the bracket's line, columns count from the bracket: walk forward to
  // each value (the values come in order, so the walk is linear).
  size_t walked = offset;
  int64_t walked_column = 0;
  int depth = 0;
  bool expect_value = true;
  while (tokenizer.Next()) {
    const pb::io::Tokenizer::Token& token = tokenizer.current();
    if (token.type == pb::io::Tokenizer::TYPE_END) break;
    if (depth == 0) {
      if (token.text == "]") break;
      if (token.text == ",") {
        expect_value = true;
        continue;
      }
      if (expect_value) {
        if (token.line == 0) {
          while (walked_column < token.column && walked < text.size()) {
            walked_column = text[walked] == '\t'
                                ? walked_column + 8 - walked_column % 8
                                : walked_column + 1;
            ++walked;
          }
          values->push_back(text_->LocationOf(walked));
        } else {
          values->push_back(text_->ToLocation(
              static_cast<int>(first_line) + token.line, token.column));
        }
        expect_value = false;
      }
    }
    if (token.text == "{" || token.text == "<" || token.text == "[") {
      ++depth;
    } else if (token.text == "}" || token.text == ">" || token.text == "]") {
      --depth;
    }
  }
  return true;
}

}  // namespace internal
}  // namespace faultcore
