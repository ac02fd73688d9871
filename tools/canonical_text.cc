#include "tools/canonical_text.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/text_format.h"

namespace faultcore {
namespace cli {
namespace {

namespace pb = ::google::protobuf;

// Prints uint32 values as 0x%02X (how SCSI, NVMe and ATA specs write them).
class HexPrinter : public pb::TextFormat::FastFieldValuePrinter {
 public:
  void PrintUInt32(uint32_t value,
                   pb::TextFormat::BaseTextGenerator* out) const override {
    out->PrintString(absl::StrFormat("0x%02X", value));
  }
};

}  // namespace

std::string CanonicalText(const v1::RuleSet& rules) {
  pb::TextFormat::Printer printer;
  printer.SetUseShortRepeatedPrimitives(true);
  printer.SetUseUtf8StringEscaping(false);
  const std::vector<const pb::FieldDescriptor*> hex_fields = {
      v1::ScsiSense::descriptor()->FindFieldByName("asc"),
      v1::ScsiSense::descriptor()->FindFieldByName("ascq"),
      v1::NvmeStatus::descriptor()->FindFieldByName("sc"),
      v1::AtaStatus::descriptor()->FindFieldByName("status"),
      v1::AtaStatus::descriptor()->FindFieldByName("error"),
  };
  for (const pb::FieldDescriptor* field : hex_fields) {
    // The printer takes ownership of each printer it accepts.
    auto* hex = new HexPrinter();
    if (!printer.RegisterFieldValuePrinter(field, hex)) delete hex;
  }
  std::string text;
  printer.PrintToString(rules, &text);

  // A blank line before each top-level message after the first line.
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  bool first = true;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (!first && (absl::StartsWith(line, "rules {") ||
                   absl::StartsWith(line, "transitions {"))) {
      out += '\n';
    }
    if (line.empty()) continue;
    out.append(line.data(), line.size());
    out += '\n';
    first = false;
  }
  return out;
}

}  // namespace cli
}  // namespace faultcore
