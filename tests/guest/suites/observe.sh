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
finish
