// faultcore-demo: loads a rule file through the C ABI and shows the verdict
// for a sequence of requests, as a host (QEMU) would see them.
//
//   faultcore-demo RULES [STEP...]
//   STEP = read:LBA:BLOCKS | write:LBA:BLOCKS | flush | event:NAME
//
// Without steps it plays a short scenario for examples/demo.txtpb.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "faultcore/faultcore.h"

namespace {

const char* ActionName(uint32_t action) {
  static const char* const kNames[] = {
      "pass", "media_error", "write_fault", "recovered_error", "delay",
      "hold", "corrupt",     "torn_write",  "lost_write",      "ask"};
  return action < sizeof(kNames) / sizeof(kNames[0]) ? kNames[action] : "?";
}

std::string RuleName(fc_engine* engine, uint32_t id) {
  char* name = nullptr;
  std::string out = "#" + std::to_string(id);
  if (fc_engine_rule_name(engine, id, &name) == FC_OK && name[0] != '\0') {
    out += " \"" + std::string(name) + "\"";
  }
  fc_free(name);
  return out;
}

void Describe(fc_engine* engine, const fc_verdict& v) {
  if (v.action == FC_ACTION_PASS) {
    std::printf("pass\n");
    return;
  }
  const uint64_t bs = v.block_size;
  std::printf("%s by rule %s\n", ActionName(v.action),
              RuleName(engine, v.rule_id).c_str());
  std::printf("      first bad LBA %" PRIu64 ", %" PRIu64
              " good blocks before it, %" PRIu64 " bad\n",
              v.first_bad_byte / bs, v.good_bytes / bs, v.bad_bytes / bs);
  if (v.delay_ns != 0) {
    std::printf("      delay %.3f ms\n", v.delay_ns / 1e6);
  }
  if (v.action != FC_ACTION_DELAY && v.action != FC_ACTION_CORRUPT &&
      v.action != FC_ACTION_LOST_WRITE) {
    std::printf(
        "      SCSI %02X/%02X/%02X  NVMe SCT %X SC %02X%s  "
        "ATA status %02X error %02X  errno %d\n",
        v.scsi_sense_key, v.scsi_asc, v.scsi_ascq, v.nvme_sct, v.nvme_sc,
        v.nvme_dnr ? " DNR" : "", v.ata_status, v.ata_error, v.errno_value);
  }
}

int Fail(const char* what, char* errmsg) {
  std::fprintf(stderr, "faultcore-demo: %s%s%s\n", what, errmsg ? ": " : "",
               errmsg ? errmsg : "");
  fc_free(errmsg);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: faultcore-demo RULES [read:LBA:BLOCKS | "
                 "write:LBA:BLOCKS | flush | event:NAME]...\n");
    return 2;
  }
  std::vector<std::string> steps(argv + 2, argv + argc);
  if (steps.empty()) {
    steps = {"read:1000:32", "read:1010:1",  "write:1010:1",
             "read:1000:32", "read:4100:8",  "read:2000:8",
             "event:age",    "read:1996:16", "flush"};
  }

  fc_engine* engine = nullptr;
  char* errmsg = nullptr;
  if (fc_engine_create(&engine, &errmsg) != FC_OK) {
    return Fail("cannot create an engine", errmsg);
  }
  if (fc_engine_load_file(engine, argv[1], FC_FORMAT_AUTO, &errmsg) != FC_OK) {
    fc_engine_destroy(engine);
    return Fail("cannot load rules", errmsg);
  }
  uint32_t abi = fc_abi_version();
  std::printf("faultcore %s (ABI %u.%u): %s, %u rules\n\n",
              fc_library_version(), abi >> 16, abi & 0xffff, argv[1],
              fc_engine_rule_count(engine));

  uint32_t disk = 0;
  fc_engine_target_id(engine, "disk0", &disk);
  for (const std::string& step : steps) {
    char op[16] = {0};
    uint64_t lba = 0, blocks = 0;
    if (step.rfind("event:", 0) == 0) {
      std::string event = step.substr(6);
      fc_status s = fc_engine_raise_event(engine, event.c_str());
      char* state = nullptr;
      fc_engine_state(engine, &state);
      std::printf("event %-14s -> %s, state now \"%s\"\n\n", event.c_str(),
                  s == FC_OK ? "applied" : "no such event", state);
      fc_free(state);
      continue;
    }
    fc_verdict v;
    v.size = sizeof(v);
    if (step == "flush") {
      fc_engine_check(engine, disk, FC_OP_FLUSH, 0, 0, &v);
      std::printf("flush                -> ");
    } else if (std::sscanf(step.c_str(), "%15[a-z]:%" SCNu64 ":%" SCNu64, op,
                           &lba, &blocks) == 3 &&
               (std::string(op) == "read" || std::string(op) == "write")) {
      uint32_t fc_op = std::string(op) == "read" ? FC_OP_READ : FC_OP_WRITE;
      fc_engine_check(engine, disk, fc_op, lba * 512, blocks * 512, &v);
      std::printf("%-5s LBA %6" PRIu64 " +%-4" PRIu64 " -> ", op, lba, blocks);
    } else {
      fc_engine_destroy(engine);
      std::fprintf(stderr, "faultcore-demo: bad step '%s'\n", step.c_str());
      return 2;
    }
    Describe(engine, v);
    std::printf("\n");
  }

  std::printf("%-28s %8s %8s %8s\n", "rule", "matches", "fires", "healed");
  for (uint32_t id = 0; id < fc_engine_rule_count(engine); ++id) {
    fc_rule_stats stats;
    stats.size = sizeof(stats);
    if (fc_engine_rule_stats(engine, id, FC_TARGET_NONE, &stats) != FC_OK) {
      continue;
    }
    std::printf("%-28s %8" PRIu64 " %8" PRIu64 " %8" PRIu64 "\n",
                RuleName(engine, id).c_str(), stats.matches, stats.fires,
                stats.healed_bytes / 512);
  }
  fc_engine_destroy(engine);
  return 0;
}
