#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) and runs each for
# FUZZ_SECONDS (default 60).  What `make fuzz` and make check's fuzz stage run.
#
# usage: fuzz/run-fuzzers.sh [TARGET...]   (default: every target)
#
# The build uses an output base of its own ($CACHE_DIR/bazel-fuzz-output):
# the fuzz config switches Bazel's C++ toolchain to clang.  Each target's
# working corpus lives in $CACHE_DIR/fuzz-corpus/TARGET and grows from run
# to run; it starts from the checked-in corpus fuzz/corpus/TARGET and the
# target's seeds.  A crash, leak, timeout or failed property stops that
# target: its input is kept in $CACHE_DIR/fuzz-crashes/TARGET, and the way to
# turn it into a regression test is printed.  Ends with 'N passed, N failed'.
set -uo pipefail
cd "$(dirname "$0")/.."

BAZEL=${BAZEL:-bazel}
CACHE_DIR=${CACHE_DIR:-$HOME/.cache/faultcore}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(text_loader binary_loader cli_args c_abi)

output_base=$CACHE_DIR/bazel-fuzz-output
bazel_fuzz() {
  "$BAZEL" --output_base="$output_base" "$@"
}
flags=(--config=fuzz "--disk_cache=$CACHE_DIR/bazel-disk"
       "--repository_cache=$CACHE_DIR/bazel-repo")

labels=()
for t in "${targets[@]}"; do labels+=("//fuzz:${t}_fuzzer"); done
if ! bazel_fuzz build "${flags[@]}" "${labels[@]}" //examples:binary_examples; then
  echo "fuzz: the fuzz build failed (clang, libclang-rt-14-dev: scripts/install-deps.sh fuzz)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
bin=$(bazel_fuzz info "${flags[@]}" bazel-bin 2>/dev/null)

# Extra seeds per target, besides fuzz/corpus/TARGET.
seeds_for() {
  case "$1" in
    text_loader) echo "$PWD/examples $PWD/proto/testdata" ;;
    binary_loader) echo "$bin/examples" ;;
  esac
}

passed=0
failed=0
for t in "${targets[@]}"; do
  corpus=$CACHE_DIR/fuzz-corpus/$t
  crashes=$CACHE_DIR/fuzz-crashes/$t
  mkdir -p "$corpus" "$crashes"
  log=$(mktemp)
  echo "--- fuzz $t for ${FUZZ_SECONDS}s (corpus $corpus)"
  # shellcheck disable=SC2046
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    timeout --kill-after=30 $((FUZZ_SECONDS + 120)) \
    "$bin/fuzz/${t}_fuzzer" -max_total_time="$FUZZ_SECONDS" -timeout=10 \
      -rss_limit_mb=4096 -max_len=8192 -print_final_stats=1 \
      -artifact_prefix="$crashes/" "$corpus" "$PWD/fuzz/corpus/$t" \
      $(for d in $(seeds_for "$t"); do [ -d "$d" ] && echo "$d"; done) \
      >"$log" 2>&1
  status=$?
  runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$')
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1)
  if [ "$status" -eq 0 ]; then
    echo "PASS fuzz-$t: ${runs:-?} runs, ${cov:-cov: ?}, $(ls "$corpus" | wc -l) inputs in the corpus"
    passed=$((passed + 1))
  else
    tail -n 40 "$log"
    artifact=$(grep -oE "Test unit written to [^ ]+" "$log" | tail -n 1 | cut -d' ' -f5)
    echo "FAIL fuzz-$t (exit $status)${artifact:+: input $artifact}"
    [ -n "$artifact" ] &&
      echo "  replay: $bin/fuzz/${t}_fuzzer $artifact; keep it as a regression test: cp $artifact fuzz/corpus/$t/"
    failed=$((failed + 1))
  fi
  rm -f "$log"
done
bazel_fuzz shutdown >/dev/null 2>&1 || true
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
