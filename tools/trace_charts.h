// Charts of a trace dump as standalone SVG documents: a heat map of the
// LBA space over time, and latency histograms per op.
//
// Every data mark carries a class, so that tools (and tests) can count
// them: heat-map cells are <rect class="cell"> or, when an injected
// request's first bad byte lies in them, <rect class="cell injected">;
// histogram bars are <rect class="bar">, and the injected requests of a
// bar a <rect class="bar-injected"> inside it.  Legend swatches are
// class="legend".
//
// Pure functions; thread-safe.

#ifndef FAULTCORE_TOOLS_TRACE_CHARTS_H_
#define FAULTCORE_TOOLS_TRACE_CHARTS_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "tools/trace_dump.h"

namespace faultcore {
namespace cli {

inline constexpr int kDefaultHeatmapBuckets = 64;
inline constexpr int kMaxHeatmapBuckets = 512;

// A heat map per target (no target first, then by name) of `buckets` x
// `buckets` cells.  Columns split the time from the first to the last
// submission of the dump evenly: request r goes to column
// (r.ns - first) * buckets / (last - first + 1).  Rows split the target's
// offsets from the lowest requested byte (rounded down to 512) to the end
// of the highest (rounded up to 512): byte b is in row
// (b - low) * buckets / (high - low), row 0 at the bottom.  A request counts
// in every row it covers, in its column; requests without bytes (flushes)
// are not drawn.  Colour: requests per cell, light to dark blue on a log
// scale, red for cells holding an injected request's first bad byte (its
// offset when there is none).
std::string HeatmapSvg(const TraceDump& dump, int buckets);

// Log2 buckets: 0 for 0, i (1..64) for [2^(i-1), 2^i).
size_t LatencyBucket(uint64_t ns);

// A bar chart per op (in op order, ops with completed requests only) of
// the latencies of completed requests in log2 buckets, one bar per
// non-empty bucket, over the same range of buckets for every op.
std::string LatencyHistogramSvg(const TraceDump& dump);

}  // namespace cli
}  // namespace faultcore

#endif  // FAULTCORE_TOOLS_TRACE_CHARTS_H_
