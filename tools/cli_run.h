// The whole faultcore CLI as a function: main() and the CLI fuzzer call it.
#ifndef FAULTCORE_TOOLS_CLI_RUN_H_
#define FAULTCORE_TOOLS_CLI_RUN_H_

#include <string>
#include <vector>

#include "tools/cli_common.h"

namespace faultcore {
namespace cli {

// Runs the command line `words` (without the program name), writing to `io`,
// and returns the exit status (kExitOk, ...).  Reads files named on the
// command line and standard input for "-"; writes the files it is told to.
int Run(const std::vector<std::string>& words, const Streams& io);

}  // namespace cli
}  // namespace faultcore

#endif  // FAULTCORE_TOOLS_CLI_RUN_H_
