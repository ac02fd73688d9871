// Helpers of the fuzz targets.
//
// FUZZ_CHECK: a property check inside a fuzz target: on failure, print what broke and
// abort, so that libFuzzer saves the input as a crash and the replaying
// regression test fails.
#ifndef FAULTCORE_FUZZ_FUZZ_CHECK_H_
#define FAULTCORE_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond, ...)                                      \
  do {                                                             \
    if (!(cond)) {                                                 \
      std::fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, \
                   __LINE__, #cond);                               \
      std::fprintf(stderr, __VA_ARGS__);                           \
      std::fprintf(stderr, "\n");                                  \
      std::abort();                                                \
    }                                                              \
  } while (0)

// A zeroed C ABI struct whose `size` field is set, as the ABI asks.
template <typename T>
T Sized() {
  T t{};
  t.size = sizeof(T);
  return t;
}

#endif  // FAULTCORE_FUZZ_FUZZ_CHECK_H_
