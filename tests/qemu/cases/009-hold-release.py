#!/usr/bin/python3
# Hold and release in a running QEMU (qemu-system-x86_64 -M none, QMP over
# a unix socket): a read issued through HMP qemu-io is parked by a hold
# rule, query-blkdebug-faultcore shows it held, blkdebug-faultcore-release
# releases it (by rule name or all) and the read completes; a release
# lets even an on_timeout FAIL hold proceed; quitting QEMU with a held
# request does not hang.
import time

from qmp import (faultcore_drive, make_disk, rule_counters, sector, show,
                 start_vm, write_file)

disk = make_disk()
rules = write_file("rules.txtpb", """
rules {
  name: "hang"
  range { lba: 0 count: 8 }
  hold { timeout_ns: 60000000000 }
}
rules {
  name: "hang-then-fail"
  range { lba: 100 count: 8 }
  hold { timeout_ns: 60000000000 on_timeout: FAIL }
}
""")

vm = start_vm(faultcore_drive(rules, disk))

print("=== a read of sector 0 is held")
show("hmp", repr(vm.hmp('qemu-io disk0 "aio_read -P 0xaa %s"' % sector(0))))
time.sleep(0.2)
show("completed before the release", "read 512/512" in vm.log())
print(rule_counters(vm))

print("=== releasing another rule's requests releases nothing")
show("release rule hang-then-fail",
     vm.cmd("blkdebug-faultcore-release",
            {"node-name": "dbg0", "rule": "hang-then-fail"}))
time.sleep(0.1)
show("completed", "read 512/512" in vm.log())

print("=== release all")
show("release", vm.cmd("blkdebug-faultcore-release", {"node-name": "dbg0"}))
show("completed after the release",
     vm.wait_log("read 512/512 bytes at offset 0"))
print(rule_counters(vm))
print(vm.log().strip())

print("=== a FAIL-on-timeout hold that is released proceeds")
vm.hmp('qemu-io disk0 "aio_read -P 0xaa %s"' % sector(100, 4))
time.sleep(0.1)
print(rule_counters(vm))
show("release rule hang-then-fail",
     vm.cmd("blkdebug-faultcore-release",
            {"node-name": "dbg0", "rule": "hang-then-fail"}))
show("completed", vm.wait_log("read 2048/2048 bytes at offset 51200"))
show("failed", "failed" in vm.log())

print("=== a release with nothing held")
show("release", vm.cmd("blkdebug-faultcore-release", {"node-name": "dbg0"}))

print("=== HMP qemu-io on a node name: its temporary BlockBackend is drained")
# hmp_qemu_io() wraps the node in a BlockBackend of its own and removes it
# after the command, which drains the raw node above blkdebug: the held
# read must be released then, not after the 60 s timeout.
t0 = time.monotonic()
vm.hmp('qemu-io raw0 "aio_read -P 0xaa %s"' % sector(2))
show("the command returned in less than 5 s", time.monotonic() - t0 < 5)
show("completed", vm.wait_log("read 512/512 bytes at offset 1024"))
print(rule_counters(vm))

print("=== quit with a held request")
vm.hmp('qemu-io disk0 "aio_read %s"' % sector(4))
time.sleep(0.1)
print(rule_counters(vm))
t0 = time.monotonic()
rc = vm.shutdown()
show("exit status", rc)
show("QEMU quit in less than 5 s (hold timeout 60 s)",
     time.monotonic() - t0 < 5)
