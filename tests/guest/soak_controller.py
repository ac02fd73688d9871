#!/usr/bin/python3
"""soak_controller.py: the host side of the soak (suites/soak.sh) while the
guest runs.

Connects to the booting guest's QMP socket and starts a trace of injected
requests only, as big as the engine allows, so that the dump is the complete
record of every fault (soak_check.py refuses a dump that dropped any).  Then,
every --tick seconds until the serial log --log says SOAK-DONE:
  - asks QEMU for the engine's state (query-blkdebug-faultcore) and times the
    answer: QEMU's main loop must stay responsive under the faults;
  - when some rule holds requests, releases them all with probability
    --release-pct (seeded by --seed), so that holds end both ways: released
    and timed out;
  - notes when the guest's SOAK-ALIVE heartbeat lines arrive.
Then dumps the trace to --trace and the statistics to --stats, raises the
event "dumped" (the guest waits for it: its rule file arms a rule failing
reads of a mailbox block until then), and prints
  CONTROLLER done ticks=N qmp_max_ms=M releases=N released=N
             heartbeats=N heartbeat_max_gap_s=S
or 'CONTROLLER error: ...' (exit 1).  QEMU keeps running until the guest
powers off.
"""

import argparse
import json
import random
import sys
import time

from guest_qmp import Qmp

# The largest trace the engine keeps (kTraceMaxCapacity in libfaultcore).
TRACE_CAPACITY = 2097152


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("socket")
    ap.add_argument("--node", required=True)
    ap.add_argument("--log", required=True, help="the guest's serial log")
    ap.add_argument("--trace", required=True)
    ap.add_argument("--stats", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tick", type=float, default=0.25)
    ap.add_argument("--release-pct", type=int, default=50)
    ap.add_argument("--timeout", type=float, default=600.0)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    ticks = releases = released = 0
    qmp_max = 0.0
    heartbeats = []
    try:
        qmp = Qmp(a.socket, 60)
        qmp.cmd("blkdebug-faultcore-trace-start",
                {"node-name": a.node, "capacity": TRACE_CAPACITY,
                 "injected-only": True})
        qmp.cmd("blkdebug-faultcore-stats-reset", {"node-name": a.node})
        deadline = time.monotonic() + a.timeout
        seen = 0
        while True:
            t0 = time.monotonic()
            info = qmp.cmd("query-blkdebug-faultcore", {"node-name": a.node})
            qmp_max = max(qmp_max, time.monotonic() - t0)
            ticks += 1
            if any(r["held"] for r in info["rules"]) and \
                    rng.randrange(100) < a.release_pct:
                got = qmp.cmd("blkdebug-faultcore-release",
                              {"node-name": a.node})
                releases += 1
                released += got["released"]
            try:
                with open(a.log, errors="replace") as f:
                    text = f.read()
            except OSError:
                text = ""
            n = text.count("SOAK-ALIVE")
            heartbeats += [time.monotonic()] * (n - seen)
            seen = n
            if "SOAK-DONE" in text:
                break
            if time.monotonic() > deadline:
                raise RuntimeError("no SOAK-DONE in %s within %d s"
                                   % (a.log, a.timeout))
            time.sleep(a.tick)
        qmp.cmd("blkdebug-faultcore-trace-dump",
                {"node-name": a.node, "filename": a.trace})
        with open(a.stats, "w") as f:
            json.dump(qmp.cmd("query-blkdebug-faultcore-stats",
                              {"node-name": a.node}), f)
        qmp.cmd("blkdebug-faultcore-event",
                {"node-name": a.node, "event": "dumped"})
    except (BrokenPipeError, ConnectionResetError, EOFError) as e:
        print("CONTROLLER error: QEMU closed QMP before the trace was dumped "
              "(did the guest power off early? %s)" % e, flush=True)
        return 1
    except Exception as e:  # pylint: disable=broad-except
        print("CONTROLLER error: %s" % e, flush=True)
        return 1
    gaps = [b - a for a, b in zip(heartbeats, heartbeats[1:])]
    print("CONTROLLER done ticks=%d qmp_max_ms=%.0f releases=%d released=%d "
          "heartbeats=%d heartbeat_max_gap_s=%.1f"
          % (ticks, qmp_max * 1000, releases, released, len(heartbeats),
             max(gaps) if gaps else 0.0), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
