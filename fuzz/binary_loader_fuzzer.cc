// libFuzzer target: rule files in protobuf binary format
// (fc_engine_load_buffer).
#include "fuzz/rule_loader_fuzzer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzRuleLoad(data, size, FC_FORMAT_BINARY, "fuzz.binpb");
  return 0;
}
