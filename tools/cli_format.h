// Formatting shared by the faultcore subcommands: device codes in words
// (SCSI sense, NVMe status, ATA registers, errno), JSON output, LBA ranges.
//
// Pure functions; thread-safe.

#ifndef FAULTCORE_TOOLS_CLI_FORMAT_H_
#define FAULTCORE_TOOLS_CLI_FORMAT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace faultcore {
namespace cli {

// "MEDIUM ERROR" for sense key 3; "" when reserved.
std::string ScsiSenseKeyName(uint8_t key);
// "unrecovered read error" for 11/00; "" when the pair is not in the table.
std::string ScsiAscText(uint8_t asc, uint8_t ascq);
// "media and data integrity errors" for SCT 2.
std::string NvmeSctName(uint8_t sct);
// "unrecovered read error" for SCT 2 / SC 0x81; "" when not in the table.
std::string NvmeStatusText(uint8_t sct, uint8_t sc);
// Names of the set bits, most significant first: {"DRDY", "ERR"} for 0x41.
std::vector<std::string> AtaStatusBits(uint8_t status);
// {"UNC"} for 0x40, {"IDNF"} for 0x10, {"ABRT"} for 0x04.
std::vector<std::string> AtaErrorBits(uint8_t error);
// "EIO" for 5; "" for 0 or unknown values.
std::string ErrnoName(int value);

// "LBA 7" or "LBAs 100..107"; "the whole device" when `whole`.
std::string LbaRange(uint64_t first, uint64_t end_exclusive, bool whole);
// "2 ms", "1.5 s", "30 s", "250 ns".
std::string Duration(uint64_t ns);

// JSON text of a string: quoted, with quotes, backslashes and control
// characters escaped.  Bytes from 0x7f up are written as \u00XX (each byte
// read as Latin-1), which keeps the output ASCII and valid JSON for any
// input; names, targets, states and events are ASCII by validation anyway.
std::string JsonString(absl::string_view s);

// Builds one JSON object, keys in insertion order (Raw() takes a value that
// is already JSON).  A plain value, not thread-safe.
class JsonObject {
 public:
  JsonObject& Raw(absl::string_view key, absl::string_view json);
  JsonObject& String(absl::string_view key, absl::string_view value);
  JsonObject& Number(absl::string_view key, uint64_t value);
  JsonObject& Bool(absl::string_view key, bool value);
  JsonObject& Null(absl::string_view key);
  std::string Build() const { return "{" + body_ + "}"; }

 private:
  std::string body_;
};

// "[a,b]" from raw JSON values.
std::string JsonArray(const std::vector<std::string>& values);
// A JSON array of strings.
std::string JsonStrings(const std::vector<std::string>& values);

}  // namespace cli
}  // namespace faultcore

#endif  // FAULTCORE_TOOLS_CLI_FORMAT_H_
