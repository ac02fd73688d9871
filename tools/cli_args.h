// Command-line parsing for the faultcore CLI: options, numbers and sizes.
//
// Every problem is a UsageError (exit status 2): the message says what is
// wrong with which argument, in lower case, without the program name.

#ifndef FAULTCORE_TOOLS_CLI_ARGS_H_
#define FAULTCORE_TOOLS_CLI_ARGS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace faultcore {
namespace cli {

// One option a subcommand accepts.
struct OptionSpec {
  std::string name;     // without the dashes: "lba"
  bool takes_value;     // --name VALUE or --name=VALUE
  char short_name = 0;  // -x, or 0
};

// The parsed command line of one subcommand.  A plain value.
class Args {
 public:
  // Parses `argv` (the words after the subcommand).  "--" ends the options;
  // "-" alone is a positional (standard input or output).  An option given
  // twice, an unknown option, or a missing value is an InvalidArgument
  // error.  "--help" and "-h" are always accepted (see help()).
  static absl::StatusOr<Args> Parse(const std::vector<std::string>& argv,
                                    const std::vector<OptionSpec>& specs);

  bool help() const { return help_; }
  bool Has(absl::string_view name) const;
  // The value of option `name`, if given.
  std::optional<std::string> Value(absl::string_view name) const;
  const std::vector<std::string>& positionals() const { return positionals_; }

 private:
  bool help_ = false;
  std::map<std::string, std::string, std::less<>> options_;
  std::vector<std::string> positionals_;
};

// A non-negative integer, decimal or 0x-hexadecimal ("0100" is one hundred:
// unlike protobuf text format, the CLI has no octal).  `what` names the
// argument in the error ("--lba").
absl::StatusOr<uint64_t> ParseCount(absl::string_view text,
                                    absl::string_view what);

// A size in bytes: a count with an optional unit.  K, M, G, T, P, E (or KiB,
// MiB, ...) are powers of 1024; KB, MB, GB, TB, PB, EB are powers of 1000 (as
// drive labels count); B or no unit means bytes.  Case-insensitive, e.g.
// "10G", "512m", "1TiB", "4000000000".
absl::StatusOr<uint64_t> ParseSize(absl::string_view text,
                                   absl::string_view what);

// "1 GiB", "512 MiB", "1000 bytes": a size for messages.
std::string FormatSize(uint64_t bytes);

}  // namespace cli
}  // namespace faultcore

#endif  // FAULTCORE_TOOLS_CLI_ARGS_H_
