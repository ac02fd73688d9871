// faultcore lint: parse, validate and check rule files.

#include <algorithm>
#include <climits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tools/cli_args.h"
#include "tools/cli_common.h"
#include "tools/commands.h"
#include "tools/lint_checks.h"

namespace faultcore {
namespace cli {

const char kLintHelp[] = R"(NAME
    faultcore lint - check faultcore rule files

SYNOPSIS
    faultcore lint [--device-size SIZE] [--werror] [--from FORMAT] [--quiet]
                   FILE...

DESCRIPTION
    Parses and validates each FILE (protobuf text or binary, see
    docs/rules.md) exactly as the engine's loader does, then looks for rules
    that do not do what their author probably meant.  Every finding is one
    line on standard output, in the style of a compiler:

        FILE:LINE:COL: error: rules[3] ("name").field: message
        FILE:LINE:COL: warning: rules[5] ("name").range: message

    LINE and COL (1-based, in bytes) are left out when unknown, e.g. for
    binary files, which are located by field path only.  Errors come from
    the loader: a file with errors does not load.  Warnings are:

    rule can never fire
        probability 0; armed only in states that no event or rule can enter;
        a torn_write whose good_blocks cover its whole range; or shadowed:
        an earlier rule fires on every match (no skip, max_fires, once,
        every_nth or probability below 1, not healing, not torn) and matches
        every request this rule could win - its range contains this one's,
        its ops include this one's, it has no target or the same target,
        and it is armed in every state this one is.  The verdict contract
        (proto/faultcore.proto) then always considers the earlier rule
        first, and it always wins.

    order matters
        Two rules can match the same request (their ranges, ops, targets and
        states intersect) and give different verdicts.  A request that
        starts inside both ranges gets the verdict of the rule that comes
        first in the file (when it fires); a request that starts before the
        other rule's range gets the rule whose range starts lower.  The
        warning is on the later rule and names the earlier one.

    beyond the device (with --device-size)
        A range that ends beyond the device is a warning; one that starts
        beyond it is an error, since the rule can never match.

    codes are ignored
        Device codes on an action that never reports them (delay, corrupt,
        lost_write, hold that proceeds, torn_write that reports success).

    Shadowing and overlaps are found in O(n log n) for n rules: rules are
    swept in order of their first LBA and each is compared with a bounded
    number of others, so a file of a million rules lints in seconds.

OPTIONS
    --device-size SIZE
        The size of the device the rules are for, in bytes, with an optional
        unit: K, M, G, T, P, E (or KiB, MiB, ...) are powers of 1024; KB, MB,
        GB, TB, PB, EB powers of 1000.  Examples: 10G, 512M, 1T, 4096.
    --werror
        Treat warnings as errors for the exit status.
    --from FORMAT
        Read every FILE as "text" or "binary" instead of deciding by the
        extension (.txtpb .textproto .pbtxt .fc: text; .binpb .pb: binary)
        and then by content.
    -q, --quiet
        Do not print the summary line on standard error.
    -h, --help
        Print this help.

    FILE "-" reads standard input (named "<stdin>" in messages).

EXIT STATUS
    0   every FILE loaded without errors (warnings allowed unless --werror)
    1   some FILE has errors, cannot be read, or has warnings with --werror
    2   usage error (unknown option, bad value, no FILE)

EXAMPLES
    faultcore lint examples/*.txtpb
    faultcore lint --device-size 10G --werror disk.txtpb

SEE ALSO
    faultcore explain --help, docs/rules.md, proto/faultcore.proto
)";

namespace {

// By line and column, lines unknown (binary files, file-level notes) last;
// stable, so that findings on one field keep their order.
void SortForReading(std::vector<Diagnostic>* diagnostics) {
  std::stable_sort(diagnostics->begin(), diagnostics->end(),
                   [](const Diagnostic& l, const Diagnostic& r) {
                     const int ll = l.line == 0 ? INT_MAX : l.line;
                     const int rl = r.line == 0 ? INT_MAX : r.line;
                     return ll != rl ? ll < rl : l.column < r.column;
                   });
}

}  // namespace

int RunLint(const std::vector<std::string>& argv, const Streams& io) {
  int status = kExitOk;
  const std::optional<Args> args = ParseOrExit(argv,
                                               {{"device-size", true},
                                                {"werror", false},
                                                {"from", true},
                                                {"quiet", false, 'q'}},
                                               "lint", kLintHelp, io, &status);
  if (!args.has_value()) return status;
  if (args->positionals().empty()) {
    return UsageError(io, "lint", "no FILE given");
  }
  const absl::StatusOr<RuleFormat> format = InputFormat(*args);
  if (!format.ok()) return UsageError(io, "lint", format.status().message());
  LintOptions options;
  if (const auto size = args->Value("device-size")) {
    const absl::StatusOr<uint64_t> bytes = ParseSize(*size, "--device-size");
    if (!bytes.ok()) return UsageError(io, "lint", bytes.status().message());
    if (*bytes == 0) {
      return UsageError(io, "lint", "--device-size: must be more than 0");
    }
    options.device_size = *bytes;
  }

  size_t errors = 0;
  size_t warnings = 0;
  for (const std::string& path : args->positionals()) {
    std::unique_ptr<RuleFile> file;
    std::vector<Diagnostic> diagnostics;
    if (LoadRules(path, *format, &file, &diagnostics)) {
      std::vector<Diagnostic> found = LintRuleFile(*file, options);
      diagnostics.insert(diagnostics.end(), found.begin(), found.end());
      SortForReading(&diagnostics);
    }
    for (const Diagnostic& d : diagnostics) {
      ++(d.severity == Diagnostic::Severity::kError ? errors : warnings);
    }
    PrintDiagnostics(io.out, diagnostics);
  }
  io.out.flush();
  if (!args->Has("quiet")) {
    const size_t files = args->positionals().size();
    io.err << "faultcore lint: " << files
           << (files == 1 ? " file, " : " files, ") << errors
           << (errors == 1 ? " error, " : " errors, ") << warnings
           << (warnings == 1 ? " warning\n" : " warnings\n");
  }
  if (errors > 0 || (warnings > 0 && args->Has("werror"))) return kExitFailure;
  return kExitOk;
}

}  // namespace cli
}  // namespace faultcore
