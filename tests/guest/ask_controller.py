#!/usr/bin/python3
"""ask_controller.py: the test code that decides a guest's requests.

Connects to the QMP socket of a booting guest (retrying until QEMU made it),
starts a trace and statistics on the blkdebug node, and answers each
BLKDEBUG_FAULTCORE_ASK event, in order, with the next decision of
--decide, after --delay seconds.  Once every decision is given (and
--settle seconds more, or once the file --dump-when names contains its
text), it dumps the trace and the statistics and exits; QEMU keeps running
until the guest powers off.

  ask_controller.py SOCKET --node NODE [--decide VERDICT[:CODE=N,...]] ...
                    [--delay S] [--dump-when FILE:TEXT] [--trace FILE]
                    [--stats FILE] [--timeout S]

VERDICT is a blkdebug-faultcore-resolve verdict (pass, media-error, ...);
CODEs are its BlkdebugFaultcoreCodes members (scsi-ascq=1, errno=61, ...).
Prints one line per decision:
  ASK ticket=T offset=O bytes=B rule=R verdict=V resolved_after=S
and ends with 'CONTROLLER done' or 'CONTROLLER error: ...' (exit 1).
"""

import argparse
import json
import sys
import time

from guest_qmp import Qmp


def decision(text):
    verdict, _, codes = text.partition(":")
    parsed = {}
    for item in filter(None, codes.split(",")):
        key, _, value = item.partition("=")
        parsed[key] = value == "true" if value in ("true", "false") \
            else int(value, 0)
    return verdict, parsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("socket")
    ap.add_argument("--node", required=True)
    ap.add_argument("--decide", action="append", default=[], type=decision)
    ap.add_argument("--delay", type=float, default=2.0)
    ap.add_argument("--settle", type=float, default=1.0)
    ap.add_argument("--trace")
    ap.add_argument("--stats")
    ap.add_argument("--dump-when")
    ap.add_argument("--timeout", type=float, default=100.0)
    a = ap.parse_args()
    try:
        qmp = Qmp(a.socket, 30)
        qmp.cmd("blkdebug-faultcore-trace-start", {"node-name": a.node})
        qmp.cmd("blkdebug-faultcore-stats-reset", {"node-name": a.node})
        for verdict, codes in a.decide:
            ev = qmp.event("BLKDEBUG_FAULTCORE_ASK", a.timeout)
            if ev is None:
                raise RuntimeError("no BLKDEBUG_FAULTCORE_ASK within %d s"
                                   % a.timeout)
            seen = time.monotonic()
            d = ev["data"]
            time.sleep(a.delay)
            args = {"node-name": a.node, "ticket": d["ticket"],
                    "verdict": verdict}
            if codes:
                args["codes"] = codes
            qmp.cmd("blkdebug-faultcore-resolve", args)
            print("ASK ticket=%d offset=%d bytes=%d rule=%s verdict=%s "
                  "resolved_after=%.2f" % (d["ticket"], d["offset"],
                                           d["bytes"], d["rule"], verdict,
                                           time.monotonic() - seen),
                  flush=True)
        time.sleep(a.settle)
        if a.dump_when:
            path, _, text = a.dump_when.partition(":")
            deadline = time.monotonic() + a.timeout
            while True:
                try:
                    with open(path, errors="replace") as f:
                        if text in f.read():
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("%s never said %r" % (path, text))
                time.sleep(0.1)
        if a.trace:
            qmp.cmd("blkdebug-faultcore-trace-dump",
                    {"node-name": a.node, "filename": a.trace})
        if a.stats:
            with open(a.stats, "w") as f:
                json.dump(qmp.cmd("query-blkdebug-faultcore-stats",
                                  {"node-name": a.node}), f)
    except Exception as e:  # pylint: disable=broad-except
        print("CONTROLLER error: %s" % e, flush=True)
        return 1
    print("CONTROLLER done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
