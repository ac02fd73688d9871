#include "tools/json_value.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/cli_format.h"

namespace faultcore {
namespace cli {

const JsonValue* JsonValue::Find(absl::string_view key) const {
  if (type != Type::kObject) return nullptr;
  for (const auto& member : members) {
    if (member.first == key) return &member.second;
  }
  return nullptr;
}

namespace {

bool IsInteger(const std::string& token) {
  return token.find_first_of(".eE") == std::string::npos;
}

}  // namespace

std::optional<uint64_t> JsonValue::AsUint64() const {
  uint64_t value = 0;
  if (type != Type::kNumber || !IsInteger(text) || text[0] == '-' ||
      !absl::SimpleAtoi(text, &value)) {
    return std::nullopt;
  }
  return value;
}

std::optional<int64_t> JsonValue::AsInt64() const {
  int64_t value = 0;
  if (type != Type::kNumber || !IsInteger(text) ||
      !absl::SimpleAtoi(text, &value)) {
    return std::nullopt;
  }
  return value;
}

const char* JsonTypeName(JsonValue::Type type) {
  switch (type) {
    case JsonValue::Type::kNull:
      return "null";
    case JsonValue::Type::kBool:
      return "a boolean";
    case JsonValue::Type::kNumber:
      return "a number";
    case JsonValue::Type::kString:
      return "a string";
    case JsonValue::Type::kArray:
      return "an array";
    case JsonValue::Type::kObject:
      return "an object";
  }
  return "a value";
}

namespace {

// Recursive descent over one text.  Holds a view of the text, which must
// outlive it.  Not thread-safe.
class Parser {
 public:
  explicit Parser(absl::string_view text) : text_(text) {}

  std::optional<JsonValue> Document(JsonError* error) {
    JsonValue value;
    SkipSpace();
    if (Value(&value, 0)) {
      SkipSpace();
      if (pos_ == text_.size()) return value;
      Fail(absl::StrCat("unexpected ", Describe(),
                        " after the value (one value per text)"));
    }
    *error = error_;
    return std::nullopt;
  }

 private:
  bool Fail(std::string message) {
    error_ = {pos_, std::move(message)};
    return false;
  }

  // What is at pos_, for messages: "end of input", "character 'x'",
  // "byte 0x07".
  std::string Describe() const {
    if (pos_ >= text_.size()) return "end of input";
    const unsigned char c = static_cast<unsigned char>(text_[pos_]);
    if (c < 0x20 || c >= 0x7f) return absl::StrFormat("byte 0x%02x", c);
    return absl::StrCat("character '", std::string(1, c), "'");
  }

  void SkipSpace() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' ||
            text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool Literal(absl::string_view word) {
    if (text_.substr(pos_, word.size()) != word) {
      return Fail(
          absl::StrCat("unexpected ", Describe(), "; expected a value"));
    }
    pos_ += word.size();
    return true;
  }

  bool Value(JsonValue* out, int depth) {
    out->offset = pos_;
    if (pos_ >= text_.size())
      return Fail("unexpected end of input; expected a value");
    const char c = text_[pos_];
    switch (c) {
      case '{':
      case '[':
        if (depth >= kMaxJsonDepth) {
          return Fail(
              absl::StrCat("nested deeper than ", kMaxJsonDepth, " levels"));
        }
        return c == '{' ? Object(out, depth + 1) : Array(out, depth + 1);
      case '"':
        out->type = JsonValue::Type::kString;
        return String(&out->text);
      case 't':
        out->type = JsonValue::Type::kBool;
        out->boolean = true;
        return Literal("true");
      case 'f':
        out->type = JsonValue::Type::kBool;
        return Literal("false");
      case 'n':
        out->type = JsonValue::Type::kNull;
        return Literal("null");
      default:
        if (c == '-' || absl::ascii_isdigit(static_cast<unsigned char>(c))) {
          out->type = JsonValue::Type::kNumber;
          return Number(&out->text);
        }
        return Fail(
            absl::StrCat("unexpected ", Describe(), "; expected a value"));
    }
  }

  bool Digits() {
    const size_t start = pos_;
    while (pos_ < text_.size() &&
           absl::ascii_isdigit(static_cast<unsigned char>(text_[pos_]))) {
      ++pos_;
    }
    return pos_ > start || Fail(absl::StrCat("unexpected ", Describe(),
                                             " in a number; expected a digit"));
  }

  bool Number(std::string* out) {
    const size_t start = pos_;
    if (text_[pos_] == '-') ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '0') {
      ++pos_;
      if (pos_ < text_.size() &&
          absl::ascii_isdigit(static_cast<unsigned char>(text_[pos_]))) {
        return Fail("a number cannot have a leading zero");
      }
    } else if (!Digits()) {
      return false;
    }
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      if (!Digits()) return false;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) {
        ++pos_;
      }
      if (!Digits()) return false;
    }
    *out = std::string(text_.substr(start, pos_ - start));
    return true;
  }

  bool Hex4(uint32_t* out) {
    if (pos_ + 4 > text_.size()) {
      return Fail("unexpected end of input in a \\u escape");
    }
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i, ++pos_) {
      const char c = text_[pos_];
      value <<= 4;
      if (c >= '0' && c <= '9') {
        value |= static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        value |= static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        value |= static_cast<uint32_t>(c - 'A' + 10);
      } else {
        return Fail(absl::StrCat("unexpected ", Describe(),
                                 " in a \\u escape; expected a hex digit"));
      }
    }
    *out = value;
    return true;
  }

  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      *out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      *out += static_cast<char>(0xc0 | (cp >> 6));
      *out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      *out += static_cast<char>(0xe0 | (cp >> 12));
      *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      *out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
      *out += static_cast<char>(0xf0 | (cp >> 18));
      *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
      *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      *out += static_cast<char>(0x80 | (cp & 0x3f));
    }
  }

  bool Escape(std::string* out) {
    const size_t at = pos_++;  // the backslash
    if (pos_ >= text_.size())
      return Fail("unexpected end of input in a string");
    const char c = text_[pos_++];
    switch (c) {
      case '"':
      case '\\':
      case '/':
        *out += c;
        return true;
      case 'b':
        *out += '\b';
        return true;
      case 'f':
        *out += '\f';
        return true;
      case 'n':
        *out += '\n';
        return true;
      case 'r':
        *out += '\r';
        return true;
      case 't':
        *out += '\t';
        return true;
      case 'u':
        break;
      default:
        pos_ = at;
        return Fail("unknown escape in a string");
    }
    uint32_t cp = 0;
    if (!Hex4(&cp)) return false;
    if (cp >= 0xdc00 && cp <= 0xdfff) {
      pos_ = at;
      return Fail("a \\u escape is a lone low surrogate");
    }
    if (cp >= 0xd800 && cp <= 0xdbff) {
      uint32_t low = 0;
      if (text_.substr(pos_, 2) != "\\u" || (pos_ += 2, !Hex4(&low)) ||
          low < 0xdc00 || low > 0xdfff) {
        pos_ = at;
        return Fail("a \\u escape is a high surrogate without its low half");
      }
      cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
    }
    AppendUtf8(cp, out);
    return true;
  }

  bool String(std::string* out) {
    ++pos_;  // the opening quote
    while (true) {
      if (pos_ >= text_.size())
        return Fail("unexpected end of input in a string");
      const unsigned char c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c == '\\') {
        if (!Escape(out)) return false;
      } else if (c < 0x20) {
        return Fail(absl::StrFormat(
            "control character 0x%02x in a string (write it as \\u%04x)", c,
            c));
      } else {
        // The run of plain characters up to the next quote, backslash or
        // control character, in one append.
        const size_t start = pos_;
        while (pos_ < text_.size() && text_[pos_] != '"' &&
               text_[pos_] != '\\' &&
               static_cast<unsigned char>(text_[pos_]) >= 0x20) {
          ++pos_;
        }
        out->append(text_.data() + start, pos_ - start);
      }
    }
  }

  bool Array(JsonValue* out, int depth) {
    out->type = JsonValue::Type::kArray;
    ++pos_;
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      return true;
    }
    while (true) {
      out->items.emplace_back();
      if (!Value(&out->items.back(), depth)) return false;
      SkipSpace();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        SkipSpace();
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == ']') {
        ++pos_;
        return true;
      }
      return Fail(absl::StrCat("unexpected ", Describe(),
                               " in an array; expected ',' or ']'"));
    }
  }

  bool Object(JsonValue* out, int depth) {
    out->type = JsonValue::Type::kObject;
    ++pos_;
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
      return true;
    }
    // Duplicate keys: a linear search while the object is small, a set once
    // it is not (a line of 100000 keys must not take 10^10 comparisons).
    constexpr size_t kLinearKeys = 32;
    std::set<std::string> keys;
    while (true) {
      if (pos_ >= text_.size() || text_[pos_] != '"') {
        return Fail(absl::StrCat("unexpected ", Describe(),
                                 " in an object; expected a key (a string)"));
      }
      const size_t key_at = pos_;
      std::string key;
      if (!String(&key)) return false;
      const bool seen = out->members.size() < kLinearKeys
                            ? out->Find(key) != nullptr
                            : !keys.insert(key).second;
      if (out->members.size() + 1 == kLinearKeys) {
        for (const auto& member : out->members) keys.insert(member.first);
        keys.insert(key);
      }
      if (seen) {
        pos_ = key_at;
        return Fail(absl::StrCat("key ", JsonString(key), " appears twice"));
      }
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != ':') {
        return Fail(absl::StrCat("unexpected ", Describe(),
                                 " after a key; expected ':'"));
      }
      ++pos_;
      SkipSpace();
      out->members.emplace_back(std::move(key), JsonValue());
      if (!Value(&out->members.back().second, depth)) return false;
      SkipSpace();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        SkipSpace();
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == '}') {
        ++pos_;
        return true;
      }
      return Fail(absl::StrCat("unexpected ", Describe(),
                               " in an object; expected ',' or '}'"));
    }
  }

  const absl::string_view text_;
  size_t pos_ = 0;
  JsonError error_;
};

}  // namespace

std::optional<JsonValue> ParseJson(absl::string_view text, JsonError* error) {
  return Parser(text).Document(error);
}

}  // namespace cli
}  // namespace faultcore
