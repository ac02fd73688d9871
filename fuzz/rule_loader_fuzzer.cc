#include "fuzz/rule_loader_fuzzer.h"

#include <cstring>
#include <string>

#include "fuzz/fuzz_check.h"

namespace {

// Two media errors; the probe request hits the first one.
constexpr char kKnownRules[] = R"pb(
  rules { name: "known" range { lba: 100 count: 8 } media_error {} }
  rules { name: "other" range { lba: 5000 } write_fault {} }
)pb";
constexpr uint64_t kProbeOffset = 96 * 512;
constexpr uint64_t kProbeLength = 16 * 512;

void CheckVerdict(uint32_t action, const fc_verdict& v, uint64_t offset,
                  uint64_t length) {
  FUZZ_CHECK(action <= FC_ACTION_ASK, "action %u", action);
  if (action == FC_ACTION_PASS) return;
  FUZZ_CHECK(v.first_bad_byte >= offset || length == 0,
             "first bad byte %llu before the request at %llu",
             (unsigned long long)v.first_bad_byte, (unsigned long long)offset);
  FUZZ_CHECK(v.good_bytes <= length, "good bytes %llu of %llu",
             (unsigned long long)v.good_bytes, (unsigned long long)length);
  FUZZ_CHECK(v.good_bytes + v.bad_bytes <= length || length == 0,
             "good %llu + bad %llu > length %llu",
             (unsigned long long)v.good_bytes, (unsigned long long)v.bad_bytes,
             (unsigned long long)length);
}

}  // namespace

void FuzzRuleLoad(const uint8_t* data, size_t size, fc_format format,
                  const char* source_name) {
  fc_engine* engine = nullptr;
  FUZZ_CHECK(fc_engine_create(&engine, nullptr) == FC_OK, "create");
  char* err = nullptr;
  FUZZ_CHECK(fc_engine_load_buffer(engine, kKnownRules, sizeof kKnownRules - 1,
                                   FC_FORMAT_TEXT, "known.txtpb",
                                   &err) == FC_OK,
             "known rules: %s", err);
  fc_verdict before = Sized<fc_verdict>();
  const uint32_t before_action = fc_engine_check(
      engine, FC_TARGET_NONE, FC_OP_READ, kProbeOffset, kProbeLength, &before);

  const fc_status status =
      fc_engine_load_buffer(engine, data, size, format, source_name, &err);
  if (status != FC_OK) {
    FUZZ_CHECK(err != nullptr, "status %d without a message", status);
    FUZZ_CHECK(std::strncmp(err, source_name, std::strlen(source_name)) == 0,
               "message does not name the source: %s", err);
    fc_free(err);
    err = nullptr;
    FUZZ_CHECK(fc_engine_rule_count(engine) == 2,
               "a failed load changed the rule set (%u rules)",
               fc_engine_rule_count(engine));
    fc_verdict after = Sized<fc_verdict>();
    const uint32_t after_action = fc_engine_check(
        engine, FC_TARGET_NONE, FC_OP_READ, kProbeOffset, kProbeLength, &after);
    FUZZ_CHECK(after_action == before_action &&
                   after.first_bad_byte == before.first_bad_byte,
               "a failed load changed a verdict");
  } else {
    FUZZ_CHECK(err == nullptr, "success with a message: %s", err);
    // Probe the new rules across ops and a few ranges, then exercise state.
    static const uint64_t kOffsets[] = {0, 512, 4096 * 8, 1ull << 40,
                                        UINT64_MAX - 4096};
    for (uint32_t op = FC_OP_READ; op <= FC_OP_WRITE_ZEROES; ++op) {
      for (uint64_t offset : kOffsets) {
        const uint64_t length = op == FC_OP_FLUSH ? 0 : 65536;
        fc_verdict v = Sized<fc_verdict>();
        const uint32_t action =
            fc_engine_check(engine, FC_TARGET_NONE, op, offset, length, &v);
        CheckVerdict(action, v, offset, length);
        if (action == FC_ACTION_CORRUPT) {
          std::string buf(4096, '\0');
          fc_corrupt_buffer(&v, offset, buf.data(), buf.size());
        }
      }
    }
    char* state = nullptr;
    if (fc_engine_state(engine, &state) == FC_OK) fc_free(state);
    for (uint32_t i = 0; i < fc_engine_rule_count(engine); ++i) {
      char* name = nullptr;
      FUZZ_CHECK(fc_engine_rule_name(engine, i, &name) == FC_OK, "name %u", i);
      fc_free(name);
    }
    fc_engine_reset(engine);
  }
  fc_engine_destroy(engine);
}
