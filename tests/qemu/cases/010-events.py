#!/usr/bin/python3
# Events raised with blkdebug-faultcore-event move the engine's state
# machine (query-blkdebug-faultcore shows the state) and the rules armed in
# the new state fire; an event no transition names is an error and changes
# nothing; the commands refuse nodes that are not blkdebug+faultcore.
from qmp import (describe_error, faultcore_drive, make_disk, rule_counters,
                 sector, show, start_vm, write_file)

disk = make_disk()
rules = write_file("rules.txtpb", """
states: "healthy"
states: "scrubbing"
states: "dead"
transitions { event: "scrub_start" from: "healthy" to: "scrubbing" }
transitions { event: "scrub_end" from: "scrubbing" to: "healthy" }
transitions { event: "power_fail" to: "dead" }
rules {
  name: "scrub-finds-bad-sectors"
  states: "scrubbing"
  range { lba: 1010 count: 4 }
  media_error {}
}
rules {
  name: "dead-disk"
  states: "dead"
  ops: READ
  ops: WRITE
  media_error {}
  codes { errno_value: 6 scsi { key: 4 asc: 0x44 ascq: 0 } }
}
""")

vm = start_vm(faultcore_drive(rules, disk))


def event(name):
    resp = vm.qmp("blkdebug-faultcore-event",
                  {"node-name": "dbg0", "event": name})
    show("event %s" % name, describe_error(resp))


print(rule_counters(vm))
vm.qemu_io("read %s" % sector(1000, 32))

print("=== scrub_start: scrubbing, the scrub rule fires")
event("scrub_start")
print(rule_counters(vm))
vm.qemu_io("read %s" % sector(1000, 32))
vm.qemu_io("read %s" % sector(1014, 8))

print("=== an event with no transition from this state changes nothing")
event("scrub_start")
print("=== an unknown event is an error and changes nothing")
event("no_such_event")
print(rule_counters(vm))

print("=== scrub_end: healthy again")
event("scrub_end")
vm.qemu_io("read %s" % sector(1000, 32))

print("=== power_fail (from any state): every read and write fails")
event("power_fail")
vm.qemu_io("read %s" % sector(0, 1))
vm.qemu_io("write %s" % sector(5000, 1))
print(rule_counters(vm))

print("=== the commands need a blkdebug node with faultcore")
for node in ("no-such-node", "raw0"):
    show("event on %s" % node,
         describe_error(vm.qmp("blkdebug-faultcore-event",
                               {"node-name": node, "event": "scrub_end"})))
vm.cmd("blockdev-add", {"driver": "blkdebug", "node-name": "plain",
                        "image": {"driver": "null-co"}})
for cmd, args in (("blkdebug-faultcore-event", {"event": "scrub_end"}),
                  ("blkdebug-faultcore-load", {"file": rules}),
                  ("blkdebug-faultcore-release", {}),
                  ("query-blkdebug-faultcore", {})):
    args["node-name"] = "plain"
    show("%s on blkdebug without faultcore" % cmd,
         describe_error(vm.qmp(cmd, args)))
show("exit status", vm.shutdown())
