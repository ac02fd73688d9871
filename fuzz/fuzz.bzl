"""faultcore_fuzzer: one libFuzzer target and the regression test that
replays its corpus.

For a fuzzer NAME (source NAME_fuzzer.cc) this makes:
  NAME_entry            the target's code (LLVMFuzzerTestOneInput)
  NAME_fuzzer           the libFuzzer binary; build it with --config=fuzz
                        (clang, -fsanitize=fuzzer,address,undefined), which
                        `make fuzz` does in its own output base
  NAME_regression_test  replays corpus/NAME/ (seeds and every input that
                        once failed) through NAME_entry with any compiler;
                        part of //... and of the ASan stage
"""

load("@rules_cc//cc:defs.bzl", "cc_binary", "cc_library", "cc_test")
load("//libfaultcore:copts.bzl", "FAULTCORE_COPTS")

def faultcore_fuzzer(name, deps, seeds = []):
    cc_library(
        name = name + "_entry",
        srcs = [name + "_fuzzer.cc"],
        copts = FAULTCORE_COPTS,
        deps = deps,
        alwayslink = True,
    )
    cc_binary(
        name = name + "_fuzzer",
        linkopts = select({
            "//fuzz:libfuzzer": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
        # Only links under --config=fuzz (libFuzzer supplies main()).
        tags = ["manual"],
        deps = [":" + name + "_entry"],
    )
    cc_test(
        name = name + "_regression_test",
        size = "small",
        args = ["fuzz/corpus/" + name] +
               ["$(locations %s)" % s for s in seeds],
        data = native.glob(["corpus/%s/**" % name]) + seeds,
        deps = [
            ":" + name + "_entry",
            ":replay_main",
        ],
    )
