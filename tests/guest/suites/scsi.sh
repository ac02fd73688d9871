#!/bin/bash
# suites/scsi.sh: what a Linux guest sees of faultcore's SCSI errors, on
# virtio-scsi and lsi53c895a (scsi-hd), five boots under TCG.
#
#   virtio-scsi, no rule: a clean READ(16) returns every block.
#   virtio-scsi, one rule file with five faults in different places:
#     read     media error at 1010: 03/11/01, VALID, INFORMATION 1010, the
#              10 blocks before it delivered; sd names sector 1010.
#     write    write fault at 2010: 03/0C/00 with INFORMATION 2010; the
#              blocks before it are written, 2010 is not; the block layer
#              names 2010 ("I/O error": Linux maps only ASC 11h to
#              BLK_STS_MEDIUM).
#     recover  recovered error at 3010: CHECK CONDITION 01/18/00 with all
#              32 blocks; sd logs "Recovered Error" and the read succeeds.
#     heal     media error at 4010 that heals on write: fails, a rewrite of
#              the bad blocks succeeds, then the read returns every block.
#     far      media error above LBA 2^32: descriptor-format sense whose
#              information descriptor carries the 64-bit LBA.
#   virtio-scsi in an iothread, 2 queues, blkdebug max-transfer=4096 (every
#   request of 32 blocks reaches blkdebug as four):
#     split    the read, write and recovered cases above, with the bad block
#              in the third fragment: the same sense, INFORMATION and blocks.
#   lsi53c895a (the HBA whose guest used to hang and panic):
#     first    media error at the request's first block: CHECK CONDITION
#              at once (it used to never complete).
#     prefix   media error mid-request: the good blocks arrive first, and
#              the driver's residual is exact (the chip's RBC/UA registers).
#     hold     the device stops answering: the guest's SCSI error handler
#              times out, aborts the command, the abort releases it, and
#              the retried read succeeds; the VM survives.
#   lsi53c895a, two targets at once:
#     busy     100 reads of target 0 that fail at their first block after
#              15 ms (a drive retrying), while target 1 reads 256 KiB at a
#              time, 20 ms per 128 KiB: many failures end while target 1
#              owns the bus.  Each target-0 read gets its own CHECK
#              CONDITION, each target-1 read all its data, and no command
#              times out (the guest may name the two sda/sdb in either
#              order, 6.12 scans them asynchronously; the completed
#              request used to be reselected under the other target's
#              messages: timeouts, aborts and a guest panic).
# usage: scsi.sh [--qemu QEMU] [--lib libfaultcore.so]
# Ends with 'N passed, N failed'.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$here/suite-lib.sh"

READ_DD='dd if="$DISK" of=/dev/null bs=16384 count=1 iflag=direct,skip_bytes'
expect_sense() { # expect_sense CASE LINE STATUS KEY/ASC/ASCQ FORMAT INFO MAP
  local c=$1 l=$2 got
  got="status=$(field "$l" status) sense=$(field "$l" key)/$(field "$l" asc)/$(field "$l" ascq)"
  got+=" format=$(field "$l" format) valid=$(field "$l" valid) information=$(field "$l" information) map=$(field "$l" map)"
  local want="status=$3 sense=$4 format=$5 valid=1 information=$6 map=$7"
  if [ "$got" = "$want" ]; then
    pass "$c: $want"
  else
    fail "$c: want $want"
    echo "      got  $got"
    echo "      line ${l:-none}"
  fi
}
G10=GGGGGGGGGG P22=PPPPPPPPPPPPPPPPPPPPPP G32=GGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGG

echo "== virtio-scsi, no rule"
log=clean
out=$("$here/run-guest.sh" --qemu "$qemu" --log "$work/clean.log" -- 'sgio_read "$DISK" 1000 32 --tag clean')
rc=$?
l=$(sgio_line "$out" clean)
if [ $rc = 0 ] && [ "$(field "$l" status)" = 0x00 ] && [ "$(field "$l" map)" = $G32 ]; then
  pass "clean: GOOD, 32 of 32 blocks right"
else
  fail "clean (rc=$rc): ${l:-no SGIO line}"
  printf '%s\n' "$out" | tail -n 20
fi

echo "== virtio-scsi, five faults"
cat >"$work/virtio.txtpb" <<'RULES'
rules { name: "unreadable" range { lba: 1010 } media_error { } codes { scsi { ascq: 1 } } }
rules { name: "refuses-writes" range { lba: 2010 } write_fault { } }
rules { name: "recovered" range { lba: 3010 } recovered_error { } }
rules { name: "heals" range { lba: 4010 count: 2 } media_error { heal_on_write { } } }
rules { name: "far" range { lba: 4294968306 } media_error { } }
RULES
# 8192 patterned blocks, then sparse zeros up to 2^32 + 8192 blocks.
"$FCTEST_MKIMAGE" "$work/big.img" 8192 &&
  truncate -s $(( (4294967296 + 8192) * 512 )) "$work/big.img"
log=virtio
boot virtio --rules "$work/virtio.txtpb" --image "$work/big.img" -- "$GUEST_PRELUDE" \
  'mark read; sgio_read "$DISK" 1000 32 --tag read' "$READ_DD skip=$((1000 * 512))" \
  'mark write; sgio_write "$DISK" 2000 32 --tag write' \
  "dd if=/dev/zero of=\"\$DISK\" bs=16384 count=1 seek=$((2000 * 512)) oflag=direct,seek_bytes" \
  'sgio_read "$DISK" 2000 16 --tag write-check' \
  'mark recover; sgio_read "$DISK" 3000 32 --tag recover' \
  "$READ_DD skip=$((3000 * 512)) && echo RECOVER-DD-OK" \
  'mark heal; sgio_read "$DISK" 4000 32 --tag heal-before' \
  'sgio_write "$DISK" 4010 2 --tag heal-write; sgio_read "$DISK" 4000 32 --tag heal-after' \
  'mark far; sgio_read "$DISK" 4294968296 32 --tag far'
if [ $rc = 0 ]; then pass "virtio: the guest ran every case and powered off (${secs}s)"; else fail "virtio: boot rc=$rc"; fi
expect_sense "read" "$(sgio_line "$out" read)" 0x02 0x3/0x11/0x01 fixed 1010 $G10$P22
expect_kernel "read" read 'Sense Key : Medium Error' 'Add. Sense: Read retries exhausted' \
  'critical medium error, dev sda, sector 1010 op 0x0:\(READ\)'
expect_sense "write" "$(sgio_line "$out" write)" 0x02 0x3/0x0c/0x00 fixed 2010 -
l=$(sgio_line "$out" write-check)
if [ "$(field "$l" map)" = ZZZZZZZZZZGGGGGG ]; then
  pass "write: the blocks before 2010 were written (zeros), 2010.. kept their data"
else
  fail "write: after a zero-write of 2000..2031 want map ZZZZZZZZZZGGGGGG, got: ${l:-none}"
fi
expect_kernel "write" write 'Sense Key : Medium Error' 'Add. Sense: Write error' \
  'I/O error, dev sda, sector 2010 op 0x1:\(WRITE\)'
expect_sense "recover" "$(sgio_line "$out" recover)" 0x02 0x1/0x18/0x00 fixed 3010 $G32
if printf '%s\n' "$out" | grep -q RECOVER-DD-OK; then
  pass "recover: a read through sd succeeds"
else
  fail "recover: the read through sd failed"
fi
expect_kernel "recover" recover 'Sense Key : Recovered Error' \
  'Add. Sense: Recovered data with error correction applied'
expect_sense "heal" "$(sgio_line "$out" heal-before)" 0x02 0x3/0x11/0x00 fixed 4010 $G10$P22
l=$(sgio_line "$out" heal-write) l2=$(sgio_line "$out" heal-after)
if [ "$(field "$l" status)" = 0x00 ] && [ "$(field "$l2" status)" = 0x00 ] && [ "$(field "$l2" map)" = $G32 ]; then
  pass "heal: rewriting 4010..4011 succeeds, then 4000..4031 reads GOOD with every block"
else
  fail "heal: write: ${l:-none}; read after: ${l2:-none}"
fi
expect_sense "far" "$(sgio_line "$out" far)" 0x02 0x3/0x11/0x00 descriptor 4294968306 ZZZZZZZZZZ$P22

echo "== virtio-scsi in an iothread, requests split by max-transfer"
# A fresh image whose blocks 2000..2031 are zeros: SG_IO writes the pattern
# over them (SG_IO, not dd: sd would split a dd into 4 KiB writes itself,
# as the Block Limits page asks).
"$FCTEST_MKIMAGE" "$work/split.img" 8192 &&
  dd if=/dev/zero of="$work/split.img" bs=512 seek=2000 count=32 conv=notrunc status=none
log=split
boot split --rules "$work/virtio.txtpb" --image "$work/split.img" --blkdebug-opts max-transfer=4096 \
  --hba-opts iothread=io0,num_queues=2 --qemu-arg -object --qemu-arg iothread,id=io0 -- "$GUEST_PRELUDE" \
  'mark split; sgio_read "$DISK" 1000 32 --tag split-read' \
  'sgio_write "$DISK" 2000 32 --tag split-write' \
  'sgio_read "$DISK" 2000 16 --tag split-write-check' \
  'sgio_read "$DISK" 3000 32 --tag split-recover'
if [ $rc = 0 ]; then pass "split: the guest ran every case and powered off (${secs}s)"; else fail "split: boot rc=$rc"; fi
expect_sense "split read" "$(sgio_line "$out" split-read)" 0x02 0x3/0x11/0x01 fixed 1010 $G10$P22
expect_sense "split write" "$(sgio_line "$out" split-write)" 0x02 0x3/0x0c/0x00 fixed 2010 -
l=$(sgio_line "$out" split-write-check)
if [ "$(field "$l" map)" = GGGGGGGGGGZZZZZZ ]; then
  pass "split write: the blocks before 2010 were written (pattern over zeros), 2010.. were not"
else
  fail "split write: want map GGGGGGGGGGZZZZZZ, got: ${l:-none}"
fi
expect_sense "split recover" "$(sgio_line "$out" split-recover)" 0x02 0x1/0x18/0x00 fixed 3010 $G32

echo "== lsi53c895a"
cat >"$work/lsi.txtpb" <<'RULES'
rules { name: "unreadable" range { lba: 1010 } media_error { } codes { scsi { ascq: 1 } } }
rules { name: "stops-answering" range { lba: 5010 } hold { timeout_ns: 60000000000 } trigger { max_fires: 1 } }
RULES
log=lsi
boot lsi --hba lsi53c895a --rules "$work/lsi.txtpb" --timeout 150 -- "$GUEST_PRELUDE" \
  'mark first; sgio_read "$DISK" 1010 4 --tag first' \
  'mark prefix; sgio_read "$DISK" 1000 32 --tag prefix' "$READ_DD skip=$((1000 * 512))" \
  'mark hold; echo 3 >/sys/block/sda/device/timeout; t0=$(cut -d" " -f1 /proc/uptime)' \
  "$READ_DD skip=$((5000 * 512)) && echo HOLD-DD-OK" \
  'echo "HOLD-SECONDS $(awk -v a=$t0 "{print \$1 - a}" /proc/uptime)"'
if [ $rc = 0 ]; then pass "lsi: the guest ran every case and powered off, no panic (${secs}s)"; else fail "lsi: boot rc=$rc"; fi
expect_sense "lsi first" "$(sgio_line "$out" first)" 0x02 0x3/0x11/0x01 fixed 1010 PPPP
expect_sense "lsi prefix" "$(sgio_line "$out" prefix)" 0x02 0x3/0x11/0x01 fixed 1010 $G10$P22
expect_kernel "lsi prefix" prefix 'Sense Key : Medium Error' \
  'critical medium error, dev sda, sector 1010 op 0x0:\(READ\)'
l=$(sgio_line "$out" prefix)
if [ "$(field "$l" resid)" = 11264 ]; then
  pass "lsi prefix: sym53c8xx computes the residual of the 10 blocks exactly (11264 bytes)"
else
  fail "lsi prefix: residual $(field "$l" resid), want 11264 (16384 - 10 blocks)"
fi
hold_s=$(printf '%s\n' "$out" | sed -n 's/^HOLD-SECONDS //p')
if printf '%s\n' "$out" | grep -q HOLD-DD-OK && awk -v s="${hold_s:-999}" 'BEGIN {exit !(s < 30)}'; then
  pass "lsi hold: the read succeeded after ${hold_s}s (the hold's own timeout is 60 s)"
else
  fail "lsi hold: the read did not succeed within 30 s (took ${hold_s:-?}s)"
fi
expect_kernel "lsi hold" hold 'ABORT operation started' 'ABORT operation complete'

echo "== lsi53c895a, two targets at once"
cat >"$work/busy-a.txtpb" <<'RULES'
rules { name: "slow-to-fail" range { lba: 1010 } media_error { } codes { scsi { ascq: 1 } } latency_ns: 15000000 }
RULES
cat >"$work/busy-b.txtpb" <<'RULES'
rules { name: "slow" delay { ns: 20000000 } }
RULES
log=busy
# QEMU's trace says which failures ended while the bus was busy: those not
# reselected at once.
boot busy --hba lsi53c895a --rules "$work/busy-a.txtpb" --disk2-rules "$work/busy-b.txtpb" --timeout 150 \
  --qemu-arg -trace --qemu-arg lsi_command_complete_disconnected --qemu-arg -trace --qemu-arg lsi_reselect \
  --qemu-arg -trace --qemu-arg lsi_transfer_data --qemu-arg -D --qemu-arg "$work/busy.trace" \
  -- "$GUEST_PRELUDE" 'mark busy' \
  'for d in /sys/block/sd*; do case "$(readlink "$d/device")" in' \
  '  *:0:0:0) A=/dev/${d##*/} ;; *:0:1:0) B=/dev/${d##*/} ;; esac; done' \
  'echo "SIZES t0=$(cat /sys/block/${A#/dev/}/size) t1=$(cat /sys/block/${B#/dev/}/size)"' \
  '(i=0; while [ $i -lt 100 ]; do sgio_read $A 1010 4 --tag bad$i; i=$((i+1)); done) >/tmp/a.out 2>&1 &' \
  '(i=0; while [ $i -lt 100 ]; do sgio_read $B $((i * 160)) 512 --tag good$i; i=$((i+1)); done) >/tmp/b.out 2>&1 &' \
  'wait; cat /tmp/a.out /tmp/b.out'
if [ $rc = 0 ]; then pass "busy: the guest ran every read and powered off, no panic (${secs}s)"; else fail "busy: boot rc=$rc"; fi
sizes=$(line_of "$out" SIZES)
[ "$sizes" = "SIZES t0=8192 t1=16384" ] || fail "busy: targets 0 and 1 not found as the 8192- and 16384-block disks ($sizes)"
bad_ok=$(printf '%s\n' "$out" | grep -E '^SGIO tag=bad[0-9]+ ' |
  grep -cE ' status=0x02 .* information=1010 key=0x3 asc=0x11 ascq=0x01 good_prefix=0 map=PPPP$')
good_ok=$(printf '%s\n' "$out" | grep -E '^SGIO tag=good[0-9]+ ' | grep -cE ' status=0x00 .* map=G{512}$')
[ -s "$work/busy.trace" ] || fail "busy: QEMU wrote no trace (built without the log trace backend?)"
late=$(awk '/lsi_command_complete_disconnected/ {d = 1; next} d && !/lsi_reselect/ {n++} {d = 0} END {print n + 0}' \
  "$work/busy.trace" 2>/dev/null)
if [ "${late:-0}" -gt 0 ]; then
  pass "busy: $late of the 100 failures ended while target 1 owned the bus (QEMU's trace)"
else
  fail "busy: no failure ended while target 1 owned the bus; the case did not test what it is for"
fi
if [ "$bad_ok" = 100 ]; then
  pass "busy: 100 of 100 target-0 reads: CHECK CONDITION 03/11/01, INFORMATION 1010, no data"
else
  fail "busy: $bad_ok of 100 target-0 reads had their own sense"
fi
if [ "$good_ok" = 100 ]; then
  pass "busy: 100 of 100 target-1 reads: GOOD with all 512 blocks right"
else
  fail "busy: $good_ok of 100 target-1 reads were GOOD with every block"
fi
# The whole console, not only the kernel log section: a hung guest never
# prints that section.
eh=$( (kernel_lines "$work/busy.log" busy; tr -d '\r' <"$work/busy.log") |
     grep -E 'ABORT|abort|[Rr]eset|timing out|sym0:' | sort -u || true)
if [ -z "$eh" ]; then
  pass "busy: no command timed out or was aborted"
else
  fail "busy: the guest's error handler ran:"
  quote "$eh"
fi
finish
