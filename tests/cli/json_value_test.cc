// tools/json_value: the JSON reader of faultcore trace.  What protobuf's
// parser could not do (null apart from absent, exact 64-bit integers,
// strings refused as numbers) and that errors stop at the right byte.

#include "tools/json_value.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace faultcore {
namespace cli {
namespace {

using Type = JsonValue::Type;

JsonValue Parse(const std::string& text) {
  JsonError error;
  std::optional<JsonValue> v = ParseJson(text, &error);
  EXPECT_TRUE(v.has_value())
      << text << ": " << error.message << " at " << error.offset;
  return v.value_or(JsonValue());
}

JsonError Error(const std::string& text) {
  JsonError error;
  EXPECT_FALSE(ParseJson(text, &error).has_value()) << text;
  return error;
}

TEST(JsonValueTest, NullIsAValueAbsentIsNot) {
  const JsonValue v = Parse(R"({"result": null, "rule": "a-b"})");
  ASSERT_EQ(v.type, Type::kObject);
  ASSERT_NE(v.Find("result"), nullptr);
  EXPECT_EQ(v.Find("result")->type, Type::kNull);
  EXPECT_EQ(v.Find("latency-ns"), nullptr);
  EXPECT_EQ(v.Find("rule")->text, "a-b");
  EXPECT_EQ(v.Find("rule")->offset, 25u);
}

TEST(JsonValueTest, IntegersAreExactAndStringsAreNotNumbers) {
  const JsonValue v = Parse(
      R"([18446744073709551615, -9223372036854775808, 0, -0, 1.0, 1e3,
          "7", 18446744073709551616])");
  ASSERT_EQ(v.items.size(), 8u);
  EXPECT_EQ(v.items[0].AsUint64(), uint64_t{18446744073709551615u});
  EXPECT_EQ(v.items[0].AsInt64(), std::nullopt);
  EXPECT_EQ(v.items[1].AsInt64(), INT64_MIN);
  EXPECT_EQ(v.items[1].AsUint64(), std::nullopt);
  EXPECT_EQ(v.items[2].AsUint64(), 0u);
  EXPECT_EQ(v.items[3].AsInt64(), 0);
  EXPECT_EQ(v.items[3].AsUint64(), std::nullopt);  // a minus sign
  EXPECT_EQ(v.items[4].AsUint64(), std::nullopt);  // fractions and exponents
  EXPECT_EQ(v.items[5].AsUint64(), std::nullopt);
  EXPECT_EQ(v.items[4].type, Type::kNumber);
  EXPECT_EQ(v.items[6].type, Type::kString);
  EXPECT_EQ(v.items[6].AsUint64(), std::nullopt);
  EXPECT_EQ(v.items[7].AsUint64(), std::nullopt);  // 2^64
}

TEST(JsonValueTest, LiteralsAndNesting) {
  const JsonValue v = Parse(
      " {\"a\": [true, false, null, {}, []], \"b\": {\"c\": -1.5e-3}} \n");
  const JsonValue& a = *v.Find("a");
  ASSERT_EQ(a.items.size(), 5u);
  EXPECT_TRUE(a.items[0].boolean);
  EXPECT_EQ(a.items[1].type, Type::kBool);
  EXPECT_FALSE(a.items[1].boolean);
  EXPECT_EQ(a.items[2].type, Type::kNull);
  EXPECT_EQ(a.items[3].type, Type::kObject);
  EXPECT_EQ(a.items[4].type, Type::kArray);
  EXPECT_EQ(v.Find("b")->Find("c")->text, "-1.5e-3");
  EXPECT_EQ(v.members[0].first, "a");  // insertion order
  EXPECT_EQ(v.members[1].first, "b");
}

TEST(JsonValueTest, StringEscapesDecodeToUtf8) {
  const JsonValue v =
      Parse(R"("q\" b\\ s\/ \b\f\n\r\t \u0041\u00e9\u20ac\ud83d\ude00")");
  EXPECT_EQ(v.text,
            "q\" b\\ s/ \b\f\n\r\t A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
}

TEST(JsonValueTest, ErrorsStopAtTheFaultyByte) {
  struct Case {
    std::string text;
    size_t offset;
    std::string message;
  } cases[] = {
      {"", 0, "unexpected end of input; expected a value"},
      {"{\"a\": 1,}", 8, "expected a key"},
      {"{\"a\" 1}", 5, "expected ':'"},
      {"[1 2]", 3, "expected ',' or ']'"},
      {"{\"a\": 1} x", 9, "after the value"},
      {"{\"a\": tru}", 6, "expected a value"},
      {"{\"a\": 01}", 7, "leading zero"},
      {"{\"a\": -}", 7, "expected a digit"},
      {"{\"a\": 1.}", 8, "expected a digit"},
      {"\"abc", 4, "end of input in a string"},
      {"\"a\tb\"", 2, "control character 0x09"},
      {"\"\\x\"", 1, "unknown escape"},
      {"\"\\u12g4\"", 5, "expected a hex digit"},
      {"\"\\udc00\"", 1, "lone low surrogate"},
      {"\"\\ud800x\"", 1, "without its low half"},
      {"{\"seq\": 1, \"seq\": 2}", 11, "key \"seq\" appears twice"},
      {"'a'", 0, "character '''"},
      {"\x01", 0, "byte 0x01"},
  };
  for (const Case& c : cases) {
    const JsonError e = Error(c.text);
    EXPECT_EQ(e.offset, c.offset) << c.text << ": " << e.message;
    EXPECT_NE(e.message.find(c.message), std::string::npos)
        << c.text << ": " << e.message;
  }
}

TEST(JsonValueTest, DeepNestingIsAnErrorNotARecursion) {
  std::string ok(kMaxJsonDepth, '[');
  ok += std::string(kMaxJsonDepth, ']');
  Parse(ok);
  const std::string deep(100000, '[');
  const JsonError e = Error(deep);
  EXPECT_EQ(e.offset, static_cast<size_t>(kMaxJsonDepth));
  EXPECT_NE(e.message.find("nested deeper than 64 levels"), std::string::npos);
}

TEST(JsonValueTest, DuplicateKeysAmongManyAreFoundQuickly) {
  // 200000 keys: a linear search per key would take minutes.
  std::string text = "{";
  for (int i = 0; i < 200000; ++i) absl::StrAppend(&text, "\"k", i, "\":0,");
  const std::string ok = text.substr(0, text.size() - 1) + "}";
  EXPECT_EQ(Parse(ok).members.size(), 200000u);
  const std::string dup = text + "\"k31\":1}";
  const JsonError e = Error(dup);
  EXPECT_EQ(e.offset, text.size());
  EXPECT_NE(e.message.find("key \"k31\" appears twice"), std::string::npos);
  const std::string dup_early = "{\"a\":1,\"b\":2,\"a\":3}";
  EXPECT_EQ(Error(dup_early).offset, 13u);
}

TEST(JsonValueTest, TypeNames) {
  EXPECT_STREQ(JsonTypeName(Type::kNull), "null");
  EXPECT_STREQ(JsonTypeName(Type::kString), "a string");
  EXPECT_STREQ(JsonTypeName(Type::kObject), "an object");
}

}  // namespace
}  // namespace cli
}  // namespace faultcore
