#!/usr/bin/python3
# BLKDEBUG_FAULTCORE_INJECTED: a request a rule changes emits it, with the
# request, the first bad byte, the rule, the action and the trace's seq;
# passes emit nothing; a burst is throttled per node (the first at once,
# the last of the second at its end, the others dropped) while the trace
# keeps every request.
import json
import time

from qmp import (faultcore_drive, make_disk, sector, show, start_vm,
                 write_file)

disk = make_disk()
rules = write_file("rules.txtpb", """
rules {
  name: "bad"
  range { lba: 100 count: 2 }
  media_error {}
}
rules {
  name: "slow"
  range { lba: 200 }
  delay { ns: 1000000 }
}
""")

vm = start_vm(faultcore_drive(rules, disk))


def events():
    """All BLKDEBUG_FAULTCORE_INJECTED events so far, in arrival order."""
    vm.qmp("query-status")      # reads the events that arrived
    out = [e["data"] for e in vm.events
           if e["event"] == "BLKDEBUG_FAULTCORE_INJECTED"]
    vm.events = [e for e in vm.events
                 if e["event"] != "BLKDEBUG_FAULTCORE_INJECTED"]
    return out


vm.cmd("blkdebug-faultcore-trace-start",
       {"node-name": "dbg0", "injected-only": True})

print("=== a pass emits nothing, a fault emits one event")
vm.qemu_io("read %s" % sector(0, 8))
vm.qemu_io("read %s" % sector(98, 4))
first = vm.wait_event("BLKDEBUG_FAULTCORE_INJECTED", 5)
data = dict(first["data"])
seq = data.pop("seq")
show("event", json.dumps(data, sort_keys=True))
show("others", events())

print("=== a burst within the throttle period")
for lba in (100, 101, 100, 101):
    vm.qemu_io("read %s" % sector(lba))
vm.qemu_io("read %s" % sector(200))          # the last: a delay
show("delivered at once", events())
last = vm.wait_event("BLKDEBUG_FAULTCORE_INJECTED", 5)
show("the last one came at the end of the period", last is not None)
data = dict(last["data"])
last_seq = data.pop("seq")
show("last", json.dumps(data, sort_keys=True))
time.sleep(1.2)
show("nothing more", events())

print("=== the trace has every one of them, with the same seqs")
vm.cmd("blkdebug-faultcore-trace-dump",
       {"node-name": "dbg0", "filename": "trace.jsonl"})
with open("trace.jsonl") as f:
    records = [json.loads(line) for line in f][1:]
show("records", len(records))
show("first event's seq is the first record's", records[0]["seq"] == seq)
show("last event's seq is the last record's", records[-1]["seq"] == last_seq)
show("actions", [r["action"] for r in records])
show("exit status", vm.shutdown())
