#!/bin/bash
# suites/soak.sh: a random read/write workload under a mix of probabilistic
# faults, on every device model, then every block of the disk checked
# against what the rules allowed.  One boot per device model (virtio-scsi,
# lsi53c895a, ahci, nvme, virtio-blk), each on a fresh 16384-block image.
#
# The guest runs soakio (helpers/soakio.c): 4 workers, one O_DIRECT request
# each in flight, 1..16 blocks, half writes, for SOAK_SECONDS, every write
# made of self-describing sectors.  The rules (written below from the seed):
#   pending-W   media errors in 256 blocks of each worker's region that a
#               rewrite heals (probability 0.3; worker 0's first failing
#               write faults once before it heals)
#   flaky       unrecovered reads anywhere in the regions and guards (as
#               every rule below: none covers the mailbox), probability 0.01
#   write-fault writes refused, probability 0.01
#   slow        any request delayed 2 ms, probability 0.05
#   stall       any request held up to 300 ms, then it proceeds,
#               probability 0.004 (the controller releases holds earlier
#               about half the time)
#   stall-fail  writes held up to 200 ms, then failed, probability 0.002
#   rot         reads corrupted (3 bits per block), probability 0.01
#   torn        writes torn after their first block, reported successful,
#               probability 0.005
#   lost        writes reported successful that never land, probability 0.005
# soak_controller.py (host) traces every injected request, releases holds,
# and times QMP; soak_check.py then checks the image, the guest's reads and
# its errors against that record (its header says how).  The guest powers
# off only once the controller has the trace: a rule fails reads of a
# mailbox block (the image's last, outside every region) until the
# controller raises the event "dumped".
#
# Per device model:
#   - faultcore lint finds no rule that can decide a mailbox read first;
#   - QEMU and the guest ran to the end and powered off, no worker died;
#   - QEMU answered QMP within 5 s throughout and the guest's heartbeat
#     never stopped for 15 s;
#   - soak_check.py's checks (no byte changed outside an injected fault);
# and once, a control: the same check on a copy of the image with one bit
# flipped in a block no fault touched fails.
#
# Environment: SOAK_SECONDS (default 6: the short soak of `make check`;
# `make soak SOAK_MINUTES=N` sets N minutes per device model), SOAK_SEED
# (default: new each run; printed, and a run replays its faults and
# workload from it, up to timing), SOAK_MODELS (default all five).
# usage: soak.sh [--qemu QEMU] [--lib libfaultcore.so]
# Ends with 'N passed, N failed'.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$here/suite-lib.sh"

seconds=${SOAK_SECONDS:-6}
seed=${SOAK_SEED:-$(( $(date +%s%N) % 1000000007 ))}
models=${SOAK_MODELS:-"virtio-scsi lsi53c895a ahci nvme virtio-blk"}
WORKERS=4 REGION=3072 GUARD=64 BLOCKS=16384 MAILBOX=16383
# The random rules cover the workers' regions and guards only, never the
# mailbox.  The trace shows busybox dd's reads of it, iflag=direct or not,
# reaching the disk as 4 KiB page reads that start 7 blocks below it, and a
# rule covering that start wins over the mailbox (the fault at the lowest
# address wins): a delay or a corruption firing there passed the read, and
# the guest powered off before the trace was dumped (seen in CI).
SPAN=$((GUARD + WORKERS * (REGION + GUARD)))
[ "$SPAN" -le $((MAILBOX / 8 * 8)) ] || { echo "soak: the regions reach the mailbox's page" >&2; exit 2; }
echo "== soak: seed $seed (SOAK_SEED=$seed replays it), $seconds s per device model: $models"

write_rules() { # write_rules FILE SEED
  local f=$1 s=$2 w
  cat >"$f" <<EOF
# The guest reads the mailbox block (outside every region) until it reads
# well: the controller raises "dumped" once it has the trace.
states: ["soaking", "dumped"]
transitions { event: "dumped" to: "dumped" }
rules { name: "mailbox" states: "soaking" ops: READ range { lba: $MAILBOX } media_error { } }
EOF
  for w in $(seq 0 $((WORKERS - 1))); do
    local fail_writes=''
    [ "$w" != 0 ] || fail_writes='fail_writes: 1'
    cat >>"$f" <<EOF
rules {
  name: "pending-$w"
  range { lba: $((GUARD + w * (REGION + GUARD) + 512)) count: 256 }
  trigger { probability: 0.3 seed: $((s + 10 + w)) }
  media_error { heal_on_write { $fail_writes } }
}
EOF
  done
  cat >>"$f" <<EOF
rules { name: "flaky" range { lba: 0 count: $SPAN } ops: READ trigger { probability: 0.01 seed: $((s + 1)) } media_error { } }
rules { name: "write-fault" range { lba: 0 count: $SPAN } trigger { probability: 0.01 seed: $((s + 2)) } write_fault { } }
rules { name: "slow" range { lba: 0 count: $SPAN } ops: [READ, WRITE] trigger { probability: 0.05 seed: $((s + 3)) } delay { ns: 2000000 } }
rules {
  name: "stall"
  range { lba: 0 count: $SPAN }
  ops: [READ, WRITE]
  trigger { probability: 0.004 seed: $((s + 4)) }
  hold { timeout_ns: 300000000 on_timeout: PROCEED }
}
rules {
  name: "stall-fail"
  range { lba: 0 count: $SPAN }
  ops: WRITE
  trigger { probability: 0.002 seed: $((s + 5)) }
  hold { timeout_ns: 200000000 on_timeout: FAIL }
}
rules { name: "rot" range { lba: 0 count: $SPAN } trigger { probability: 0.01 seed: $((s + 6)) } corrupt { bits_per_block: 3 } }
rules {
  name: "torn"
  range { lba: 0 count: $SPAN }
  trigger { probability: 0.005 seed: $((s + 7)) }
  torn_write { good_blocks: 1 report_success: true }
}
rules { name: "lost" range { lba: 0 count: $SPAN } trigger { probability: 0.005 seed: $((s + 8)) } lost_write { } }
EOF
}

# A model's seed depends on the run's seed and the model only, so that
# SOAK_MODELS=one SOAK_SEED=S replays what that model did in a full run.
model_seed() {
  local i=0 m
  for m in virtio-scsi lsi53c895a ahci nvme virtio-blk; do
    i=$((i + 1))
    [ "$m" != "$1" ] || { echo $((seed * 8 + i)); return; }
  done
  echo "soak: unknown device model '$1'" >&2
  return 1
}

cli=$(dirname "$(dirname "$lib")")/tools/faultcore
control_done=
for model in $models; do
  mseed=$(model_seed "$model") || { fail "unknown device model $model in SOAK_MODELS"; continue; }
  echo "== soak on $model: seed $mseed"
  rules=$work/$model.txtpb image=$work/$model.img sock=$work/$model.qmp
  write_rules "$rules" "$mseed"
  # faultcore lint names every rule that can decide a request before
  # another: none may for the mailbox, or the guest could power off early.
  if lint=$("$cli" lint --device-size $((BLOCKS * 512)) "$rules" 2>&1) &&
     ! printf '%s\n' "$lint" | grep -q '"mailbox"'; then
    pass "$model: faultcore lint: no rule can decide a read of the mailbox before it"
  else
    fail "$model: faultcore lint on the rules ($cli):"
    quote "$lint"
  fi
  "$FCTEST_MKIMAGE" "$image" $BLOCKS || { fail "$model: mkimage"; continue; }
  : >"$work/$model.log"
  python3 "$here/soak_controller.py" "$sock" --node faults --log "$work/$model.log" \
    --trace "$work/$model.trace.jsonl" --stats "$work/$model.stats.json" --seed "$mseed" \
    --timeout $((seconds + 240)) >"$work/$model.controller" 2>&1 &
  controller=$!
  log=$model
  # RAM for soakio's logs (about 40 bytes per request) on long soaks.
  boot "$model" --hba "$model" --rules "$rules" --image "$image" --timeout $((seconds + 240)) \
    --mem $((256 + seconds / 10))M \
    --append "loglevel=1" \
    --qemu-arg -qmp --qemu-arg "unix:$sock,server=on,wait=off" -- \
    "soakio \"\$DISK\" --seed $mseed --seconds $seconds --workers $WORKERS --region $REGION --guard $GUARD" \
    'i=0; until dd if="$DISK" of=/dev/null bs=512 skip='$MAILBOX' count=1 iflag=direct 2>/dev/null; do' \
    '  i=$((i + 1)); [ $i -lt 300 ] || { echo "SOAK-MAILBOX never released"; break; }; sleep 0.2' \
    'done'
  wait "$controller"
  done_line=$(line_of "$out" SOAK-DONE)
  if [ "$rc" = 0 ] && [ -n "$done_line" ] && [ "$(field "$done_line" failed_workers)" = 0 ] &&
     ! printf '%s\n' "$out" | grep -q '^SOAK-MAILBOX'; then
    pass "$model: QEMU and the guest ran the soak to the end and powered off (${secs}s): $done_line"
  else
    fail "$model: boot rc=$rc, ${done_line:-no SOAK-DONE}"
    quote "$(printf '%s\n' "$out" | grep -v '^[RWE] ' | tail -n 20)"
  fi
  c=$(grep '^CONTROLLER' "$work/$model.controller" | tail -n1)
  qmp_ms=$(field "$c" qmp_max_ms) gap=$(field "$c" heartbeat_max_gap_s)
  if printf '%s' "$c" | grep -q '^CONTROLLER done' &&
     awk -v q="$qmp_ms" -v g="$gap" 'BEGIN {exit !(q + 0 < 5000 && g + 0 < 15)}'; then
    pass "$model: QEMU answered QMP within ${qmp_ms} ms at worst, the guest's heartbeat never paused ${gap} s or more: $c"
  else
    fail "$model: want QMP answers within 5 s and heartbeats less than 15 s apart: ${c:-no controller line}"
    quote "$(cat "$work/$model.controller")"
  fi
  if [ -f "$work/$model.trace.jsonl" ]; then
    check=$(python3 "$here/soak_check.py" --image "$image" --serial "$work/$model.log" \
      --trace "$work/$model.trace.jsonl" --seed "$mseed" \
      --workers $WORKERS --region $REGION --guard $GUARD 2>&1)
    printf '%s\n' "$check" | grep -v -E '^[0-9]+ passed, [0-9]+ failed$' | sed "s/^\(PASS\|FAIL\): /\1: $model: /"
    last=$(printf '%s\n' "$check" | tail -n1)
    if [[ "$last" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
      passed=$((passed + BASH_REMATCH[1])) failed=$((failed + BASH_REMATCH[2]))
    else
      fail "$model: soak_check.py ended without a summary"
    fi
    if [ -z "$control_done" ] && [ "$rc" = 0 ]; then
      control_done=1
      python3 "$here/soak_check.py" --image "$image" --serial "$work/$model.log" \
        --trace "$work/$model.trace.jsonl" --seed "$mseed" --workers $WORKERS --region $REGION \
        --guard $GUARD --control >"$work/control.out" 2>&1
      ctl_rc=$?
      if [ "$ctl_rc" = 1 ] && grep -q '^CONTROL ' "$work/control.out"; then
        pass "control: the check finds one flipped bit in a block no fault touched:"
        quote "$(grep -E '^(CONTROL|FAIL)' "$work/control.out" -A1 | head -n 6)"
      else
        fail "control: a flipped bit in an untouched block went unnoticed (exit $ctl_rc):"
        quote "$(tail -n 12 "$work/control.out")"
      fi
    fi
  else
    fail "$model: no trace was dumped"
  fi
  if [ -n "${SOAK_KEEP:-}" ]; then
    mkdir -p "$SOAK_KEEP" && cp "$rules" "$image" "$work/$model".{log,trace.jsonl,stats.json,controller} "$SOAK_KEEP/" 2>/dev/null
  fi
  rm -f "$image"
done
finish
