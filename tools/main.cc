// faultcore: the command-line tool for rule files and trace dumps.
//
//   faultcore lint FILE...        parse, validate, find rules that misbehave
//   faultcore explain FILE ...    what the engine decides for a request
//   faultcore convert IN OUT      text <-> binary
//   faultcore fmt FILE            canonical text
//   faultcore trace DUMP          a trace dump: timeline, summary, charts
//
// cli_run.cc dispatches to one file per subcommand; this one is main().

#include <iostream>
#include <string>
#include <vector>

#include "tools/cli_common.h"
#include "tools/cli_run.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  const std::vector<std::string> words(argv + 1, argv + argc);
  const faultcore::cli::Streams io{std::cout, std::cerr};
  const int status = faultcore::cli::Run(words, io);
  std::cout.flush();
  return status;
}
