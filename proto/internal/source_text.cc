#include "proto/internal/source_text.h"

#include <algorithm>
#include <iterator>

namespace faultcore {
namespace internal {

size_t SourceText::Offset(int line, int column) const {
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
  const auto last =
      std::lower_bound(first, tabs_.end(), Tab{static_cast<uint32_t>(end), 0});
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

size_t SourceText::LineOf(size_t offset) const {
  BuildIndex();
  const auto next = std::upper_bound(line_starts_.begin(), line_starts_.end(),
                                     static_cast<uint32_t>(offset));
  return static_cast<size_t>(next - line_starts_.begin()) - 1;
}

Location SourceText::LocationOf(size_t offset) const {
  const size_t line = LineOf(offset);
  return {static_cast<int>(line) + 1,
          static_cast<int>(offset - line_starts_[line]) + 1};
}

Location SourceText::ToLocation(int line, int column) const {
  if (line < 0) return {};
  BuildIndex();
  if (static_cast<size_t>(line) >= line_starts_.size() || column < 0) {
    return {line + 1, column < 0 ? 0 : column + 1};
  }
  return LocationOf(Offset(line, column));
}

void SourceText::BuildIndex() const {
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

}  // namespace internal
}  // namespace faultcore
