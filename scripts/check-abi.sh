#!/usr/bin/env bash
# The ABI check of libfaultcore.so (make check-abi, make check's abi stage).
#
# Builds the shared object with debug info (--config=abi), reads its ABI
# with abidw (exported interfaces, types from the public header only) and
# compares it with the baseline checked in at libfaultcore/abi/: any
# difference fails, because libfaultcore/ABI.md asks for a version bump with
# each change, and says which:
#   - an incompatible change (abidiff's ABIDIFF_ABI_INCOMPATIBLE_CHANGE)
#     needs FC_ABI_VERSION_MAJOR + 1 and FC_ABI_VERSION_MINOR 0;
#   - a compatible one (something added) needs FC_ABI_VERSION_MINOR + 1.
# The baseline records the version it describes (libfaultcore/abi/VERSION),
# which must equal the header's.
#
# usage: scripts/check-abi.sh            check
#        scripts/check-abi.sh --update   write a new baseline after a
#                                        deliberate change; refuses unless
#                                        the header's version was bumped as
#                                        above
# Ends with 'N passed, N failed'.
set -uo pipefail
cd "$(dirname "$0")/.."

BAZEL=${BAZEL:-bazel}
BAZEL_FLAGS=${BAZEL_FLAGS:-}
header_dir=libfaultcore/include/faultcore
baseline=libfaultcore/abi/libfaultcore.abi
baseline_version_file=libfaultcore/abi/VERSION
update=false
[ "${1:-}" = --update ] && update=true

passed=0
failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit $?
}

for tool in abidw abidiff; do
  command -v "$tool" >/dev/null ||
    { fail "abi: $tool not found (scripts/install-deps.sh abi)"; finish; }
done

# shellcheck disable=SC2086
if ! $BAZEL build $BAZEL_FLAGS --config=abi //libfaultcore:libfaultcore.so; then
  fail "abi: libfaultcore.so does not build"
  finish
fi
# shellcheck disable=SC2086
so="$($BAZEL info $BAZEL_FLAGS --config=abi bazel-bin 2>/dev/null)/libfaultcore/libfaultcore.so"

header_version() {
  local major minor
  major=$(sed -n 's/^#define FC_ABI_VERSION_MAJOR \([0-9]*\)$/\1/p' "$header_dir/faultcore.h")
  minor=$(sed -n 's/^#define FC_ABI_VERSION_MINOR \([0-9]*\)$/\1/p' "$header_dir/faultcore.h")
  echo "$major.$minor"
}
version=$(header_version)
recorded=$(cat "$baseline_version_file" 2>/dev/null || echo none)

current=$(mktemp --suffix=.abi)
trap 'rm -f "$current"' EXIT
if ! abidw --headers-dir "$header_dir" --drop-private-types \
     --exported-interfaces-only --drop-undefined-syms --no-show-locs \
     --no-corpus-path --no-comp-dir-path --out-file "$current" "$so"; then
  fail "abi: abidw could not read $so"
  finish
fi

# abidiff's status is a bit set: 1 error, 2 usage, 4 ABI change, 8
# incompatible change.
report=$(abidiff --no-show-locs "$baseline" "$current" 2>&1)
status=$?
if [ $((status & 3)) -ne 0 ]; then
  echo "$report"
  fail "abi: abidiff failed (status $status)"
  finish
fi

kind=none
[ $((status & 4)) -ne 0 ] && kind=compatible
[ $((status & 8)) -ne 0 ] && kind=incompatible

# The version a change of this kind needs, from the recorded one.
needed_version() {
  local major=${recorded%%.*} minor=${recorded#*.}
  case "$kind" in
    incompatible) echo "$((major + 1)).0" ;;
    compatible) echo "$major.$((minor + 1))" ;;
    none) echo "$recorded" ;;
  esac
}

if $update; then
  if [ "$kind" = none ] && [ "$version" = "$recorded" ]; then
    pass "abi: the baseline already describes libfaultcore.so $version"
    finish
  fi
  if [ "$recorded" != none ] && [ "$version" != "$(needed_version)" ]; then
    echo "$report"
    fail "abi: a $kind change from $recorded needs version $(needed_version), the header says $version (libfaultcore/ABI.md)"
    finish
  fi
  cp "$current" "$baseline"
  echo "$version" >"$baseline_version_file"
  pass "abi: new baseline for ABI $version ($kind change); commit $baseline and $baseline_version_file"
  finish
fi

if [ "$version" = "$recorded" ]; then
  pass "abi: the header's version $version is the baseline's"
else
  fail "abi: the header says ABI $version, the baseline describes $recorded (make abi-baseline after a deliberate change)"
fi
case "$kind" in
  none) pass "abi: libfaultcore.so's ABI equals the baseline ($(grep -c '<function-decl' "$baseline") functions)" ;;
  *)
    echo "$report"
    if [ "$version" = "$(needed_version)" ]; then
      fail "abi: a $kind ABI change, and the header says $version as it should: record it with make abi-baseline"
    else
      fail "abi: a $kind ABI change: bump the version from $recorded to $(needed_version) (libfaultcore/ABI.md), then make abi-baseline"
    fi
    ;;
esac
finish
