#include "proto/internal/strings.h"

#include <algorithm>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace faultcore {
namespace internal {
namespace {

// How much of a user-supplied string a message quotes.
constexpr size_t kMaxQuotedLength = 64;

bool IsNameChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' ||
         c == '.' || c == ':' || c == '-';
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

}  // namespace

std::string Quote(absl::string_view s) {
  if (s.size() > kMaxQuotedLength) {
    return absl::StrCat("\"", absl::CHexEscape(s.substr(0, kMaxQuotedLength)),
                        "...\"");
  }
  return absl::StrCat("\"", absl::CHexEscape(s), "\"");
}

bool IsValidName(absl::string_view s, size_t max_length, bool target) {
  if (s.empty() || s.size() > max_length) return false;
  for (char c : s) {
    if (!IsNameChar(c) && !(target && (c == '#' || c == '/'))) return false;
  }
  return true;
}

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

}  // namespace internal
}  // namespace faultcore
