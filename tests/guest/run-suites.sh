#!/bin/bash
# run-suites.sh: runs every real-guest suite (tests/guest/suites/*.sh, or the
# ones named) with the same --qemu/--lib, and ends with one line
# 'N passed, N failed' summing their own last lines.  A suite that exits
# non-zero without such a line counts as one failure.
# usage: run-suites.sh --qemu QEMU --lib LIB [SUITE...]   (SUITE: scsi, ahci, nvme, observe)
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --qemu|--lib) args+=("$1" "$2"); shift 2 ;;
    -*) echo "usage: $0 --qemu QEMU --lib LIB [SUITE...]" >&2; exit 2 ;;
    *) break ;;
  esac
done
if [ $# -gt 0 ]; then
  suites=()
  for s in "$@"; do suites+=("$here/suites/$s.sh"); done
else
  suites=("$here"/suites/*.sh)
fi
total_p=0 total_f=0
for s in "${suites[@]}"; do
  name=$(basename "$s" .sh)
  echo "=== guest suite $name"
  t0=$(date +%s)
  out=$(bash "$s" "${args[@]}" 2>&1)
  rc=$?
  printf '%s\n' "$out"
  last=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n1)
  if [ -n "$last" ]; then
    p=${last%% passed*}; f=${last#*, }; f=${f%% failed}
  else
    p=0 f=1
    echo "FAIL: suite $name ended without a summary line (exit $rc)"
  fi
  if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
    f=1
    echo "FAIL: suite $name exited $rc"
  fi
  echo "=== guest suite $name: $p passed, $f failed in $(( $(date +%s) - t0 )) s"
  total_p=$((total_p + p)) total_f=$((total_f + f))
done
echo "$total_p passed, $total_f failed"
[ "$total_f" = 0 ]
