// libFuzzer target: the faultcore CLI's command lines (tools/cli_run.h).
//
// The input is the command line: its first byte picks the subcommand, the
// rest are words separated by NUL bytes.  The CLI runs in a scratch
// directory holding a rule file (r.txtpb), its binary form (r.binpb) and a
// trace dump (t.trace), so that words naming them reach the commands'
// real work; '/' is dropped from words so nothing outside the directory is
// read or written, and what a run writes there is removed after it.
// Standard input is /dev/null.
//
// Properties: the exit status is 0, 1 or 2; a failure (1) says why (lint
// reports on standard output, the other commands on standard error); a
// usage error (2) is on standard error and begins "faultcore".
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "faultcore/faultcore.h"
#include "fuzz/fuzz_check.h"
#include "tools/cli_common.h"
#include "tools/cli_run.h"

namespace {

constexpr char kRules[] = R"pb(
  block_size: 512
  states: ["healthy", "failing"]
  initial_state: "healthy"
  rules { name: "bad" range { lba: 2048 count: 16 }
          media_error { heal_on_write {} } }
  rules { name: "slow" range { lba: 0 count: 64 } delay { ns: 1000 }
          ops: [READ, WRITE] trigger { every_nth: 3 } }
  rules { name: "later" states: ["failing"] write_fault {} }
  transitions { event: "fail" from: ["healthy"] to: "failing" }
)pb";

const char* const kCommands[] = {"lint",    "explain", "convert", "fmt",
                                 "trace",   "help",    "--version"};

std::map<std::string, std::string>* g_fixtures;  // name -> content
std::string* g_scratch;

std::string ReadFile(const std::string& name) {
  std::ifstream in(name, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
}

void WriteFile(const std::string& name, const std::string& data) {
  std::ofstream(name, std::ios::binary) << data;
}

// The trace dump fixture: a few requests through an engine with kRules.
void WriteTraceFixture() {
  fc_engine* engine = nullptr;
  FUZZ_CHECK(fc_engine_create(&engine, nullptr) == FC_OK, "create");
  FUZZ_CHECK(fc_engine_load_file(engine, "r.txtpb", FC_FORMAT_AUTO, nullptr) ==
                 FC_OK,
             "load fixture");
  FUZZ_CHECK(fc_engine_trace_start(engine, 0, 0, nullptr) == FC_OK, "trace");
  for (uint64_t lba = 2040; lba < 2070; lba += 8) {
    fc_verdict v = Sized<fc_verdict>();
    fc_engine_check(engine, FC_TARGET_NONE, FC_OP_READ, lba * 512, 4096, &v);
    fc_engine_complete(engine, FC_TARGET_NONE, FC_OP_READ, &v,
                       v.action == FC_ACTION_PASS ? 0 : -5, 1000);
  }
  FUZZ_CHECK(fc_engine_trace_dump(engine, "t.trace", nullptr) == FC_OK, "dump");
  fc_engine_destroy(engine);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  char dir_template[] = "/tmp/faultcore-cli-fuzz.XXXXXX";
  const char* dir = mkdtemp(dir_template);
  FUZZ_CHECK(dir != nullptr && chdir(dir) == 0, "scratch directory");
  const int null_fd = open("/dev/null", O_RDONLY);
  FUZZ_CHECK(null_fd >= 0 && dup2(null_fd, STDIN_FILENO) == 0, "stdin");
  WriteFile("r.txtpb", kRules);
  std::ostringstream out, err;
  FUZZ_CHECK(faultcore::cli::Run({"convert", "r.txtpb", "r.binpb"},
                                 {out, err}) == faultcore::cli::kExitOk,
             "convert fixture: %s", err.str().c_str());
  WriteTraceFixture();
  g_fixtures = new std::map<std::string, std::string>;
  for (const char* name : {"r.txtpb", "r.binpb", "t.trace"}) {
    (*g_fixtures)[name] = ReadFile(name);
  }
  g_scratch = new std::string(dir);
  std::atexit([] { std::filesystem::remove_all(*g_scratch); });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::vector<std::string> words;
  const size_t pick = data[0] % (sizeof kCommands / sizeof kCommands[0] + 1);
  if (pick < sizeof kCommands / sizeof kCommands[0]) {
    words.push_back(kCommands[pick]);
  }
  std::string word;
  for (size_t i = 1; i < size; ++i) {
    const char c = static_cast<char>(data[i]);
    if (c == '\0') {
      words.push_back(word);
      word.clear();
    } else if (c != '/') {
      word.push_back(c);
    }
  }
  if (size > 1) words.push_back(word);
  if (words.size() > 64) return 0;  // long command lines add nothing new

  std::ostringstream out, err;
  const int status = faultcore::cli::Run(words, {out, err});
  FUZZ_CHECK(status == faultcore::cli::kExitOk ||
                 status == faultcore::cli::kExitFailure ||
                 status == faultcore::cli::kExitUsage,
             "exit status %d", status);
  if (status == faultcore::cli::kExitFailure) {
    FUZZ_CHECK(!err.str().empty() || !out.str().empty(),
               "failed without a message");
  }
  if (status == faultcore::cli::kExitUsage) {
    FUZZ_CHECK(err.str().rfind("faultcore", 0) == 0, "usage error: %s",
               err.str().c_str());
  }
  // Leave only the fixtures (a command may have written a file, or a
  // fixture under its own name may have been overwritten: restore both).
  for (const auto& entry : std::filesystem::directory_iterator(".")) {
    const std::string name = entry.path().filename().string();
    if (g_fixtures->count(name) == 0) std::filesystem::remove_all(entry.path());
  }
  for (const auto& [name, content] : *g_fixtures) {
    if (ReadFile(name) != content) WriteFile(name, content);
  }
  return 0;
}
