// Writes the rule files of the end-to-end benchmark (bench/e2e.py): for
// each count N, the same N one-sector faults (random layout, all above the
// first GiB, so the benchmark's requests never touch one) as
//   faultcore-N.binpb          a binary faultcore.v1.RuleSet (fast to load)
//   blkdebug-N-read_aio.ini    upstream blkdebug inject-error rules, for
//   blkdebug-N-write_aio.ini   read and write runs (blkdebug activates a
//                              rule only on its own event)
// and prints one line per N: `N <count> first_lba <lba>` (a sector the
// script reads to prove the rules are live).
//
//   make_rule_files DIR N...
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "bench/rule_sets.h"
#include "bench/workloads.h"
#include "proto/faultcore.pb.h"

namespace {

void Die(const std::string& message) {
  std::fprintf(stderr, "make_rule_files: %s\n", message.c_str());
  std::exit(1);
}

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  if (!out.good()) Die("cannot write " + path);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace faultcore::bench;
  if (argc < 3) Die("usage: make_rule_files DIR N...");
  const std::string dir = argv[1];
  for (int i = 2; i < argc; ++i) {
    char* end = nullptr;
    const long long n = std::strtoll(argv[i], &end, 10);
    if (*end != '\0' || n < 0) Die(std::string("bad count: ") + argv[i]);
    const std::vector<uint64_t> lbas = RuleLbas(Layout::kRandom, n);
    const std::string label = CountLabel(n);
    WriteFile(dir + "/faultcore-" + label + ".binpb",
              MediaErrorRules(lbas).SerializeAsString());
    for (const char* event : {"read_aio", "write_aio"}) {
      std::string ini;
      ini.reserve(lbas.size() * 56);
      for (uint64_t lba : lbas) {
        ini += "[inject-error]\nevent = \"";
        ini += event;
        ini += "\"\nsector = \"" + std::to_string(lba) + "\"\n";
      }
      WriteFile(dir + "/blkdebug-" + label + "-" + event + ".ini", ini);
    }
    std::printf("N %lld first_lba %" PRIu64 "\n", n,
                lbas.empty() ? uint64_t{0} : lbas.front());
  }
  return 0;
}
