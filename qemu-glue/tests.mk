# faultcore's QEMU tests: tests/qemu/ (see tests/qemu/run.sh).
# Included by the top-level Makefile, after qemu-glue/qemu.mk.
#   make check-qemu   - build libfaultcore.so and the patched QEMU (both
#                       cached), then run tests/qemu/run.sh: the qemu-io /
#                       qemu-img / QMP cases, the series' qtests
#                       (tests/qemu/qtests.list) and QEMU's own blkdebug
#                       iotests.
#                       Ends with one line 'N passed, N failed'.
#   make check-qemu QEMU_IOTESTS=0   - the cases only (about 6 s)
#   make fuzz-qemu    - QEMU's side fuzzed for FUZZ_SECONDS (default 60): case
#                       020-qmp-fuzz with a new seed (printed; replay with
#                       FAULTCORE_QMP_FUZZ_SEED=S) and about 200 commands a
#                       second; `make check` runs it with seed 1, 2000 commands.
#
# QEMU's iotests need qemu-nbd and qemu-storage-daemon, which the pipeline
# does not build; they are built here in the cached build dir (a few
# seconds), under the pipeline's lock for that dir.

QEMU_TESTS_DIR := tests/qemu
QEMU_TESTS_GLUE := FAULTCORE_CACHE_DIR=$(CACHE_DIR) $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))/scripts
QEMU_IOTESTS ?= 1

.PHONY: check-qemu fuzz-qemu

fuzz-qemu: deps qemu
	@$(BAZEL) build $(BAZEL_FLAGS) //libfaultcore:libfaultcore.so
	@lib="$$($(BAZEL) info $(BAZEL_FLAGS) bazel-bin 2>/dev/null)/libfaultcore/libfaultcore.so"; \
	seed=$${FAULTCORE_QMP_FUZZ_SEED:-$$(( $$(date +%s) % 1000000 ))}; \
	echo "fuzz-qemu: seed $$seed (FAULTCORE_QMP_FUZZ_SEED=$$seed replays it), $(FUZZ_SECONDS) s"; \
	FAULTCORE_QMP_FUZZ_SEED=$$seed FAULTCORE_QMP_FUZZ_COMMANDS=$$(( $(FUZZ_SECONDS) * 200 )) \
	  CASE_TIMEOUT=$$(( $(FUZZ_SECONDS) * 3 + 60 )) \
	  $(QEMU_TESTS_DIR)/run.sh "$$($(QEMU_TESTS_GLUE)/build-qemu.sh --print-dir)" "$$lib" 020

check-qemu: deps
	@$(BAZEL) build $(BAZEL_FLAGS) //libfaultcore:libfaultcore.so
	@lib="$$($(BAZEL) info $(BAZEL_FLAGS) bazel-bin 2>/dev/null)/libfaultcore/libfaultcore.so"; \
	[ -f "$$lib" ] || { echo "check-qemu: $$lib was not built" >&2; exit 1; }; \
	$(QEMU_TESTS_GLUE)/build-qemu.sh; \
	build=$$($(QEMU_TESTS_GLUE)/build-qemu.sh --print-dir); \
	kdir=$$(dirname "$$build"); \
	lock="$$(dirname "$$kdir")/.$$(basename "$$kdir").lock"; \
	qtests=$$(grep -vE '^(#|$$)' $(QEMU_TESTS_DIR)/qtests.list | sed 's#^#tests/qtest/#'); \
	flock "$$lock" ninja -C "$$build" $$qtests >"$$kdir/ninja-qtests.log" 2>&1 || \
	  { tail -n 40 "$$kdir/ninja-qtests.log" >&2; \
	    echo "check-qemu: building the qtests failed; log: $$kdir/ninja-qtests.log" >&2; exit 1; }; \
	iotests=; \
	if [ "$(QEMU_IOTESTS)" != 0 ]; then \
	  flock "$$lock" ninja -C "$$build" qemu-nbd storage-daemon/qemu-storage-daemon >"$$kdir/ninja-iotests.log" 2>&1 || \
	    { tail -n 40 "$$kdir/ninja-iotests.log" >&2; \
	      echo "check-qemu: building qemu-nbd and qemu-storage-daemon failed; log: $$kdir/ninja-iotests.log" >&2; exit 1; }; \
	  iotests=--iotests; \
	fi; \
	$(QEMU_TESTS_DIR)/run.sh --qtests $$iotests "$$build" "$$lib"
