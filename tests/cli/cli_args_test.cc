// Command-line values of the faultcore CLI: sizes, counts, options.
#include "tools/cli_args.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace faultcore {
namespace cli {
namespace {

using ::testing::HasSubstr;

TEST(ParseSizeTest, UnitsArePowersOf1024Or1000) {
  EXPECT_EQ(*ParseSize("4096", "s"), 4096u);
  EXPECT_EQ(*ParseSize("4096B", "s"), 4096u);
  EXPECT_EQ(*ParseSize("512M", "s"), 512ull << 20);
  EXPECT_EQ(*ParseSize("10G", "s"), 10ull << 30);
  EXPECT_EQ(*ParseSize("10g", "s"), 10ull << 30);
  EXPECT_EQ(*ParseSize("1T", "s"), 1ull << 40);
  EXPECT_EQ(*ParseSize("1TiB", "s"), 1ull << 40);
  EXPECT_EQ(*ParseSize("2K", "s"), 2048u);
  EXPECT_EQ(*ParseSize("1GB", "s"), 1000000000u);
  EXPECT_EQ(*ParseSize("15E", "s"), 15ull << 60);
  EXPECT_EQ(*ParseSize("0x1000", "s"), 4096u);
}

TEST(ParseSizeTest, BadSizesSayWhy) {
  EXPECT_THAT(std::string(ParseSize("16E", "--device-size").status().message()),
              HasSubstr("too large"));
  EXPECT_THAT(std::string(ParseSize("-1G", "--device-size").status().message()),
              HasSubstr("negative"));
  EXPECT_THAT(std::string(ParseSize("10Q", "--device-size").status().message()),
              HasSubstr("unknown unit"));
  EXPECT_THAT(std::string(ParseSize("G", "--device-size").status().message()),
              HasSubstr("is not a size"));
  EXPECT_THAT(std::string(ParseSize("", "--device-size").status().message()),
              HasSubstr("is not a size"));
  EXPECT_THAT(
      std::string(ParseSize("10GiBs", "--device-size").status().message()),
      HasSubstr("unknown unit"));
}

TEST(ParseCountTest, DecimalHexNoOctal) {
  EXPECT_EQ(*ParseCount("0100", "--lba"), 100u);
  EXPECT_EQ(*ParseCount("0x100", "--lba"), 256u);
  EXPECT_EQ(*ParseCount("18446744073709551615", "--lba"), UINT64_MAX);
  EXPECT_THAT(
      std::string(
          ParseCount("18446744073709551616", "--lba").status().message()),
      HasSubstr("out of range"));
  EXPECT_THAT(std::string(ParseCount("-5", "--lba").status().message()),
              HasSubstr("negative"));
  EXPECT_THAT(std::string(ParseCount("12abc", "--lba").status().message()),
              HasSubstr("not a number"));
  EXPECT_THAT(std::string(ParseCount("0x", "--lba").status().message()),
              HasSubstr("not a number"));
}

TEST(ArgsTest, OptionsValuesAndPositionals) {
  absl::StatusOr<Args> args = Args::Parse(
      {"f.txtpb", "--op", "read", "--lba=7", "-q", "-", "--", "--json"},
      {{"op", true}, {"lba", true}, {"quiet", false, 'q'}, {"json", false}});
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_EQ(*args->Value("op"), "read");
  EXPECT_EQ(*args->Value("lba"), "7");
  EXPECT_TRUE(args->Has("quiet"));
  EXPECT_FALSE(args->Has("json"));  // After "--": a positional.
  EXPECT_EQ(args->positionals(),
            (std::vector<std::string>{"f.txtpb", "-", "--json"}));
}

TEST(ArgsTest, UsageErrors) {
  const std::vector<OptionSpec> specs = {{"op", true}, {"json", false}};
  EXPECT_THAT(std::string(Args::Parse({"--nope"}, specs).status().message()),
              HasSubstr("unknown option --nope"));
  EXPECT_THAT(std::string(Args::Parse({"--op"}, specs).status().message()),
              HasSubstr("needs a value"));
  EXPECT_THAT(
      std::string(
          Args::Parse({"--op", "a", "--op", "b"}, specs).status().message()),
      HasSubstr("given twice"));
  EXPECT_THAT(std::string(Args::Parse({"--json=1"}, specs).status().message()),
              HasSubstr("takes no value"));
  EXPECT_TRUE(Args::Parse({"--help"}, specs)->help());
}

}  // namespace
}  // namespace cli
}  // namespace faultcore
