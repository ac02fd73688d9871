#!/bin/bash
# suites/observe.sh: test code outside the guest decides its requests, and
# the trace shows what the guest did; one boot on virtio-scsi under TCG.
#
#   ask-fail  a read of 4000..4007 meets an ask rule over 4004..4007: QEMU
#             emits BLKDEBUG_FAULTCORE_ASK, the controller (
#             ask_controller.py, on the QMP socket) waits 2 s and decides
#             media-error with ASCQ 1.  The guest's SG_IO read takes at
#             least those 2 s (it cannot complete before the decision) and
#             gets 03/11/01 with INFORMATION 4004 and the 4 good blocks.
#   ask-pass  the same read again, decided pass after 2 s: GOOD, all 8
#             blocks, again no sooner than the decision.
#   trace     the trace the controller dumped names both asked reads with
#             their decisions and latencies of at least 2 s, and the
#             ordinary media error at 1010 a rule gave; the statistics
#             count them; `faultcore trace` reads the dump.
#   raid1     md RAID1 (Debian's mdadm in the guest) over two disks, the
#             second write-mostly so that reads go to the first, whose
#             sector 2004 is unreadable until rewritten: a read of the
#             array succeeds with the right data, the kernel says md
#             corrected the read error, and the first disk's trace shows
#             the failed read, md's rewrite of the bad block and the
#             re-read, in that order (the read from the mirror is the
#             second disk's).
# usage: observe.sh [--qemu QEMU] [--lib libfaultcore.so]
# Ends with 'N passed, N failed'.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$here/suite-lib.sh"

DELAY=2
cat >"$work/observe.txtpb" <<'RULES'
rules {
  name: "decide"
  ops: READ
  range { lba: 4004 count: 4 }
  ask { timeout_ns: 60000000000 on_timeout: FAIL }
}
rules { name: "bad" range { lba: 1010 } media_error { } }
RULES

sock=$work/qmp.sock
python3 "$here/ask_controller.py" "$sock" --node faults --delay $DELAY \
  --decide media-error:scsi-ascq=1 --decide pass \
  --trace "$work/trace.jsonl" --stats "$work/stats.json" >"$work/controller.out" 2>&1 &
controller=$!

log=observe
boot observe --rules "$work/observe.txtpb" --timeout 150 \
  --qemu-arg -qmp --qemu-arg "unix:$sock,server=on,wait=off" -- "$GUEST_PRELUDE" \
  'timed() { t=$1; shift; a=$(cut -d" " -f1 /proc/uptime); "$@"; b=$(cut -d" " -f1 /proc/uptime); echo "ELAPSED tag=$t seconds=$(awk "BEGIN {printf \"%.2f\", $b - $a}")"; }' \
  'mark ask-fail; timed ask-fail sgio_read "$DISK" 4000 8 --tag ask-fail' \
  'mark ask-pass; timed ask-pass sgio_read "$DISK" 4000 8 --tag ask-pass' \
  'mark bad; sgio_read "$DISK" 1000 32 --tag bad' \
  'sleep 3'
wait "$controller"
if [ $rc = 0 ]; then pass "observe: the guest ran every case and powered off (${secs}s)"; else fail "observe: boot rc=$rc"; fi
if grep -q '^CONTROLLER done' "$work/controller.out"; then
  pass "the controller decided two asks and dumped the trace:"
else
  fail "the controller failed:"
fi
quote "$(cat "$work/controller.out")"

check_ask() { # check_ask TAG STATUS KEY/ASC/ASCQ MAP
  local l e got want
  l=$(sgio_line "$out" "$1")
  e=$(line_of "$out" "ELAPSED tag=$1 ")
  got="status=$(field "$l" status) map=$(field "$l" map)"
  want="status=$2 map=$4"
  if [ "$2" != 0x00 ]; then
    got+=" sense=$(field "$l" key)/$(field "$l" asc)/$(field "$l" ascq) information=$(field "$l" information)"
    want+=" sense=$3 information=4004"
  fi
  if [ "$got" = "$want" ]; then pass "$1: $want"; else fail "$1: want $want"; echo "      got  $got"; fi
  if awk -v s="$(field "$e" seconds)" -v d=$DELAY 'BEGIN {exit !(s + 0 >= d)}'; then
    pass "$1: the guest's read took $(field "$e" seconds) s, no less than the ${DELAY} s the decision took"
  else
    fail "$1: the guest's read completed after ${e:-?} s, before the decision (${DELAY} s)"
  fi
}
check_ask ask-fail 0x02 0x3/0x11/0x01 GGGGPPPP
check_ask ask-pass 0x00 - GGGGGGGG

if [ -f "$work/trace.jsonl" ]; then
  summary=$(python3 - "$work/trace.jsonl" "$work/stats.json" $DELAY <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
recs = lines[1:]
asked = [r for r in recs if r.get("asked")]
bad = [r for r in recs if r["rule"] == "bad"]
ok = (len(asked) == 2
      and [r["action"] for r in asked] == ["media_error", "pass"]
      and all(r["latency-ns"] >= float(sys.argv[3]) * 1e9 for r in asked)
      and asked[0]["first-bad-offset"] == 4004 * 512
      and asked[0]["good-bytes"] == 4 * 512 and asked[0]["result"] == -5
      and asked[1]["result"] == 0
      and len(bad) == 1 and bad[0]["first-bad-offset"] == 1010 * 512)
st = json.load(open(sys.argv[2]))
reads = [o for o in st["ops"] if o["op"] == "read"][0]
inj = {i["action"]: i["requests"] for i in reads["injected"]}
ok = ok and inj == {"ask": 2, "media-error": 1} and reads["failed"] >= 2
print("OK" if ok else "BAD")
for r in asked + bad:
    print("seq=%d op=%s offset=%d bytes=%d action=%s rule=%s result=%s latency-ns=%s"
          % (r["seq"], r["op"], r["offset"], r["bytes"], r["action"],
             r["rule"], r["result"], r["latency-ns"]))
print("stats: %d reads, injected %s" % (reads["requests"], inj))
PY
)
  if [ "$(printf '%s\n' "$summary" | head -n1)" = OK ]; then
    pass "trace: both asked reads with their decisions, the rule's media error, and the statistics:"
  else
    fail "trace: want two asked reads (media_error, pass; >= ${DELAY} s) and the media error at 1010:"
  fi
  quote "$(printf '%s\n' "$summary" | tail -n +2)"
  cli=$(dirname "$(dirname "$lib")")/tools/faultcore
  if [ -x "$cli" ] && tl=$("$cli" trace --injected "$work/trace.jsonl" 2>&1); then
    pass "faultcore trace --injected reads the dump:"
    quote "$tl"
  else
    fail "faultcore trace on the dump (${cli}):"
    quote "${tl:-no CLI at $cli}"
  fi
else
  fail "trace: the controller dumped no trace"
fi

echo "== md RAID1 repairs a bad sector from its mirror"
cat >"$work/raid.txtpb" <<'RULES'
rules { name: "pending" range { lba: 2004 } media_error { heal_on_write { } } }
RULES
: >"$work/none.txtpb"
python3 "$here/ask_controller.py" "$sock.raid" --node faults \
  --dump-when "$work/raid.log:FCTEST-DUMP-NOW" \
  --trace "$work/raid-trace.jsonl" >"$work/raid-controller.out" 2>&1 &
controller=$!
log=raid
boot raid --rules "$work/raid.txtpb" --disk2-rules "$work/none.txtpb" --timeout 150 \
  --qemu-arg -qmp --qemu-arg "unix:$sock.raid,server=on,wait=off" -- "$GUEST_PRELUDE" \
  'd0=/dev/$(ls /sys/bus/scsi/devices/0:0:0:0/block); d1=/dev/$(ls /sys/bus/scsi/devices/0:0:1:0/block)' \
  'mdadm --create /dev/md0 --level=1 --raid-devices=2 --metadata=1.0 --assume-clean --run --bitmap=none "$d0" --write-mostly "$d1" 2>&1' \
  'mark raid-read; dd if=/dev/md0 of=/tmp/blocks bs=4096 count=1 skip=250 iflag=direct 2>/dev/null; echo "RAID-DD rc=$?"' \
  'od -v -A d -t x8 /tmp/blocks | awk "NR % 32 == 1"' \
  'cat /proc/mdstat; echo FCTEST-DUMP-NOW; sleep 3'
wait "$controller"
if [ $rc = 0 ]; then pass "raid1: the guest ran and powered off (${secs}s)"; else fail "raid1: boot rc=$rc"; fi
printf '%s\n' "$out" | grep -E '^(mdadm|md0 )' | sed 's/^/   | /'
expect_kernel "raid1" raid-read 'critical medium error, dev sd[ab], sector 2004' \
  'md/raid1:md0: read error corrected \(8 sectors at 2000 on sd[ab]\)'
# Block 2000 + i holds the word 0xfc5e0000000007d0 + i (pattern.h), eight times.
want=$(for i in 0 1 2 3 4 5 6 7; do printf 'fc5e%012x\n' $((2000 + i)); done | tr '\n' ' ')
got=$(printf '%s\n' "$out" | grep -E '^[0-9]{7} ' | awk '{print $2}' | tr '\n' ' ')
if [ "$(line_of "$out" 'RAID-DD')" = "RAID-DD rc=0" ] && [ "$got" = "$want" ]; then
  pass "raid1: the read of 2000..2007 through md0 succeeds with every block right"
else
  fail "raid1: want RAID-DD rc=0 and blocks $want, got $(line_of "$out" 'RAID-DD') / $got"
fi
if [ -f "$work/raid-trace.jsonl" ]; then
  seq=$(python3 - "$work/raid-trace.jsonl" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])][1:]
near = [r for r in recs if r["bytes"] and r["offset"] <= 2004 * 512 < r["offset"] + r["bytes"]]
print(" ".join("%s:%s:%s" % (r["op"], r["action"], r["result"]) for r in near))
for r in near:
    print("   | seq=%d %s %d+%d %s rule=%s result=%s" % (r["seq"], r["op"], r["offset"] // 512,
          r["bytes"] // 512, r["action"], r["rule"], r["result"]))
PY
)
  first=$(printf '%s\n' "$seq" | head -n1)
  # md reads again from the failing disk before it turns to the mirror.
  if printf '%s\n' "$first" | grep -qE '^(read:media_error:-5 )+write:pass:0 read:pass:0( read:pass:0)*$'; then
    pass "raid1 trace of the first disk: the failed read(s), md's rewrite, the re-read, then reads that pass:"
  else
    fail "raid1 trace: want read:media_error:-5... write:pass:0 read:pass:0..., got '$first':"
  fi
  printf '%s\n' "$seq" | tail -n +2
  [ -z "${FCTEST_KEEP_TRACE:-}" ] || cp "$work/raid-trace.jsonl" "$FCTEST_KEEP_TRACE"
else
  fail "raid1: no trace dumped:"
  quote "$(cat "$work/raid-controller.out")"
fi
finish
