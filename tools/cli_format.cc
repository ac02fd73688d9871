#include "tools/cli_format.h"

#include <string.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace faultcore {
namespace cli {

std::string ScsiSenseKeyName(uint8_t key) {
  static const char* const kNames[16] = {"NO SENSE",
                                         "RECOVERED ERROR",
                                         "NOT READY",
                                         "MEDIUM ERROR",
                                         "HARDWARE ERROR",
                                         "ILLEGAL REQUEST",
                                         "UNIT ATTENTION",
                                         "DATA PROTECT",
                                         "BLANK CHECK",
                                         "VENDOR SPECIFIC",
                                         "COPY ABORTED",
                                         "ABORTED COMMAND",
                                         "",
                                         "VOLUME OVERFLOW",
                                         "MISCOMPARE",
                                         "COMPLETED"};
  return key < 16 ? kNames[key] : "";
}

std::string ScsiAscText(uint8_t asc, uint8_t ascq) {
  // The pairs storage tests meet most (SPC-5 Annex F), not the whole table.
  struct Entry {
    uint8_t asc, ascq;
    const char* text;
  };
  static const Entry kTable[] = {
      {0x00, 0x00, "no additional sense information"},
      {0x03, 0x00, "peripheral device write fault"},
      {0x04, 0x00, "logical unit not ready, cause not reportable"},
      {0x0c, 0x00, "write error"},
      {0x0c, 0x02, "write error - auto reallocation failed"},
      {0x0c, 0x03, "write error - recommend reassignment"},
      {0x10, 0x01, "logical block guard check failed"},
      {0x11, 0x00, "unrecovered read error"},
      {0x11, 0x01, "read retries exhausted"},
      {0x11, 0x02, "error too long to correct"},
      {0x11, 0x04, "unrecovered read error - auto reallocate failed"},
      {0x11, 0x0b, "unrecovered read error - recommend reassignment"},
      {0x11, 0x0c, "unrecovered read error - recommend rewrite the data"},
      {0x14, 0x01, "record not found"},
      {0x15, 0x00, "random positioning error"},
      {0x17, 0x01, "recovered data with retries"},
      {0x18, 0x00, "recovered data with error correction applied"},
      {0x18, 0x02, "recovered data - data auto-reallocated"},
      {0x21, 0x00, "logical block address out of range"},
      {0x29, 0x00, "power on, reset, or bus device reset occurred"},
      {0x31, 0x00, "medium format corrupted"},
      {0x32, 0x00, "no defect spare location available"},
      {0x3e, 0x02, "timeout on logical unit"},
      {0x44, 0x00, "internal target failure"},
      {0x5d, 0x00, "failure prediction threshold exceeded"},
  };
  for (const Entry& e : kTable) {
    if (e.asc == asc && e.ascq == ascq) return e.text;
  }
  return "";
}

std::string NvmeSctName(uint8_t sct) {
  switch (sct) {
    case 0:
      return "generic command status";
    case 1:
      return "command specific status";
    case 2:
      return "media and data integrity errors";
    case 3:
      return "path related status";
    case 7:
      return "vendor specific";
    default:
      return "";
  }
}

std::string NvmeStatusText(uint8_t sct, uint8_t sc) {
  if (sct == 0) {
    switch (sc) {
      case 0x00:
        return "successful completion";
      case 0x02:
        return "invalid field in command";
      case 0x04:
        return "data transfer error";
      case 0x05:
        return "commands aborted due to power loss notification";
      case 0x06:
        return "internal error";
      case 0x07:
        return "command abort requested";
      case 0x80:
        return "LBA out of range";
      case 0x82:
        return "namespace not ready";
    }
  } else if (sct == 2) {
    switch (sc) {
      case 0x80:
        return "write fault";
      case 0x81:
        return "unrecovered read error";
      case 0x82:
        return "end-to-end guard check error";
      case 0x83:
        return "end-to-end application tag check error";
      case 0x84:
        return "end-to-end reference tag check error";
      case 0x85:
        return "compare failure";
      case 0x86:
        return "access denied";
      case 0x87:
        return "deallocated or unwritten logical block";
    }
  }
  return "";
}

namespace {

std::vector<std::string> Bits(uint8_t value, const char* const names[8]) {
  std::vector<std::string> out;
  for (int bit = 7; bit >= 0; --bit) {
    if ((value >> bit) & 1) out.push_back(names[7 - bit]);
  }
  return out;
}

}  // namespace

std::vector<std::string> AtaStatusBits(uint8_t status) {
  static const char* const kNames[8] = {"BSY", "DRDY", "DF",  "DSC",
                                        "DRQ", "CORR", "IDX", "ERR"};
  return Bits(status, kNames);
}

std::vector<std::string> AtaErrorBits(uint8_t error) {
  static const char* const kNames[8] = {"ICRC", "UNC",  "MC",    "IDNF",
                                        "MCR",  "ABRT", "TK0NF", "AMNF"};
  return Bits(error, kNames);
}

std::string ErrnoName(int value) {
  if (value <= 0) return "";
  const char* name = strerrorname_np(value);
  return name == nullptr ? "" : name;
}

std::string LbaRange(uint64_t first, uint64_t end_exclusive, bool whole) {
  if (whole) return "the whole device";
  if (end_exclusive <= first + 1) return absl::StrCat("LBA ", first);
  return absl::StrCat("LBAs ", first, "..", end_exclusive - 1);
}

std::string Duration(uint64_t ns) {
  struct Unit {
    uint64_t ns;
    const char* name;
  };
  static const Unit kUnits[] = {
      {1000000000, "s"}, {1000000, "ms"}, {1000, "us"}, {1, "ns"}};
  for (const Unit& unit : kUnits) {
    // 999999 ns is "1 ms" (three significant digits), not "1e+03 us".
    if (static_cast<double>(ns) / unit.ns >= 0.9995 || unit.ns == 1) {
      if (ns % unit.ns == 0) return absl::StrCat(ns / unit.ns, " ", unit.name);
      const double value = static_cast<double>(ns) / unit.ns;
      // Whole seconds from 1000 s up: "1235 s", not "1.23e+03 s".
      return value >= 999.5 ? absl::StrFormat("%.0f %s", value, unit.name)
                            : absl::StrFormat("%.3g %s", value, unit.name);
    }
  }
  return "";
}

std::string JsonString(absl::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c >= 0x7f) {
          absl::StrAppendFormat(&out, "\\u%04x", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += "\"";
  return out;
}

JsonObject& JsonObject::Raw(absl::string_view key, absl::string_view json) {
  if (!body_.empty()) body_ += ", ";
  absl::StrAppend(&body_, JsonString(key), ": ", json);
  return *this;
}

JsonObject& JsonObject::String(absl::string_view key, absl::string_view value) {
  return Raw(key, JsonString(value));
}

JsonObject& JsonObject::Number(absl::string_view key, uint64_t value) {
  return Raw(key, absl::StrCat(value));
}

JsonObject& JsonObject::Bool(absl::string_view key, bool value) {
  return Raw(key, value ? "true" : "false");
}

JsonObject& JsonObject::Null(absl::string_view key) { return Raw(key, "null"); }

std::string JsonArray(const std::vector<std::string>& values) {
  return "[" + absl::StrJoin(values, ", ") + "]";
}

std::string JsonStrings(const std::vector<std::string>& values) {
  std::vector<std::string> quoted;
  for (const std::string& v : values) quoted.push_back(JsonString(v));
  return JsonArray(quoted);
}

}  // namespace cli
}  // namespace faultcore
