// IntervalIndex::ForEachOverlap against a brute-force scan.
//
// Many random interval sets (0..2000 intervals) in several layouts --
// clustered, spread over the whole 64-bit space, nested, huge, and touching
// both ends of the address space -- each queried with random and
// boundary-hugging ranges.  The index must report exactly the intervals the
// scan finds, in the documented order (start, then id).
#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "libfaultcore/internal/interval_index.h"

namespace faultcore {
namespace {

constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

struct Query {
  uint64_t start;
  uint64_t end;
};

// The oracle: every interval overlapping [start, end), sorted by (start, id).
std::vector<Interval> BruteForce(const std::vector<Interval>& all,
                                 uint64_t start, uint64_t end) {
  std::vector<Interval> out;
  for (const Interval& iv : all) {
    if (iv.start < end && start < iv.end) out.push_back(iv);
  }
  std::sort(out.begin(), out.end(), [](const Interval& l, const Interval& r) {
    return l.start != r.start ? l.start < r.start : l.id < r.id;
  });
  return out;
}

std::string Describe(const std::vector<Interval>& ivs) {
  std::ostringstream s;
  for (const Interval& iv : ivs) {
    s << "{" << iv.start << ", " << iv.end << ", " << iv.id << "} ";
  }
  return s.str();
}

enum class Layout { kClustered, kSpread, kNested, kHuge, kEdges, kMixed };

const char* LayoutName(Layout l) {
  switch (l) {
    case Layout::kClustered:
      return "clustered";
    case Layout::kSpread:
      return "spread";
    case Layout::kNested:
      return "nested";
    case Layout::kHuge:
      return "huge";
    case Layout::kEdges:
      return "edges";
    case Layout::kMixed:
      return "mixed";
  }
  return "?";
}

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  uint64_t Uniform(uint64_t lo, uint64_t hi) {  // inclusive
    return std::uniform_int_distribution<uint64_t>(lo, hi)(rng_);
  }
  bool Coin(double p) { return std::bernoulli_distribution(p)(rng_); }

  // A non-empty [start, end) with end <= kMax.
  Interval Make(Layout layout, uint32_t id) {
    switch (layout) {
      case Layout::kClustered: {
        // Many intervals in a few small neighbourhoods: lots of equal starts
        // and overlaps.
        static const uint64_t kCentres[] = {0, 4096, 1u << 20,
                                            uint64_t{1} << 40};
        uint64_t base = kCentres[Uniform(0, 3)];
        uint64_t start = base + Uniform(0, 64);
        return {start, start + Uniform(1, 64), id};
      }
      case Layout::kSpread: {
        uint64_t start = Uniform(0, kMax - 1);
        uint64_t len =
            Coin(0.5) ? Uniform(1, 1 << 16) : Uniform(1, kMax - start);
        return {start, start + std::min(len, kMax - start), id};
      }
      case Layout::kNested: {
        // Intervals centred on one point with random radii: each contains
        // or is contained in many others.
        const uint64_t centre = uint64_t{1} << 62;
        uint64_t left = Uniform(0, uint64_t{1} << Uniform(0, 61));
        uint64_t right = Uniform(1, uint64_t{1} << Uniform(0, 61));
        return {centre - left, centre + right, id};
      }
      case Layout::kHuge: {
        if (Coin(0.3)) return {0, kMax, id};  // the whole space
        uint64_t start = Uniform(0, 1 << 20);
        return {start, kMax - Uniform(0, 1 << 20), id};
      }
      case Layout::kEdges: {
        // Touching 0 or UINT64_MAX, some a single byte long.
        if (Coin(0.5)) {
          uint64_t len = Coin(0.3) ? 1 : Uniform(1, 1 << 12);
          return {kMax - len, kMax, id};
        }
        uint64_t len = Coin(0.3) ? 1 : Uniform(1, 1 << 12);
        return {0, len, id};
      }
      case Layout::kMixed:
        break;
    }
    static const Layout kAll[] = {Layout::kClustered, Layout::kSpread,
                                  Layout::kNested, Layout::kHuge,
                                  Layout::kEdges};
    return Make(kAll[Uniform(0, 4)], id);
  }

  // Queries: random, and ones hugging the boundaries of existing intervals
  // (half-open: touching is not overlapping).
  Query MakeQuery(const std::vector<Interval>& ivs) {
    int kind = static_cast<int>(Uniform(0, 7));
    if (!ivs.empty() && kind < 5) {
      const Interval& iv = ivs[Uniform(0, ivs.size() - 1)];
      switch (kind) {
        case 0:  // ends exactly where the interval starts
          if (iv.start > 0)
            return {iv.start - Uniform(1, std::min<uint64_t>(iv.start, 100)),
                    iv.start};
          break;
        case 1:  // starts exactly where the interval ends
          if (iv.end < kMax) {
            return {iv.end, iv.end + Uniform(1, std::min<uint64_t>(
                                                    kMax - iv.end, 100))};
          }
          break;
        case 2:  // the last byte of the interval
          return {iv.end - 1, iv.end};
        case 3:  // the first byte
          return {iv.start, iv.start + 1};
        case 4: {  // somewhere inside, short
          uint64_t s = iv.start + Uniform(0, iv.end - iv.start - 1);
          return {s, s + Uniform(1, std::min<uint64_t>(kMax - s, 4096))};
        }
      }
    }
    if (kind == 5) return {0, kMax};
    if (kind == 6) {
      uint64_t len = Uniform(1, 1 << 12);
      return Coin(0.5) ? Query{kMax - len, kMax} : Query{0, len};
    }
    uint64_t s = Uniform(0, kMax - 1);
    return {s, s + Uniform(1, kMax - s)};
  }

 private:
  std::mt19937_64 rng_;
};

void CheckQuery(const IntervalIndex& index, const std::vector<Interval>& all,
                const Query& q, const std::string& context) {
  std::vector<Interval> got;
  index.ForEachOverlap(q.start, q.end,
                       [&](const Interval& iv) { got.push_back(iv); });
  std::vector<Interval> want = BruteForce(all, q.start, q.end);
  bool same = got.size() == want.size();
  for (size_t i = 0; same && i < got.size(); ++i) {
    same = got[i].start == want[i].start && got[i].end == want[i].end &&
           got[i].id == want[i].id;
  }
  ASSERT_TRUE(same) << context << "\nquery [" << q.start << ", " << q.end
                    << ")\n got: " << Describe(got)
                    << "\nwant: " << Describe(want) << "\nset (" << all.size()
                    << "): " << (all.size() <= 64 ? Describe(all) : "(large)");
}

TEST(IntervalIndexPropertyTest, EmptyIndexReportsNothing) {
  IntervalIndex index;
  EXPECT_TRUE(index.empty());
  int calls = 0;
  index.ForEachOverlap(0, kMax, [&](const Interval&) { ++calls; });
  EXPECT_EQ(calls, 0);
  IntervalIndex built{std::vector<Interval>{}};
  built.ForEachOverlap(0, kMax, [&](const Interval&) { ++calls; });
  EXPECT_EQ(calls, 0);
}

TEST(IntervalIndexPropertyTest, MatchesBruteForceOnRandomSets) {
  const Layout kLayouts[] = {Layout::kClustered, Layout::kSpread,
                             Layout::kNested,    Layout::kHuge,
                             Layout::kEdges,     Layout::kMixed};
  // Every size up to 70 (all the small tree shapes and partial top levels),
  // then a spread of larger ones up to 2000, including powers of two and
  // their neighbours.
  std::vector<size_t> sizes;
  for (size_t n = 0; n <= 70; ++n) sizes.push_back(n);
  for (size_t n : {127, 128, 129, 255, 256, 257, 511, 512, 513, 1000, 1023,
                   1024, 1025, 1500, 2000}) {
    sizes.push_back(n);
  }
  uint64_t seed = 1;
  size_t queries_run = 0;
  for (Layout layout : kLayouts) {
    for (size_t n : sizes) {
      for (int rep = 0; rep < (n < 100 ? 6 : 2); ++rep, ++seed) {
        Generator gen(seed);
        std::vector<Interval> ivs;
        ivs.reserve(n);
        // Ids are assigned in a shuffled order so that "ties by id" is not
        // the same as insertion order.
        std::vector<uint32_t> ids(n);
        for (size_t i = 0; i < n; ++i) ids[i] = static_cast<uint32_t>(i);
        std::shuffle(ids.begin(), ids.end(), std::mt19937_64(seed));
        for (size_t i = 0; i < n; ++i) ivs.push_back(gen.Make(layout, ids[i]));
        IntervalIndex index(ivs);
        ASSERT_EQ(index.size(), n);
        const std::string context =
            std::string("layout=") + LayoutName(layout) +
            " n=" + std::to_string(n) + " seed=" + std::to_string(seed);
        const int nq = n < 100 ? 60 : 200;
        for (int q = 0; q < nq; ++q) {
          ASSERT_NO_FATAL_FAILURE(
              CheckQuery(index, ivs, gen.MakeQuery(ivs), context));
          ++queries_run;
        }
      }
    }
  }
  RecordProperty("queries", static_cast<int>(queries_run));
}

// Many intervals with the same start: the order must follow the ids, not the
// order they were given in.
TEST(IntervalIndexPropertyTest, EqualStartsAreOrderedById) {
  for (size_t n : {2, 3, 7, 8, 9, 16, 17, 100, 1000}) {
    std::vector<Interval> ivs;
    for (size_t i = 0; i < n; ++i) {
      ivs.push_back(
          {100, 101 + (i * 7919) % 50, static_cast<uint32_t>(n - 1 - i)});
    }
    IntervalIndex index(ivs);
    std::vector<uint32_t> ids;
    index.ForEachOverlap(100, 101,
                         [&](const Interval& iv) { ids.push_back(iv.id); });
    ASSERT_EQ(ids.size(), n);
    for (size_t i = 0; i < n; ++i) EXPECT_EQ(ids[i], i) << "n=" << n;
  }
}

}  // namespace
}  // namespace faultcore
