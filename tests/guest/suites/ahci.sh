#!/bin/bash
# suites/ahci.sh: what a Linux guest (libata over ahci) sees from the patched
# AHCI/IDE device when faultcore rules fail its I/O (issue 6). Four boots
# (~10-25 s each under TCG):
#
# Rules (one disk): unc 1010 media_error { heal_on_write {} } (engine
# defaults: ATA DRDY|ERR + UNC); wf 3010 write_fault (DRDY|DF|ERR + ABRT).
# Boot A, NCQ (the default, depth 32):
#   1. SG_IO READ(16) of 1000..1031 (libata: READ FPDMA QUEUED) fails with
#      MEDIUM ERROR, INFORMATION = 1010, and the 10 blocks before it really
#      arrived in the caller's buffer; libata read the NCQ Command Error log
#      and prints "{ UNC }" with a result taskfile naming LBA 1010
#      (res 41/40:..:f2:03:00);
#   2. an O_DIRECT read of the same range through sd: the block layer names
#      sector 1010 ("I/O error, dev sda, sector 1010"; libata completes the
#      command from its error handler, so the SCSI midlayer never classifies
#      the sense as a medium error, and 6.1 prints "I/O error" here for a
#      real SATA drive too), after completing 1000..1009 as good;
#   3. NCQ stays enabled: no "failed to read log page 10h", no "NCQ
#      disabled", queue_depth still 32, and a later read succeeds;
#   4. a write error: WRITE 3000..3031 fails, libata prints the DRDY|DF|ERR
#      status with ABRT and LBA 3010 (res 61/04:..:c2:0b:00);
#   5. heal-on-rewrite: WRITE of 1010 succeeds, READ 1000..1031 then
#      returns 32 good blocks.
# Boot B, NCQ turned off (queue_depth 1: libata issues READ DMA, LBA28):
#   6. the same read fails with "{ UNC }", res 41/40:..:f2:03:00, INFORMATION
#      1010 and the 10 good blocks;
#   7. NCQ turned back on (queue_depth 32): the next (NCQ) read succeeds.
# Boot C, hold rules on 5010 and 6010 (60 s, once each), sd timeout 5 s:
#   8. an O_DIRECT (NCQ) read of 5000..5031 hangs; libata's timeout handling
#      (freeze, port stop, hard reset) gets it back -- QEMU's COMRESET path
#      (ahci_reset_port -> blk_drain) releases the hold --, the read is
#      retried and returns the right data long before the hold's own 60 s;
#   9. the same with NCQ off (queue_depth 1, READ DMA) on 6000..6031: the
#      hold is released when libata stops the port's command engine
#      (PxCMD.ST=0 -> ide_cancel_dma_sync -> blk_drain); then the VM powers
#      off cleanly.
# Boot D, the rules of boot A with blkdebug max-transfer=4096 (the 16 KiB
# read reaches blkdebug as four requests, the bad block in the second):
#  10. NCQ: the same sense, INFORMATION, good blocks and taskfile as in 1.;
#  11. READ DMA: the same as in 6.
#
# usage: ahci.sh --qemu QEMU --lib libfaultcore.so   (env FCTEST_QEMU, FCTEST_LIB)
# Prints PASS:/FAIL: per case and ends with 'N passed, N failed'.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$here/suite-lib.sh"
# The guest kernel's lines of one boot (the DMESG section of its log)
dmesg_of() { sed -n '/FCTEST-DMESG-BEGIN/,/FCTEST-DMESG-END/p' "$1" | tr -d '\r'; }
# The libata EH report of the failed command COMMAND in LOG: its "failed
# command" line and the four lines after it (cmd, res, status, error).
eh_report() { dmesg_of "$1" | grep -A4 -m1 "failed command: $2" || true; }

cat >"$work/rules.txtpb" <<'RULES'
rules { name: "unc" range { lba: 1010 } media_error { heal_on_write {} } }
rules { name: "wf" range { lba: 3010 } write_fault { } }
RULES
cat >"$work/hold.txtpb" <<'RULES'
rules {
  name: "hang"
  range { lba: 5010 }
  hold { timeout_ns: 60000000000 }
  trigger { once: true }
}
rules {
  name: "hang-dma"
  range { lba: 6010 }
  hold { timeout_ns: 60000000000 }
  trigger { once: true }
}
RULES

# The O_DIRECT read of 1000..1031 (16 KiB at byte 512000) through sd
dd_1000='dd if="$DISK" of=/dev/null bs=16384 skip=512000 count=1 iflag=direct,skip_bytes 2>&1 | sed "s/^/DD /"'

run() { # run NAME RULES [run-guest options] -- guest commands
  local name=$1 rules=$2
  shift 2
  "$here/run-guest.sh" --qemu "$qemu" --lib "$lib" --rules "$rules" --hba ahci \
    --log "$work/$name.log" "$@"
}

# A failed read of 1000..1031 as SG_IO saw it: MEDIUM ERROR at 1010 with
# the 10 blocks before it delivered.
check_read_1010() { # check_read_1010 CASE LINE
  local line=$2
  if [ "$(field "$line" status)" = 0x02 ] && [ "$(field "$line" key)" = 0x3 ] &&
     [ "$(field "$line" asc)" = 0x11 ] && [ "$(field "$line" information)" = 1010 ] &&
     [ "$(field "$line" good_prefix)" = 10 ] &&
     [ "$(field "$line" map | cut -c1-10)" = GGGGGGGGGG ]; then
    pass "$1 SG_IO: MEDIUM ERROR $(field "$line" key)/$(field "$line" asc)/$(field "$line" ascq)," \
         "INFORMATION=$(field "$line" information), good_prefix=10, map=$(field "$line" map)"
  else
    fail "$1 SG_IO read of 1000..1031 not as a real drive reports it: ${line:-no SGIO line}"
  fi
}
# libata's EH report of COMMAND: "{ UNC }" (or ERRBITS) and a result
# taskfile whose LBA bytes are RES (e.g. 41/40:xx:f2:03:00)
check_eh() { # check_eh CASE LOG COMMAND STATUS/ERROR LBAL:LBAM:LBAH ERRBITS
  local rep
  rep=$(eh_report "$2" "$3")
  if printf '%s\n' "$rep" | grep -Eq "res $4:..:$5/" &&
     printf '%s\n' "$rep" | grep -q "error: { $6 }"; then
    pass "$1 libata: $3 failed with { $6 } and result taskfile $4 LBA $5:"
    quote "$rep"
  else
    fail "$1 libata's report of $3 lacks res $4 LBA $5 / { $6 }:"
    quote "${rep:-(no 'failed command: $3' line)}"
    dmesg_of "$2" | grep -E 'ata|sda' | tail -n 20 | sed 's/^/   : /'
  fi
}

echo "== Boot A: NCQ"
out=$(run a "$work/rules.txtpb" --timeout 120 -- \
  'echo "QD0 $(cat /sys/block/sda/device/queue_depth)"' \
  'sgio_read "$DISK" 1000 32 --tag ncq' \
  "$dd_1000" \
  'sgio_write "$DISK" 3000 32 --tag wf' \
  'sgio_write "$DISK" 1010 1 --tag heal' \
  'sgio_read "$DISK" 1000 32 --tag healed' \
  'sgio_read "$DISK" 2000 32 --tag later' \
  'echo "QD1 $(cat /sys/block/sda/device/queue_depth)"')
rc=$?
echo "$out" | grep -E '^(SGIO|DD|QD|FCTEST-RUN)'
[ $rc = 0 ] || { fail "boot A (rc=$rc)"; tail -n 40 "$work/a.log"; }
check_read_1010 "1." "$(line_of "$out" 'SGIO tag=ncq ')"
check_eh "1." "$work/a.log" "READ FPDMA QUEUED" "41/40" "f2:03:00" "UNC"
klines=$(dmesg_of "$work/a.log" | grep -E '(I/O|medium) error, dev sda|Sense' || true)
if printf '%s\n' "$klines" | grep -Eq '(I/O error|critical medium error), dev sda, sector 1010 ' &&
   printf '%s\n' "$klines" | grep -q 'Sense Key : Medium Error'; then
  pass "2. the block layer names sector 1010:"
  quote "$klines"
else
  fail "2. the block layer does not name sector 1010:"
  quote "${klines:-(none)}"
fi
bad=$(dmesg_of "$work/a.log" | grep -E 'failed to read log page|NCQ disabled|limiting SATA link speed' || true)
later=$(line_of "$out" 'SGIO tag=later ')
if [ -z "$bad" ] && [ "$(line_of "$out" QD0)" = "QD0 32" ] && [ "$(line_of "$out" QD1)" = "QD1 32" ] &&
   [ "$(field "$later" status)" = 0x00 ] && [ "$(field "$later" good_prefix)" = 32 ]; then
  pass "3. NCQ stays on: log page 10h read, queue_depth 32 before and after, a later read is good"
else
  fail "3. NCQ not kept: $(line_of "$out" QD0) / $(line_of "$out" QD1) / later: ${later:-none}"
  quote "${bad:-}"
fi
wf=$(line_of "$out" 'SGIO tag=wf ')
if [ "$(field "$wf" status)" = 0x02 ]; then
  check_eh "4." "$work/a.log" "WRITE FPDMA QUEUED" "61/04" "c2:0b:00" "ABRT"
else
  fail "4. the write of 3000..3031 did not fail: ${wf:-no SGIO line}"
fi
heal=$(line_of "$out" 'SGIO tag=heal ') healed=$(line_of "$out" 'SGIO tag=healed ')
if [ "$(field "$heal" status)" = 0x00 ] && [ "$(field "$healed" status)" = 0x00 ] &&
   [ "$(field "$healed" good_prefix)" = 32 ]; then
  pass "5. heal-on-rewrite: WRITE of 1010 GOOD, then READ 1000..1031 GOOD with 32 good blocks"
else
  fail "5. heal-on-rewrite: heal: ${heal:-none} / read: ${healed:-none}"
fi

echo "== Boot B: NCQ off (READ DMA), then on again"
out=$(run b "$work/rules.txtpb" --timeout 120 -- \
  'echo 1 >/sys/block/sda/device/queue_depth' \
  'sgio_read "$DISK" 1000 32 --tag dma' \
  'echo 32 >/sys/block/sda/device/queue_depth' \
  'sgio_read "$DISK" 2000 32 --tag ncq' \
  'echo "QD $(cat /sys/block/sda/device/queue_depth)"')
rc=$?
echo "$out" | grep -E '^(SGIO|QD|FCTEST-RUN)'
[ $rc = 0 ] || { fail "boot B (rc=$rc)"; tail -n 40 "$work/b.log"; }
check_read_1010 "6." "$(line_of "$out" 'SGIO tag=dma ')"
check_eh "6." "$work/b.log" "READ DMA" "41/40" "f2:03:00" "UNC"
ncq=$(line_of "$out" 'SGIO tag=ncq ')
if [ "$(field "$ncq" status)" = 0x00 ] && [ "$(field "$ncq" good_prefix)" = 32 ] &&
   [ "$(line_of "$out" QD)" = "QD 32" ] &&
   ! dmesg_of "$work/b.log" | grep -q 'failed command: READ FPDMA QUEUED'; then
  pass "7. after the failed READ DMA, the next NCQ read (queue_depth 32) succeeds with 32 good blocks"
else
  fail "7. NCQ read after a failed non-NCQ read: ${ncq:-none} $(line_of "$out" QD)"
  dmesg_of "$work/b.log" | grep -A4 'failed command: READ FPDMA' | sed 's/^/   : /'
fi

echo "== Boot C: held reads (NCQ, then READ DMA), released by libata's error handling"
out=$(run c "$work/hold.txtpb" --timeout 150 -- \
  'echo 5 >/sys/block/sda/device/timeout' \
  't0=$(date +%s)' \
  'dd if="$DISK" of=/dev/null bs=16384 skip=2560000 count=1 iflag=direct,skip_bytes 2>&1 | sed "s/^/DD1 /"' \
  'echo "HELD1 seconds=$(( $(date +%s) - t0 ))"' \
  'sgio_read "$DISK" 5000 32 --tag after1' \
  'echo 1 >/sys/block/sda/device/queue_depth' \
  't0=$(date +%s)' \
  'dd if="$DISK" of=/dev/null bs=16384 skip=3072000 count=1 iflag=direct,skip_bytes 2>&1 | sed "s/^/DD2 /"' \
  'echo "HELD2 seconds=$(( $(date +%s) - t0 ))"' \
  'sgio_read "$DISK" 6000 32 --tag after2')
rc=$?
echo "$out" | grep -E '^(SGIO|DD|HELD|FCTEST-RUN)'
[ $rc = 0 ] && grep -q FCTEST-POWEROFF "$work/c.log" || { fail "boot C (rc=$rc): no clean poweroff"; tail -n 30 "$work/c.log"; }
check_held() { # check_held CASE N COMMAND
  local held after secs eh
  held=$(line_of "$out" "HELD$2") after=$(line_of "$out" "SGIO tag=after$2 ")
  secs=$(field "$held" seconds)
  eh=$(dmesg_of "$work/c.log" | grep -A3 "failed command: $3\$" | grep -E 'failed command|Emask' || true)
  if printf '%s\n' "$out" | grep -q "^DD$2 1+0 records in" && [ -n "$secs" ] && [ "$secs" -lt 30 ] &&
     printf '%s\n' "$eh" | grep -q 'Emask 0x4 (timeout)' &&
     [ "$(field "$after" good_prefix)" = 32 ]; then
    pass "$1 held $3 released by libata EH after ${secs}s (hold timeout 60 s), retried, data good:"
    quote "$eh"
  else
    fail "$1 held $3: ${held:-no HELD$2 line}, after: ${after:-none}"
    quote "${eh:-(no EH lines)}"
  fi
}
check_held "8." 1 "READ FPDMA QUEUED"
check_held "9." 2 "READ DMA"
resets=$(dmesg_of "$work/c.log" | grep -E 'hard resetting link|SATA link up|configured for|EH complete' || true)
echo "   libata's recovery in boot C:"
quote "$resets"

echo "== Boot D: requests split by max-transfer"
out=$(run d "$work/rules.txtpb" --blkdebug-opts max-transfer=4096 --timeout 120 -- \
  'sgio_read "$DISK" 1000 32 --tag split-ncq' \
  'echo 1 >/sys/block/sda/device/queue_depth' \
  'sgio_read "$DISK" 1000 32 --tag split-dma')
rc=$?
echo "$out" | grep -E '^(SGIO|FCTEST-RUN)'
[ $rc = 0 ] || { fail "boot D (rc=$rc)"; tail -n 40 "$work/d.log"; }
check_read_1010 "10." "$(line_of "$out" 'SGIO tag=split-ncq ')"
check_eh "10." "$work/d.log" "READ FPDMA QUEUED" "41/40" "f2:03:00" "UNC"
check_read_1010 "11." "$(line_of "$out" 'SGIO tag=split-dma ')"
check_eh "11." "$work/d.log" "READ DMA" "41/40" "f2:03:00" "UNC"
finish
