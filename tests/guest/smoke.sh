#!/bin/bash
# smoke.sh: the guest harness's smoke test (two boots, ~15 s under TCG).
#   1. no rule: an SG_IO READ(16) of LBAs 1000..1031 returns GOOD and every
#      block carries its pattern.
#   2. a media_error rule at LBA 1010: the same read returns CHECK CONDITION
#      (0x02), and the guest keeps running and powers off cleanly. The sense,
#      VALID/INFORMATION, resid and the blocks that arrived are printed, not
#      asserted (issue 5 asserts the exact bytes).
#   3. the guest kernel's log lines about the error (from an O_DIRECT read of
#      the same range through sd) are captured and printed.
# usage: smoke.sh [--qemu QEMU] [--lib libfaultcore.so]   (env FCTEST_QEMU, FCTEST_LIB)
# Ends with 'N passed, N failed'.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
qemu=${FCTEST_QEMU:-} lib=${FCTEST_LIB:-}
while [ $# -gt 0 ]; do
  case "$1" in
    --qemu) qemu=$2; shift 2 ;;
    --lib) lib=$2; shift 2 ;;
    *) echo "usage: $0 [--qemu QEMU] [--lib libfaultcore.so]" >&2; exit 2 ;;
  esac
done
[ -n "$qemu" ] || qemu=$(make -s -C "$here/../.." qemu-dir)/qemu-system-x86_64
if [ -z "$lib" ]; then
  lib=$(cd "$here/../.." && bazel info bazel-bin 2>/dev/null)/libfaultcore/libfaultcore.so
fi
passed=0 failed=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
field() { # field LINE KEY
  printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n1
}

work=$(mktemp -d "${TMPDIR:-/tmp}/fcsmoke.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$here/fetch-guest.sh" >/dev/null || { fail "fetch-guest.sh"; echo "$passed passed, $failed failed"; exit 1; }

echo "== 1. no rule: SG_IO READ(16) of 1000..1031"
out=$("$here/run-guest.sh" --qemu "$qemu" --log "$work/1.log" -- 'sgio_read "$DISK" 1000 32 --tag clean')
rc=$?
echo "$out"
line=$(printf '%s\n' "$out" | grep '^SGIO tag=clean' | head -n1)
if [ $rc = 0 ] && [ "$(field "$line" status)" = 0x00 ] &&
   [ "$(field "$line" map)" = GGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGG ]; then
  pass "1. clean read: status GOOD, 32/32 blocks with the right pattern"
else
  fail "1. clean read (run rc=$rc): ${line:-no SGIO line}"
  tail -n 30 "$work/1.log"
fi

echo "== 2+3. media_error at 1010: SG_IO READ(16) of 1000..1031, then an O_DIRECT read through sd"
cat >"$work/bad.txtpb" <<'RULES'
rules { name: "bad" range { lba: 1010 } media_error { } codes { scsi { ascq: 1 } } }
RULES
if [ ! -f "$lib" ]; then
  fail "2. libfaultcore.so not found at '$lib' (pass --lib)"
  fail "3. (needs case 2)"
  fail "4. (needs case 2)"
else
  out=$("$here/run-guest.sh" --qemu "$qemu" --lib "$lib" --rules "$work/bad.txtpb" --log "$work/2.log" -- \
    'sgio_read "$DISK" 1000 32 --tag bad' \
    'dd if="$DISK" of=/dev/null bs=16384 skip=512000 count=1 iflag=direct,skip_bytes 2>&1 | sed "s/^/DD /"' \
    'sgio_read "$DISK" 1000 10 --tag prefix')
  rc=$?
  echo "$out"
  line=$(printf '%s\n' "$out" | grep '^SGIO tag=bad' | head -n1)
  if [ $rc = 0 ] && [ "$(field "$line" status)" = 0x02 ] && grep -q FCTEST-POWEROFF "$work/2.log"; then
    pass "2. bad read: CHECK CONDITION; guest kept running and powered off cleanly"
  else
    fail "2. bad read (run rc=$rc): ${line:-no SGIO line}"
    tail -n 30 "$work/2.log"
  fi
  echo "   seen by the guest: sense=$(field "$line" sense) format=$(field "$line" format)" \
       "valid=$(field "$line" valid) information=$(field "$line" information)" \
       "key/asc/ascq=$(field "$line" key)/$(field "$line" asc)/$(field "$line" ascq)" \
       "resid=$(field "$line" resid) good_prefix=$(field "$line" good_prefix) map=$(field "$line" map)"
  # scsi-disk reports the rule's sense (03/11/01) with VALID and the first
  # bad LBA in INFORMATION; the 10 blocks before it arrive.
  if [ "$(field "$line" key)/$(field "$line" asc)/$(field "$line" ascq)" = 0x3/0x11/0x01 ] &&
     [ "$(field "$line" valid)" = 1 ] && [ "$(field "$line" information)" = 1010 ] &&
     [ "$(field "$line" good_prefix)" = 10 ]; then
    pass "4. sense 03/11/01, VALID=1, INFORMATION=1010, the 10 blocks before it delivered"
  else
    fail "4. sense/INFORMATION not as the rule says: ${line:-no SGIO line}"
  fi
  klines=$(sed -n '/FCTEST-DMESG-BEGIN/,/FCTEST-DMESG-END/p' "$work/2.log" | tr -d '\r' |
           grep -E 'sda|I/O error|medium error|Sense' || true)
  if printf '%s\n' "$klines" | grep -q 'medium error, dev sda, sector 1010 '; then
    pass "3. the guest kernel names sector 1010 ($(printf '%s\n' "$klines" | wc -l) log lines):"
    printf '%s\n' "$klines" | sed 's/^/   | /'
  else
    fail "3. the guest kernel does not name sector 1010 as a medium error:"
    printf '%s\n' "$klines" | sed 's/^/   | /'
  fi
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
