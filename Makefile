# faultcore's front door.  Quick start on a fresh Debian 12 machine:
#   make demo    # the engine deciding on an example rule file
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
TSAN_TESTS := //libfaultcore:rcu_test //tests:concurrency_stress_test

.PHONY: help deps build check test tsan asan demo clean

help:
	@echo "make demo    - build faultcore and show the engine deciding on examples/demo.txtpb"
	@echo "make check   - build and run every test (unit, property, C ABI, TSan stress)"
	@echo "make build   - build libfaultcore.so, the static library and tools"
	@echo "make asan    - run the tests under AddressSanitizer + UBSan"
	@echo "make clean   - remove Bazel's outputs for this tree"

deps:
	@scripts/install-deps.sh bazel

build: deps
	$(BAZEL) build $(BAZEL_FLAGS) //...

# The whole suite (scripts/check.sh): Bazel tests, TSan stress tests, the
# hot-path instruction guard and the patched-QEMU tests.  Ends with one line
# 'N passed, N failed' summed over every stage.
check: deps
	@BAZEL="$(BAZEL)" BAZEL_FLAGS="$(BAZEL_FLAGS)" TSAN_TESTS="$(TSAN_TESTS)" \
	  scripts/check.sh

test: check

tsan: deps
	$(BAZEL) test $(BAZEL_FLAGS) --config=tsan $(TSAN_TESTS)

asan: deps
	$(BAZEL) test $(BAZEL_FLAGS) --config=asan //...

demo: deps
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
