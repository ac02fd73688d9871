# faultcore's real-guest tests: tests/guest/ (see tests/guest/README.md).
# Included by the top-level Makefile, after qemu-glue/qemu.mk.
#   make check-guest   - build libfaultcore.so and the patched QEMU (both
#                        cached), fetch/build the Debian guest (cached in
#                        $(CACHE_DIR)/guest), then boot it under TCG and run
#                        every suite in tests/guest/suites/ (GUEST_SUITES=
#                        "scsi nvme" picks some).  Ends with 'N passed, N failed'.
#                        GUEST_KERNEL_FROM=bookworm-backports boots that suite's
#                        kernel (6.12) instead of bookworm's (6.1).
#   make guest-fetch   - only download/unpack the guest kernel and build the
#                        initramfs; prints the kernel and initramfs paths.
#   make soak          - the soak alone (suites/soak.sh), SOAK_MINUTES (default
#                        10) of random I/O under faults per device model, then
#                        every block checked; SOAK_SEED=S replays a run,
#                        SOAK_MODELS="ahci nvme" picks models.  `make check`
#                        runs the same suite for a few seconds per model.
# The suites boot with TCG (KVM does not work on the CI machines);
# run-guest.sh --accel kvm is there for users.

GUEST_TESTS_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))

.PHONY: check-guest guest-fetch soak

GUEST_KERNEL_FROM ?= $(FCTEST_KERNEL_FROM)
GUEST_ENV = FAULTCORE_CACHE_DIR=$(CACHE_DIR) FCTEST_KERNEL_FROM=$(GUEST_KERNEL_FROM)

guest-fetch:
	@$(GUEST_ENV) $(GUEST_TESTS_DIR)/fetch-guest.sh

check-guest: deps qemu
	@$(BAZEL) build $(BAZEL_FLAGS) //libfaultcore:libfaultcore.so //tools:faultcore
	@lib="$$($(BAZEL) info $(BAZEL_FLAGS) bazel-bin 2>/dev/null)/libfaultcore/libfaultcore.so"; \
	[ -f "$$lib" ] || { echo "check-guest: $$lib was not built" >&2; exit 1; }; \
	qemu="$$($(MAKE) -s --no-print-directory qemu-dir)/qemu-system-x86_64"; \
	[ -x "$$qemu" ] || { echo "check-guest: $$qemu was not built" >&2; exit 1; }; \
	$(GUEST_ENV) $(GUEST_TESTS_DIR)/run-suites.sh --qemu "$$qemu" --lib "$$lib" $(GUEST_SUITES)

SOAK_MINUTES ?= 10
soak: deps qemu
	@$(BAZEL) build $(BAZEL_FLAGS) //libfaultcore:libfaultcore.so //tools:faultcore
	@lib="$$($(BAZEL) info $(BAZEL_FLAGS) bazel-bin 2>/dev/null)/libfaultcore/libfaultcore.so"; \
	qemu="$$($(MAKE) -s --no-print-directory qemu-dir)/qemu-system-x86_64"; \
	$(GUEST_ENV) SOAK_SECONDS=$$(( $(SOAK_MINUTES) * 60 )) \
	  $(GUEST_TESTS_DIR)/run-suites.sh --qemu "$$qemu" --lib "$$lib" soak
