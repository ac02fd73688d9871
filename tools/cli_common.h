// What every faultcore subcommand shares: exit statuses, usage errors,
// loading a rule file (or standard input) with its diagnostics, writing
// output files atomically.

#ifndef FAULTCORE_TOOLS_CLI_COMMON_H_
#define FAULTCORE_TOOLS_CLI_COMMON_H_

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/diagnostic.h"
#include "proto/rule_loader.h"
#include "tools/cli_args.h"

namespace faultcore {
namespace cli {

// Exit statuses of every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // a rule file has errors, I/O failed
inline constexpr int kExitUsage = 2;    // the command line is wrong

// Where a subcommand writes.  `out` gets the command's product (diagnostics
// for lint, verdicts for explain, rule files for fmt and convert), `err`
// errors about the command itself and notes.
struct Streams {
  std::ostream& out;
  std::ostream& err;
};

// Prints "faultcore COMMAND: MESSAGE" and a pointer to --help; returns
// kExitUsage.
int UsageError(const Streams& io, absl::string_view command,
               absl::string_view message);

// Parses the options of `command`; on a usage error prints it and sets
// `*exit_status`.  On --help prints `help` to io.out and sets kExitOk.
// Returns the arguments only when the command should run.
std::optional<Args> ParseOrExit(const std::vector<std::string>& argv,
                                const std::vector<OptionSpec>& specs,
                                absl::string_view command,
                                absl::string_view help, const Streams& io,
                                int* exit_status);

// The value of --from: kAuto when absent.  A usage error for other values
// than "text" and "binary".
absl::StatusOr<RuleFormat> InputFormat(const Args& args);

// Loads FILE ("-": standard input, named "<stdin>") into *file and its
// diagnostics into *diagnostics.  Returns false when the file did not load.
bool LoadRules(const std::string& path, RuleFormat format,
               std::unique_ptr<RuleFile>* file,
               std::vector<Diagnostic>* diagnostics);

// Writes diagnostics of `severity` (or all when null), one per line.
void PrintDiagnostics(std::ostream& out,
                      const std::vector<Diagnostic>& diagnostics,
                      const Diagnostic::Severity* severity = nullptr);

// Writes `data` to `path` through a temporary file in the same directory and
// a rename, so that readers see the old or the new file, never a part.
// "-" writes to `stdout_stream`.
absl::Status WriteOutput(const std::string& path, absl::string_view data,
                         std::ostream& stdout_stream);

}  // namespace cli
}  // namespace faultcore

#endif  // FAULTCORE_TOOLS_CLI_COMMON_H_
