#include "bench/workloads.h"

#include <algorithm>
#include <random>

#include "absl/strings/str_cat.h"

namespace faultcore {
namespace bench {

const char* LayoutName(Layout layout) {
  return layout == Layout::kRandom ? "random" : "clustered";
}

std::vector<uint64_t> RuleLbas(Layout layout, int64_t n, uint64_t seed) {
  std::vector<uint64_t> lbas;
  lbas.reserve(n);
  std::mt19937_64 rng(seed);
  const uint64_t span = kDeviceBlocks - kRuleFloorLba;
  if (layout == Layout::kRandom) {
    for (int64_t i = 0; i < n; ++i)
      lbas.push_back(kRuleFloorLba + rng() % span);
  } else {
    const uint64_t width = kClusterRules * kClusterStride;
    while (static_cast<int64_t>(lbas.size()) < n) {
      const uint64_t base = kRuleFloorLba + rng() % (span - width);
      for (uint64_t j = 0;
           j < kClusterRules && static_cast<int64_t>(lbas.size()) < n; ++j) {
        lbas.push_back(base + j * kClusterStride);
      }
    }
  }
  std::sort(lbas.begin(), lbas.end());
  return lbas;
}

std::string MediaErrorRulesText(const std::vector<uint64_t>& lbas) {
  std::string text;
  for (uint64_t lba : lbas) {
    absl::StrAppend(&text, "rules { range { lba: ", lba,
                    " } media_error {} }\n");
  }
  return text;
}

bool Overlaps(const std::vector<uint64_t>& lbas, uint64_t offset,
              uint64_t length) {
  // The first rule block ending after `offset`: LBA >= offset / 512.
  auto it = std::lower_bound(lbas.begin(), lbas.end(), offset / kBlockSize);
  return it != lbas.end() && *it * kBlockSize < offset + length;
}

std::vector<uint64_t> MissOffsets(Layout layout,
                                  const std::vector<uint64_t>& lbas,
                                  uint64_t length, size_t count,
                                  uint64_t seed) {
  std::mt19937_64 rng(seed);
  const uint64_t slots = kDeviceBlocks * kBlockSize / length;
  const uint64_t width = kClusterRules * kClusterStride * kBlockSize;
  std::vector<uint64_t> out;
  out.reserve(count);
  while (out.size() < count) {
    uint64_t offset;
    if (layout == Layout::kClustered && !lbas.empty()) {
      // Around a random rule's cluster: [lba - width, lba + width).
      const uint64_t lba = lbas[rng() % lbas.size()];
      const uint64_t lo = lba * kBlockSize - width;
      offset = (lo + rng() % (2 * width)) / length * length;
    } else {
      offset = rng() % slots * length;
    }
    if (!Overlaps(lbas, offset, length)) out.push_back(offset);
  }
  return out;
}

std::vector<uint64_t> HitOffsets(const std::vector<uint64_t>& lbas,
                                 uint64_t length, size_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint64_t> out;
  out.reserve(count);
  for (size_t i = 0; i < count && !lbas.empty(); ++i) {
    out.push_back(lbas[rng() % lbas.size()] * kBlockSize / length * length);
  }
  return out;
}

std::string CountLabel(int64_t n) {
  if (n >= 1000000 && n % 1000000 == 0) return absl::StrCat(n / 1000000, "M");
  if (n >= 1000 && n % 1000 == 0) return absl::StrCat(n / 1000, "k");
  return absl::StrCat(n);
}

}  // namespace bench
}  // namespace faultcore
