// The text and binary loader fuzzers share one body: load a known rule set,
// then the fuzzed bytes in one format, through the C ABI as QEMU does.
#ifndef FAULTCORE_FUZZ_RULE_LOADER_FUZZER_H_
#define FAULTCORE_FUZZ_RULE_LOADER_FUZZER_H_

#include <cstddef>
#include <cstdint>

#include "faultcore/faultcore.h"

// Properties checked (abort on violation):
//  - a failed load returns an error status and a message that begins with
//    the source's name, and leaves the previous rule set in place (same rule
//    count, the same verdict for a request it decides);
//  - a successful load gives verdicts whose action is a known one and whose
//    bad range lies inside the request;
//  - nothing crashes, leaks or reads out of bounds (the sanitizers).
void FuzzRuleLoad(const uint8_t* data, size_t size, fc_format format,
                  const char* source_name);

#endif  // FAULTCORE_FUZZ_RULE_LOADER_FUZZER_H_
