#!/bin/bash
# suites/nvme.sh: what a Linux guest sees from the patched nvme device when
# faultcore rules fail its I/O (issue 7). Three boots (~15 s, ~20 s and ~20 s under TCG):
#
# Boot A, four rules on separate LBAs of one disk:
#   unc    1010  media_error, engine defaults (2/81h Unrecovered Read, DNR)
#   retry  2010  media_error with dnr: false
#   wf     3010  write_fault (2/80h Write Fault, DNR)
#   heal   4010  media_error { heal_on_write {} }
#   1. passthrough READ 1000..1031 (nvmeio): status 2/81h with DNR, and the
#      10 blocks before the bad one arrived;
#   2. the guest reads the Error Information log (Get Log Page 01h): the
#      newest entry names LBA 1010, NSID 1, SQ 1 and the command's status;
#      ELPE is 63;
#   3. DNR honoured: an O_DIRECT read of 1000..1031 through the block layer
#      fails after exactly one attempt (the log's Error Count grows by 1)
#      and the kernel names the status with DNR; without DNR (2000..2031)
#      the kernel tries 6 times (grows by 6);
#   4. a write error: passthrough WRITE 3000..3031 gets 2/80h with DNR and
#      the log names LBA 3010;
#   5. heal-on-rewrite: READ 4000..4031 fails, WRITE of 4010 succeeds, the
#      READ then returns 32 good blocks;
#   6. SMART / Health: media errors and error log entries counted.
# Boot B (queue io_timeout 3 s), a hold rule on 5010 (60 s, once):
#   7. an O_DIRECT read of 5000..5031 hangs; the driver's timeout path
#      (an Abort command, which releases the hold) gets it back, the read is retried and
#      returns the right data, and the VM powers off cleanly.
# Boot C, 100 rules, one per LBA 6000, 6002, ..., 6198, each failing its
# read after 3 s with its own status (vendor-specific SCT 7, SC 1..100):
#   8. 100 passthrough READs issued at once, all outstanding together (they
#      end in well under twice the 3 s): each gets exactly its own LBA's
#      status, and the 64 newest error log entries each pair an LBA with
#      that LBA's status (a detail that strayed to another request, or was
#      lost past 64 outstanding failures, shows as a wrong or plain status).
#
# usage: nvme.sh --qemu QEMU --lib libfaultcore.so   (env FCTEST_QEMU, FCTEST_LIB)
# Prints PASS:/FAIL: per case and ends with 'N passed, N failed'.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$here/suite-lib.sh"

# ---------------------------------------------------------------- boot A
cat >"$work/a.txtpb" <<'RULES'
rules { name: "unc" range { lba: 1010 } media_error { } }
rules { name: "retry" range { lba: 2010 } media_error { } codes { nvme { dnr: false } } }
rules { name: "wf" range { lba: 3010 } write_fault { } }
rules { name: "heal" range { lba: 4010 } media_error { heal_on_write { } } }
RULES
# Byte offsets for busybox dd (skip_bytes): LBA * 512.
out=$("$here/run-guest.sh" --qemu "$qemu" --lib "$lib" --rules "$work/a.txtpb" --hba nvme \
  --timeout 120 --log "$work/a.log" -- \
  'nvmeio errlog "$DISK" 1 --tag start' \
  'nvmeio read "$DISK" 1000 32 --tag unc' \
  'nvmeio errlog "$DISK" 2 --tag unc' \
  'dd if="$DISK" of=/dev/null bs=16384 skip=512000 count=1 iflag=direct,skip_bytes 2>&1 | sed "s/^/DD-DNR /"' \
  'nvmeio errlog "$DISK" 1 --tag dnr' \
  'dd if="$DISK" of=/dev/null bs=16384 skip=1024000 count=1 iflag=direct,skip_bytes 2>&1 | sed "s/^/DD-RETRY /"' \
  'nvmeio errlog "$DISK" 1 --tag retry' \
  'nvmeio write "$DISK" 3000 32 --tag wf' \
  'nvmeio errlog "$DISK" 1 --tag wf' \
  'nvmeio read "$DISK" 4000 32 --tag heal-before' \
  'nvmeio write "$DISK" 4010 1 --tag heal-write' \
  'nvmeio read "$DISK" 4000 32 --tag heal-after' \
  'nvmeio smart "$DISK" --tag end')
rc=$?
echo "== boot A (run rc=$rc): $(line_of "$out" FCTEST-RUN)"
dmesg_a=$(sed -n '/FCTEST-DMESG-BEGIN/,/FCTEST-DMESG-END/p' "$work/a.log" | tr -d '\r' | grep nvme0n1 || true)
if [ $rc != 0 ]; then
  fail "boot A did not complete (rc=$rc)"
  tail -n 40 "$work/a.log"
fi

l=$(line_of "$out" 'NVMEIO tag=unc ')
if [ "$(field "$l" sct)/$(field "$l" sc)/$(field "$l" dnr)" = 0x2/0x81/1 ] &&
   [ "$(field "$l" good_prefix)" = 10 ]; then
  pass "1. READ 1000..1031: Unrecovered Read Error 2/81h with DNR, 10 good blocks before LBA 1010"
else
  fail "1. READ 1000..1031 status not 2/81h+DNR with 10 good blocks"
fi
quote "$l"

s0=$(line_of "$out" 'NVMELOG-SUMMARY tag=start ')
e=$(line_of "$out" 'NVMELOG tag=unc i=0 ')
s=$(line_of "$out" 'NVMELOG-SUMMARY tag=unc ')
if [ "$(field "$s0" valid)" = 0 ] && [ "$(field "$s" elpe)" = 63 ] &&
   [ "$(field "$e" count)" = 1 ] && [ "$(field "$e" lba)" = 1010 ] &&
   [ "$(field "$e" nsid)" = 1 ] && [ "$(field "$e" sqid)" != 0 ] &&
   [ "$(field "$e" status)" = "$(field "$l" status)" ] && [ "$(field "$e" pel)" = 0xffff ]; then
  pass "2. Error Information log: newest entry names LBA 1010, NSID 1, the command's status; ELPE 63"
else
  fail "2. Error Information log entry not as expected"
fi
quote "$s0" "$e" "$s"

c1=$(field "$e" count)
d=$(line_of "$out" 'NVMELOG tag=dnr i=0 ')
r=$(line_of "$out" 'NVMELOG tag=retry i=0 ')
c2=$(field "$d" count) c3=$(field "$r" count)
kdnr=$(printf '%s\n' "$dmesg_a" | grep -m1 'LBA 1000, 32 blocks' || true)
kretry=$(printf '%s\n' "$dmesg_a" | grep -m1 'LBA 2000, 32 blocks' || true)
if [ -n "$c1" ] && [ -n "$c2" ] && [ -n "$c3" ] && [ $((c2 - c1)) = 1 ] && [ $((c3 - c2)) = 6 ] &&
   printf '%s\n' "$kdnr" | grep -q 'sc 0x81) DNR' &&
   printf '%s\n' "$kretry" | grep -q 'sc 0x81)' && ! printf '%s\n' "$kretry" | grep -q DNR &&
   [ "$(field "$d" lba)" = 1010 ] && [ "$(field "$r" lba)" = 2010 ]; then
  pass "3. DNR honoured: 1 attempt with DNR, 6 without (error count $c1 -> $c2 -> $c3)"
else
  fail "3. DNR: error count $c1 -> $c2 -> $c3 (want +1 then +6)"
fi
quote "$(printf '%s\n' "$out" | grep -E '^DD-(DNR|RETRY)')" "$d" "$r" "$kdnr" "$kretry"

l=$(line_of "$out" 'NVMEIO tag=wf ')
e=$(line_of "$out" 'NVMELOG tag=wf i=0 ')
if [ "$(field "$l" sct)/$(field "$l" sc)/$(field "$l" dnr)" = 0x2/0x80/1 ] &&
   [ "$(field "$e" lba)" = 3010 ] && [ "$(field "$e" sc)" = 0x80 ]; then
  pass "4. WRITE 3000..3031: Write Fault 2/80h with DNR; the log names LBA 3010"
else
  fail "4. write error not as expected"
fi
quote "$l" "$e"

b=$(line_of "$out" 'NVMEIO tag=heal-before ')
w=$(line_of "$out" 'NVMEIO tag=heal-write ')
a=$(line_of "$out" 'NVMEIO tag=heal-after ')
if [ "$(field "$b" sc)" = 0x81 ] && [ "$(field "$b" good_prefix)" = 10 ] &&
   [ "$(field "$w" status)" = 0x0000 ] && [ "$(field "$a" status)" = 0x0000 ] &&
   [ "$(field "$a" map)" = GGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGG ]; then
  pass "5. heal-on-rewrite: 4010 unreadable, rewritten, then 32/32 good blocks"
else
  fail "5. heal-on-rewrite not as expected"
fi
quote "$b" "$w" "$a"

# Errors: unc (1) + dd DNR (1) + dd retry (6) + wf (1) + heal-before (1) =
# 10 log entries, all of them media and data integrity errors (SCT 2h).
m=$(line_of "$out" 'NVMESMART tag=end ')
if [ "$(field "$m" media_errors)" = 10 ] && [ "$(field "$m" err_log_entries)" = 10 ]; then
  pass "6. SMART / Health: 10 media and data integrity errors, 10 error log entries"
else
  fail "6. SMART counters not as expected (want 10 and 10)"
fi
quote "$m"

# ---------------------------------------------------------------- boot B
cat >"$work/b.txtpb" <<'RULES'
rules { name: "hang" range { lba: 5010 } hold { timeout_ns: 60000000000 } trigger { once: true } }
RULES
# nvme_core.io_timeout on the command line would not reach the module (init
# loads it with insmod, not modprobe): set the queue's timeout through sysfs.
out=$("$here/run-guest.sh" --qemu "$qemu" --lib "$lib" --rules "$work/b.txtpb" --hba nvme \
  --timeout 90 --append 'loglevel=7' --log "$work/b.log" -- \
  'echo 3000 >/sys/block/nvme0n1/queue/io_timeout' \
  't0=$(cut -d" " -f1 /proc/uptime)' \
  'dd if="$DISK" of=/dev/null bs=16384 skip=2560000 count=1 iflag=direct,skip_bytes 2>&1 | sed "s/^/DD-HOLD /"' \
  'echo "HOLD-DONE t0=$t0 t1=$(cut -d" " -f1 /proc/uptime)"')
rc=$?
run=$(line_of "$out" FCTEST-RUN)
echo "== boot B (run rc=$rc): $run"
h=$(line_of "$out" HOLD-DONE)
held=$(awk -v a="$(field "$h" t0)" -v b="$(field "$h" t1)" 'BEGIN { if (a != "" && b != "") printf "%d", b - a; else print 999 }')
klines=$(sed -n '/FCTEST-DMESG-BEGIN/,/FCTEST-DMESG-END/p' "$work/b.log" | tr -d '\r' |
         grep -E 'nvme' | grep -E 'timeout|Abort|queues' || true)
# The hold lasts 60 s; the read must come back long before, through the
# driver's timeout handling: io_timeout 3 s, then an Abort command, which
# cancels the request in QEMU and so releases the hold ("Abort status: 0x0");
# the aborted read is retried and succeeds.  (A controller reset, the next
# step if the abort did not help, also releases it; the qtest covers that.)
if [ $rc = 0 ] && [ "$(field "$run" poweroff)" = yes ] &&
   printf '%s\n' "$out" | grep -q '^DD-HOLD 1+0 records in' && [ "$held" -lt 30 ] &&
   printf '%s\n' "$klines" | grep -q 'timeout, aborting' &&
   printf '%s\n' "$klines" | grep -q 'Abort status: 0x0'; then
  pass "7. held READ: the driver's Abort released it after ${held} s (hold: 60 s); read retried OK, VM powered off"
else
  fail "7. held READ not recovered by the driver's timeout path (rc=$rc, ${held} s)"
  tail -n 30 "$work/b.log" | tr -d '\r'
fi
quote "$(printf '%s\n' "$out" | grep '^DD-HOLD')" "$h" "$klines"

# ---------------------------------------------------------------- boot C
for i in $(seq 0 99); do
  echo "rules { name: \"r$i\" range { lba: $((6000 + 2 * i)) } media_error { } latency_ns: 3000000000 codes { nvme { sct: 7 sc: $((i + 1)) } } }"
done >"$work/c.txtpb"
out=$("$here/run-guest.sh" --qemu "$qemu" --lib "$lib" --rules "$work/c.txtpb" --hba nvme \
  --timeout 120 --log "$work/c.log" -- \
  'nvmeio read "$DISK" 6000 1 --tag par --parallel 100 --stride 2' 'nvmeio errlog "$DISK" 64 --tag parlog')
rc=$?
run=$(line_of "$out" FCTEST-RUN)
echo "== boot C (run rc=$rc): $run"
par=$(line_of "$out" NVMEIO-PARALLEL)
own=0 wrong=()
while read -r l; do
  i=$(field "$l" tag); i=${i#par.}
  if [ "$(field "$l" lba)" = $((6000 + 2 * i)) ] && [ "$(field "$l" sct)" = 0x7 ] &&
     [ "$(field "$l" sc)" = "$(printf '0x%02x' $((i + 1)))" ]; then
    own=$((own + 1))
  else
    wrong+=("$l")
  fi
done < <(printf '%s\n' "$out" | grep -E '^NVMEIO tag=par\.[0-9]+ ')
logok=0 logbad=()
while read -r l; do
  lba=$(field "$l" lba)
  if [ "$(field "$l" sct)" = 0x7 ] && [ "$(field "$l" sc)" = "$(printf '0x%02x' $(( (lba - 6000) / 2 + 1 )))" ]; then
    logok=$((logok + 1))
  else
    logbad+=("$l")
  fi
done < <(printf '%s\n' "$out" | grep -E '^NVMELOG tag=parlog ')
ms=$(field "$par" ms)
if [ $rc = 0 ] && [ "$(field "$par" n)" = 100 ] && [ "${ms:-0}" -ge 3000 ] && [ "$ms" -lt 6000 ] &&
   [ "$own" = 100 ]; then
  pass "8. 100 READs outstanding at once (all done in $ms ms, each takes >= 3000): each got its own LBA's status"
else
  fail "8. 100 parallel READs: $own of 100 with their own status (rc=$rc, ${par:-no NVMEIO-PARALLEL line})"
  quote "${wrong[@]:0:5}"
fi
if [ "$logok" = 64 ]; then
  pass "8. the 64 newest error log entries each name an LBA with that LBA's own status"
else
  fail "8. $logok of 64 error log entries pair an LBA with its own status"
  quote "${logbad[@]:0:5}"
fi

finish
