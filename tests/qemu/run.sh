#!/bin/bash
# faultcore's QEMU tests, in the style of qemu-iotests.
#
#   tests/qemu/run.sh [--iotests] [--qtests] [--no-cases] QEMU_BUILD_DIR LIBFAULTCORE_SO [NAME...]
#
# Runs every case in tests/qemu/cases/ (NNN-name.sh or NNN-name.py, each
# with its golden output NNN-name.out) against the patched QEMU in
# QEMU_BUILD_DIR (qemu-io, qemu-img, qemu-system-x86_64) and the engine
# LIBFAULTCORE_SO.  NAMEs select cases by prefix ("003", "003-delay").
# Each case runs in its own temporary directory, bounded by `timeout`; its
# output (stdout and stderr) goes through the filters qemu-iotests uses
# (qemu-io timing lines, "qemu-io> " prompts) and paths become placeholders
# (TEST_DIR, LIBFAULTCORE, FAKE_LIB_DIR, QEMU_BUILD_DIR), then it is
# compared with the golden output.
#
# --iotests also runs QEMU's own blkdebug-related qemu-iotests (the list
# below) against the same build, one `check` run per test; they need
# qemu-nbd and qemu-storage-daemon in the build dir (make check-qemu builds
# them).  --no-cases runs only those.
#
# Prints `PASS name (T s)` or `FAIL name (T s)` plus a diff per case, and
# closes with one line `N passed, N failed`; exits 1 if anything failed.
# Environment: CASE_TIMEOUT (s, default 120), IOTEST_TIMEOUT (s, default
# 300), KEEP_TEST_DIR=1 keeps the temporary directories.

set -u -o pipefail

usage() {
  sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

run_cases=1
run_iotests=0
run_qtests=0
while [ $# -gt 0 ]; do
  case "$1" in
    --iotests) run_iotests=1; shift ;;
    --qtests) run_qtests=1; shift ;;
    --no-cases) run_cases=0; shift ;;
    -h|--help) usage ;;
    --) shift; break ;;
    -*) echo "run.sh: unknown option '$1'" >&2; usage ;;
    *) break ;;
  esac
done
[ $# -ge 2 ] || usage

TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$TESTS_DIR/../.." && pwd)
BUILD=$(cd "$1" 2>/dev/null && pwd) || { echo "run.sh: no such build dir: $1" >&2; exit 2; }
LIB=$(readlink -f "$2") || { echo "run.sh: bad library path: $2" >&2; exit 2; }
shift 2
SELECT=("$@")

CASE_TIMEOUT=${CASE_TIMEOUT:-120}
IOTEST_TIMEOUT=${IOTEST_TIMEOUT:-300}
QTEST_TIMEOUT=${QTEST_TIMEOUT:-300}

# QEMU's own iotests that exercise blkdebug (qemu-hooks.md section 9, and
# every other test of the tree that uses blkdebug and runs offline), as
# FORMAT:TEST.  About 2 minutes in all on 2 cores.
IOTESTS=(
  qcow2:026 qcow2:071 qcow2:177 qcow2:245
  qcow2:020 qcow2:030 qcow2:033 qcow2:040 qcow2:041 qcow2:046 qcow2:055
  qcow2:056 qcow2:060 qcow2:066 qcow2:074 qcow2:089 qcow2:098 qcow2:099
  qcow2:110 qcow2:124 qcow2:139 qcow2:142 qcow2:151 qcow2:179 qcow2:197
  qcow2:204 qcow2:215 qcow2:217 qcow2:229 qcow2:244 qcow2:251 qcow2:257
  qcow2:262 qcow2:268 qcow2:271 qcow2:283 qcow2:289
  qcow2:copy-before-write qcow2:mirror-ready-cancel-error
  qcow2:stream-error-on-reset
  raw:077 raw:136 raw:148 raw:iov-padding
)

for bin in qemu-io qemu-img qemu-system-x86_64; do
  [ -x "$BUILD/$bin" ] || { echo "run.sh: $BUILD/$bin is missing (build QEMU first: make qemu)" >&2; exit 2; }
done
[ -f "$LIB" ] || { echo "run.sh: $LIB does not exist (bazel build //libfaultcore:libfaultcore.so)" >&2; exit 2; }

# No dots or other punctuation in the path: some iotests (197, 215) refuse
# to run in a TEST_DIR with characters outside [-_a-zA-Z0-9/].
WORK=$(mktemp -d "${TMPDIR:-/tmp}/faultcore-qemu-tests-XXXXXX")
cleanup() {
  if [ "${KEEP_TEST_DIR:-0}" = 1 ]; then
    echo "run.sh: test directories kept in $WORK" >&2
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

passed=0
failed=0

now_ns() { date +%s%N; }
secs_since() {  # START_NS -> "1.23"
  local d=$(( $(now_ns) - $1 ))
  printf '%d.%02d' $((d / 1000000000)) $(( (d / 10000000) % 100 ))
}

selected() {
  [ ${#SELECT[@]} -eq 0 ] && return 0
  local s
  for s in "${SELECT[@]}"; do
    case "$1" in "$s"*) return 0 ;; esac
  done
  return 1
}

# The output filters: qemu-iotests' _filter_qemu_io (common.filter), then
# paths to placeholders.
filter_output() {
  sed -e "s/[0-9]* ops\; [0-9/:. sec]* ([0-9/.inf]* [EPTGMKiBbytes]*\/sec and [0-9/.inf]* ops\/sec)/X ops\; XX:XX:XX.X (XXX YYY\/sec and XXX ops\/sec)/" \
      -e "s/: line [0-9][0-9]*:  *[0-9][0-9]*\( Aborted\| Killed\) \{2,\}/:\1 /" \
      -e "s/qemu-io> //g" \
      -e "s#$1#TEST_DIR#g" \
      -e "s#$WORK/lib#FAKE_LIB_DIR#g" \
      -e "s#$LIB#LIBFAULTCORE#g" \
      -e "s#$BUILD#QEMU_BUILD_DIR#g"
}

# Fake libraries for the loading tests (see fake_faultcore.c): a wrong major
# ABI version, no entry point, a NULL table, a constructor that leaves a mark.
build_fakes() {
  mkdir -p "$WORK/lib"
  gcc -shared -fPIC -O2 -I"$REPO_DIR/libfaultcore/include" \
      -o "$WORK/lib/libfaultcore-next-major.so" "$TESTS_DIR/fake_faultcore.c" &&
  gcc -shared -fPIC -O2 -I"$REPO_DIR/libfaultcore/include" -DFAKE_NO_SYMBOL \
      -o "$WORK/lib/libnot-faultcore.so" "$TESTS_DIR/fake_faultcore.c" &&
  gcc -shared -fPIC -O2 -I"$REPO_DIR/libfaultcore/include" -DFAKE_NULL_API \
      -o "$WORK/lib/libfaultcore-null-api.so" "$TESTS_DIR/fake_faultcore.c" &&
  gcc -shared -fPIC -O2 -I"$REPO_DIR/libfaultcore/include" -DFAKE_MARKER \
      -o "$WORK/lib/libfaultcore-marker.so" "$TESTS_DIR/fake_faultcore.c"
}

run_case() {  # FILE
  local file=$1 name interp dir rc t0 golden
  name=$(basename "$file"); name=${name%.*}
  golden=${file%.*}.out
  case "$file" in
    *.sh) interp=(bash) ;;
    *.py) interp=(/usr/bin/python3 -B) ;;
  esac
  dir="$WORK/$name"
  mkdir -p "$dir"
  t0=$(now_ns)
  (
    cd "$dir" &&
    export TEST_DIR="$dir" TESTS_DIR QEMU_BUILD_DIR="$BUILD" \
           QEMU_IO="$BUILD/qemu-io" QEMU_IMG="$BUILD/qemu-img" \
           QEMU="$BUILD/qemu-system-x86_64" FAULTCORE_LIB="$LIB" \
           QEMU_FAULTCORE_LIB="$LIB" FAKE_LIB_DIR="$WORK/lib" PYTHONPATH="$TESTS_DIR" &&
    exec timeout -k 5 "$CASE_TIMEOUT" "${interp[@]}" "$file"
  ) </dev/null >"$dir/out.raw" 2>&1
  rc=$?
  filter_output "$dir" <"$dir/out.raw" >"$dir/out"
  if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
    echo "(case timed out after ${CASE_TIMEOUT}s)" >>"$dir/out"
  elif [ $rc -ne 0 ]; then
    echo "(case exited with status $rc)" >>"$dir/out"
  fi
  if [ ! -f "$golden" ]; then
    echo "FAIL $name ($(secs_since "$t0") s): no golden output $golden"
    sed 's/^/    /' "$dir/out"
    failed=$((failed + 1))
  elif diff -u --label "$name.out" --label "$name.out.bad" "$golden" "$dir/out" >"$dir/diff"; then
    echo "PASS $name ($(secs_since "$t0") s)"
    passed=$((passed + 1))
  else
    echo "FAIL $name ($(secs_since "$t0") s)"
    sed 's/^/    /' "$dir/diff"
    failed=$((failed + 1))
  fi
}

run_iotest() {  # FORMAT:TEST
  local fmt=${1%%:*} test=${1#*:} name dir rc t0 result
  name="iotests-$fmt-$test"
  dir="$WORK/$name"
  mkdir -p "$dir"
  t0=$(now_ns)
  (
    cd "$dir" &&
    exec timeout -k 10 "$IOTEST_TIMEOUT" "$BUILD/pyvenv/bin/python3" \
      "$BUILD/tests/qemu-iotests/check" --color=off -"$fmt" "$test"
  ) </dev/null >"$dir/out" 2>&1
  rc=$?
  # check's result line: "TEST  pass|fail|not run  [start] [end]  time|reason"
  # (after a progress line ending in a carriage return).
  result=$(tr '\r' '\n' <"$dir/out" | grep -E "^$test +(pass|fail|not run) " | tail -n 1)
  if [ $rc -eq 0 ] && [[ "$result" =~ ^$test\ +pass\  ]]; then
    echo "PASS $name ($(secs_since "$t0") s)"
    passed=$((passed + 1))
  elif [[ "$result" =~ ^$test\ +not\ run ]]; then
    # A test the environment cannot run is a failure here: the list above
    # holds only tests that run offline on a build from the pipeline.
    echo "FAIL $name ($(secs_since "$t0") s): not run: $(echo "$result" | sed 's/.*\]   *\.\.\.  *//')"
    failed=$((failed + 1))
  else
    [ $rc -eq 124 ] && echo "(timed out after ${IOTEST_TIMEOUT}s)" >>"$dir/out"
    echo "FAIL $name ($(secs_since "$t0") s)"
    tr '\r' '\n' <"$dir/out" | sed 's/^/    /'
    failed=$((failed + 1))
  fi
}

if [ $run_cases = 1 ]; then
  if ! build_fakes; then
    echo "FAIL build-fake-libraries: gcc failed on $TESTS_DIR/fake_faultcore.c"
    failed=$((failed + 1))
  fi
  shopt -s nullglob
  cases=("$TESTS_DIR"/cases/[0-9]*.sh "$TESTS_DIR"/cases/[0-9]*.py)
  shopt -u nullglob
  printf '%s\n' "${cases[@]}" | LC_ALL=C sort >"$WORK/cases"
  while read -r f; do
    n=$(basename "$f"); n=${n%.*}
    selected "$n" || continue
    run_case "$f"
  done <"$WORK/cases"
fi

if [ $run_iotests = 1 ]; then
  missing=
  for bin in qemu-nbd storage-daemon/qemu-storage-daemon pyvenv/bin/python3 tests/qemu-iotests/check; do
    [ -e "$BUILD/$bin" ] || missing="$missing $bin"
  done
  if [ -n "$missing" ]; then
    echo "FAIL iotests: missing in $BUILD:$missing (make check-qemu builds qemu-nbd and qemu-storage-daemon)"
    failed=$((failed + 1))
  else
    for t in "${IOTESTS[@]}"; do
      selected "iotests-${t%%:*}-${t#*:}" || continue
      run_iotest "$t"
    done
  fi
fi

# The qtests of the series (tests/qemu/qtests.list), built in the build dir
# by check-qemu.  Every TAP test point counts as one test.
run_qtest() {  # NAME
  local name=$1 dir rc t0 ok notok
  dir="$WORK/qtest-$name"
  mkdir -p "$dir"
  t0=$(now_ns)
  (
    cd "$dir" &&
    export QTEST_QEMU_BINARY="$BUILD/qemu-system-x86_64" QEMU_FAULTCORE_LIB="$LIB" &&
    exec timeout -k 10 "$QTEST_TIMEOUT" "$BUILD/tests/qtest/$name" --tap -k
  ) </dev/null >"$dir/out" 2>&1
  rc=$?
  ok=$(grep -cE '^ok [0-9]+' "$dir/out")
  notok=$(grep -cE '^not ok [0-9]+' "$dir/out")
  grep -E '^(not )?ok [0-9]+' "$dir/out" | sed "s/^/    $name: /"
  if [ $rc -ne 0 ] || [ "$notok" -gt 0 ] || [ "$ok" = 0 ]; then
    echo "FAIL qtest-$name ($(secs_since "$t0") s): exit $rc, $ok ok, $notok not ok"
    sed 's/^/    /' "$dir/out" | tail -n 60
    passed=$((passed + ok))
    failed=$((failed + (notok > 0 ? notok : 1)))
  else
    echo "PASS qtest-$name ($(secs_since "$t0") s): $ok test points"
    passed=$((passed + ok))
  fi
}

if [ $run_qtests = 1 ]; then
  while read -r q; do
    case "$q" in ''|'#'*) continue ;; esac
    selected "qtest-$q" || continue
    if [ -x "$BUILD/tests/qtest/$q" ]; then
      run_qtest "$q"
    else
      echo "FAIL qtest-$q: $BUILD/tests/qtest/$q was not built"
      failed=$((failed + 1))
    fi
  done <"$TESTS_DIR/qtests.list"
fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
