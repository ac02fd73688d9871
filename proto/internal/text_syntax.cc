#include "proto/internal/text_syntax.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "proto/internal/limits.h"
#include "proto/internal/strings.h"
#include "proto/internal/tokens.h"

namespace faultcore {
namespace internal {
namespace {

namespace pb = ::google::protobuf;
using ParseInfoTree = pb::TextFormat::ParseInfoTree;

// Schema facts used to explain syntax errors.

// Every field of faultcore.proto by name.  Built once, immutable after.
class Schema {
 public:
  static const Schema& Get() {
    static const Schema* const schema = new Schema();
    return *schema;
  }

  // The fields called `name` in any faultcore message.
  const std::vector<const pb::FieldDescriptor*>& FieldsNamed(
      absl::string_view name) const {
    static const std::vector<const pb::FieldDescriptor*>* const kNone =
        new std::vector<const pb::FieldDescriptor*>();
    const auto it = fields_.find(std::string(name));
    return it == fields_.end() ? *kNone : it->second;
  }

  // "uint64", "uint32", "bool", ... for the fields called `name`, if they all
  // have the same type; empty otherwise.
  std::string TypeOf(absl::string_view name) const {
    std::string type;
    for (const pb::FieldDescriptor* field : FieldsNamed(name)) {
      std::string this_type = field->type() == pb::FieldDescriptor::TYPE_ENUM
                                  ? field->enum_type()->name()
                                  : field->type_name();
      if (!type.empty() && type != this_type) return "";
      type = this_type;
    }
    return type;
  }

 private:
  Schema() {
    const pb::FileDescriptor* file = v1::RuleSet::descriptor()->file();
    for (int i = 0; i < file->message_type_count(); ++i) {
      const pb::Descriptor* message = file->message_type(i);
      for (int j = 0; j < message->field_count(); ++j) {
        fields_[message->field(j)->name()].push_back(message->field(j));
      }
    }
  }

  std::map<std::string, std::vector<const pb::FieldDescriptor*>> fields_;
};

// The text between the first two double quotes of `message` at or after
// `from`; empty if there are none.
std::string QuotedWord(absl::string_view message, size_t* from) {
  const size_t open = message.find('"', *from);
  if (open == absl::string_view::npos) return "";
  const size_t close = message.find('"', open + 1);
  if (close == absl::string_view::npos) return "";
  *from = close + 1;
  return std::string(message.substr(open + 1, close - open - 1));
}

// The name of the field whose value starts at `offset` (`name: value`), or
// empty.
std::string FieldNameBefore(absl::string_view text, size_t offset) {
  size_t end = std::min(offset, text.size());
  while (end > 0 &&
         absl::ascii_isspace(static_cast<unsigned char>(text[end - 1]))) {
    --end;
  }
  if (end == 0 || text[end - 1] != ':') return "";
  --end;
  while (end > 0 &&
         absl::ascii_isspace(static_cast<unsigned char>(text[end - 1]))) {
    --end;
  }
  size_t begin = end;
  while (begin > 0 &&
         (absl::ascii_isalnum(static_cast<unsigned char>(text[begin - 1])) ||
          text[begin - 1] == '_')) {
    --begin;
  }
  return std::string(text.substr(begin, end - begin));
}

// The number-like token at `offset` ("-5", "-0x10", "1e3").
std::string NumberAt(absl::string_view text, size_t offset) {
  size_t end = offset;
  if (end < text.size() && (text[end] == '-' || text[end] == '+')) ++end;
  while (end < text.size() && end - offset < 40 &&
         (absl::ascii_isalnum(static_cast<unsigned char>(text[end])) ||
          text[end] == '.' || text[end] == '_' ||
          ((text[end] == '-' || text[end] == '+') &&
           (text[end - 1] == 'e' || text[end - 1] == 'E')))) {
    ++end;
  }
  return std::string(text.substr(offset, end - offset));
}

// Protobuf's message in this file's style: lower case first letter, no final
// period.
std::string Restyle(absl::string_view message) {
  std::string out(message);
  if (!out.empty() && out.back() == '.') out.pop_back();
  if (out.size() > 1 &&
      absl::ascii_isupper(static_cast<unsigned char>(out[0])) &&
      absl::ascii_islower(static_cast<unsigned char>(out[1]))) {
    out[0] = absl::ascii_tolower(static_cast<unsigned char>(out[0]));
  }
  return out;
}

// Where the innermost bracket still open at the end of `text` was opened, as
// a 0-based (line, column) pair; line -1 if every bracket is closed.
std::pair<int, int> UnclosedBracket(const SourceText& text,
                                    std::string* bracket) {
  pb::io::ArrayInputStream input(text.text().data(),
                                 static_cast<int>(text.text().size()));
  CollectingErrorCollector ignored;
  pb::io::Tokenizer tokenizer(&input, &ignored);
  ConfigureTextTokenizer(&tokenizer);
  std::vector<pb::io::Tokenizer::Token> open;
  while (tokenizer.Next()) {
    const pb::io::Tokenizer::Token& token = tokenizer.current();
    if (token.text == "{" || token.text == "<" || token.text == "[") {
      open.push_back(token);
    } else if ((token.text == "}" || token.text == ">" || token.text == "]") &&
               !open.empty()) {
      open.pop_back();
    }
  }
  if (open.empty()) return {-1, -1};
  *bracket = open.back().text;
  return {open.back().line, open.back().column};
}

// If `name` ends just before `*offset` (spaces and a colon between allowed),
// moves `*offset` to its first byte.  Protobuf reports unknown names at the
// token after them; people look for the name.
void MoveToNameBefore(absl::string_view text, absl::string_view name,
                      size_t* offset) {
  size_t end = std::min(*offset, text.size());
  while (end > 0 &&
         absl::ascii_isspace(static_cast<unsigned char>(text[end - 1]))) {
    --end;
  }
  if (end > 0 && text[end - 1] == ':') {
    --end;
    while (end > 0 &&
           absl::ascii_isspace(static_cast<unsigned char>(text[end - 1]))) {
      --end;
    }
  }
  if (!name.empty() && end >= name.size() &&
      text.substr(end - name.size(), name.size()) == name) {
    *offset = end - name.size();
  }
}

// Rewrites a syntax error of protobuf's text parser into a message that says
// what is wrong in the user's terms, using the text around the error.
// `*offset` is the byte offset protobuf reported; it may be moved to where a
// person would look.
std::string ExplainSyntaxError(const CollectingErrorCollector::Entry& error,
                               const SourceText& text, size_t* error_offset) {
  const std::string& raw = error.message;
  const size_t offset = *error_offset;

  // Truncated input: the parser expected something and found the end.
  if (absl::EndsWith(raw, "got: ") || absl::EndsWith(raw, "found \"\".")) {
    std::string bracket;
    const std::pair<int, int> open = UnclosedBracket(text, &bracket);
    if (open.first >= 0) {
      const Location where = text.ToLocation(open.first, open.second);
      return absl::StrFormat(
          "unexpected end of input: \"%s\" at line %d, column %d is not closed",
          bracket, where.line, where.column);
    }
    const size_t comma = raw.find(", ");
    return absl::StrCat("unexpected end of input (",
                        Restyle(raw.substr(0, comma)), ")");
  }

  // A value the field's type cannot hold.
  const bool negative = absl::StartsWith(raw, "Expected integer") &&
                        absl::EndsWith(raw, "got: -");
  if (negative || absl::StartsWith(raw, "Integer out of range (")) {
    const std::string field = FieldNameBefore(text.text(), offset);
    const std::string value = NumberAt(text.text(), offset);
    const std::string type = field.empty() ? "" : Schema::Get().TypeOf(field);
    std::string range;
    if (type == "uint64") {
      range = "0..18446744073709551615";
    } else if (type == "uint32") {
      range = "0..4294967295";
    } else if (type == "bool") {
      range = "true, false, 1 or 0";
    }
    if (field.empty()) {
      return negative ? absl::StrFormat(
                            "negative value %s for an unsigned field", value)
                      : absl::StrFormat("value %s is out of range", value);
    }
    if (range.empty()) {
      return absl::StrFormat("value %s is out of range for \"%s\"", value,
                             field);
    }
    return absl::StrFormat("value %s is out of range for \"%s\" (%s: %s)",
                           value, field, type, range);
  }

  // Message type "faultcore.v1.Rule" has no field named "once".
  if (absl::StartsWith(raw, "Message type \"") &&
      absl::StrContains(raw, "\" has no field named \"")) {
    size_t from = 0;
    const std::string type_name = QuotedWord(raw, &from);
    const std::string field_name = QuotedWord(raw, &from);
    MoveToNameBefore(text.text(), field_name, error_offset);
    const pb::Descriptor* type =
        v1::RuleSet::descriptor()->file()->pool()->FindMessageTypeByName(
            type_name);
    std::string out =
        absl::StrFormat("unknown field %s in %s", Quote(field_name), type_name);
    if (type == nullptr) return out;
    // The field of another message, one level down: `once` in Rule.
    for (int i = 0; i < type->field_count(); ++i) {
      const pb::Descriptor* nested = type->field(i)->message_type();
      if (nested != nullptr && nested->FindFieldByName(field_name) != nullptr) {
        return absl::StrFormat("%s; did you mean %s { %s: ... }?", out,
                               type->field(i)->name(), field_name);
      }
    }
    std::vector<std::string> names;
    for (int i = 0; i < type->field_count(); ++i) {
      names.push_back(type->field(i)->name());
    }
    const std::string closest = ClosestName(field_name, names);
    if (!closest.empty()) {
      return absl::StrFormat("%s; did you mean \"%s\"?", out, closest);
    }
    return absl::StrFormat("%s (its fields: %s)", out,
                           absl::StrJoin(names, ", "));
  }

  // Unknown enumeration value of "REED" for field "ops".
  if (absl::StartsWith(raw, "Unknown enumeration value of \"")) {
    size_t from = 0;
    const std::string value = QuotedWord(raw, &from);
    const std::string field = QuotedWord(raw, &from);
    MoveToNameBefore(text.text(), value, error_offset);
    std::string out =
        absl::StrFormat("unknown value %s for \"%s\"", Quote(value), field);
    const std::vector<const pb::FieldDescriptor*>& fields =
        Schema::Get().FieldsNamed(field);
    if (fields.empty() || fields.front()->enum_type() == nullptr) return out;
    const pb::EnumDescriptor* type = fields.front()->enum_type();
    std::vector<std::string> names;
    for (int i = 0; i < type->value_count(); ++i) {
      if (!absl::EndsWith(type->value(i)->name(), "_UNSPECIFIED")) {
        names.push_back(type->value(i)->name());
      }
    }
    const std::string closest = ClosestName(value, names);
    if (!closest.empty()) {
      return absl::StrFormat("%s; did you mean %s?", out, closest);
    }
    return absl::StrFormat("%s (values: %s)", out, absl::StrJoin(names, ", "));
  }

  // Field "write_fault" is specified along with field "media_error", another
  // member of oneof "action".
  if (absl::StartsWith(raw, "Field \"") &&
      absl::EndsWith(raw, "another member of oneof \"action\".")) {
    size_t from = 0;
    const std::string second = QuotedWord(raw, &from);
    const std::string first = QuotedWord(raw, &from);
    MoveToNameBefore(text.text(), second, error_offset);
    return absl::StrFormat(
        "rule has a second action \"%s\" after \"%s\": a rule has exactly one "
        "action",
        second, first);
  }

  // Expected integer, got: 1.5
  if (absl::StartsWith(raw, "Expected ") && absl::StrContains(raw, ", got: ")) {
    const std::string field = FieldNameBefore(text.text(), offset);
    if (!field.empty()) {
      const size_t comma = raw.find(", got: ");
      return absl::StrFormat("%s for \"%s\", got: %s",
                             Restyle(raw.substr(0, comma)), field,
                             raw.substr(comma + 7));
    }
  }
  return Restyle(raw);
}

}  // namespace

bool ParseText(const SourceText& text, absl::string_view source_name,
               v1::RuleSet* set, ParseInfoTree* tree,
               std::vector<Diagnostic>* diagnostics) {
  pb::TextFormat::Parser parser;
  CollectingErrorCollector collector;
  parser.RecordErrorsTo(&collector);
  parser.WriteLocationsTo(tree);
  parser.SetRecursionLimit(kMaxNesting);
  pb::io::ArrayInputStream input(text.text().data(),
                                 static_cast<int>(text.text().size()));
  const bool parsed = parser.Parse(&input, set);
  auto add = [&](const CollectingErrorCollector::Entry& entry,
                 Diagnostic::Severity severity) {
    Diagnostic diagnostic;
    diagnostic.severity = severity;
    diagnostic.file = std::string(source_name);
    if (entry.line >= 0) {
      size_t offset = text.Offset(entry.line, entry.column);
      diagnostic.message = ExplainSyntaxError(entry, text, &offset);
      const Location location = text.LocationOf(offset);
      diagnostic.line = location.line;
      diagnostic.column = location.column;
    } else {
      size_t offset = text.text().size();
      diagnostic.message = ExplainSyntaxError(entry, text, &offset);
    }
    diagnostics->push_back(std::move(diagnostic));
  };
  for (const auto& error : collector.errors) {
    add(error, Diagnostic::Severity::kError);
  }
  if (!parsed && collector.errors.empty()) {
    diagnostics->push_back(
        FileDiagnostic(source_name, "text is not a valid RuleSet"));
  }
  if (!parsed || !collector.errors.empty()) return false;
  for (const auto& warning : collector.warnings) {
    add(warning, Diagnostic::Severity::kWarning);
  }
  return true;
}

}  // namespace internal
}  // namespace faultcore
