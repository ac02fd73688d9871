// faultcore trace: read a trace dump of libfaultcore and show what happened
// to each request, what it adds up to, and charts of it.

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tools/cli_args.h"
#include "tools/cli_common.h"
#include "tools/commands.h"
#include "tools/trace_charts.h"
#include "tools/trace_dump.h"
#include "tools/trace_summary.h"
#include "tools/trace_timeline.h"

namespace faultcore {
namespace cli {

const char kTraceHelp[] = R"(NAME
    faultcore trace - show a trace dump: each request, totals, charts

SYNOPSIS
    faultcore trace [--summary | --injected] [--json] [--heatmap FILE.svg]
                    [--buckets N] [--histogram FILE.svg] DUMP

DESCRIPTION
    Reads DUMP, a trace that libfaultcore wrote (fc_engine_trace_dump(),
    see libfaultcore/include/faultcore/faultcore.h), and prints a timeline
    of its requests, one line each, then a summary.  Requests a rule changed
    ("injected": any action but pass) get a second line that explains the
    outcome in device terms: where the request failed and after how many
    good bytes, the SCSI sense key and ASC/ASCQ, the NVMe status and the
    ATA registers in words, the errno.  A line "state A -> B" marks where
    the engine's state changed between two requests.

    The summary counts, per target and op: requests, bytes, completed and
    failed requests, injected requests by action, and latency percentiles
    (nearest rank: p50 is the smallest latency that at least half of the
    completed requests do not exceed) and maximum.

INPUT
    JSON lines.  The first line is the header:
      {"faultcore-trace":1, "library":"0.1.0", "capacity":N,
       "injected-only":BOOL, "recorded":N, "dropped":N}
    ("dropped": records lost because the ring was full; the oldest go).
    Every further line is one request, in submission order:
      seq (increasing), ns (submission time), target (name or null), op,
      offset, bytes, action, rule (name or null), first-bad-offset
      (or null), good-bytes, result (0, a negative errno, or null when the
      request had not completed), latency-ns (or null), state, and for
      requests a rule changed "codes": {"scsi":[key,asc,ascq],
      "nvme":[sct,sc,dnr], "ata":[status,error], "errno":N}; "asked":true
      when an ask rule's decision came from outside (action is then the
      decision).  Keys this version does not know are ignored.

OPTIONS
    --summary
        Print only the summary.
    --injected
        Print only the injected requests in the timeline (the summary
        still counts every request).
    --json
        Print only the summary, as one JSON object (see OUTPUT).
    --heatmap FILE.svg
        Write a heat map of the LBA space over time: per target, N x N
        cells; columns split the time from the first to the last request
        evenly, rows the target's offsets from the lowest to the highest
        requested (in 512-byte blocks, lowest at the bottom).  A cell's
        blue is the number of requests that touched it (log scale); red
        cells hold the first bad byte of an injected request.  Flushes
        have no bytes and are not drawn.
    --buckets N
        Cells per axis of the heat map, 1 to 512; default 64.
    --histogram FILE.svg
        Write a latency histogram per op of the completed requests, in
        log2 buckets (0, then [1 ns, 2 ns), [2 ns, 4 ns), ...); red: the
        injected requests of each bar.
    -h, --help
        Print this help.

    DUMP "-" reads standard input.  The SVG files are written atomically
    (through a temporary file and a rename); "-" is not allowed for them.

OUTPUT
    Timeline columns: ms (since the first record), seq, target ("-": none),
    op, offset and bytes, lba and blocks (the 512-byte blocks the request
    touches), action, rule ("-": none), result ("ok", an errno name such as
    EIO, or "pending" when it had not completed), latency.

    JSON (--json), keys always present, in this order:
      dump, library, capacity, injected_only, recorded
                      the header (recorded: as the header says)
      records         records in the dump
      dropped         records lost to a full ring
      first_ns, last_ns, span_ns
                      earliest and latest submission, and the time between
                      (null when there are no records)
      groups          one object per target and op (no target first, then
                      by name; ops in the order read, write, flush, discard,
                      write-zeroes):
                      {"target" (null: none), "op", "requests", "bytes",
                      "completed", "pending", "failed", "injected",
                      "by_action": {"media_error": N, ... every action but
                      pass}, "latency_ns": {"count", "p50", "p99", "max"}
                      or null when none completed}
      total           the same over every record, without target and op

EXIT STATUS
    0   the dump was read (whatever it holds)
    1   DUMP cannot be read or is not a valid trace dump (the message
        names FILE:LINE:COLUMN and the key), or an SVG file cannot be
        written
    2   usage error

EXAMPLES
    faultcore trace disk0.trace
    faultcore trace --injected disk0.trace
    faultcore trace --summary --heatmap heat.svg --buckets 128 disk0.trace
    faultcore trace --json disk0.trace | jq '.groups[] | {op, latency_ns}'

SEE ALSO
    faultcore explain --help, docs/rules.md
)";

int RunTrace(const std::vector<std::string>& argv, const Streams& io) {
  int status = kExitOk;
  const std::optional<Args> args =
      ParseOrExit(argv,
                  {{"summary", false},
                   {"injected", false},
                   {"json", false},
                   {"heatmap", true},
                   {"buckets", true},
                   {"histogram", true}},
                  "trace", kTraceHelp, io, &status);
  if (!args.has_value()) return status;
  auto usage = [&](absl::string_view message) {
    return UsageError(io, "trace", message);
  };
  if (args->positionals().size() != 1) {
    return usage(args->positionals().empty()
                     ? "no DUMP given"
                     : "trace takes one DUMP (more than one given)");
  }
  const bool summary_only = args->Has("summary");
  const bool injected_only = args->Has("injected");
  const bool json = args->Has("json");
  if (summary_only && injected_only) {
    return usage("--summary and --injected exclude each other");
  }
  if (json && injected_only) {
    return usage("--json prints the summary only; --injected does not apply");
  }
  const std::optional<std::string> heatmap = args->Value("heatmap");
  const std::optional<std::string> histogram = args->Value("histogram");
  for (const auto& [option, path] :
       {std::make_pair("--heatmap", heatmap),
        std::make_pair("--histogram", histogram)}) {
    if (path.has_value() && (path->empty() || *path == "-")) {
      return usage(absl::StrCat(option, ": needs a file name (not \"", *path,
                                "\": standard output holds the text)"));
    }
  }
  if (heatmap.has_value() && histogram.has_value() && *heatmap == *histogram) {
    return usage("--heatmap and --histogram name the same file");
  }
  int buckets = kDefaultHeatmapBuckets;
  if (const auto text = args->Value("buckets")) {
    if (!heatmap.has_value())
      return usage("--buckets only applies with --heatmap");
    const absl::StatusOr<uint64_t> value = ParseCount(*text, "--buckets");
    if (!value.ok()) return usage(value.status().message());
    if (*value < 1 || *value > kMaxHeatmapBuckets) {
      return usage(
          absl::StrCat("--buckets: must be from 1 to ", kMaxHeatmapBuckets));
    }
    buckets = static_cast<int>(*value);
  }

  const absl::StatusOr<TraceDump> dump = ReadTraceDump(args->positionals()[0]);
  if (!dump.ok()) {
    io.err << dump.status().message() << "\n";
    return kExitFailure;
  }
  for (const std::string& warning : dump->warnings) io.err << warning << "\n";

  const TraceSummary summary = Summarize(*dump);
  if (json) {
    io.out << SummaryJson(*dump, summary) << "\n";
  } else {
    if (!summary_only) {
      PrintTimeline(*dump, injected_only, io.out);
      io.out << "\n";
    }
    PrintSummary(*dump, summary, io.out);
  }
  io.out.flush();

  int result = kExitOk;
  auto write = [&](const std::optional<std::string>& path,
                   const std::string& svg) {
    if (!path.has_value()) return;
    const absl::Status written = WriteOutput(*path, svg, io.out);
    if (!written.ok()) {
      io.err << "faultcore trace: " << written.message() << "\n";
      result = kExitFailure;
    }
  };
  if (heatmap.has_value()) write(heatmap, HeatmapSvg(*dump, buckets));
  if (histogram.has_value()) write(histogram, LatencyHistogramSvg(*dump));
  return result;
}

}  // namespace cli
}  // namespace faultcore
