// LatencyHistogramSvg() (trace_charts.h): latencies per op in log2 buckets.

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "absl/numeric/bits.h"
#include "absl/strings/str_cat.h"
#include "tools/cli_format.h"
#include "tools/svg_writer.h"
#include "tools/trace_charts.h"
#include "tools/trace_summary.h"

namespace faultcore {
namespace cli {

size_t LatencyBucket(uint64_t ns) {
  return ns == 0 ? 0 : static_cast<size_t>(64 - absl::countl_zero(ns));
}

namespace {

constexpr size_t kBuckets = 65;

// Layout, in SVG pixels.
constexpr double kLeft = 80;
constexpr double kMinPlotWidth = 480;
constexpr double kBarSlot = 34;  // per bucket, at least
constexpr double kPlotHeight = 200;
constexpr double kBarSpace = 0.9;  // of kPlotHeight: room for the labels
constexpr double kTop = 50;
constexpr double kPanelGap = 120;  // title above, rotated bucket labels below
constexpr char kBarColour[] = "#4a78b0";
constexpr char kInjectedColour[] = "#d62728";

struct OpLatencies {
  Op op;
  std::vector<uint64_t> sorted;
  std::array<uint64_t, kBuckets> counts{};
  std::array<uint64_t, kBuckets> injected{};
};

// The lower bound of bucket i, for labels.
std::string BucketLabel(size_t i) {
  return i == 0 ? "0" : Duration(uint64_t{1} << (i - 1));
}

std::string BucketRange(size_t i) {
  if (i == 0) return "0 ns";
  return absl::StrCat(
      "[", BucketLabel(i), ", ",
      i == 64 ? std::string("2^64 ns") : Duration(uint64_t{1} << i), ")");
}

}  // namespace

std::string LatencyHistogramSvg(const TraceDump& dump) {
  std::vector<OpLatencies> ops;
  for (Op op : TraceOps()) ops.push_back(OpLatencies{op, {}, {}, {}});
  for (const TraceRecord& r : dump.records) {
    if (!r.latency_ns.has_value()) continue;
    for (OpLatencies& o : ops) {
      if (o.op != r.op) continue;
      const size_t b = LatencyBucket(*r.latency_ns);
      o.sorted.push_back(*r.latency_ns);
      ++o.counts[b];
      if (r.injected()) ++o.injected[b];
    }
  }
  ops.erase(
      std::remove_if(ops.begin(), ops.end(),
                     [](const OpLatencies& o) { return o.sorted.empty(); }),
      ops.end());
  size_t lo = kBuckets, hi = 0;
  for (OpLatencies& o : ops) {
    std::sort(o.sorted.begin(), o.sorted.end());
    lo = std::min(lo, LatencyBucket(o.sorted.front()));
    hi = std::max(hi, LatencyBucket(o.sorted.back()));
  }
  const size_t slots = ops.empty() ? 1 : hi - lo + 1;
  const double plot_width = std::max(kMinPlotWidth, slots * kBarSlot);
  const double slot = plot_width / slots;
  const double width = kLeft + plot_width + 40;
  const double height =
      kTop + std::max<size_t>(ops.size(), 1) * (kPlotHeight + kPanelGap);

  const std::string title =
      absl::StrCat("faultcore trace: ", dump.name, ": latency histogram");
  SvgWriter svg(width, height, title);
  using Anchor = SvgWriter::Anchor;
  svg.Text(kLeft, 24, title, Anchor::kStart, 16);
  svg.Text(kLeft, 40,
           "completed requests per log2 latency bucket; red: injected "
           "requests",
           Anchor::kStart, 12);
  if (ops.empty()) {
    svg.Text(kLeft, kTop + 40, "no completed requests: no latencies to draw");
  }
  double top = kTop + 30;
  for (const OpLatencies& o : ops) {
    const uint64_t max =
        *std::max_element(o.counts.begin() + lo, o.counts.begin() + hi + 1);
    svg.Text(
        kLeft, top - 10,
        absl::StrCat(OpName(o.op), ": ", o.sorted.size(), " completed, p50 ",
                     Duration(NearestRank(o.sorted, 50)), ", p99 ",
                     Duration(NearestRank(o.sorted, 99)), ", max ",
                     Duration(o.sorted.back())),
        Anchor::kStart, 13);
    svg.Rect(kLeft, top, plot_width, kPlotHeight, "#f7f7f7", "plot");
    const double bottom = top + kPlotHeight;
    for (size_t b = lo; b <= hi; ++b) {
      const double x = kLeft + (b - lo) * slot;
      if (o.counts[b] > 0) {
        const double h = kPlotHeight * kBarSpace * o.counts[b] / max;
        svg.Rect(
            x + slot * 0.1, bottom - h, slot * 0.8, h, kBarColour, "bar",
            absl::StrCat(OpName(o.op), ": ", o.counts[b],
                         o.counts[b] == 1 ? " request" : " requests", " in ",
                         BucketRange(b), ", ", o.injected[b], " injected"));
        if (o.injected[b] > 0) {
          const double hi_h = kPlotHeight * kBarSpace * o.injected[b] / max;
          svg.Rect(x + slot * 0.1, bottom - hi_h, slot * 0.8, hi_h,
                   kInjectedColour, "bar-injected");
        }
        svg.Text(x + slot / 2, bottom - h - 4, absl::StrCat(o.counts[b]),
                 Anchor::kMiddle, 10);
      }
      svg.Line(x, bottom, x, bottom + 4);
      svg.Text(x + 4, bottom + 14, BucketLabel(b), Anchor::kEnd, 10, -45);
    }
    svg.Line(kLeft, bottom, kLeft + plot_width, bottom);
    svg.Line(kLeft, top, kLeft, bottom);
    // Ticks at 0, about half and the tallest bar (max >= 1: a panel has a
    // bar), in whole counts.
    std::vector<uint64_t> ticks = {0};
    if ((max + 1) / 2 < max) ticks.push_back((max + 1) / 2);
    ticks.push_back(max);
    for (const uint64_t count : ticks) {
      const double y = bottom - kPlotHeight * kBarSpace * count / max;
      svg.Line(kLeft - 5, y, kLeft, y);
      svg.Text(kLeft - 8, y + 4, absl::StrCat(count), Anchor::kEnd, 11);
    }
    svg.Text(kLeft - 50, top + kPlotHeight / 2, "requests", Anchor::kMiddle, 12,
             -90);
    svg.Text(kLeft + plot_width / 2, bottom + 70,
             "latency (a bar counts latencies from its label to the next)",
             Anchor::kMiddle, 12);
    top += kPlotHeight + kPanelGap;
  }
  return svg.Finish();
}

}  // namespace cli
}  // namespace faultcore
