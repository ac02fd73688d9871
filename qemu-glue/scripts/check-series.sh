#!/usr/bin/env bash
# Checks the patch series as a maintainer would before applying it, without
# building anything (seconds):
#   - every patch is checkpatch-clean (checkpatch.sh: errors fail);
#   - every patch has one identity: its From is one of its Signed-off-by;
#   - block/faultcore.h, the ABI header the series imports, is
#     libfaultcore/include/faultcore/faultcore.h byte for byte.
# Prints PASS/FAIL per check and closes with 'N passed, N failed'.
set -uo pipefail
PROG=check-series
. "$(dirname "$0")/common.sh"

repo=$(cd "$GLUE_DIR/.." && pwd)
passed=0 failed=0
result() {  # OK NAME [DETAIL]
  if [ "$1" = 0 ]; then
    echo "PASS $2"; passed=$((passed + 1))
  else
    echo "FAIL $2${3:+: $3}"; failed=$((failed + 1))
  fi
}

shopt -s nullglob
patches=("$GLUE_DIR"/patches/*.patch)
shopt -u nullglob

for p in "${patches[@]}"; do
  name=$(basename "$p")
  out=$("$SCRIPTS_DIR/checkpatch.sh" "$p" 2>&1)
  rc=$?
  result "$rc" "checkpatch $name" "$(grep -m1 '^ERROR' <<<"$out")"

  from=$(sed -n 's/^From: \(.*\)$/\1/p' "$p" | head -n 1)
  grep -qxF "Signed-off-by: $from" "$p"
  result $? "one identity $name" "From '$from' has no Signed-off-by"
done

imported=$(grep -l '^+++ b/block/faultcore.h$' "${patches[@]}" | head -n 1)
if [ -z "$imported" ]; then
  result 1 "block/faultcore.h is libfaultcore's header" "no patch adds it"
else
  awk '/^\+\+\+ b\/block\/faultcore.h$/ { on = 1; next }
       on && /^(diff --git|-- $)/ { exit }
       on && /^@@/ { next }
       on { print substr($0, 2) }' "$imported" |
    cmp -s - "$repo/libfaultcore/include/faultcore/faultcore.h"
  result $? "block/faultcore.h is libfaultcore's header" \
    "$(basename "$imported") differs from libfaultcore/include/faultcore/faultcore.h"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
