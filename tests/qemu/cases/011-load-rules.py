#!/usr/bin/python3
# Rule replacement at run time: blkdebug-faultcore-load replaces the rules
# of a node atomically (the new ones act, the old ones no longer do, and
# counters and state start over); a bad file is refused with a located
# error (file:line:col, rules[i], field) and the old rules stay active.
# A node may start without rules (faultcore="", or a file without rules):
# every request passes until a load brings some.
import re
import time

from qmp import (describe_error, faultcore_drive, make_disk, rule_counters,
                 sector, show, start_vm, write_file)

disk = make_disk()
first = write_file("first.txtpb", """
rules { name: "bad-1010" range { lba: 1010 count: 4 } media_error {} }
""")
second = write_file("second.txtpb", """
states: "a"
states: "b"
rules { name: "bad-2010" range { lba: 2010 count: 4 } media_error {} }
rules {
  name: "slow-3010"
  range { lba: 3010 }
  delay { ns: 1000000 }
  next_state: "b"
}
""")
bad = write_file("bad.txtpb", """
rules { name: "good" range { lba: 5010 } media_error {} }
rules {
  name: "bad"
  range { lba: 6010 }
  media_error {}
  trigger { probability: 1.5 }
}
""")

vm = start_vm(faultcore_drive(first, disk))


def load(path):
    resp = vm.qmp("blkdebug-faultcore-load",
                  {"node-name": "dbg0", "file": path})
    return describe_error(resp)


print("=== the rules given at open")
vm.qemu_io("read %s" % sector(1010))
vm.qemu_io("read %s" % sector(2010))
print(rule_counters(vm))

print("=== replaced at run time")
show("load second.txtpb", load(second))
vm.qemu_io("read %s" % sector(1010))
vm.qemu_io("read %s" % sector(2010))
vm.qemu_io("read %s" % sector(3010))
print(rule_counters(vm))

print("=== a bad file is refused with a located error")
err = load(bad)
# The position, rule and field are the contract; the explanation after
# the field is the engine's wording.
m = re.match(r"error: GenericError: faultcore: (\S+):(\d+):(\d+): error: "
             r'(rules\[\d+\](?: \("[^"]*"\))?\.[a-z_.]+): (.+)$', err)
if m:
    show("file", m.group(1))
    show("line:col", "%s:%s" % (m.group(2), m.group(3)))
    show("field", m.group(4))
    show("has an explanation", bool(m.group(5)))
else:
    show("unexpected error", err)
print("=== the old rules stay active, with their counters and state")
print(rule_counters(vm))
vm.qemu_io("read %s" % sector(2010))
vm.qemu_io("read %s" % sector(5010))
vm.qemu_io("read %s" % sector(6010))

print("=== a missing file")
err = load("no-such-rules.txtpb")
show("refused, naming the file",
     err.startswith("error: GenericError: faultcore: no-such-rules.txtpb"))
show("and saying why", "No such file or directory" in err)
vm.qemu_io("read %s" % sector(2010))

print("=== a request held under the old rules stays held after a load")
hold = write_file("hold.txtpb", """
rules { name: "hang" range { lba: 0 count: 8 } hold { timeout_ns: 60000000000 } }
""")
show("load hold.txtpb", load(hold))
vm.hmp('qemu-io disk0 "aio_read %s"' % sector(0))
print(rule_counters(vm))
show("load second.txtpb", load(second))
time.sleep(0.1)
show("completed", "read 512/512 bytes at offset 0" in vm.log())
show("release", vm.cmd("blkdebug-faultcore-release", {"node-name": "dbg0"}))
show("completed after the release",
     vm.wait_log("read 512/512 bytes at offset 0"))
log_seen = len(vm.log())

print("=== loading the same file again resets counters and state")
show("load second.txtpb", load(second))
print(rule_counters(vm))
show("exit status", vm.shutdown())

print("=== no rules at open: faultcore=\"\"")
vm = start_vm(faultcore_drive("", disk))
vm.qemu_io("read %s" % sector(1010))
print(rule_counters(vm))
show("load first.txtpb", load(first))
vm.qemu_io("read %s" % sector(1010))
empty = write_file("empty.txtpb", "# rules come later\n")
show("load empty.txtpb", load(empty))
vm.qemu_io("read %s" % sector(1010))
print(rule_counters(vm))
show("exit status", vm.shutdown())

print("=== no rules at open: a file without rules")
vm = start_vm(faultcore_drive(empty, disk))
vm.qemu_io("read %s" % sector(1010))
show("load first.txtpb", load(first))
vm.qemu_io("read %s" % sector(1010))
show("exit status", vm.shutdown())
