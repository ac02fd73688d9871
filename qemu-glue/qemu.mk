# QEMU build pipeline targets, owned by qemu-glue/ (see qemu-glue/README.md).
# Included by the top-level Makefile; kept here to avoid edit conflicts.
#   make qemu            - build (or re-use) the patched QEMU 10.0
#   make qemu-smoke      - build, then check qemu-img/qemu-io and that
#                          qemu-system-x86_64 starts with its firmware
#   make qemu-checkpatch - run QEMU's checkpatch.pl over qemu-glue/patches
#   make qemu-dir        - print the build dir of the current patch series

QEMU_GLUE_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
CACHE_DIR ?= $(HOME)/.cache/faultcore
QEMU_GLUE_RUN := FAULTCORE_CACHE_DIR=$(CACHE_DIR) $(QEMU_GLUE_DIR)/scripts
# Lazily evaluated: only recipes that use it pay for the (fast) key hash.
QEMU_BUILD_DIR = $(shell $(QEMU_GLUE_RUN)/build-qemu.sh --print-dir 2>/dev/null)

.PHONY: qemu qemu-smoke qemu-checkpatch qemu-dir

qemu:
	@$(QEMU_GLUE_RUN)/build-qemu.sh

qemu-smoke: qemu
	@$(QEMU_GLUE_RUN)/smoke-qemu.sh $(QEMU_BUILD_DIR)

qemu-checkpatch:
	@$(QEMU_GLUE_RUN)/checkpatch.sh

qemu-dir:
	@echo $(QEMU_BUILD_DIR)
