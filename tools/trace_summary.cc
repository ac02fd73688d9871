#include "tools/trace_summary.h"

#include <algorithm>
#include <array>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/cli_format.h"

namespace faultcore {
namespace cli {

uint64_t NearestRank(const std::vector<uint64_t>& sorted, int percent) {
  const uint64_t n = sorted.size();
  uint64_t rank = (n * static_cast<uint64_t>(percent) + 99) / 100;
  if (rank == 0) rank = 1;
  return sorted[rank - 1];
}

namespace {

// One group being summed: its totals and every latency, sorted by Finish().
// A plain value.
struct Accumulator {
  GroupSummary summary;
  std::vector<uint64_t> latencies;

  void Add(const TraceRecord& r) {
    GroupSummary& s = summary;
    ++s.requests;
    s.bytes += r.bytes;
    if (r.result.has_value()) {
      ++s.completed;
      if (*r.result < 0) ++s.failed;
    }
    if (r.injected()) {
      ++s.injected;
      ++s.by_action[static_cast<size_t>(r.action)];
    }
    if (r.latency_ns.has_value()) latencies.push_back(*r.latency_ns);
  }

  GroupSummary Finish() {
    if (!latencies.empty()) {
      std::sort(latencies.begin(), latencies.end());
      summary.latency =
          LatencySummary{latencies.size(), NearestRank(latencies, 50),
                         NearestRank(latencies, 99), latencies.back()};
    }
    return std::move(summary);
  }
};

std::string ByAction(const GroupSummary& g) {
  std::vector<std::string> parts;
  for (Action a : InjectedActions()) {
    const uint64_t n = g.by_action[static_cast<size_t>(a)];
    if (n > 0) parts.push_back(absl::StrCat(ActionName(a), " ", n));
  }
  if (parts.empty()) return absl::StrCat(g.injected);
  return absl::StrCat(g.injected, " (", absl::StrJoin(parts, ", "), ")");
}

std::string GroupJson(const GroupSummary& g, bool keyed) {
  JsonObject o;
  if (keyed) {
    if (g.target.has_value()) {
      o.String("target", *g.target);
    } else {
      o.Null("target");
    }
    o.String("op", OpName(g.op));
  }
  o.Number("requests", g.requests)
      .Number("bytes", g.bytes)
      .Number("completed", g.completed)
      .Number("pending", g.requests - g.completed)
      .Number("failed", g.failed)
      .Number("injected", g.injected);
  JsonObject by_action;
  for (Action a : InjectedActions()) {
    by_action.Number(ActionName(a), g.by_action[static_cast<size_t>(a)]);
  }
  o.Raw("by_action", by_action.Build());
  if (g.latency.has_value()) {
    o.Raw("latency_ns", JsonObject()
                            .Number("count", g.latency->count)
                            .Number("p50", g.latency->p50)
                            .Number("p99", g.latency->p99)
                            .Number("max", g.latency->max)
                            .Build());
  } else {
    o.Null("latency_ns");
  }
  return o.Build();
}

}  // namespace

TraceSummary Summarize(const TraceDump& dump) {
  TraceSummary out;
  out.records = dump.records.size();
  if (!dump.records.empty()) {
    // Submission order is seq order; times normally follow, but a host
    // with several submitting threads may stamp them slightly out of order.
    const auto [lo, hi] = std::minmax_element(
        dump.records.begin(), dump.records.end(),
        [](const TraceRecord& a, const TraceRecord& b) { return a.ns < b.ns; });
    out.first_ns = lo->ns;
    out.last_ns = hi->ns;
  }
  // std::optional orders nullopt first: requests without a target lead.
  std::map<std::pair<std::optional<std::string>, uint32_t>, Accumulator> groups;
  Accumulator total;
  for (const TraceRecord& r : dump.records) {
    Accumulator& g = groups[{r.target, static_cast<uint32_t>(r.op)}];
    g.summary.target = r.target;
    g.summary.op = r.op;
    g.Add(r);
    total.Add(r);
  }
  for (auto& entry : groups) out.groups.push_back(entry.second.Finish());
  out.total = total.Finish();
  return out;
}

void PrintSummary(const TraceDump& dump, const TraceSummary& s,
                  std::ostream& out) {
  const TraceHeader& h = dump.header;
  out << "summary of " << Printable(dump.name) << "\n";
  out << "  records   " << s.records;
  if (h.dropped == 0) {
    out << " (none dropped)\n";
  } else {
    out << " (" << h.dropped << " dropped: the ring of " << h.capacity
        << " was full, the oldest went)\n";
  }
  out << "  span      "
      << (s.records == 0 ? std::string("-")
                         : absl::StrCat(Duration(s.last_ns - s.first_ns),
                                        " from the first submission to the "
                                        "last"))
      << "\n";
  out << "  recorded  "
      << (h.injected_only ? "only requests a rule changed" : "every request")
      << ", ring of " << h.capacity << " records, library "
      << Printable(h.library) << "\n\n";

  static const char* const kSummaryHeadings[] = {
      "target", "op",  "requests", "bytes", "completed",
      "failed", "p50", "p99",      "max",   "injected"};
  constexpr size_t kCols = 10;
  std::vector<std::array<std::string, kCols>> rows;
  rows.push_back({});
  for (size_t i = 0; i < kCols; ++i) rows[0][i] = kSummaryHeadings[i];
  auto add = [&](const std::string& target, const std::string& op,
                 const GroupSummary& g) {
    const auto lat = [&](uint64_t LatencySummary::*field) {
      return g.latency.has_value() ? Duration((*g.latency).*field)
                                   : std::string("-");
    };
    rows.push_back({target, op, absl::StrCat(g.requests), absl::StrCat(g.bytes),
                    absl::StrCat(g.completed), absl::StrCat(g.failed),
                    lat(&LatencySummary::p50), lat(&LatencySummary::p99),
                    lat(&LatencySummary::max), ByAction(g)});
  };
  for (const GroupSummary& g : s.groups) {
    add(TargetText(g.target), OpName(g.op), g);
  }
  if (s.groups.size() != 1) add("all", "", s.total);
  std::array<size_t, kCols> widths{};
  for (const auto& row : rows) {
    for (size_t i = 0; i < kCols; ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  }
  for (const auto& row : rows) {
    std::string line = "  ";
    for (size_t i = 0; i < kCols; ++i) {
      if (i > 0) line += "  ";
      const size_t pad = widths[i] - row[i].size();
      const bool right = i >= 2 && i <= 5;
      if (right) line.append(pad, ' ');
      line += row[i];
      if (!right && i + 1 < kCols) line.append(pad, ' ');
    }
    out << line << "\n";
  }
}

std::string SummaryJson(const TraceDump& dump, const TraceSummary& s) {
  const TraceHeader& h = dump.header;
  JsonObject o;
  o.String("dump", dump.name)
      .String("library", h.library)
      .Number("capacity", h.capacity)
      .Bool("injected_only", h.injected_only)
      .Number("recorded", h.recorded)
      .Number("records", s.records)
      .Number("dropped", h.dropped);
  if (s.records == 0) {
    o.Null("first_ns").Null("last_ns").Null("span_ns");
  } else {
    o.Number("first_ns", s.first_ns)
        .Number("last_ns", s.last_ns)
        .Number("span_ns", s.last_ns - s.first_ns);
  }
  std::vector<std::string> groups;
  for (const GroupSummary& g : s.groups) groups.push_back(GroupJson(g, true));
  o.Raw("groups", JsonArray(groups));
  o.Raw("total", GroupJson(s.total, false));
  return o.Build();
}

}  // namespace cli
}  // namespace faultcore
