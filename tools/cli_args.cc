#include "tools/cli_args.h"

#include <cstring>
#include <limits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace faultcore {
namespace cli {
namespace {

absl::Status Usage(std::string message) {
  return absl::InvalidArgumentError(std::move(message));
}

// `text` quoted for a message, cut short if long.
std::string Shown(absl::string_view text) {
  if (text.size() > 40) return absl::StrCat("\"", text.substr(0, 40), "...\"");
  return absl::StrCat("\"", text, "\"");
}

}  // namespace

absl::StatusOr<Args> Args::Parse(const std::vector<std::string>& argv,
                                 const std::vector<OptionSpec>& specs) {
  Args args;
  bool options_done = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& word = argv[i];
    if (options_done || word == "-" || word.empty() || word[0] != '-') {
      args.positionals_.push_back(word);
      continue;
    }
    if (word == "--") {
      options_done = true;
      continue;
    }
    if (word == "--help" || word == "-h") {
      args.help_ = true;
      continue;
    }
    const OptionSpec* spec = nullptr;
    std::optional<std::string> value;
    if (absl::StartsWith(word, "--")) {
      std::string name = word.substr(2);
      const size_t equals = name.find('=');
      if (equals != std::string::npos) {
        value = name.substr(equals + 1);
        name.resize(equals);
      }
      for (const OptionSpec& s : specs) {
        if (s.name == name) spec = &s;
      }
      if (spec == nullptr)
        return Usage(absl::StrCat("unknown option --", name));
      if (!spec->takes_value && value.has_value()) {
        return Usage(absl::StrCat("option --", name, " takes no value"));
      }
    } else {
      if (word.size() != 2) {
        return Usage(absl::StrCat("unknown option ", Shown(word),
                                  " (short options cannot be combined)"));
      }
      for (const OptionSpec& s : specs) {
        if (s.short_name != 0 && s.short_name == word[1]) spec = &s;
      }
      if (spec == nullptr) return Usage(absl::StrCat("unknown option ", word));
    }
    if (spec->takes_value && !value.has_value()) {
      if (i + 1 >= argv.size()) {
        return Usage(absl::StrCat("option --", spec->name, " needs a value"));
      }
      value = argv[++i];
    }
    if (!args.options_.emplace(spec->name, value.value_or("")).second) {
      return Usage(absl::StrCat("option --", spec->name, " is given twice"));
    }
  }
  return args;
}

bool Args::Has(absl::string_view name) const {
  return options_.find(name) != options_.end();
}

std::optional<std::string> Args::Value(absl::string_view name) const {
  const auto it = options_.find(name);
  if (it == options_.end()) return std::nullopt;
  return it->second;
}

absl::StatusOr<uint64_t> ParseCount(absl::string_view text,
                                    absl::string_view what) {
  absl::string_view digits = text;
  if (absl::StartsWith(digits, "-")) {
    return Usage(absl::StrCat(what, ": ", Shown(text),
                              " is negative; use a number from 0 to ",
                              std::numeric_limits<uint64_t>::max()));
  }
  int base = 10;
  if (absl::StartsWithIgnoreCase(digits, "0x")) {
    base = 16;
    digits.remove_prefix(2);
  }
  if (digits.empty()) {
    return Usage(absl::StrCat(what, ": ", Shown(text), " is not a number"));
  }
  uint64_t value = 0;
  for (char c : digits) {
    int digit;
    if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      digit = c - '0';
    } else if (base == 16 &&
               absl::ascii_isxdigit(static_cast<unsigned char>(c))) {
      digit = absl::ascii_tolower(static_cast<unsigned char>(c)) - 'a' + 10;
    } else {
      return Usage(absl::StrCat(what, ": ", Shown(text), " is not a ",
                                base == 16 ? "hexadecimal " : "", "number"));
    }
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / base) {
      return Usage(absl::StrCat(what, ": ", Shown(text),
                                " is out of range (at most ",
                                std::numeric_limits<uint64_t>::max(), ")"));
    }
    value = value * base + digit;
  }
  return value;
}

absl::StatusOr<uint64_t> ParseSize(absl::string_view text,
                                   absl::string_view what) {
  size_t end = 0;
  if (absl::StartsWithIgnoreCase(text, "0x")) {
    end = 2;
    while (end < text.size() &&
           absl::ascii_isxdigit(static_cast<unsigned char>(text[end]))) {
      ++end;
    }
  } else {
    while (end < text.size() &&
           (absl::ascii_isdigit(static_cast<unsigned char>(text[end])) ||
            text[end] == '-')) {
      ++end;
    }
  }
  const absl::string_view number = text.substr(0, end);
  const std::string unit = absl::AsciiStrToLower(text.substr(end));
  absl::StatusOr<uint64_t> count = ParseCount(number, what);
  if (!count.ok()) {
    if (number.empty()) {
      return Usage(absl::StrCat(what, ": ", Shown(text),
                                " is not a size (e.g. 10G, 512M, 1T, "
                                "4096)"));
    }
    return count.status();
  }
  static const char kUnits[] = "kmgtpe";
  uint64_t multiplier = 1;
  if (!unit.empty() && unit != "b") {
    const char* found =
        unit.size() <= 3 ? std::strchr(kUnits, unit[0]) : nullptr;
    const std::string rest = unit.substr(1);
    if (found == nullptr || unit[0] == '\0' ||
        !(rest.empty() || rest == "ib" || rest == "b")) {
      return Usage(absl::StrCat(what, ": unknown unit ",
                                Shown(text.substr(end)), " in ", Shown(text),
                                " (use K, M, G, T, P, E for powers of 1024, "
                                "KB, MB, GB... for powers of 1000)"));
    }
    const uint64_t base = rest == "b" ? 1000 : 1024;
    for (const char* p = kUnits; p <= found; ++p) multiplier *= base;
  }
  if (*count > std::numeric_limits<uint64_t>::max() / multiplier) {
    return Usage(absl::StrCat(what, ": ", Shown(text),
                              " is too large (at most 2^64 - 1 bytes)"));
  }
  return *count * multiplier;
}

std::string FormatSize(uint64_t bytes) {
  static const char* const kNames[] = {"KiB", "MiB", "GiB",
                                       "TiB", "PiB", "EiB"};
  int unit = -1;
  uint64_t value = bytes;
  while (value >= 1024 && value % 1024 == 0 && unit < 5) {
    value /= 1024;
    ++unit;
  }
  if (unit < 0) return absl::StrCat(bytes, bytes == 1 ? " byte" : " bytes");
  return absl::StrCat(value, " ", kNames[unit]);
}

}  // namespace cli
}  // namespace faultcore
