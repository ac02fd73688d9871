// SourceText: the text of a rule file with an index of its lines and tabs,
// to turn protobuf's locations into the 1-based byte columns that
// diagnostics show.
//
// Not thread-safe: the index is built lazily on first use.  The text must
// outlive the object.

#ifndef FAULTCORE_PROTO_INTERNAL_SOURCE_TEXT_H_
#define FAULTCORE_PROTO_INTERNAL_SOURCE_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"

namespace faultcore {
namespace internal {

// A 1-based line and byte column; 0 when unknown.
struct Location {
  int line = 0;
  int column = 0;
};

// The text that was parsed, with a lazily built index of its lines and tabs,
// to turn protobuf's locations (0-based; a tab advances the column to the
// next multiple of 8) into 1-based byte columns and to look at the text
// around a location.  Lookups take O(log n), so that a file of one 100 MB
// line with a thousand errors still loads in linear time.
class SourceText {
 public:
  // `text` is at most kMaxRuleFileBytes long (32-bit offsets suffice).
  explicit SourceText(absl::string_view text) : text_(text) {}
  SourceText(const SourceText&) = delete;
  SourceText& operator=(const SourceText&) = delete;

  absl::string_view text() const { return text_; }

  // Byte offset of protobuf's 0-based (line, column); the end of that line if
  // the column lies beyond it, and text().size() if the line does not exist.
  size_t Offset(int line, int column) const;

  // 0-based line of the byte at `offset`.
  size_t LineOf(size_t offset) const;

  // 1-based line and byte column of the byte at `offset`.
  Location LocationOf(size_t offset) const;

  // 1-based line and byte column of protobuf's 0-based (line, column).
  Location ToLocation(int line, int column) const;

 private:
  struct Tab {
    uint32_t offset;
    // The column right after the tab: strictly increasing within a line.
    int64_t visual_after;
    bool operator<(const Tab& other) const { return offset < other.offset; }
  };

  void BuildIndex() const;

  absl::string_view text_;
  // Built on first use.
  mutable bool indexed_ = false;
  mutable std::vector<uint32_t> line_starts_;
  mutable std::vector<Tab> tabs_;
};

}  // namespace internal
}  // namespace faultcore

#endif  // FAULTCORE_PROTO_INTERNAL_SOURCE_TEXT_H_
