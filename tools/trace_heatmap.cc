// HeatmapSvg() (trace_charts.h): the LBA space of each target over time.

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/cli_format.h"
#include "tools/svg_writer.h"
#include "tools/trace_charts.h"

namespace faultcore {
namespace cli {
namespace {

using u128 = unsigned __int128;

// Layout, in SVG pixels.
constexpr double kLeft = 110;  // y labels
constexpr double kPlotWidth = 720;
constexpr double kPlotHeight = 320;
constexpr double kLegendWidth = 250;
constexpr double kTop = 56;        // the document's title
constexpr double kPanelGap = 110;  // a panel's title above, x labels below
constexpr uint32_t kLight = 0xc6dbef, kDark = 0x08306b;        // requests
constexpr uint32_t kLightRed = 0xfcae91, kDarkRed = 0xa50f15;  // injected

struct Cell {
  uint64_t requests = 0;
  uint64_t injected = 0;
};

// One target's map.  A plain value.
struct Panel {
  std::optional<std::string> target;
  uint64_t low = 0;  // first byte of row 0
  u128 high = 0;     // end of the last row
  uint64_t requests = 0;
  uint64_t injected = 0;
  std::vector<Cell> cells;  // row-major, buckets x buckets

  int Row(uint64_t byte, int buckets) const {
    return static_cast<int>(u128{byte - low} * static_cast<unsigned>(buckets) /
                            (high - low));
  }
};

std::string TargetLabel(const std::optional<std::string>& target) {
  return target.has_value() ? *target : "(no target)";
}

// "12.5" milliseconds, for tick labels.
std::string Ms(double ns) { return absl::StrFormat("%.4g", ns / 1e6); }

// Log scale from 1 (0) to `max` (1).
double Shade(uint64_t count, uint64_t max) {
  if (max <= 1) return 1;
  return std::log(static_cast<double>(count)) /
         std::log(static_cast<double>(max));
}

}  // namespace

std::string HeatmapSvg(const TraceDump& dump, int buckets) {
  const unsigned n = static_cast<unsigned>(buckets);
  // The time axis: every record, drawn or not.
  uint64_t t0 = 0, t1 = 0;
  for (size_t i = 0; i < dump.records.size(); ++i) {
    const uint64_t ns = dump.records[i].ns;
    if (i == 0 || ns < t0) t0 = ns;
    if (i == 0 || ns > t1) t1 = ns;
  }
  const u128 span = u128{t1 - t0} + 1;
  auto column = [&](uint64_t ns) {
    return static_cast<int>(u128{ns - t0} * n / span);
  };

  // Ranges first, then cells.
  std::map<std::optional<std::string>, Panel> panels;
  uint64_t unranged = 0;
  for (const TraceRecord& r : dump.records) {
    if (r.bytes == 0) {
      ++unranged;
      continue;
    }
    const auto [it, fresh] = panels.try_emplace(r.target);
    Panel& p = it->second;
    const uint64_t low = r.offset / 512 * 512;
    const u128 high = (u128{r.offset} + r.bytes + 511) / 512 * 512;
    if (fresh || low < p.low) p.low = low;
    if (fresh || high > p.high) p.high = high;
    p.target = r.target;
  }
  for (auto& entry : panels) entry.second.cells.resize(size_t{n} * n);
  uint64_t max_requests = 0, max_injected = 0;
  for (const TraceRecord& r : dump.records) {
    if (r.bytes == 0) continue;
    Panel& p = panels[r.target];
    const int x = column(r.ns);
    const int first = p.Row(r.offset, buckets);
    const int last = p.Row(r.offset + r.bytes - 1, buckets);
    for (int y = first; y <= last; ++y) {
      Cell& c = p.cells[size_t(y) * n + size_t(x)];
      max_requests = std::max(max_requests, ++c.requests);
    }
    ++p.requests;
    if (r.injected()) {
      uint64_t at = r.first_bad_offset.value_or(r.offset);
      at = std::clamp(at, r.offset, r.offset + r.bytes - 1);
      Cell& c = p.cells[size_t(p.Row(at, buckets)) * n + size_t(x)];
      max_injected = std::max(max_injected, ++c.injected);
      ++p.injected;
    }
  }

  const double width = kLeft + kPlotWidth + kLegendWidth;
  const double height =
      kTop + std::max<size_t>(panels.size(), 1) * (kPlotHeight + kPanelGap);
  const std::string title =
      absl::StrCat("faultcore trace: ", dump.name, ": LBA heat map");
  SvgWriter svg(width, height, title);
  using Anchor = SvgWriter::Anchor;
  svg.Text(kLeft, 24, title, Anchor::kStart, 16);
  svg.Text(
      kLeft, 42,
      absl::StrCat(dump.records.size(), " requests over ", Duration(t1 - t0),
                   "; ", buckets, " x ", buckets, " cells per target"),
      Anchor::kStart, 12);
  if (panels.empty()) {
    svg.Text(kLeft, kTop + 40,
             "no requests with bytes to draw (only flushes, or no records)");
  }

  const double cw = kPlotWidth / n, ch = kPlotHeight / n;
  double top = kTop + 30;
  for (const auto& entry : panels) {
    const Panel& p = entry.second;
    const uint64_t lba_low = p.low / 512;
    const u128 lba_high = p.high / 512;
    svg.Text(kLeft, top - 10,
             absl::StrCat(TargetLabel(p.target), ": ", p.requests,
                          p.requests == 1 ? " request" : " requests", ", ",
                          p.injected, " injected, LBAs ", lba_low, "..",
                          static_cast<uint64_t>(lba_high - 1)),
             Anchor::kStart, 13);
    svg.Rect(kLeft, top, kPlotWidth, kPlotHeight, "#f7f7f7", "plot");
    for (unsigned y = 0; y < n; ++y) {
      for (unsigned x = 0; x < n; ++x) {
        const Cell& c = p.cells[size_t(y) * n + x];
        if (c.requests == 0) continue;
        // Row 0 (the lowest offsets) at the bottom.
        const double px = kLeft + x * cw, py = top + kPlotHeight - (y + 1) * ch;
        const uint64_t row_low =
            static_cast<uint64_t>(p.low + (p.high - p.low) * y / n) / 512;
        const uint64_t row_end =
            static_cast<uint64_t>(p.low + (p.high - p.low) * (y + 1) / n) / 512;
        // The column's times since the first request, as Duration() writes
        // them (whole nanoseconds: the columns' own bounds).
        const uint64_t c0 = static_cast<uint64_t>(span * x / n);
        const uint64_t c1 = static_cast<uint64_t>(span * (x + 1) / n);
        std::string tip = absl::StrCat(
            TargetLabel(p.target), ": ", LbaRange(row_low, row_end, false),
            ", ", Duration(c0), " to ", Duration(c1), ": ", c.requests,
            c.requests == 1 ? " request" : " requests");
        if (c.injected > 0) {
          absl::StrAppend(&tip, ", ", c.injected, " injected");
          svg.Rect(
              px, py, cw, ch,
              MixColour(kLightRed, kDarkRed, Shade(c.injected, max_injected)),
              "cell injected", tip);
        } else {
          svg.Rect(px, py, cw, ch,
                   MixColour(kLight, kDark, Shade(c.requests, max_requests)),
                   "cell", tip);
        }
      }
    }
    // Axes: 5 ticks each.
    svg.Line(kLeft, top + kPlotHeight, kLeft + kPlotWidth, top + kPlotHeight);
    svg.Line(kLeft, top, kLeft, top + kPlotHeight);
    for (int k = 0; k <= 4; ++k) {
      const double y = top + kPlotHeight - kPlotHeight * k / 4;
      const u128 lba = (u128{p.low} + (p.high - p.low) * k / 4) / 512;
      svg.Line(kLeft - 5, y, kLeft, y);
      svg.Text(kLeft - 8, y + 4, absl::StrCat(static_cast<uint64_t>(lba)),
               Anchor::kEnd, 11);
      const double x = kLeft + kPlotWidth * k / 4;
      svg.Line(x, top + kPlotHeight, x, top + kPlotHeight + 5);
      svg.Text(x, top + kPlotHeight + 18, Ms(static_cast<double>(span) * k / 4),
               Anchor::kMiddle, 11);
    }
    svg.Text(kLeft - 70, top + kPlotHeight / 2, "LBA (512-byte blocks)",
             Anchor::kMiddle, 12, -90);
    svg.Text(kLeft + kPlotWidth / 2, top + kPlotHeight + 38,
             "time since the first request (ms)", Anchor::kMiddle, 12);
    top += kPlotHeight + kPanelGap;
  }

  // Legend: up to five shades of each scale, with the counts they stand
  // for (fewer when the largest count is small: no count twice).
  const double lx = kLeft + kPlotWidth + 30;
  double ly = kTop + 30;
  auto ramp = [&](const char* label, uint32_t from, uint32_t to, uint64_t max) {
    svg.Text(lx, ly, label, Anchor::kStart, 12);
    ly += 8;
    max = std::max<uint64_t>(max, 1);
    uint64_t previous = 0;
    for (int k = 0; k <= 4; ++k) {
      const uint64_t count = static_cast<uint64_t>(
          std::llround(std::pow(static_cast<double>(max), k / 4.0)));
      if (count == previous) continue;
      previous = count;
      svg.Rect(lx, ly, 16, 16, MixColour(from, to, Shade(count, max)),
               "legend");
      svg.Text(lx + 24, ly + 12,
               absl::StrCat(count, count == 1 ? " request" : " requests"),
               Anchor::kStart, 11);
      ly += 20;
    }
    ly += 16;
  };
  ramp("requests per cell", kLight, kDark, max_requests);
  ramp("cells with injected requests", kLightRed, kDarkRed, max_injected);
  svg.Text(lx, ly, "(red: an injected request's", Anchor::kStart, 11);
  svg.Text(lx, ly + 14, "first bad byte is in the cell)", Anchor::kStart, 11);
  if (unranged > 0) {
    svg.Text(lx, ly + 36,
             absl::StrCat(unranged, unranged == 1 ? " request" : " requests",
                          " without bytes"),
             Anchor::kStart, 11);
    svg.Text(lx, ly + 50, "(flushes) not drawn", Anchor::kStart, 11);
  }
  return svg.Finish();
}

}  // namespace cli
}  // namespace faultcore
