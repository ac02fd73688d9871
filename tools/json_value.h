// A minimal JSON (RFC 8259) reader for the CLI's inputs: one text in, a tree
// of JsonValue out, or the byte offset and reason of the first error.
//
// Why not protobuf's JsonStringToMessage (the one JSON parser in the build):
// it reads `"key": null` as "key absent", so it cannot tell a request still
// pending ("result": null) from a record missing its "result"; it accepts
// "7" (a string) for an integer field; and it reads the snake_case spelling
// of a hyphenated json_name too.  Trace dumps need all three told apart.
//
// Numbers keep their text, so that 64-bit integers are exact (AsUint64(),
// AsInt64()); strings are decoded to UTF-8 (\uXXXX escapes included, lone
// surrogates refused).  A key given twice in one object is an error: which
// one a reader takes would be a guess.  Nesting deeper than kMaxJsonDepth is
// an error rather than a deep recursion.
//
// Pure functions over plain values; thread-safe.

#ifndef FAULTCORE_TOOLS_JSON_VALUE_H_
#define FAULTCORE_TOOLS_JSON_VALUE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace faultcore {
namespace cli {

inline constexpr int kMaxJsonDepth = 64;

// One JSON value and where it starts in the text.  A plain value.
struct JsonValue {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };

  Type type = Type::kNull;
  size_t offset = 0;     // byte offset of the value's first character
  bool boolean = false;  // kBool
  std::string text;      // kNumber: the token as written; kString: decoded
  std::vector<JsonValue> items;                            // kArray
  std::vector<std::pair<std::string, JsonValue>> members;  // kObject, in order

  // The member `key` of an object; null when absent or not an object.
  const JsonValue* Find(absl::string_view key) const;
  // The number as an integer, when it is one (no fraction, no exponent) and
  // in range; nullopt otherwise.
  std::optional<uint64_t> AsUint64() const;
  std::optional<int64_t> AsInt64() const;
};

// "null", "a boolean", "a number", "a string", "an array", "an object".
const char* JsonTypeName(JsonValue::Type type);

struct JsonError {
  size_t offset = 0;  // byte offset in the text where reading stopped
  std::string message;
};

// Parses `text`, which must hold exactly one value (surrounding whitespace
// allowed).  On error returns nullopt and fills *error.
std::optional<JsonValue> ParseJson(absl::string_view text, JsonError* error);

}  // namespace cli
}  // namespace faultcore

#endif  // FAULTCORE_TOOLS_JSON_VALUE_H_
