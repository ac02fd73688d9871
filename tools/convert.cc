// faultcore convert: rule files between text and binary format.

#include <unistd.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "tools/canonical_text.h"
#include "tools/cli_common.h"
#include "tools/commands.h"

namespace faultcore {
namespace cli {

const char kConvertHelp[] = R"(NAME
    faultcore convert - convert rule files between text and binary

SYNOPSIS
    faultcore convert [--from FORMAT] [--to FORMAT] IN OUT

DESCRIPTION
    Loads IN exactly as the engine does (parsing and validation: a file with
    errors is not converted) and writes the same rule set to OUT in the
    other format:

    text    the canonical text of "faultcore fmt": fields in schema order,
            device codes in hexadecimal, no comments (a rule set has none
            once parsed, so converting text to text drops them).
    binary  protobuf wire format, serialized deterministically: the same
            rule set always gives the same bytes.

    Converting text to binary and back gives the canonical text of the
    input; binary to text to binary gives the same bytes.

    OUT is written atomically: to a temporary file in the same directory,
    then renamed over OUT, so OUT is never left half written.  IN and OUT
    may be the same file.

OPTIONS
    --from FORMAT
        How IN is encoded: "text" or "binary".  Default: by IN's extension
        (.txtpb .textproto .pbtxt .fc: text; .binpb .pb: binary), then by
        content (valid UTF-8 without NUL bytes is text).
    --to FORMAT
        How to write OUT: "text" or "binary".  Default: by OUT's extension,
        as above; required when OUT has neither kind of extension.
    -h, --help
        Print this help.

    IN "-" reads standard input; OUT "-" writes standard output (binary
    output is refused when standard output is a terminal).

EXIT STATUS
    0   converted
    1   IN has errors or cannot be read, or OUT cannot be written
    2   usage error (wrong number of files, unknown format, output format
        unknown)

EXAMPLES
    faultcore convert examples/demo.txtpb /tmp/demo.binpb
    faultcore convert /tmp/demo.binpb - --to text

SEE ALSO
    faultcore fmt --help, docs/rules.md
)";

namespace {

std::optional<RuleFormat> FormatOfName(const std::string& path) {
  const size_t dot = path.rfind('.');
  if (dot == std::string::npos || path.find('/', dot) != std::string::npos) {
    return std::nullopt;
  }
  const std::string extension = absl::AsciiStrToLower(path.substr(dot + 1));
  if (extension == "txtpb" || extension == "textproto" ||
      extension == "pbtxt" || extension == "fc") {
    return RuleFormat::kText;
  }
  if (extension == "binpb" || extension == "pb") return RuleFormat::kBinary;
  return std::nullopt;
}

}  // namespace

int RunConvert(const std::vector<std::string>& argv, const Streams& io) {
  int status = kExitOk;
  const std::optional<Args> args =
      ParseOrExit(argv, {{"from", true}, {"to", true}}, "convert", kConvertHelp,
                  io, &status);
  if (!args.has_value()) return status;
  if (args->positionals().size() != 2) {
    return UsageError(
        io, "convert",
        absl::StrCat("expected IN and OUT, got ", args->positionals().size(),
                     args->positionals().size() == 1 ? " file" : " files"));
  }
  const std::string& in = args->positionals()[0];
  const std::string& out = args->positionals()[1];
  const absl::StatusOr<RuleFormat> from = InputFormat(*args);
  if (!from.ok()) return UsageError(io, "convert", from.status().message());
  std::optional<RuleFormat> to;
  if (const auto name = args->Value("to")) {
    if (*name == "text") {
      to = RuleFormat::kText;
    } else if (*name == "binary") {
      to = RuleFormat::kBinary;
    } else {
      return UsageError(io, "convert",
                        absl::StrCat("--to: \"", *name,
                                     "\" is not a format; use text or "
                                     "binary"));
    }
  } else if (out != "-") {
    to = FormatOfName(out);
  }
  if (!to.has_value()) {
    return UsageError(io, "convert",
                      absl::StrCat("cannot tell the output format from \"", out,
                                   "\"; use --to text or --to binary"));
  }
  if (out == "-" && *to == RuleFormat::kBinary && isatty(STDOUT_FILENO)) {
    return UsageError(io, "convert",
                      "refusing to write binary rules to a terminal");
  }

  std::unique_ptr<RuleFile> file;
  std::vector<Diagnostic> diagnostics;
  if (!LoadRules(in, *from, &file, &diagnostics)) {
    PrintDiagnostics(io.err, diagnostics);
    return kExitFailure;
  }
  std::string data;
  if (*to == RuleFormat::kText) {
    data = CanonicalText(file->rules());
  } else {
    google::protobuf::io::StringOutputStream stream(&data);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    file->rules().SerializeToCodedStream(&coded);
  }
  const absl::Status written = WriteOutput(out, data, io.out);
  if (!written.ok()) {
    io.err << "faultcore convert: " << written.message() << "\n";
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace cli
}  // namespace faultcore
