#!/usr/bin/python3
# Traces and statistics in a running QEMU: blkdebug-faultcore-trace-start,
# -stop and -dump record requests in submission order with what the engine
# decided and how they ended; a full ring drops the oldest and says so;
# query-blkdebug-faultcore-stats counts requests, bytes, injected requests,
# size and latency histograms and the heat map; bad arguments at every
# boundary get a clear error.
import json
import time

from qmp import (faultcore_drive, make_disk, sector, show, start_vm,
                 write_file)

disk = make_disk()
rules = write_file("rules.txtpb", """
states: ["healthy", "degraded"]
rules {
  name: "bad"
  range { lba: 100 count: 2 }
  next_state: "degraded"
  media_error {}
}
rules {
  name: "slow"
  range { lba: 200 count: 8 }
  delay { ns: 20000000 }
}
""")

vm = start_vm(faultcore_drive(rules, disk))


def qmp(command, args):
    resp = vm.qmp(command, args)
    return resp.get("error", {}).get("desc", resp.get("return"))


def dump(name):
    show("dump", qmp("blkdebug-faultcore-trace-dump",
                     {"node-name": "dbg0", "filename": name}))
    with open(name) as f:
        lines = [json.loads(line) for line in f]
    return lines[0], lines[1:]


def request_fields(r):
    """The fields of a record that do not depend on timing."""
    keep = ("target", "op", "offset", "bytes", "action", "rule",
            "first-bad-offset", "good-bytes", "result", "state")
    return {k: r[k] for k in keep}


print("=== before any start")
show("dump", qmp("blkdebug-faultcore-trace-dump",
                 {"node-name": "dbg0", "filename": "none.jsonl"}))
show("query stats", qmp("query-blkdebug-faultcore-stats",
                        {"node-name": "dbg0"}))

print("=== a trace of every request")
show("start", qmp("blkdebug-faultcore-trace-start", {"node-name": "dbg0"}))
show("stats on", qmp("blkdebug-faultcore-stats-reset",
                     {"node-name": "dbg0", "heat-map-bucket": 65536}))
vm.qemu_io("read %s" % sector(0, 8))
vm.qemu_io("write -P 0x11 %s" % sector(16, 2))
vm.qemu_io("read %s" % sector(99, 4))
vm.qemu_io("read %s" % sector(200))
vm.qemu_io("flush")
header, records = dump("trace.jsonl")
show("header", {k: header[k] for k in
                ("faultcore-trace", "capacity", "injected-only", "recorded",
                 "dropped")})
seqs = [r["seq"] for r in records]
show("seq strictly increasing", all(a < b for a, b in zip(seqs, seqs[1:])))
ns = [r["ns"] for r in records]
show("ns increasing", all(a <= b for a, b in zip(ns, ns[1:])))
for r in records:
    show("record", request_fields(r))
show("the delayed read took at least 20 ms",
     records[3]["latency-ns"] >= 20000000)
show("the others less than 20 ms",
     all(r["latency-ns"] < 20000000 for r in records if r is not records[3]))
show("codes of the fault", records[2].get("codes"))

print("=== statistics")
st = qmp("query-blkdebug-faultcore-stats", {"node-name": "dbg0"})
show("heat-map-bucket", st["heat-map-bucket"])
for op in st["ops"]:
    if not op["requests"]:
        continue
    lat = op.pop("latency-histogram")
    show("latency buckets sum to completed",
         sum(b["count"] for b in lat) == op["completed"])
    show("latency-total-ns >= latency-max-ns",
         op.pop("latency-total-ns") >= op.pop("latency-max-ns"))
    show(op["op"], json.dumps(op, sort_keys=True))

print("=== injected-only, a full ring, stop")
show("start", qmp("blkdebug-faultcore-trace-start",
                  {"node-name": "dbg0", "capacity": 2,
                   "injected-only": True}))
vm.qemu_io("read %s" % sector(0))
for lba in (100, 101, 100):
    vm.qemu_io("read %s" % sector(lba))
show("stop", qmp("blkdebug-faultcore-trace-stop", {"node-name": "dbg0"}))
vm.qemu_io("read %s" % sector(101))
header, records = dump("trace2.jsonl")
show("header", {k: header[k] for k in ("capacity", "injected-only",
                                       "recorded", "dropped")})
for r in records:
    show("record", request_fields(r))

print("=== statistics off, reset")
show("stats off", qmp("blkdebug-faultcore-stats-reset",
                      {"node-name": "dbg0", "collect": False}))
show("query stats", qmp("query-blkdebug-faultcore-stats",
                        {"node-name": "dbg0"}))
show("stats on again", qmp("blkdebug-faultcore-stats-reset",
                           {"node-name": "dbg0"}))
st = qmp("query-blkdebug-faultcore-stats", {"node-name": "dbg0"})
show("after the reset", (st["heat-map-bucket"],
                         sum(op["requests"] for op in st["ops"])))

print("=== bad arguments")
show("unknown node", qmp("blkdebug-faultcore-trace-start",
                         {"node-name": "nope"}))
show("not blkdebug", qmp("blkdebug-faultcore-trace-stop",
                         {"node-name": "raw0"}))
show("capacity too large", qmp("blkdebug-faultcore-trace-start",
                               {"node-name": "dbg0",
                                "capacity": 1 << 40}))
show("capacity not a number", qmp("blkdebug-faultcore-trace-start",
                                  {"node-name": "dbg0", "capacity": "x"}))
show("dump to a directory that does not exist",
     qmp("blkdebug-faultcore-trace-dump",
         {"node-name": "dbg0", "filename": "/nonexistent/t.jsonl"}))
show("dump without filename", qmp("blkdebug-faultcore-trace-dump",
                                  {"node-name": "dbg0"}))
show("heat-map-bucket 0", qmp("blkdebug-faultcore-stats-reset",
                              {"node-name": "dbg0", "heat-map-bucket": 0}))
show("query unknown node", qmp("query-blkdebug-faultcore-stats",
                               {"node-name": "nope"}))
show("exit status", vm.shutdown())
