// The faultcore CLI's dispatcher: one subcommand per file (lint.cc,
// explain.cc, convert.cc, fmt.cc, trace.cc); this file only picks one.
#include "tools/cli_run.h"

#include <string>
#include <vector>

#include "faultcore/faultcore.h"
#include "tools/commands.h"

namespace faultcore {
namespace cli {
namespace {

const char kHelp[] = R"(NAME
    faultcore - check and explain faultcore rule files and traces

SYNOPSIS
    faultcore COMMAND [OPTIONS] [ARGS]
    faultcore help [COMMAND]
    faultcore --version

DESCRIPTION
    faultcore rule files (protobuf text .txtpb or binary .binpb, schema
    proto/faultcore.proto, guide docs/rules.md) tell the faultcore engine
    how emulated disks fail.  This tool checks them before anything boots:

    lint FILE...
        Parse and validate like the engine does; warn about rules that can
        never fire, rules shadowed by earlier ones, overlapping rules whose
        order decides the verdict, and ranges beyond --device-size.
    explain FILE --op OP --lba N [--blocks K] [...]
        Replay a request through the real engine and print the verdict:
        rule, first bad LBA, SCSI/NVMe/ATA codes, errno, delay, state.
    convert IN OUT
        Convert between text and binary.
    fmt FILE
        Print the canonical text of a rule file.
    trace DUMP
        Show a trace dump of the engine (fc_engine_trace_dump()): a
        timeline of the requests with injected faults explained in device
        terms, a summary per target and op, SVG heat map and histograms.

    "faultcore COMMAND --help" describes each command in full.

EXIT STATUS
    0 success, 1 errors in a rule file or trace dump (or I/O), 2 usage
    error.

EXAMPLES
    faultcore lint examples/*.txtpb
    faultcore explain examples/demo.txtpb --op read --lba 1000 --blocks 32
    faultcore trace --injected disk0.trace
)";

}  // namespace

int Run(const std::vector<std::string>& words, const Streams& io) {
  if (words.empty()) {
    return UsageError(io, "",
                      "no command (lint, explain, convert, fmt, trace)");
  }
  const std::string& command = words[0];
  const std::vector<std::string> rest(words.begin() + 1, words.end());
  if (command == "lint") return RunLint(rest, io);
  if (command == "explain") return RunExplain(rest, io);
  if (command == "convert") return RunConvert(rest, io);
  if (command == "fmt") return RunFmt(rest, io);
  if (command == "trace") return RunTrace(rest, io);
  if (command == "--help" || command == "-h") {
    io.out << kHelp;
    return kExitOk;
  }
  if (command == "help") {
    if (rest.empty()) {
      io.out << kHelp;
      return kExitOk;
    }
    static const struct {
      const char* command;
      const char* help;
    } kPages[] = {{"lint", kLintHelp},
                  {"explain", kExplainHelp},
                  {"convert", kConvertHelp},
                  {"fmt", kFmtHelp},
                  {"trace", kTraceHelp}};
    for (const auto& page : kPages) {
      if (rest.size() == 1 && rest[0] == page.command) {
        io.out << page.help;
        return kExitOk;
      }
    }
    return UsageError(io, "help",
                      "expected one of lint, explain, convert, fmt, trace");
  }
  if (command == "--version") {
    const uint32_t abi = fc_abi_version();
    io.out << "faultcore " << fc_library_version() << " (ABI " << (abi >> 16)
           << "." << (abi & 0xffff) << ")\n";
    return kExitOk;
  }
  return UsageError(io, "",
                    "unknown command \"" + command +
                        "\" (lint, explain, convert, fmt, trace)");
}

}  // namespace cli
}  // namespace faultcore

