#include "tools/trace_dump.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/cli_format.h"
#include "tools/json_value.h"

namespace faultcore {
namespace cli {

std::vector<Action> InjectedActions() {
  std::vector<Action> out;
  for (size_t v = 1; v < kTraceActionSlots; ++v) {
    out.push_back(static_cast<Action>(v));
  }
  return out;
}

std::string Printable(absl::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

std::string TargetText(const std::optional<std::string>& target) {
  return target.has_value() ? Printable(*target) : "-";
}

std::vector<Op> TraceOps() {
  return {Op::kRead, Op::kWrite, Op::kFlush, Op::kDiscard, Op::kWriteZeroes};
}

namespace {

using Type = JsonValue::Type;

// Reads the keys of one JSON object of line `line`; the first problem is
// kept in error() as a whole message.  Refers to the object and the name,
// which must outlive it.  Not thread-safe.
class Fields {
 public:
  Fields(const JsonValue& object, const std::string& name, int line)
      : object_(object), name_(name), line_(line) {}

  const std::string& error() const { return error_; }

  bool Fail(const JsonValue& at, absl::string_view key,
            absl::string_view message) {
    error_ = absl::StrCat(name_, ":", line_, ":", at.offset + 1, ": error: \"",
                          key, "\": ", message);
    return false;
  }

  // The value of `key` (null when missing, after recording the error).
  // `expected` describes what the key should hold, for the message.
  const JsonValue* Required(absl::string_view key, absl::string_view expected) {
    const JsonValue* value = object_.Find(key);
    if (value == nullptr) {
      Fail(object_, key, absl::StrCat("missing (expected ", expected, ")"));
    }
    return value;
  }

  bool Uint(absl::string_view key, uint64_t* out) {
    const JsonValue* v = Required(key, "a non-negative integer");
    return v != nullptr && UintValue(*v, key, out);
  }

  bool NullableUint(absl::string_view key, std::optional<uint64_t>* out) {
    const JsonValue* v = Required(key, "a non-negative integer or null");
    if (v == nullptr) return false;
    if (v->type == Type::kNull) return true;
    uint64_t value = 0;
    if (!UintValue(*v, key, &value, " or null")) return false;
    *out = value;
    return true;
  }

  // An integer in [lo, hi] of value `v` (an element of `key`).
  bool Ranged(const JsonValue& v, absl::string_view key, int64_t lo, int64_t hi,
              int64_t* out) {
    const std::optional<int64_t> n = v.AsInt64();
    if (!n.has_value() || *n < lo || *n > hi) {
      return Fail(v, key,
                  absl::StrCat("expected an integer from ", lo, " to ", hi,
                               ", got ", Shown(v)));
    }
    *out = *n;
    return true;
  }

  bool String(absl::string_view key, std::string* out) {
    const JsonValue* v = Required(key, "a string");
    if (v == nullptr) return false;
    if (v->type != Type::kString) {
      return Fail(*v, key, absl::StrCat("expected a string, got ", Shown(*v)));
    }
    *out = v->text;
    return true;
  }

  bool NullableString(absl::string_view key, std::optional<std::string>* out) {
    const JsonValue* v = Required(key, "a string or null");
    if (v == nullptr) return false;
    if (v->type == Type::kNull) return true;
    if (v->type != Type::kString) {
      return Fail(*v, key,
                  absl::StrCat("expected a string or null, got ", Shown(*v)));
    }
    *out = v->text;
    return true;
  }

  bool Bool(const JsonValue& v, absl::string_view key, bool* out) {
    if (v.type != Type::kBool) {
      return Fail(v, key,
                  absl::StrCat("expected true or false, got ", Shown(v)));
    }
    *out = v.boolean;
    return true;
  }

  // What a value is, for messages: numbers as written, strings quoted and
  // cut, other types by name.
  static std::string Shown(const JsonValue& v) {
    switch (v.type) {
      case Type::kNumber:
        return v.text.size() > 24 ? v.text.substr(0, 24) + "..." : v.text;
      case Type::kString:
        return absl::StrCat(
            "a string (",
            JsonString(v.text.size() > 24 ? v.text.substr(0, 24) + "..."
                                          : v.text),
            ")");
      case Type::kBool:
        return v.boolean ? "true" : "false";
      default:
        return JsonTypeName(v.type);
    }
  }

 private:
  bool UintValue(const JsonValue& v, absl::string_view key, uint64_t* out,
                 absl::string_view or_null = "") {
    const std::optional<uint64_t> n = v.AsUint64();
    if (n.has_value()) {
      *out = *n;
      return true;
    }
    if (v.type == Type::kNumber &&
        v.text.find_first_of(".eE") == std::string::npos && v.text[0] != '-') {
      return Fail(v, key,
                  absl::StrCat(Shown(v), " is out of range (0 to ",
                               std::numeric_limits<uint64_t>::max(), ")"));
    }
    return Fail(v, key,
                absl::StrCat("expected a non-negative integer", or_null,
                             ", got ", Shown(v)));
  }

  const JsonValue& object_;
  const std::string& name_;
  const int line_;
  std::string error_;
};

std::optional<Op> OpNamed(absl::string_view name) {
  // The brief of the dump format spells it write_zeroes; OpName() (rule
  // files, explain) write-zeroes.  Both are accepted.
  if (name == "write_zeroes") return Op::kWriteZeroes;
  for (Op op : TraceOps()) {
    if (name == OpName(op)) return op;
  }
  return std::nullopt;
}

std::optional<Action> ActionNamed(absl::string_view name) {
  for (size_t v = 0; v < kTraceActionSlots; ++v) {
    const Action action = static_cast<Action>(v);
    if (name == ActionName(action)) return action;
  }
  return std::nullopt;
}

std::string OpList() {
  std::vector<std::string> names;
  for (Op op : TraceOps()) names.push_back(OpName(op));
  return absl::StrJoin(names, ", ");
}

std::string ActionList() {
  std::vector<std::string> names;
  for (size_t v = 0; v < kTraceActionSlots; ++v) {
    names.push_back(ActionName(static_cast<Action>(v)));
  }
  return absl::StrJoin(names, ", ");
}

// Checks lines one at a time into a TraceDump.  Not thread-safe.
class DumpBuilder {
 public:
  explicit DumpBuilder(std::string name) { dump_.name = std::move(name); }

  // Takes line number `number` (1-based), without its newline.
  absl::Status Line(int number, absl::string_view text) {
    const std::string where = absl::StrCat(dump_.name, ":", number);
    if (text.find_first_not_of(" \t\r") == absl::string_view::npos) {
      return Error(absl::StrCat(
          where, ":1: error: empty line (every line is one JSON object",
          number == 1 ? ": the header first)" : ")"));
    }
    JsonError json_error;
    const std::optional<JsonValue> value = ParseJson(text, &json_error);
    if (!value.has_value()) {
      return Error(absl::StrCat(where, ":", json_error.offset + 1,
                                ": error: not JSON: ", json_error.message));
    }
    if (number == 1) return Header(*value, where);
    if (value->type != Type::kObject) {
      return Error(absl::StrCat(where, ":", value->offset + 1,
                                ": error: expected a record (a JSON object), "
                                "got ",
                                JsonTypeName(value->type)));
    }
    return Record(*value, number);
  }

  // After the last line; `lines` is how many there were.
  absl::StatusOr<TraceDump> Finish(int lines) {
    if (lines == 0) {
      return Error(absl::StrCat(dump_.name,
                                ":1:1: error: no trace header: the file is "
                                "empty"));
    }
    if (dump_.header.recorded != dump_.records.size()) {
      dump_.warnings.push_back(absl::StrCat(
          dump_.name, ":1: warning: the header says \"recorded\": ",
          dump_.header.recorded, ", but the file has ", dump_.records.size(),
          dump_.records.size() == 1 ? " record" : " records",
          dump_.records.size() < dump_.header.recorded ? " (cut short?)" : ""));
    }
    return std::move(dump_);
  }

 private:
  static absl::Status Error(std::string message) {
    return absl::InvalidArgumentError(std::move(message));
  }

  absl::Status Header(const JsonValue& value, const std::string& where) {
    if (value.type != Type::kObject ||
        value.Find("faultcore-trace") == nullptr) {
      return Error(absl::StrCat(
          where, ":", value.offset + 1,
          ": error: no trace header: the first line must be an object with "
          "\"faultcore-trace\" (is this a dump of fc_engine_trace_dump()?), "
          "got ",
          value.type == Type::kObject ? std::string("an object without it")
                                      : std::string(JsonTypeName(value.type))));
    }
    Fields f(value, dump_.name, 1);
    TraceHeader& h = dump_.header;
    if (!f.Uint("faultcore-trace", &h.version)) return Error(f.error());
    if (h.version != kTraceFormatVersion) {
      f.Fail(*value.Find("faultcore-trace"), "faultcore-trace",
             absl::StrCat("format version ", h.version,
                          " is not supported (this faultcore reads version ",
                          kTraceFormatVersion, ")"));
      return Error(f.error());
    }
    const JsonValue* injected_only = f.Required("injected-only", "a boolean");
    if (!f.String("library", &h.library) || !f.Uint("capacity", &h.capacity) ||
        injected_only == nullptr ||
        !f.Bool(*injected_only, "injected-only", &h.injected_only) ||
        !f.Uint("recorded", &h.recorded) || !f.Uint("dropped", &h.dropped)) {
      return Error(f.error());
    }
    return absl::OkStatus();
  }

  absl::Status Record(const JsonValue& value, int number) {
    Fields f(value, dump_.name, number);
    TraceRecord r;
    r.line = number;
    std::string op, action;
    if (!f.Uint("seq", &r.seq) || !f.Uint("ns", &r.ns) ||
        !f.NullableString("target", &r.target) || !f.String("op", &op) ||
        !f.Uint("offset", &r.offset) || !f.Uint("bytes", &r.bytes) ||
        !f.String("action", &action) || !f.NullableString("rule", &r.rule) ||
        !f.NullableUint("first-bad-offset", &r.first_bad_offset) ||
        !f.Uint("good-bytes", &r.good_bytes) || !Result(f, &r) ||
        !f.NullableUint("latency-ns", &r.latency_ns) ||
        !f.String("state", &r.state) || !Codes(f, value, &r)) {
      return Error(f.error());
    }
    if (const std::optional<Op> o = OpNamed(op)) {
      r.op = *o;
    } else {
      f.Fail(*value.Find("op"), "op",
             absl::StrCat(JsonString(op), " is not an op (", OpList(), ")"));
      return Error(f.error());
    }
    if (const std::optional<Action> a = ActionNamed(action)) {
      r.action = *a;
    } else {
      f.Fail(*value.Find("action"), "action",
             absl::StrCat(JsonString(action), " is not an action (",
                          ActionList(), ")"));
      return Error(f.error());
    }
    if (r.bytes > std::numeric_limits<uint64_t>::max() - r.offset) {
      f.Fail(*value.Find("bytes"), "bytes",
             absl::StrCat("offset ", r.offset, " + bytes ", r.bytes,
                          " reaches 2^64"));
      return Error(f.error());
    }
    if (const JsonValue* asked = value.Find("asked")) {
      if (!f.Bool(*asked, "asked", &r.asked)) return Error(f.error());
    }
    if (!dump_.records.empty() && r.seq <= dump_.records.back().seq) {
      f.Fail(*value.Find("seq"), "seq",
             absl::StrCat(r.seq,
                          " does not increase: the record before it "
                          "(line ",
                          dump_.records.back().line, ") has seq ",
                          dump_.records.back().seq));
      return Error(f.error());
    }
    dump_.records.push_back(std::move(r));
    return absl::OkStatus();
  }

  static bool Result(Fields& f, TraceRecord* r) {
    const JsonValue* v = f.Required("result", "0, a negative errno or null");
    if (v == nullptr) return false;
    if (v->type == Type::kNull) return true;
    const std::optional<int64_t> parsed = v->AsInt64();
    if (!parsed.has_value() || *parsed > 0 ||
        *parsed < std::numeric_limits<int32_t>::min()) {
      return f.Fail(*v, "result",
                    absl::StrCat("expected 0, a negative errno or null, got ",
                                 Fields::Shown(*v)));
    }
    r->result = static_cast<int32_t>(*parsed);
    return true;
  }

  // "codes" is optional; when present each of its keys is required.
  static bool Codes(Fields& f, const JsonValue& object, TraceRecord* r) {
    const JsonValue* codes = object.Find("codes");
    if (codes == nullptr) return true;
    if (codes->type != Type::kObject) {
      return f.Fail(
          *codes, "codes",
          absl::StrCat("expected an object, got ", Fields::Shown(*codes)));
    }
    struct Array {
      const char* key;
      size_t size;
      const char* what;
      int64_t values[3];
    } arrays[] = {{"scsi", 3, "[sense key, asc, ascq]", {}},
                  {"nvme", 3, "[sct, sc, dnr]", {}},
                  {"ata", 2, "[status, error]", {}}};
    for (Array& a : arrays) {
      const std::string key = absl::StrCat("codes.", a.key);
      const JsonValue* v = codes->Find(a.key);
      if (v == nullptr) {
        return f.Fail(*codes, key,
                      absl::StrCat("missing (expected ", a.what, ")"));
      }
      if (v->type != Type::kArray || v->items.size() != a.size) {
        return f.Fail(
            *v, key,
            absl::StrCat("expected an array of ", a.size, " integers ", a.what,
                         ", got ",
                         v->type == Type::kArray
                             ? absl::StrCat("an array of ", v->items.size())
                             : Fields::Shown(*v)));
      }
      for (size_t i = 0; i < a.size; ++i) {
        const bool dnr = a.key == std::string("nvme") && i == 2;
        if (!f.Ranged(v->items[i], absl::StrCat(key, "[", i, "]"), 0,
                      dnr ? 1 : 255, &a.values[i])) {
          return false;
        }
      }
    }
    const JsonValue* errno_value = codes->Find("errno");
    if (errno_value == nullptr) {
      return f.Fail(*codes, "codes.errno",
                    "missing (expected a non-negative integer)");
    }
    int64_t e = 0;
    if (!f.Ranged(*errno_value, "codes.errno", 0,
                  std::numeric_limits<int32_t>::max(), &e)) {
      return false;
    }
    TraceCodes out;
    out.scsi_sense_key = static_cast<uint8_t>(arrays[0].values[0]);
    out.scsi_asc = static_cast<uint8_t>(arrays[0].values[1]);
    out.scsi_ascq = static_cast<uint8_t>(arrays[0].values[2]);
    out.nvme_sct = static_cast<uint8_t>(arrays[1].values[0]);
    out.nvme_sc = static_cast<uint8_t>(arrays[1].values[1]);
    out.nvme_dnr = arrays[1].values[2] != 0;
    out.ata_status = static_cast<uint8_t>(arrays[2].values[0]);
    out.ata_error = static_cast<uint8_t>(arrays[2].values[1]);
    out.errno_value = static_cast<int32_t>(e);
    r->codes = out;
    return true;
  }

  TraceDump dump_;
};

std::string TooLong(const std::string& name, int line) {
  return absl::StrCat(name, ":", line, ":1: error: line is longer than ",
                      kMaxTraceLineBytes, " bytes (a record is a few hundred)");
}

}  // namespace

absl::StatusOr<TraceDump> ParseTraceDump(absl::string_view text,
                                         const std::string& name) {
  DumpBuilder builder(name);
  int line = 0;
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    const absl::string_view current = text.substr(0, newline);
    ++line;
    if (current.size() > kMaxTraceLineBytes) {
      return absl::InvalidArgumentError(TooLong(name, line));
    }
    const absl::Status status = builder.Line(line, current);
    if (!status.ok()) return status;
    text = newline == absl::string_view::npos ? absl::string_view()
                                              : text.substr(newline + 1);
  }
  return builder.Finish(line);
}

absl::StatusOr<TraceDump> ReadTraceDump(const std::string& path) {
  const bool stdin_input = path == "-";
  const std::string name = stdin_input ? "<stdin>" : path;
  const int fd = stdin_input ? STDIN_FILENO : open(path.c_str(), O_RDONLY);
  if (fd < 0) {
    return absl::NotFoundError(absl::StrCat(
        name, ": error: cannot open trace dump: ", std::strerror(errno)));
  }
  struct stat st;
  if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    if (!stdin_input) close(fd);
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": error: is a directory, not a trace dump"));
  }
  DumpBuilder builder(name);
  std::string pending;  // the line read so far
  int line = 0;
  char buffer[64 * 1024];
  absl::Status status;
  bool eof = false;
  while (status.ok() && !eof) {
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0) {
      if (errno == EINTR) continue;
      status = absl::DataLossError(absl::StrCat(
          name, ":", line + 1, ": error: cannot read: ", std::strerror(errno)));
      break;
    }
    eof = n == 0;
    absl::string_view chunk(buffer, static_cast<size_t>(n));
    while (status.ok()) {
      const size_t newline = chunk.find('\n');
      if (newline == absl::string_view::npos) {
        pending.append(chunk.data(), chunk.size());
        if (pending.size() > kMaxTraceLineBytes) {
          status = absl::InvalidArgumentError(TooLong(name, line + 1));
        } else if (eof && !pending.empty()) {
          status = builder.Line(++line, pending);
        }
        break;
      }
      pending.append(chunk.data(), newline);
      chunk.remove_prefix(newline + 1);
      if (pending.size() > kMaxTraceLineBytes) {
        status = absl::InvalidArgumentError(TooLong(name, line + 1));
        break;
      }
      status = builder.Line(++line, pending);
      pending.clear();
    }
  }
  if (!stdin_input) close(fd);
  if (!status.ok()) return status;
  return builder.Finish(line);
}

}  // namespace cli
}  // namespace faultcore
