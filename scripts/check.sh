#!/usr/bin/env bash
# The whole test suite, what `make check` and CI run.  Runs every stage even
# when one fails, then prints one closing line 'N passed, N failed' summed
# over all stages (each stage prints its own count first).
#
# Stages: Bazel tests (unit, property, C ABI, CLI, fuzz corpus replays), the
# ThreadSanitizer stress tests, every Bazel test again under AddressSanitizer
# and UndefinedBehaviorSanitizer, a short run of each libFuzzer target
# (FUZZ_SECONDS, default 20), the ABI check of libfaultcore.so against its
# abigail baseline, the instruction-count guard of the hot path, the patched
# QEMU tests (builds QEMU through qemu-glue's cached pipeline), the patch
# series' hygiene (checkpatch, one identity per patch, the imported header
# verbatim; after the QEMU stage, which fetches the source checkpatch.pl
# comes from), and the real-guest suites (boot a Debian kernel under TCG:
# bookworm's 6.1, then bookworm-backports' 6.12, since sd, libata and the
# nvme driver change between them).
# FAULTCORE_CHECK_STAGES (space-separated) runs a subset.
set -uo pipefail
cd "$(dirname "$0")/.."

BAZEL=${BAZEL:-bazel}
BAZEL_FLAGS=${BAZEL_FLAGS:-}
TSAN_TESTS=${TSAN_TESTS:-//libfaultcore:rcu_test //tests:concurrency_stress_test}
stages=${FAULTCORE_CHECK_STAGES:-bazel tsan asan fuzz abi bench-guard qemu series guest guest-6.12}

total_passed=0
total_failed=0
failed_stages=()

# Runs a stage, shows its output, adds its closing count to the totals.  A
# stage that fails without printing a count counts as one failure.
run_stage() {
  local name=$1
  shift
  local log
  log=$(mktemp)
  echo "=== check: $name"
  local start=$SECONDS
  "$@" 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  local line
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
  rm -f "$log"
  local p=0 f=0
  if [ -n "$line" ]; then
    p=${line%% passed*}
    f=${line#*passed, }
    f=${f%% failed*}
  fi
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
    f=1
  fi
  total_passed=$((total_passed + p))
  total_failed=$((total_failed + f))
  [ "$status" -eq 0 ] && [ "$f" -eq 0 ] || failed_stages+=("$name")
  echo "=== check: $name: $p passed, $f failed ($((SECONDS - start)) s)"
}

bazel_stage() {
  local status=0
  # shellcheck disable=SC2086
  # --nocache_test_results: build outputs come from the cache, but every
  # test really runs (a cached pass would hide a flaky concurrency test).
  $BAZEL test $BAZEL_FLAGS --nocache_test_results //... || status=1
  local tests
  tests=$($BAZEL query 'tests(//...)' 2>/dev/null)
  # shellcheck disable=SC2086
  scripts/test-summary.py --testlogs "$($BAZEL info $BAZEL_FLAGS bazel-testlogs 2>/dev/null)" \
    $tests || status=1
  return $status
}

tsan_stage() {
  local status=0
  # shellcheck disable=SC2086
  $BAZEL test $BAZEL_FLAGS --config=tsan --nocache_test_results $TSAN_TESTS ||
    status=1
  # shellcheck disable=SC2086
  scripts/test-summary.py \
    --testlogs "$($BAZEL info $BAZEL_FLAGS --config=tsan bazel-testlogs 2>/dev/null)" \
    $TSAN_TESTS || status=1
  return $status
}

asan_stage() {
  local status=0
  # shellcheck disable=SC2086
  $BAZEL test $BAZEL_FLAGS --config=asan --nocache_test_results //... || status=1
  local tests
  tests=$($BAZEL query 'tests(//...)' 2>/dev/null)
  # shellcheck disable=SC2086
  scripts/test-summary.py \
    --testlogs "$($BAZEL info $BAZEL_FLAGS --config=asan bazel-testlogs 2>/dev/null)" \
    $tests || status=1
  return $status
}

for stage in $stages; do
  case "$stage" in
    series) run_stage "QEMU patch series" qemu-glue/scripts/check-series.sh ;;
    bazel) run_stage "bazel tests" bazel_stage ;;
    tsan) run_stage "ThreadSanitizer" tsan_stage ;;
    asan) run_stage "AddressSanitizer + UBSan" asan_stage ;;
    fuzz) run_stage "fuzzing (${FUZZ_SECONDS:-20} s per target)" \
      env FUZZ_SECONDS="${FUZZ_SECONDS:-20}" fuzz/run-fuzzers.sh ;;
    abi) run_stage "ABI of libfaultcore.so" scripts/check-abi.sh ;;
    bench-guard) run_stage "hot-path instruction guard" make --no-print-directory bench-guard ;;
    qemu) run_stage "patched QEMU" make --no-print-directory check-qemu ;;
    guest) run_stage "real guest (Debian 6.1 under TCG)" make --no-print-directory check-guest ;;
    guest-6.12) run_stage "real guest (Debian 6.12 from bookworm-backports, under TCG)" \
      make --no-print-directory check-guest GUEST_KERNEL_FROM=bookworm-backports ;;
    *) echo "check: unknown stage '$stage'" >&2; total_failed=$((total_failed + 1)) ;;
  esac
done

if [ ${#failed_stages[@]} -gt 0 ]; then
  echo "check: FAILED stages: ${failed_stages[*]}" >&2
fi
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ] && [ ${#failed_stages[@]} -eq 0 ]
