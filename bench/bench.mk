# Benchmarks and the instruction-count regression guard, owned by bench/
# (see docs/BENCHMARKS.md).  Included by the top-level Makefile.
#   make bench          - microbenchmarks + end-to-end qemu-img bench, then the
#                         report (bench/results/) and docs/BENCHMARKS.md's
#                         numbers and plot
#   make bench-micro    - the google-benchmark suites only
#   make bench-e2e      - the end-to-end qemu-img bench comparison only
#   make bench-report   - tables, targets and plot from bench/results/
#   make bench-guard    - instruction counts of the hot path against
#                         bench/instruction_budget.txt; ends 'N passed, N failed'
#   make bench-budget   - re-measure that budget (commit it deliberately)
# Everything is built with -c opt into Bazel's k8-opt tree; --symlink_prefix=/
# leaves the bazel-* convenience links alone.

BENCH_DIR := bench
BENCH_RESULTS ?= $(BENCH_DIR)/results
BENCH_PLOT ?= docs/benchmarks/cost_vs_rules.png
# google-benchmark repetitions (medians are reported) and end-to-end
# interleaved repetitions.
BENCH_REPS ?= 3
BENCH_E2E_REPS ?= 5
# Extra flags, e.g. BENCH_MICRO_ARGS=--benchmark_filter=Check/
BENCH_MICRO_ARGS ?=
BENCH_E2E_ARGS ?=
# Debian's python3, which has python3-matplotlib (pyenv's may not).
BENCH_PYTHON ?= /usr/bin/python3
BENCH_BAZEL_FLAGS = $(BAZEL_FLAGS) -c opt --symlink_prefix=/
BENCH_TARGETS := //bench:engine_benchmark //bench:dlopen_benchmark \
                 //bench:make_rule_files //libfaultcore:libfaultcore.so
# The opt output tree, asked of Bazel in each recipe (cheap, no build).
BENCH_BIN = $$($(BAZEL) info $(BENCH_BAZEL_FLAGS) bazel-bin 2>/dev/null)

.PHONY: bench bench-deps bench-build bench-micro bench-e2e bench-report \
        bench-guard bench-budget

bench-deps: deps
	@dpkg-query -W -f='$${Status}' python3-matplotlib 2>/dev/null \
	  | grep -q 'install ok installed' || { \
	  echo "bench: installing python3-matplotlib"; \
	  [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
	  $${sudo:-} apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $${sudo:-} apt-get install -y -qq \
	    --no-install-recommends python3-matplotlib >/dev/null; }

bench-build: bench-deps
	$(BAZEL) build $(BENCH_BAZEL_FLAGS) $(BENCH_TARGETS)

bench: bench-build
	@$(MAKE) --no-print-directory bench-micro bench-e2e bench-report

bench-micro: bench-build
	@mkdir -p $(BENCH_RESULTS)
	@bin=$(BENCH_BIN); \
	$(BENCH_DIR)/machine-info.sh > $(BENCH_RESULTS)/machine-micro.txt; \
	for b in engine_benchmark dlopen_benchmark; do \
	  $$bin/bench/$$b --benchmark_repetitions=$(BENCH_REPS) \
	    --benchmark_report_aggregates_only=true \
	    --benchmark_out=$(BENCH_RESULTS)/$$b.json \
	    --benchmark_out_format=json $(BENCH_MICRO_ARGS) || exit 1; \
	done; \
	uptime >> $(BENCH_RESULTS)/machine-micro.txt

bench-e2e: bench-build
	@mkdir -p $(BENCH_RESULTS)
	@bin=$(BENCH_BIN); \
	$(BENCH_DIR)/machine-info.sh > $(BENCH_RESULTS)/machine-e2e.txt; \
	$(BENCH_DIR)/e2e.py --lib $$bin/libfaultcore/libfaultcore.so \
	  --make-rules $$bin/bench/make_rule_files --reps $(BENCH_E2E_REPS) \
	  --out $(BENCH_RESULTS)/e2e.json $(BENCH_E2E_ARGS); \
	uptime >> $(BENCH_RESULTS)/machine-e2e.txt

bench-report: bench-deps
	@$(BENCH_PYTHON) $(BENCH_DIR)/report.py --results $(BENCH_RESULTS) \
	  --doc docs/BENCHMARKS.md --plot $(BENCH_PLOT)

# The guard.  Prints 'N passed, N failed' last (one per workload); a build
# failure counts as one failure.
bench-guard: deps
	@$(BAZEL) build $(BENCH_BAZEL_FLAGS) //bench:hot_path_workloads \
	  || { echo "bench-guard: build failed"; echo "0 passed, 1 failed"; exit 1; }
	@$(BENCH_DIR)/instruction_guard.py \
	  --binary $(BENCH_BIN)/bench/hot_path_workloads \
	  --budget $(BENCH_DIR)/instruction_budget.txt

bench-budget: deps
	$(BAZEL) build $(BENCH_BAZEL_FLAGS) //bench:hot_path_workloads
	@$(BENCH_DIR)/instruction_guard.py --update \
	  --binary $(BENCH_BIN)/bench/hot_path_workloads \
	  --budget $(BENCH_DIR)/instruction_budget.txt
	@echo "bench-budget: review 'git diff $(BENCH_DIR)/instruction_budget.txt'" \
	  "and commit it with the reason"
