#include "tools/trace_timeline.h"

#include <algorithm>
#include <array>
#include <limits>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "tools/cli_format.h"

namespace faultcore {
namespace cli {
namespace {

constexpr uint64_t kLba = 512;  // the timeline's block size

std::string RuleCell(const std::optional<std::string>& rule) {
  if (!rule.has_value()) return "-";
  return rule->empty() ? "(unnamed)" : Printable(*rule);
}

// "EIO" for 5; the number when it has no name.
std::string ErrnoWord(int value) {
  const std::string name = ErrnoName(value);
  return name.empty() ? absl::StrCat(value) : name;
}

// "ok", "EIO" for -5, "-1234" for an errno without a name, "pending".
std::string ResultCell(const std::optional<int32_t>& result) {
  if (!result.has_value()) return "pending";
  if (*result == 0) return "ok";
  const std::string name =
      *result > std::numeric_limits<int32_t>::min() ? ErrnoName(-*result) : "";
  return name.empty() ? absl::StrCat(*result) : name;
}

// "-1.250" ms of `ns` after `origin`.
std::string RelativeMs(uint64_t ns, uint64_t origin) {
  const double delta = ns >= origin ? static_cast<double>(ns - origin)
                                    : -static_cast<double>(origin - ns);
  return absl::StrFormat("%.3f", delta / 1e6);
}

// The device codes in words: "SCSI 03/11/00 MEDIUM ERROR: unrecovered read
// error; NVMe 2/81 DNR: unrecovered read error; ATA 0x41/0x40 (DRDY ERR /
// UNC); errno EIO".
std::string CodesText(const TraceCodes& c) {
  std::string scsi = absl::StrFormat("SCSI %02X/%02X/%02X", c.scsi_sense_key,
                                     c.scsi_asc, c.scsi_ascq);
  const std::string key = ScsiSenseKeyName(c.scsi_sense_key);
  const std::string asc = ScsiAscText(c.scsi_asc, c.scsi_ascq);
  if (!key.empty()) absl::StrAppend(&scsi, " ", key);
  if (!asc.empty()) absl::StrAppend(&scsi, ": ", asc);
  std::string nvme = absl::StrFormat("NVMe %X/%02X%s", c.nvme_sct, c.nvme_sc,
                                     c.nvme_dnr ? " DNR" : "");
  std::string status = NvmeStatusText(c.nvme_sct, c.nvme_sc);
  if (status.empty()) status = NvmeSctName(c.nvme_sct);
  if (!status.empty()) absl::StrAppend(&nvme, ": ", status);
  const std::string ata = absl::StrFormat(
      "ATA 0x%02X/0x%02X (%s / %s)", c.ata_status, c.ata_error,
      c.ata_status == 0 ? "-" : absl::StrJoin(AtaStatusBits(c.ata_status), " "),
      c.ata_error == 0 ? "-" : absl::StrJoin(AtaErrorBits(c.ata_error), " "));
  const std::string errno_text =
      c.errno_value == 0 ? "errno none"
                         : absl::StrCat("errno ", ErrnoWord(c.errno_value));
  return absl::StrJoin({scsi, nvme, ata, errno_text}, "; ");
}

// Whether the host reported the codes: error verdicts unless the request
// completed successfully anyway, recovered errors always, anything that
// completed with an error.
bool CodesReported(const TraceRecord& r) {
  const bool ok = r.result.has_value() && *r.result >= 0;
  switch (r.action) {
    case Action::kMediaError:
    case Action::kWriteFault:
      return !ok;
    case Action::kRecovered:
      return true;
    default:
      return r.result.has_value() && *r.result < 0;
  }
}

// "LBA 2049 (byte 1049088)".
std::string Where(uint64_t byte) {
  return absl::StrCat("LBA ", byte / kLba, " (byte ", byte, ")");
}

// "512 good bytes".
std::string GoodBytes(uint64_t n, const char* what) {
  return absl::StrCat(n, " ", what, n == 1 ? " byte" : " bytes");
}

constexpr size_t kColumns = 12;
constexpr std::array<const char*, kColumns> kHeadings = {
    "ms",  "seq",    "target", "op",   "offset", "bytes",
    "lba", "blocks", "action", "rule", "result", "latency"};
// Numbers are right-aligned, words left-aligned.
constexpr std::array<bool, kColumns> kRight = {true,  true,  false, false,
                                               true,  true,  true,  true,
                                               false, false, false, false};
// Long names widen their column up to this; longer ones overflow their row.
constexpr size_t kMaxNameWidth = 32;

std::array<std::string, kColumns> Cells(const TraceRecord& r, uint64_t origin) {
  const bool ranged = r.op != Op::kFlush || r.bytes > 0;
  std::string lba = "-", blocks = "-", offset = "-", bytes = "-";
  if (ranged) {
    offset = absl::StrCat(r.offset);
    bytes = absl::StrCat(r.bytes);
    lba = absl::StrCat(r.offset / kLba);
    const unsigned __int128 end =
        (static_cast<unsigned __int128>(r.offset) + r.bytes + kLba - 1) / kLba;
    blocks = absl::StrCat(
        r.bytes == 0 ? 0 : static_cast<uint64_t>(end - r.offset / kLba));
  }
  return {RelativeMs(r.ns, origin),
          absl::StrCat(r.seq),
          TargetText(r.target),
          OpName(r.op),
          offset,
          bytes,
          lba,
          blocks,
          ActionName(r.action),
          RuleCell(r.rule),
          ResultCell(r.result),
          r.latency_ns.has_value() ? Duration(*r.latency_ns) : "-"};
}

std::string Row(const std::array<std::string, kColumns>& cells,
                const std::array<size_t, kColumns>& widths) {
  std::string out;
  for (size_t i = 0; i < kColumns; ++i) {
    if (i > 0) out += "  ";
    const size_t pad =
        cells[i].size() < widths[i] ? widths[i] - cells[i].size() : 0;
    if (kRight[i]) out.append(pad, ' ');
    out += cells[i];
    if (!kRight[i] && i + 1 < kColumns) out.append(pad, ' ');
  }
  return out;
}

}  // namespace

std::string Explanation(const TraceRecord& r) {
  std::string out;
  if (r.asked) out = "decided from outside (ask): ";
  const std::optional<uint64_t>& bad = r.first_bad_offset;
  auto located = [&](const char* verb, const char* good) {
    if (!bad.has_value()) return std::string(verb);
    return absl::StrCat(verb, " at ", Where(*bad), " after ",
                        GoodBytes(r.good_bytes, good));
  };
  const std::string completion =
      r.latency_ns.has_value()
          ? absl::StrCat("completed after ", Duration(*r.latency_ns))
          : std::string("not completed when dumped");
  switch (r.action) {
    case Action::kMediaError:
    case Action::kWriteFault:
      absl::StrAppend(&out, located("failed", "good"));
      break;
    case Action::kTornWrite:
      absl::StrAppend(&out, located("torn", "written"));
      break;
    case Action::kRecovered:
      absl::StrAppend(&out, located("recovered error", "good"),
                      " (the data was delivered)");
      break;
    case Action::kCorrupt:
      absl::StrAppend(&out, located("corrupted", "intact"));
      break;
    case Action::kDelay:
      absl::StrAppend(&out, "delayed by the rule; ", completion);
      break;
    case Action::kHold:
      absl::StrAppend(
          &out, "held by the rule; ",
          r.latency_ns.has_value()
              ? absl::StrCat("released after ", Duration(*r.latency_ns))
              : std::string("still held when dumped"));
      break;
    case Action::kLostWrite:
      absl::StrAppend(&out,
                      "lost write: reported as done, the data was not written");
      break;
    case Action::kAsk:
      absl::StrAppend(&out, "ask: waiting for a decision from outside; ",
                      completion);
      break;
    case Action::kPass:
      if (r.asked) absl::StrAppend(&out, "passed; ", completion);
      break;
  }
  if (r.codes.has_value() && CodesReported(r)) {
    absl::StrAppend(&out, "; ", CodesText(*r.codes));
  }
  return out;
}

void PrintTimeline(const TraceDump& dump, bool injected_only,
                   std::ostream& out) {
  if (dump.records.empty()) {
    out << "(no records)\n";
    return;
  }
  const uint64_t origin = dump.records.front().ns;
  auto shown = [&](const TraceRecord& r) {
    return !injected_only || r.injected();
  };
  std::array<size_t, kColumns> widths;
  for (size_t i = 0; i < kColumns; ++i)
    widths[i] = std::string(kHeadings[i]).size();
  for (const TraceRecord& r : dump.records) {
    if (!shown(r)) continue;
    const auto cells = Cells(r, origin);
    for (size_t i = 0; i < kColumns; ++i) {
      const bool name = i == 2 || i == 9;
      widths[i] =
          std::max(widths[i], name ? std::min(cells[i].size(), kMaxNameWidth)
                                   : cells[i].size());
    }
  }
  std::array<std::string, kColumns> headings;
  for (size_t i = 0; i < kColumns; ++i) headings[i] = kHeadings[i];
  out << Row(headings, widths) << "\n";
  // Explanations start under "seq".
  const std::string indent(widths[0] + 2, ' ');
  const std::string* state = nullptr;
  for (const TraceRecord& r : dump.records) {
    if (state != nullptr && *state != r.state) {
      out << indent << "state \"" << Printable(*state) << "\" -> \""
          << Printable(r.state) << "\" (from seq " << r.seq << ")\n";
    }
    state = &r.state;
    if (!shown(r)) continue;
    out << Row(Cells(r, origin), widths) << "\n";
    if (r.injected()) out << indent << Explanation(r) << "\n";
  }
}

}  // namespace cli
}  // namespace faultcore
