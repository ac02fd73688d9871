#!/usr/bin/env bash
# Runs QEMU's own scripts/checkpatch.pl (from the pinned source tree) over
# the patch series.  Fails when any patch has errors; warnings are shown.
# Usage: checkpatch.sh [--strict] [PATCH...]   (default: qemu-glue/patches/*.patch)
#        --strict also fails on warnings.
set -euo pipefail
PROG=checkpatch
. "$(dirname "$0")/common.sh"

opts=()
if [ "${1:-}" = "--strict" ]; then opts+=(--strict); shift; fi
if [ $# -gt 0 ]; then
  patches=("$@")
else
  shopt -s nullglob
  patches=("$GLUE_DIR"/patches/*.patch)
  shopt -u nullglob
fi
if [ ${#patches[@]} -eq 0 ]; then
  log "no patches in $GLUE_DIR/patches; nothing to check"
  exit 0
fi
mapfile -t patches < <(printf '%s\n' "${patches[@]}" | LC_ALL=C sort)

src=$("$SCRIPTS_DIR/fetch-qemu.sh")
[ -f "$src/scripts/checkpatch.pl" ] || die "$src/scripts/checkpatch.pl missing"

# The imported libfaultcore ABI header is the library's, verbatim and in
# the library's style (check-series.sh checks that it is verbatim), as
# checkpatch.pl itself skips include/standard-headers and hexagon's
# imported code: leave its diff out.
IMPORTED=block/faultcore.h
without_imported() {  # PATCH -> the patch without the diff of $IMPORTED
  awk -v f="$IMPORTED" '
    /^diff --git / { skip = ($3 == "a/" f) }
    !skip' "$1"
}

bad=()
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
for p in "${patches[@]}"; do
  [ -f "$p" ] || die "no such patch: $p"
  echo "=== $(basename "$p")"
  without_imported "$p" >"$tmp"
  if ! grep -q '^diff --git ' "$tmp"; then
    echo "only $IMPORTED, imported verbatim: not checked"
    continue
  fi
  perl "$src/scripts/checkpatch.pl" --root="$src" --color=never "${opts[@]}" "$tmp" || bad+=("$(basename "$p")")
done
if [ ${#bad[@]} -gt 0 ]; then
  die "checkpatch failed for: ${bad[*]}"
fi
log "ok: ${#patches[@]} patch(es) checkpatch-clean"
