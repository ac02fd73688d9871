// faultcore fmt: rule files in canonical text.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tools/canonical_text.h"
#include "tools/cli_common.h"
#include "tools/commands.h"

namespace faultcore {
namespace cli {

const char kFmtHelp[] = R"(NAME
    faultcore fmt - print rule files in canonical text

SYNOPSIS
    faultcore fmt [--from FORMAT] FILE
    faultcore fmt --check [--from FORMAT] FILE...
    faultcore fmt --in-place [--drop-comments] FILE...

DESCRIPTION
    Loads each FILE exactly as the engine does (a file with errors is not
    formatted) and prints its rule set in canonical text:

      - fields in the order of proto/faultcore.proto, two-space indents;
      - lists of ops on one line: ops: [READ, WRITE];
      - ASC, ASCQ, NVMe SC, ATA status and error in hexadecimal (0x11),
        other numbers in decimal, so that an octal-looking "0100" in the
        input (which protobuf reads as 64) shows as 64;
      - fields at their default value left out, explicit optional values
        (probability, codes) kept;
      - a blank line between top-level rules and transitions;
      - no comments: a parsed rule set has none.

    The output parses to the same rule set, and formatting it again gives
    the same text (fmt is idempotent).  FILE may be binary; its canonical
    text is printed.

OPTIONS
    --check
        Print nothing but the names of the FILEs that are not in canonical
        text (binary files and files with comments never are), and exit 1
        if there is any.
    -i, --in-place
        Rewrite each text FILE in canonical text (atomically, through a
        temporary file).  A FILE with comments is refused, since they would
        be lost, unless --drop-comments is given; binary files are refused
        (use faultcore convert).
    --drop-comments
        With --in-place: rewrite files even if that drops their comments.
    --from FORMAT
        Read FILE as "text" or "binary" (default: by extension, then
        content).
    -h, --help
        Print this help.

    FILE "-" reads standard input (not with --in-place).

EXIT STATUS
    0   formatted (or, with --check, every FILE already is)
    1   a FILE has errors or cannot be read or written, a FILE with
        comments was not rewritten, or --check found files to format
    2   usage error

EXAMPLES
    faultcore fmt disk.txtpb > disk.canonical.txtpb
    faultcore fmt --check rules/*.txtpb
    faultcore fmt -i --drop-comments generated.txtpb

SEE ALSO
    faultcore convert --help, docs/rules.md
)";

namespace {

// The first '#' comment of protobuf text, outside string literals: its
// 1-based line and column, and how many comments there are.
struct Comments {
  int count = 0;
  int line = 0;
  int column = 0;
};

Comments FindComments(absl::string_view text) {
  Comments found;
  int line = 1;
  size_t line_start = 0;
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
      line_start = i + 1;
      quote = 0;  // Strings do not span lines.
      continue;
    }
    if (quote != 0) {
      if (c == '\\') {
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
      continue;
    }
    if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '#') {
      if (found.count++ == 0) {
        found.line = line;
        found.column = static_cast<int>(i - line_start) + 1;
      }
      const size_t newline = text.find('\n', i);
      if (newline == absl::string_view::npos) break;
      i = newline - 1;
    }
  }
  return found;
}

}  // namespace

int RunFmt(const std::vector<std::string>& argv, const Streams& io) {
  int status = kExitOk;
  const std::optional<Args> args = ParseOrExit(argv,
                                               {{"check", false},
                                                {"in-place", false, 'i'},
                                                {"drop-comments", false},
                                                {"from", true}},
                                               "fmt", kFmtHelp, io, &status);
  if (!args.has_value()) return status;
  auto usage = [&](absl::string_view message) {
    return UsageError(io, "fmt", message);
  };
  const std::vector<std::string>& files = args->positionals();
  const bool check = args->Has("check");
  const bool in_place = args->Has("in-place");
  if (files.empty()) return usage("no FILE given");
  if (check && in_place)
    return usage("--check and --in-place exclude each other");
  if (args->Has("drop-comments") && !in_place) {
    return usage("--drop-comments only applies with --in-place");
  }
  if (!check && !in_place && files.size() > 1) {
    return usage("more than one FILE: use --in-place or --check");
  }
  const absl::StatusOr<RuleFormat> format = InputFormat(*args);
  if (!format.ok()) return usage(format.status().message());
  for (const std::string& path : files) {
    if (in_place && path == "-") {
      return usage("--in-place cannot rewrite standard input");
    }
  }

  int result = kExitOk;
  for (const std::string& path : files) {
    std::unique_ptr<RuleFile> file;
    std::vector<Diagnostic> diagnostics;
    if (!LoadRules(path, *format, &file, &diagnostics)) {
      const Diagnostic::Severity errors = Diagnostic::Severity::kError;
      PrintDiagnostics(io.err, diagnostics, &errors);
      result = kExitFailure;
      continue;
    }
    const std::string canonical = CanonicalText(file->rules());
    const bool binary = file->format() == RuleFormat::kBinary;
    const Comments comments = FindComments(file->text());
    if (check) {
      if (binary || file->text() != canonical) {
        io.out << path << "\n";
        result = kExitFailure;
      }
      continue;
    }
    if (!in_place) {
      io.out << canonical;
      if (comments.count > 0) {
        io.err << "faultcore fmt: note: " << path << " has " << comments.count
               << (comments.count == 1 ? " comment" : " comments")
               << "; canonical text keeps none\n";
      }
      continue;
    }
    if (binary) {
      io.err << path
             << ": error: binary rule file: fmt rewrites text files only (use "
                "faultcore convert)\n";
      result = kExitFailure;
      continue;
    }
    if (file->text() == canonical) continue;
    if (comments.count > 0 && !args->Has("drop-comments")) {
      io.err << path << ":" << comments.line << ":" << comments.column
             << ": error: the file has " << comments.count
             << (comments.count == 1 ? " comment" : " comments")
             << " that canonical text cannot keep; not rewritten (use "
                "--drop-comments to rewrite anyway)\n";
      result = kExitFailure;
      continue;
    }
    const absl::Status written = WriteOutput(path, canonical, io.out);
    if (!written.ok()) {
      io.err << "faultcore fmt: " << written.message() << "\n";
      result = kExitFailure;
    }
  }
  io.out.flush();
  return result;
}

}  // namespace cli
}  // namespace faultcore
