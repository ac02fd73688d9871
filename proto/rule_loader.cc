#include "proto/rule_loader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/wire_format.h"
#include "google/protobuf/wire_format_lite.h"

namespace faultcore {
namespace {

namespace pb = ::google::protobuf;
using ParseInfoTree = pb::TextFormat::ParseInfoTree;

// Limits from faultcore.proto.
constexpr uint32_t kMinBlockSize = 512;
constexpr uint32_t kMaxBlockSize = 1048576;
constexpr int kMaxStates = 64;
constexpr int kMaxRules = 16777216;
constexpr size_t kMaxStateNameLength = 64;
constexpr size_t kMaxEventNameLength = 64;
constexpr size_t kMaxRuleNameLength = 128;
constexpr size_t kMaxTargetLength = 128;
constexpr uint64_t kOneHourNs = uint64_t{3600} * 1000 * 1000 * 1000;
constexpr uint64_t kOneMillisecondNs = 1000 * 1000;
constexpr uint32_t kMaxBitsPerBlock = 64;
constexpr uint32_t kMaxErrno = 4095;
constexpr uint32_t kAtaErr = 0x01;

// Deeper than anything faultcore.proto can express; bounds the recursion of
// the text parser and of the binary pre-check on hostile input.
constexpr int kMaxNesting = 32;

// How much of a user-supplied string a message quotes.
constexpr size_t kMaxQuotedLength = 64;

// ---------------------------------------------------------------------------
// Small string helpers.

// `s` in double quotes, C-escaped (so control bytes and invalid UTF-8 cannot
// reach a terminal raw) and cut to kMaxQuotedLength bytes.
std::string Quote(absl::string_view s) {
  if (s.size() > kMaxQuotedLength) {
    return absl::StrCat("\"", absl::CHexEscape(s.substr(0, kMaxQuotedLength)),
                        "...\"");
  }
  return absl::StrCat("\"", absl::CHexEscape(s), "\"");
}

bool IsNameChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' ||
         c == '.' || c == ':' || c == '-';
}

// [A-Za-z0-9_.:-]{1,max_length}, plus '#' and '/' when `target`.
bool IsValidName(absl::string_view s, size_t max_length, bool target) {
  if (s.empty() || s.size() > max_length) return false;
  for (char c : s) {
    if (!IsNameChar(c) && !(target && (c == '#' || c == '/'))) return false;
  }
  return true;
}

// Strict UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above
// U+10FFFF).  At least as strict as protobuf's own check, so that a string
// accepted here never makes protobuf complain (and log) later.
bool IsValidUtf8(absl::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const unsigned char* const end = p + s.size();
  while (p < end) {
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int length;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      if (c == 0xE0) low = 0xA0;   // Overlong.
      if (c == 0xED) high = 0x9F;  // Surrogates.
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      if (c == 0xF0) low = 0x90;   // Overlong.
      if (c == 0xF4) high = 0x8F;  // Above U+10FFFF.
    } else {
      return false;
    }
    if (end - p < length) return false;
    if (p[1] < low || p[1] > high) return false;
    for (int i = 2; i < length; ++i) {
      if (p[i] < 0x80 || p[i] > 0xBF) return false;
    }
    p += length;
  }
  return true;
}

// Levenshtein distance, for "did you mean" hints on short identifiers.
size_t EditDistance(absl::string_view a, absl::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      const size_t substitution =
          diagonal +
          (absl::ascii_tolower(static_cast<unsigned char>(a[i - 1])) ==
                   absl::ascii_tolower(static_cast<unsigned char>(b[j - 1]))
               ? 0
               : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitution});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The candidate closest to `name` if it is close enough to be a typo.
std::string ClosestName(absl::string_view name,
                        const std::vector<std::string>& candidates) {
  if (name.size() > 64) return "";
  std::string best;
  size_t best_distance = std::numeric_limits<size_t>::max();
  for (const std::string& candidate : candidates) {
    const size_t distance = EditDistance(name, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  const size_t allowed = name.size() <= 4 ? 1 : 2;
  return best_distance <= allowed ? best : "";
}

// ---------------------------------------------------------------------------
// Locations.

// A 1-based line and byte column; 0 when unknown.
struct Location {
  int line = 0;
  int column = 0;
};

// The text that was parsed, with a lazily built index of its lines and tabs,
// to turn protobuf's locations (0-based; a tab advances the column to the
// next multiple of 8) into 1-based byte columns and to look at the text
// around a location.  Lookups take O(log n), so that a file of one 100 MB
// line with a thousand errors still loads in linear time.  The text must
// outlive this object.
class SourceText {
 public:
  explicit SourceText(absl::string_view text) : text_(text) {}
  SourceText(const SourceText&) = delete;
  SourceText& operator=(const SourceText&) = delete;

  absl::string_view text() const { return text_; }

  // Byte offset of protobuf's 0-based (line, column); the end of that line if
  // the column lies beyond it, and text().size() if the line does not exist.
  size_t Offset(int line, int column) const {
    BuildIndex();
    column = std::max(column, 0);
    if (line < 0 || static_cast<size_t>(line) >= line_starts_.size()) {
      return text_.size();
    }
    const size_t start = line_starts_[line];
    const size_t end = static_cast<size_t>(line) + 1 < line_starts_.size()
                           ? line_starts_[line + 1] - 1  // The newline.
                           : text_.size();
    // The last tab of the line that ends at or before `column`.
    const auto first = std::lower_bound(tabs_.begin(), tabs_.end(),
                                        Tab{static_cast<uint32_t>(start), 0});
    const auto last = std::lower_bound(first, tabs_.end(),
                                       Tab{static_cast<uint32_t>(end), 0});
    const auto after = std::upper_bound(
        first, last, column,
        [](int value, const Tab& tab) { return value < tab.visual_after; });
    size_t offset = start;
    int64_t visual = 0;
    if (after != first) {
      offset = std::prev(after)->offset + size_t{1};
      visual = std::prev(after)->visual_after;
    }
    return std::min(end, offset + static_cast<size_t>(column - visual));
  }

  // 0-based line of the byte at `offset`.
  size_t LineOf(size_t offset) const {
    BuildIndex();
    const auto next = std::upper_bound(line_starts_.begin(), line_starts_.end(),
                                       static_cast<uint32_t>(offset));
    return static_cast<size_t>(next - line_starts_.begin()) - 1;
  }

  // 1-based line and byte column of the byte at `offset`.
  Location LocationOf(size_t offset) const {
    const size_t line = LineOf(offset);
    return {static_cast<int>(line) + 1,
            static_cast<int>(offset - line_starts_[line]) + 1};
  }

  Location ToLocation(int line, int column) const {
    if (line < 0) return {};
    BuildIndex();
    if (static_cast<size_t>(line) >= line_starts_.size() || column < 0) {
      return {line + 1, column < 0 ? 0 : column + 1};
    }
    return LocationOf(Offset(line, column));
  }

 private:
  struct Tab {
    uint32_t offset;
    // The column right after the tab: strictly increasing within a line.
    int64_t visual_after;
    bool operator<(const Tab& other) const { return offset < other.offset; }
  };

  // The text is at most kMaxRuleFileBytes long, so 32-bit offsets suffice.
  void BuildIndex() const {
    if (indexed_) return;
    indexed_ = true;
    line_starts_.push_back(0);
    int64_t visual = 0;
    for (size_t i = 0; i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        line_starts_.push_back(static_cast<uint32_t>(i + 1));
        visual = 0;
      } else if (text_[i] == '\t') {
        visual += 8 - visual % 8;
        tabs_.push_back({static_cast<uint32_t>(i), visual});
      } else {
        ++visual;
      }
    }
  }

  absl::string_view text_;
  // Built on first use.
  mutable bool indexed_ = false;
  mutable std::vector<uint32_t> line_starts_;
  mutable std::vector<Tab> tabs_;
};

// Collects the errors of the text parser and of the tokenizer.  Nothing is
// logged when a parser has an error collector.
class CollectingErrorCollector : public pb::io::ErrorCollector {
 public:
  struct Entry {
    int line;    // 0-based, -1 when unknown.
    int column;  // 0-based, tab-expanded.
    std::string message;
  };

  void AddError(int line, pb::io::ColumnNumber column,
                const std::string& message) override {
    if (errors.size() < kMaxDiagnostics) {
      errors.push_back({line, column, message});
    }
  }
  void AddWarning(int line, pb::io::ColumnNumber column,
                  const std::string& message) override {
    if (warnings.size() < kMaxDiagnostics) {
      warnings.push_back({line, column, message});
    }
  }

  std::vector<Entry> errors;
  std::vector<Entry> warnings;
};

// Skips spaces and '#' comments from `offset`.
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

// Maps fields of a parsed text to locations.  The ParseInfoTree records one
// location per field *statement*, so for `ops: [READ, WRITE]` there is one
// entry for two values, and later entries shift.  With the source text this
// class re-tokenizes such lists to locate every value; without it, values of
// a field that used list syntax are located at their first statement.
class Locator {
 public:
  // `text` may be null.
  explicit Locator(const SourceText* text) : text_(text) {}

  Location Convert(const pb::TextFormat::ParseLocation& location) const {
    if (location.line < 0) return {};
    if (text_ != nullptr) {
      return text_->ToLocation(location.line, location.column);
    }
    return {location.line + 1, location.column + 1};
  }

  // Location of value `index` of the repeated `field` (`size` values), or of
  // the singular `field` when `index` is -1.  {} when unknown.
  Location Find(const ParseInfoTree* tree, const pb::FieldDescriptor* field,
                int index, int size) {
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

 private:
  const std::vector<Location>& ValueLocations(const ParseInfoTree* tree,
                                              const pb::FieldDescriptor* field,
                                              int size) {
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

  // If the statement at `start` uses list syntax (`name: [a, b]`), appends
  // the location of each value and returns true.
  bool AppendListValues(const pb::TextFormat::ParseLocation& start,
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
    tokenizer.set_comment_style(pb::io::Tokenizer::SH_COMMENT_STYLE);
    tokenizer.set_allow_f_after_float(true);
    tokenizer.set_require_space_after_number(false);
    tokenizer.set_allow_multiline_strings(true);
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

  const SourceText* const text_;
  std::map<std::pair<const ParseInfoTree*, const pb::FieldDescriptor*>,
           std::vector<Location>>
      cache_;
};

// ---------------------------------------------------------------------------
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
  tokenizer.set_comment_style(pb::io::Tokenizer::SH_COMMENT_STYLE);
  tokenizer.set_allow_f_after_float(true);
  tokenizer.set_require_space_after_number(false);
  tokenizer.set_allow_multiline_strings(true);
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
    std::string out = absl::StrFormat("unknown field \"%s\" in %s",
                                      absl::CHexEscape(field_name), type_name);
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
    std::string out = absl::StrFormat("unknown value \"%s\" for \"%s\"",
                                      absl::CHexEscape(value), field);
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

// ---------------------------------------------------------------------------
// Semantic validation.

const char* ActionName(v1::Rule::ActionCase action) {
  const pb::FieldDescriptor* field =
      v1::Rule::descriptor()->FindFieldByNumber(static_cast<int>(action));
  return field == nullptr ? "no action" : field->name().c_str();
}

// Whether a firing rule fails the request with its codes, so that ATA codes
// must carry ERR.
bool ReportsFailure(const v1::Rule& rule) {
  switch (rule.action_case()) {
    case v1::Rule::kMediaError:
    case v1::Rule::kWriteFault:
      return true;
    case v1::Rule::kTornWrite:
      return !rule.torn_write().report_success();
    case v1::Rule::kHold:
      return rule.hold().on_timeout() == v1::Hold::FAIL;
    default:
      return false;
  }
}

// For actions that never report a status: the words that end "codes are
// ignored for ...".  Empty when the action uses its codes.
std::string IgnoresCodes(const v1::Rule& rule) {
  switch (rule.action_case()) {
    case v1::Rule::kDelay:
    case v1::Rule::kCorrupt:
    case v1::Rule::kLostWrite:
      return ActionName(rule.action_case());
    case v1::Rule::kTornWrite:
      return rule.torn_write().report_success()
                 ? "torn_write with report_success"
                 : "";
    case v1::Rule::kHold:
      return rule.hold().on_timeout() == v1::Hold::PROCEED
                 ? "hold with on_timeout PROCEED"
                 : "";
    default:
      return "";
  }
}

constexpr uint32_t OpBit(v1::Op op) { return uint32_t{1} << op; }
constexpr uint32_t kAllOps = OpBit(v1::READ) | OpBit(v1::WRITE) |
                             OpBit(v1::FLUSH) | OpBit(v1::DISCARD) |
                             OpBit(v1::WRITE_ZEROES);

// The ops an action can apply to, and why the others are refused.
struct AllowedOps {
  uint32_t mask;
  const char* why;
};

AllowedOps AllowedOpsFor(v1::Rule::ActionCase action) {
  switch (action) {
    case v1::Rule::kCorrupt:
      return {OpBit(v1::READ), "it only alters data read"};
    case v1::Rule::kTornWrite:
      return {OpBit(v1::WRITE) | OpBit(v1::WRITE_ZEROES),
              "it only tears writes and write-zeroes"};
    case v1::Rule::kLostWrite:
      return {OpBit(v1::WRITE) | OpBit(v1::WRITE_ZEROES),
              "it only drops writes and write-zeroes"};
    case v1::Rule::kWriteFault:
      return {OpBit(v1::WRITE) | OpBit(v1::WRITE_ZEROES) | OpBit(v1::DISCARD) |
                  OpBit(v1::FLUSH),
              "it only fails writes, write-zeroes, discards and flushes"};
    case v1::Rule::kRecoveredError:
      return {OpBit(v1::READ) | OpBit(v1::WRITE) | OpBit(v1::WRITE_ZEROES),
              "it only applies to reads, writes and write-zeroes"};
    default:
      return {kAllOps, ""};
  }
}

// Checks one RuleSet and collects diagnostics.  Used once per set.
//
// Paths and locations are only worked out for the diagnostics actually
// reported: walking a set of millions of rules builds no strings.
class Validator {
 public:
  Validator(const v1::RuleSet& set, absl::string_view source_name,
            const ParseInfoTree* tree, const SourceText* text)
      : set_(set), source_name_(source_name), tree_(tree), locator_(text) {}

  std::vector<Diagnostic> Run() {
    const Node root{nullptr, nullptr, -1, &set_};
    if (set_.rules_size() == 0 && set_.ByteSizeLong() == 0) {
      Error(root, "empty rule file: no rules");
      return Finish();
    }
    CheckBlockSize(root);
    CheckStates(root);
    if (!set_.initial_state().empty()) {
      CheckStateReference(Child(root, "initial_state"), set_.initial_state());
    }
    if (set_.rules_size() == 0) {
      Error(Child(root, "rules"),
            "no rules: a rule set needs at least one rule");
    } else if (set_.rules_size() > kMaxRules) {
      Error(Child(root, "rules"),
            absl::StrFormat("too many rules: %d (at most %d)",
                            set_.rules_size(), kMaxRules));
    }
    std::unordered_map<std::string_view, int> rule_names;
    rule_names.reserve(static_cast<size_t>(set_.rules_size()));
    for (int i = 0; i < set_.rules_size(); ++i) {
      CheckRule(Child(root, "rules", i), set_.rules(i), i, &rule_names);
    }
    for (int i = 0; i < set_.transitions_size(); ++i) {
      CheckTransition(Child(root, "transitions", i), set_.transitions(i));
    }
    WarnUnreachableStates(root);
    return Finish();
  }

 private:
  // A field of the rule set being checked, as a link in a chain up to the
  // root (the RuleSet itself).  Nodes live on the stack of the checks: a
  // node must not outlive its parent.
  struct Node {
    const Node* parent;                // Null for the root.
    const pb::FieldDescriptor* field;  // Null for the root.
    // The value of a repeated field, or -1: a singular field, or a repeated
    // field as a whole.
    int index;
    // The message this field holds; null for scalars and whole repeated
    // fields.
    const pb::Message* message;
  };

  // The field `name` of `parent`, value `index` of it if repeated (-1: the
  // repeated field as a whole).
  Node Child(const Node& parent, const char* name, int index = -1) const {
    const pb::FieldDescriptor* field =
        parent.message->GetDescriptor()->FindFieldByName(name);
    Node child{&parent, field, index, nullptr};
    if (field == nullptr || field->message_type() == nullptr) return child;
    const pb::Reflection* reflection = parent.message->GetReflection();
    if (!field->is_repeated()) {
      child.message = &reflection->GetMessage(*parent.message, field);
    } else if (index >= 0 &&
               index < reflection->FieldSize(*parent.message, field)) {
      child.message =
          &reflection->GetRepeatedMessage(*parent.message, field, index);
    }
    return child;
  }
  // A child of a temporary would point at it after it is gone.
  Node Child(const Node&& parent, const char* name,
             int index = -1) const = delete;

  // Fills in the path and the location of `node`: the location of the
  // deepest field on the way that the text has (an absent field is reported
  // where its message is).
  void Describe(const Node& node, Diagnostic* diagnostic) {
    std::vector<const Node*> chain;
    for (const Node* n = &node; n->parent != nullptr; n = n->parent) {
      chain.push_back(n);
    }
    const ParseInfoTree* tree = tree_;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      const Node& n = **it;
      if (n.field == nullptr) break;  // Not reached: names are literals.
      if (!diagnostic->path.empty()) diagnostic->path += '.';
      diagnostic->path += n.field->name();
      if (n.index >= 0) absl::StrAppend(&diagnostic->path, "[", n.index, "]");
      if (n.message != nullptr &&
          n.message->GetDescriptor() == v1::Rule::descriptor()) {
        const std::string& name =
            static_cast<const v1::Rule*>(n.message)->name();
        if (!name.empty())
          absl::StrAppend(&diagnostic->path, " (", Quote(name), ")");
      }
      if (tree == nullptr) continue;
      const pb::Message& parent = *n.parent->message;
      const int size = n.field->is_repeated()
                           ? parent.GetReflection()->FieldSize(parent, n.field)
                           : 0;
      const Location location = locator_.Find(
          tree, n.field, n.field->is_repeated() ? n.index : -1, size);
      if (location.line > 0) {
        diagnostic->line = location.line;
        diagnostic->column = location.column;
      }
      tree = n.field->message_type() == nullptr ||
                     (n.field->is_repeated() && n.index < 0)
                 ? nullptr
                 : tree->GetTreeForNested(n.field, n.index);
    }
  }

  void Add(std::vector<Diagnostic>* list, size_t* dropped,
           Diagnostic::Severity severity, const Node& node,
           std::string message) {
    if (list->size() >= kMaxDiagnostics) {
      ++*dropped;
      return;
    }
    Diagnostic diagnostic;
    diagnostic.severity = severity;
    diagnostic.file = std::string(source_name_);
    diagnostic.message = std::move(message);
    Describe(node, &diagnostic);
    list->push_back(std::move(diagnostic));
  }
  void Error(const Node& node, std::string message) {
    Add(&errors_, &dropped_errors_, Diagnostic::Severity::kError, node,
        std::move(message));
  }
  void Warning(const Node& node, std::string message) {
    Add(&warnings_, &dropped_warnings_, Diagnostic::Severity::kWarning, node,
        std::move(message));
  }

  std::vector<Diagnostic> Finish() {
    std::vector<Diagnostic> all = std::move(errors_);
    if (dropped_errors_ > 0) {
      all.push_back(
          FileDiagnostic(Diagnostic::Severity::kError,
                         absl::StrFormat("too many errors: %d more not shown",
                                         dropped_errors_)));
    }
    all.insert(all.end(), std::make_move_iterator(warnings_.begin()),
               std::make_move_iterator(warnings_.end()));
    if (dropped_warnings_ > 0) {
      all.push_back(
          FileDiagnostic(Diagnostic::Severity::kWarning,
                         absl::StrFormat("too many warnings: %d more not shown",
                                         dropped_warnings_)));
    }
    return all;
  }

  Diagnostic FileDiagnostic(Diagnostic::Severity severity,
                            std::string message) const {
    Diagnostic diagnostic;
    diagnostic.severity = severity;
    diagnostic.file = std::string(source_name_);
    diagnostic.message = std::move(message);
    return diagnostic;
  }

  // --- The rule set --------------------------------------------------------

  void CheckBlockSize(const Node& root) {
    const uint32_t size = set_.block_size();
    if (size == 0) return;
    if (size < kMinBlockSize || size > kMaxBlockSize ||
        (size & (size - 1)) != 0) {
      Error(Child(root, "block_size"),
            absl::StrFormat("block_size %u is not a power of two from %u to %u "
                            "(0 means %u)",
                            size, kMinBlockSize, kMaxBlockSize, kMinBlockSize));
    }
  }

  uint64_t BlockSize() const {
    const uint32_t size = set_.block_size();
    return size == 0 ? kMinBlockSize : size;
  }

  void CheckStates(const Node& root) {
    if (set_.states_size() > kMaxStates) {
      Error(Child(root, "states"),
            absl::StrFormat("too many states: %d (at most %d)",
                            set_.states_size(), kMaxStates));
    }
    for (int i = 0; i < set_.states_size(); ++i) {
      const std::string& state = set_.states(i);
      if (state.empty()) {
        Error(Child(root, "states", i), "state name is empty");
      } else if (!IsValidName(state, kMaxStateNameLength, false)) {
        Error(Child(root, "states", i),
              absl::StrFormat("invalid state name %s: use 1 to %d characters "
                              "from [A-Za-z0-9_.:-]",
                              Quote(state), kMaxStateNameLength));
      }
      const auto [it, inserted] = states_.emplace(state, i);
      if (!inserted && !state.empty()) {
        Error(
            Child(root, "states", i),
            absl::StrFormat("duplicate state %s (first declared as states[%d])",
                            Quote(state), it->second));
      }
    }
  }

  // "a, b, c" for messages about unknown states.
  std::string DeclaredStates() const {
    constexpr size_t kShown = 16;
    std::vector<std::string> names;
    for (int i = 0; i < set_.states_size(); ++i) {
      const auto it = states_.find(set_.states(i));
      if (it == states_.end() || it->second != i) continue;  // A duplicate.
      if (names.size() == kShown) {
        absl::StrAppend(&names.back(), ", ... (", states_.size(), " in all)");
        break;
      }
      names.push_back(absl::CHexEscape(set_.states(i)));
    }
    return absl::StrJoin(names, ", ");
  }

  void CheckStateReference(const Node& node, const std::string& state) {
    if (state.empty()) {
      Error(node, "state name is empty");
    } else if (set_.states_size() == 0) {
      Error(node, absl::StrFormat("unknown state %s (the rule set declares no "
                                  "states)",
                                  Quote(state)));
    } else if (states_.find(state) == states_.end()) {
      Error(node, absl::StrFormat("unknown state %s; declared: %s",
                                  Quote(state), DeclaredStates()));
    }
  }

  // --- Rules ---------------------------------------------------------------

  void CheckRule(const Node& node, const v1::Rule& rule, int index,
                 std::unordered_map<std::string_view, int>* names) {
    if (!rule.name().empty()) {
      if (!IsValidName(rule.name(), kMaxRuleNameLength, false)) {
        Error(Child(node, "name"),
              absl::StrFormat("invalid rule name %s: use 1 to %d characters "
                              "from [A-Za-z0-9_.:-]",
                              Quote(rule.name()), kMaxRuleNameLength));
      }
      const auto [it, inserted] = names->emplace(
          std::string_view(rule.name().data(), rule.name().size()), index);
      if (!inserted) {
        Error(
            Child(node, "name"),
            absl::StrFormat("duplicate rule name %s (first used by rules[%d])",
                            Quote(rule.name()), it->second));
      }
    }
    if (!rule.target().empty() &&
        !IsValidName(rule.target(), kMaxTargetLength, true)) {
      Error(Child(node, "target"),
            absl::StrFormat("invalid target %s: use 1 to %d characters from "
                            "[A-Za-z0-9_.:#/-]",
                            Quote(rule.target()), kMaxTargetLength));
    }
    if (rule.action_case() == v1::Rule::ACTION_NOT_SET) {
      std::vector<std::string> actions;
      const pb::OneofDescriptor* oneof =
          v1::Rule::descriptor()->FindOneofByName("action");
      for (int i = 0; i < oneof->field_count(); ++i) {
        actions.push_back(oneof->field(i)->name());
      }
      Error(node, absl::StrCat("rule has no action: set one of ",
                               absl::StrJoin(actions, ", ")));
    }
    CheckOps(node, rule);
    if (rule.has_range()) CheckRange(Child(node, "range"), rule.range());
    for (int i = 0; i < rule.states_size(); ++i) {
      CheckStateReference(Child(node, "states", i), rule.states(i));
    }
    if (!rule.next_state().empty()) {
      CheckStateReference(Child(node, "next_state"), rule.next_state());
    }
    if (rule.has_trigger())
      CheckTrigger(Child(node, "trigger"), rule.trigger());
    if (rule.has_codes()) {
      const Node codes = Child(node, "codes");
      CheckCodes(codes, rule.codes(), ReportsFailure(rule));
      const std::string ignored_by = IgnoresCodes(rule);
      if (!ignored_by.empty()) {
        Warning(codes, absl::StrCat("codes are ignored for ", ignored_by));
      }
    }
    if (rule.latency_ns() > kOneHourNs) {
      Error(Child(node, "latency_ns"),
            absl::StrFormat("latency_ns %u is more than one hour (%u)",
                            rule.latency_ns(), kOneHourNs));
    }
    CheckAction(node, rule);
  }

  void CheckOps(const Node& node, const v1::Rule& rule) {
    const AllowedOps allowed = AllowedOpsFor(rule.action_case());
    int first[v1::Op_ARRAYSIZE];
    for (int& index : first) index = -1;
    for (int i = 0; i < rule.ops_size(); ++i) {
      const int op = rule.ops(i);
      if (!v1::Op_IsValid(op)) {
        Error(Child(node, "ops", i), absl::StrFormat("unknown op %d", op));
        continue;
      }
      const v1::Op known = static_cast<v1::Op>(op);
      if (known == v1::OP_UNSPECIFIED) {
        Error(Child(node, "ops", i),
              "OP_UNSPECIFIED is not an op: use READ, WRITE, FLUSH, DISCARD or "
              "WRITE_ZEROES");
        continue;
      }
      if (first[op] >= 0) {
        Error(Child(node, "ops", i),
              absl::StrFormat("duplicate op %s (also ops[%d])",
                              v1::Op_Name(known), first[op]));
        continue;
      }
      first[op] = i;
      if ((allowed.mask & OpBit(known)) == 0) {
        Error(Child(node, "ops", i),
              absl::StrFormat("op %s is not allowed with %s (%s)",
                              v1::Op_Name(known),
                              ActionName(rule.action_case()), allowed.why));
      }
    }
  }

  void CheckRange(const Node& node, const v1::Range& range) {
    // An invalid block_size has its own error; measure with the default then.
    const uint64_t block_size =
        set_.block_size() == 0 ||
                (set_.block_size() >= kMinBlockSize &&
                 set_.block_size() <= kMaxBlockSize &&
                 (set_.block_size() & (set_.block_size() - 1)) == 0)
            ? BlockSize()
            : kMinBlockSize;
    const uint64_t count = range.count() == 0 ? 1 : range.count();
    constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
    // The end, (lba + count) * block_size, must be below 2^64.
    if (range.lba() > kMax - count || range.lba() + count > kMax / block_size) {
      Error(
          Child(node, range.count() != 0 ? "count" : "lba"),
          absl::StrFormat("range ends beyond 2^64 bytes: (lba %u + count %u) * "
                          "block_size %u",
                          range.lba(), count, block_size));
    }
  }

  void CheckTrigger(const Node& node, const v1::Trigger& trigger) {
    if (trigger.has_probability()) {
      const double probability = trigger.probability();
      if (std::isnan(probability)) {
        Error(Child(node, "probability"),
              "probability is NaN: use a number from 0 to 1");
      } else if (probability < 0 || probability > 1) {
        Error(Child(node, "probability"),
              absl::StrFormat("probability %g is outside [0, 1]", probability));
      } else if (probability == 0) {
        Warning(Child(node, "probability"),
                "rule can never fire: probability 0");
      }
    }
    if (trigger.once() && trigger.max_fires() > 1) {
      Error(Child(node, "max_fires"),
            absl::StrFormat("once contradicts max_fires %u (once means "
                            "max_fires 1)",
                            trigger.max_fires()));
    }
  }

  // Range checks on `codes`; with `reports_failure`, ATA status must carry ERR.
  void CheckCodes(const Node& node, const v1::Codes& codes,
                  bool reports_failure) {
    auto check = [&](const Node& parent, const char* name, uint32_t value,
                     uint32_t low, uint32_t high) {
      if (value < low || value > high) {
        Error(Child(parent, name),
              absl::StrFormat("%s %u is out of range %u..%u", name, value, low,
                              high));
        return false;
      }
      return true;
    };
    if (codes.has_scsi()) {
      const Node scsi = Child(node, "scsi");
      const v1::ScsiSense& sense = codes.scsi();
      if (sense.has_key()) check(scsi, "key", sense.key(), 0, 15);
      if (sense.has_asc()) check(scsi, "asc", sense.asc(), 0, 255);
      if (sense.has_ascq()) check(scsi, "ascq", sense.ascq(), 0, 255);
      if (!v1::ScsiSense::Format_IsValid(sense.format())) {
        Error(Child(scsi, "format"),
              absl::StrFormat("unknown format %d",
                              static_cast<int>(sense.format())));
      }
    }
    if (codes.has_nvme()) {
      const Node nvme = Child(node, "nvme");
      if (codes.nvme().has_sct()) check(nvme, "sct", codes.nvme().sct(), 0, 7);
      if (codes.nvme().has_sc()) check(nvme, "sc", codes.nvme().sc(), 0, 255);
    }
    if (codes.has_ata()) {
      const Node ata = Child(node, "ata");
      const v1::AtaStatus& status = codes.ata();
      if (status.has_status() &&
          check(ata, "status", status.status(), 0, 255) && reports_failure &&
          (status.status() & kAtaErr) == 0) {
        Error(Child(ata, "status"),
              absl::StrFormat("ata.status 0x%02x lacks ERR (0x01): the host "
                              "would report success",
                              status.status()));
      }
      if (status.has_error()) check(ata, "error", status.error(), 0, 255);
    }
    if (codes.has_errno_value()) {
      check(node, "errno_value", codes.errno_value(), 1, kMaxErrno);
    }
  }

  void CheckAction(const Node& node, const v1::Rule& rule) {
    switch (rule.action_case()) {
      case v1::Rule::kMediaError: {
        if (!rule.media_error().has_heal_on_write()) break;
        const Node media_error = Child(node, "media_error");
        const Node heal = Child(media_error, "heal_on_write");
        bool reads = rule.ops_size() == 0;
        for (int op : rule.ops()) reads = reads || op == v1::READ;
        if (!reads) {
          Error(heal,
                "heal_on_write needs READ in ops (or ops left empty): only "
                "blocks that fail reads can heal");
        }
        if (rule.media_error().heal_on_write().has_write_codes()) {
          CheckCodes(Child(heal, "write_codes"),
                     rule.media_error().heal_on_write().write_codes(),
                     /*reports_failure=*/true);
        }
        break;
      }
      case v1::Rule::kDelay:
        if (rule.delay().ns() > kOneHourNs) {
          const Node delay = Child(node, "delay");
          Error(Child(delay, "ns"),
                absl::StrFormat("ns %u is more than one hour (%u)",
                                rule.delay().ns(), kOneHourNs));
        }
        break;
      case v1::Rule::kHold: {
        const Node hold = Child(node, "hold");
        const uint64_t timeout = rule.hold().timeout_ns();
        if (timeout != 0 &&
            (timeout < kOneMillisecondNs || timeout > kOneHourNs)) {
          Error(
              Child(hold, "timeout_ns"),
              absl::StrFormat("timeout_ns %u is outside 1 ms..1 hour (%u..%u; "
                              "0 means 30 s)",
                              timeout, kOneMillisecondNs, kOneHourNs));
        }
        if (!v1::Hold::Expiry_IsValid(rule.hold().on_timeout())) {
          Error(Child(hold, "on_timeout"),
                absl::StrFormat("unknown on_timeout %d",
                                static_cast<int>(rule.hold().on_timeout())));
        }
        break;
      }
      case v1::Rule::kCorrupt:
        if (rule.corrupt().bits_per_block() > kMaxBitsPerBlock) {
          const Node corrupt = Child(node, "corrupt");
          Error(Child(corrupt, "bits_per_block"),
                absl::StrFormat("bits_per_block %u is out of range 1..%u (0 "
                                "means 1)",
                                rule.corrupt().bits_per_block(),
                                kMaxBitsPerBlock));
        }
        break;
      default:
        break;
    }
  }

  // --- Transitions ---------------------------------------------------------

  void CheckTransition(const Node& node, const v1::Transition& transition) {
    if (transition.event().empty()) {
      Error(
          Child(node, "event"),
          "no event: a transition needs the name of the event the host raises");
    } else if (!IsValidName(transition.event(), kMaxEventNameLength, false)) {
      Error(
          Child(node, "event"),
          absl::StrFormat("invalid event name %s: use 1 to %d characters from "
                          "[A-Za-z0-9_.:-]",
                          Quote(transition.event()), kMaxEventNameLength));
    }
    for (int i = 0; i < transition.from_size(); ++i) {
      CheckStateReference(Child(node, "from", i), transition.from(i));
    }
    if (transition.to().empty()) {
      Error(Child(node, "to"),
            "no state: a transition needs the state it enters in `to`");
    } else {
      CheckStateReference(Child(node, "to"), transition.to());
    }
  }

  // --- Warnings ------------------------------------------------------------

  // Rules armed only in states that no sequence of events and firings can
  // enter.  Reachability is a fixed point over the transitions and the
  // rules' next_state, starting from the initial state.
  void WarnUnreachableStates(const Node& root) {
    if (set_.states_size() == 0) return;
    std::map<absl::string_view, int> bits;
    for (int i = 0; i < set_.states_size() && i < kMaxStates; ++i) {
      bits.emplace(set_.states(i), i);
    }
    // A mask of the known states among `names`; every state when empty.
    auto mask_of = [&](const pb::RepeatedPtrField<std::string>& names) {
      if (names.empty()) return ~uint64_t{0};
      uint64_t mask = 0;
      for (const std::string& name : names) {
        const auto it = bits.find(name);
        if (it != bits.end()) mask |= uint64_t{1} << it->second;
      }
      return mask;
    };
    const std::string& initial =
        set_.initial_state().empty() ? set_.states(0) : set_.initial_state();
    const auto initial_bit = bits.find(initial);
    if (initial_bit == bits.end()) return;  // Already an error.

    std::set<std::pair<uint64_t, int>> edges;  // (from mask, to bit)
    for (const v1::Transition& transition : set_.transitions()) {
      const auto to = bits.find(transition.to());
      if (to != bits.end())
        edges.emplace(mask_of(transition.from()), to->second);
    }
    for (const v1::Rule& rule : set_.rules()) {
      const auto to = bits.find(rule.next_state());
      if (to != bits.end()) edges.emplace(mask_of(rule.states()), to->second);
    }
    uint64_t reached = uint64_t{1} << initial_bit->second;
    for (bool grew = true; grew;) {
      grew = false;
      for (const auto& [from, to] : edges) {
        const uint64_t bit = uint64_t{1} << to;
        if ((from & reached) != 0 && (reached & bit) == 0) {
          reached |= bit;
          grew = true;
        }
      }
    }

    for (int i = 0; i < set_.rules_size(); ++i) {
      const v1::Rule& rule = set_.rules(i);
      if (rule.states().empty()) continue;
      const uint64_t armed = mask_of(rule.states());
      if (armed == 0 || (armed & reached) != 0) continue;
      std::vector<std::string> never;
      for (const std::string& state : rule.states()) {
        if (bits.count(state) != 0) never.push_back(Quote(state));
      }
      const Node rule_node = Child(root, "rules", i);
      Warning(Child(rule_node, "states"),
              never.size() == 1
                  ? absl::StrFormat("rule can never fire: state %s is never "
                                    "entered",
                                    never.front())
                  : absl::StrFormat("rule can never fire: states %s are never "
                                    "entered",
                                    absl::StrJoin(never, ", ")));
    }
  }

  const v1::RuleSet& set_;
  const absl::string_view source_name_;
  const ParseInfoTree* const tree_;
  Locator locator_;
  // State name -> index of its first declaration.
  std::map<std::string, int> states_;
  std::vector<Diagnostic> errors_;
  std::vector<Diagnostic> warnings_;
  size_t dropped_errors_ = 0;
  size_t dropped_warnings_ = 0;
};

// ---------------------------------------------------------------------------
// Parsing.

Diagnostic FileError(absl::string_view source_name, std::string message) {
  Diagnostic diagnostic;
  diagnostic.file = std::string(source_name);
  diagnostic.message = std::move(message);
  return diagnostic;
}

// `code` with every error of `diagnostics` as the message.
absl::Status Failure(absl::StatusCode code,
                     const std::vector<Diagnostic>& diagnostics) {
  std::vector<std::string> lines;
  for (const Diagnostic& diagnostic : diagnostics) {
    if (diagnostic.severity == Diagnostic::Severity::kError) {
      lines.push_back(diagnostic.ToString());
    }
  }
  return absl::Status(code, absl::StrJoin(lines, "\n"));
}

RuleFormat ResolveFormat(RuleFormat format, absl::string_view source_name,
                         absl::string_view data) {
  if (format != RuleFormat::kAuto) return format;
  const size_t slash = source_name.rfind('/');
  const absl::string_view base = slash == absl::string_view::npos
                                     ? source_name
                                     : source_name.substr(slash + 1);
  const size_t dot = base.rfind('.');
  if (dot != absl::string_view::npos) {
    const std::string extension = absl::AsciiStrToLower(base.substr(dot + 1));
    if (extension == "txtpb" || extension == "textproto" ||
        extension == "pbtxt" || extension == "fc") {
      return RuleFormat::kText;
    }
    if (extension == "binpb" || extension == "pb") return RuleFormat::kBinary;
  }
  const bool text =
      IsValidUtf8(data) && data.find('\0') == absl::string_view::npos;
  return text ? RuleFormat::kText : RuleFormat::kBinary;
}

// Parses text; on failure appends the syntax errors to `diagnostics`.
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
        FileError(source_name, "text is not a valid RuleSet"));
  }
  if (!parsed || !collector.errors.empty()) return false;
  for (const auto& warning : collector.warnings) {
    add(warning, Diagnostic::Severity::kWarning);
  }
  return true;
}

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
    Diagnostic diagnostic = FileError(source_name_, std::move(message));
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

bool ParseBinary(absl::string_view data, absl::string_view source_name,
                 v1::RuleSet* set, std::vector<Diagnostic>* diagnostics) {
  std::vector<Diagnostic> errors;
  WireChecker checker(source_name, &errors);
  if (!checker.Check(data)) {
    diagnostics->push_back(
        FileError(source_name,
                  "not a valid binary faultcore.v1.RuleSet (malformed wire "
                  "data)"));
    return false;
  }
  if (!errors.empty()) {
    diagnostics->insert(diagnostics->end(), errors.begin(), errors.end());
    return false;
  }
  if (!set->ParseFromArray(data.data(), static_cast<int>(data.size()))) {
    diagnostics->push_back(
        FileError(source_name, "not a valid binary faultcore.v1.RuleSet"));
    return false;
  }
  return true;
}

bool HasErrors(const std::vector<Diagnostic>& diagnostics) {
  for (const Diagnostic& diagnostic : diagnostics) {
    if (diagnostic.severity == Diagnostic::Severity::kError) return true;
  }
  return false;
}

// Closes a file descriptor when it goes out of scope.
class FileCloser {
 public:
  explicit FileCloser(int fd) : fd_(fd) {}
  FileCloser(const FileCloser&) = delete;
  FileCloser& operator=(const FileCloser&) = delete;
  ~FileCloser() { close(fd_); }

 private:
  const int fd_;
};

}  // namespace

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

absl::StatusOr<v1::RuleSet> LoadRuleSet(absl::string_view data,
                                        RuleFormat format,
                                        absl::string_view source_name,
                                        std::vector<Diagnostic>* diagnostics) {
  std::vector<Diagnostic> local;
  std::vector<Diagnostic>& out = diagnostics != nullptr ? *diagnostics : local;
  out.clear();
  if (data.size() > kMaxRuleFileBytes) {
    out.push_back(FileError(
        source_name, absl::StrFormat("rule data is %u bytes; the limit is %u "
                                     "bytes (256 MiB)",
                                     data.size(), kMaxRuleFileBytes)));
    return Failure(absl::StatusCode::kResourceExhausted, out);
  }
  v1::RuleSet set;
  if (ResolveFormat(format, source_name, data) == RuleFormat::kText) {
    // A UTF-8 byte order mark is not part of the text format.
    absl::string_view text = data;
    absl::ConsumePrefix(&text, "\xEF\xBB\xBF");
    const SourceText source(text);
    ParseInfoTree tree;
    if (!ParseText(source, source_name, &set, &tree, &out)) {
      return Failure(absl::StatusCode::kInvalidArgument, out);
    }
    std::vector<Diagnostic> found =
        Validator(set, source_name, &tree, &source).Run();
    out.insert(out.end(), std::make_move_iterator(found.begin()),
               std::make_move_iterator(found.end()));
  } else {
    if (!ParseBinary(data, source_name, &set, &out)) {
      return Failure(absl::StatusCode::kInvalidArgument, out);
    }
    out = Validator(set, source_name, nullptr, nullptr).Run();
  }
  if (HasErrors(out)) return Failure(absl::StatusCode::kInvalidArgument, out);
  return set;
}

absl::StatusOr<v1::RuleSet> LoadRuleSetFile(
    const std::string& path, RuleFormat format,
    std::vector<Diagnostic>* diagnostics) {
  std::vector<Diagnostic> local;
  std::vector<Diagnostic>& out = diagnostics != nullptr ? *diagnostics : local;
  out.clear();
  auto fail = [&](absl::StatusCode code, std::string message) {
    out.push_back(FileError(path, std::move(message)));
    return Failure(code, out);
  };
  auto fail_errno = [&](int error, absl::string_view what) {
    const absl::Status status = absl::ErrnoToStatus(error, what);
    return fail(status.code(), std::string(status.message()));
  };

  int fd;
  do {
    fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return fail_errno(errno, "cannot open rule file");
  FileCloser closer(fd);
  struct stat info;
  if (fstat(fd, &info) != 0) return fail_errno(errno, "cannot stat rule file");
  if (S_ISDIR(info.st_mode)) {
    return fail(absl::StatusCode::kInvalidArgument,
                "is a directory, not a rule file");
  }
  const auto too_big = [&](const std::string& size) {
    return fail(absl::StatusCode::kResourceExhausted,
                absl::StrFormat("rule file is %s bytes; the limit is %u bytes "
                                "(256 MiB)",
                                size, kMaxRuleFileBytes));
  };
  if (S_ISREG(info.st_mode) &&
      static_cast<uint64_t>(info.st_size) > kMaxRuleFileBytes) {
    return too_big(absl::StrCat(info.st_size));
  }

  std::string data;
  if (S_ISREG(info.st_mode)) data.reserve(static_cast<size_t>(info.st_size));
  char buffer[64 * 1024];
  while (true) {
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno(errno, "cannot read rule file");
    }
    if (n == 0) break;
    if (data.size() + static_cast<size_t>(n) > kMaxRuleFileBytes) {
      return too_big(absl::StrCat("more than ", kMaxRuleFileBytes));
    }
    data.append(buffer, static_cast<size_t>(n));
  }
  return LoadRuleSet(data, format, path, diagnostics);
}

std::vector<Diagnostic> ValidateRuleSet(const v1::RuleSet& rules,
                                        absl::string_view source_name,
                                        const ParseInfoTree* locations) {
  return Validator(rules, source_name, locations, nullptr).Run();
}

}  // namespace faultcore
