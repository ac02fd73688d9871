# faultcore's front door.  Quick start on a fresh Debian 12 machine:
#   make demo    # a guest that sees a realistic disk error
#   make check   # the whole test suite (what .ci/run runs)
# Every target installs what it needs first (scripts/install-deps.sh).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

BAZEL ?= bazel
CACHE_DIR ?= $(HOME)/.cache/faultcore
# Build outputs survive fresh clones (CI): Bazel's disk and repository caches
# live outside the work tree, keyed by content.
BAZEL_FLAGS := --disk_cache=$(CACHE_DIR)/bazel-disk \
               --repository_cache=$(CACHE_DIR)/bazel-repo
# Targets that run under ThreadSanitizer in `make check`.
TSAN_TESTS := //libfaultcore:rcu_test //libfaultcore:observer_test \
              //tests:concurrency_stress_test

.PHONY: help deps build check test tsan asan fuzz check-abi abi-baseline demo demo-engine clean

help:
	@echo "make demo    - build faultcore and the patched QEMU, boot a Linux guest on a disk"
	@echo "               failing as examples/demo.txtpb says, show what the guest saw"
	@echo "make demo-engine - only the engine deciding on examples/demo.txtpb (no QEMU)"
	@echo "make check   - build and run every test (unit, property, C ABI, sanitizers,"
	@echo "               fuzzing, ABI, QEMU, real guests)"
	@echo "make build   - build libfaultcore.so, the static library and tools"
	@echo "make asan    - run the tests under AddressSanitizer + UBSan"
	@echo "make fuzz    - run every libFuzzer target for FUZZ_SECONDS (default 60)"
	@echo "make fuzz-qemu - fuzz the faultcore QMP commands of the patched QEMU for FUZZ_SECONDS"
	@echo "make soak    - random guest I/O under faults on every device model for"
	@echo "               SOAK_MINUTES (default 10) each, then every block checked"
	@echo "make check-abi - compare libfaultcore.so's ABI with its abigail baseline"
	@echo "make clean   - remove Bazel's outputs for this tree"

deps:
	@scripts/install-deps.sh bazel fuzz abi

build: deps
	$(BAZEL) build $(BAZEL_FLAGS) //...

# The whole suite (scripts/check.sh): Bazel tests, TSan stress tests, the
# hot-path instruction guard and the patched-QEMU tests.  Ends with one line
# 'N passed, N failed' summed over every stage.
check: deps
	@BAZEL="$(BAZEL)" BAZEL_FLAGS="$(BAZEL_FLAGS)" TSAN_TESTS="$(TSAN_TESTS)" CACHE_DIR=$(CACHE_DIR) \
	  scripts/check.sh

test: check

tsan: deps
	$(BAZEL) test $(BAZEL_FLAGS) --config=tsan $(TSAN_TESTS)

asan: deps
	$(BAZEL) test $(BAZEL_FLAGS) --config=asan //...

# libFuzzer targets (fuzz/BUILD.bazel), clang in an output base of its own.
FUZZ_SECONDS ?= 60
fuzz: deps
	@BAZEL="$(BAZEL)" CACHE_DIR=$(CACHE_DIR) FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run-fuzzers.sh

# The ABI check and, after a deliberate ABI change, a new baseline
# (libfaultcore/ABI.md says when that needs which version bump).
check-abi: deps
	@BAZEL="$(BAZEL)" BAZEL_FLAGS="$(BAZEL_FLAGS)" scripts/check-abi.sh

abi-baseline: deps
	@BAZEL="$(BAZEL)" BAZEL_FLAGS="$(BAZEL_FLAGS)" scripts/check-abi.sh --update

# The first run builds QEMU (about 6 minutes on 2 cores; cached afterwards)
# and downloads the guest kernel (cached).
demo: deps qemu
	@$(BAZEL) build $(BAZEL_FLAGS) //libfaultcore:libfaultcore.so //tools:faultcore
	@bin="$$($(BAZEL) info $(BAZEL_FLAGS) bazel-bin 2>/dev/null)"; \
	FAULTCORE_CACHE_DIR=$(CACHE_DIR) scripts/demo.sh \
	  --qemu "$$($(MAKE) -s --no-print-directory qemu-dir)/qemu-system-x86_64" \
	  --lib "$$bin/libfaultcore/libfaultcore.so" --cli "$$bin/tools/faultcore" $(DEMO_RULES)

demo-engine: deps
	$(BAZEL) build $(BAZEL_FLAGS) //tools:faultcore-demo
	"$$($(BAZEL) info $(BAZEL_FLAGS) bazel-bin 2>/dev/null)/tools/faultcore-demo" examples/demo.txtpb

clean:
	$(BAZEL) clean

# QEMU build pipeline (make qemu, make qemu-smoke): see qemu-glue/README.md
include qemu-glue/qemu.mk
# QEMU tests (make check-qemu): see qemu-glue/tests.mk and tests/qemu/run.sh
include qemu-glue/tests.mk
# Benchmarks and the hot-path instruction guard (make bench, make bench-guard): see docs/BENCHMARKS.md
include bench/bench.mk
# Real-guest tests (make check-guest): see tests/guest/README.md
include tests/guest/guest.mk
