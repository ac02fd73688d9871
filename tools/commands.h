// The faultcore subcommands.  Each takes the words after its name, writes to
// `io` and returns the process exit status (cli_common.h: 0 ok, 1 errors in
// a rule file, a trace dump or I/O, 2 usage).

#ifndef FAULTCORE_TOOLS_COMMANDS_H_
#define FAULTCORE_TOOLS_COMMANDS_H_

#include <string>
#include <vector>

#include "tools/cli_common.h"

namespace faultcore {
namespace cli {

int RunLint(const std::vector<std::string>& argv, const Streams& io);
int RunExplain(const std::vector<std::string>& argv, const Streams& io);
int RunConvert(const std::vector<std::string>& argv, const Streams& io);
int RunFmt(const std::vector<std::string>& argv, const Streams& io);
int RunTrace(const std::vector<std::string>& argv, const Streams& io);

// The --help text of each subcommand.
extern const char kLintHelp[];
extern const char kExplainHelp[];
extern const char kConvertHelp[];
extern const char kFmtHelp[];
extern const char kTraceHelp[];

}  // namespace cli
}  // namespace faultcore

#endif  // FAULTCORE_TOOLS_COMMANDS_H_
