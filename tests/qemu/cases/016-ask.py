#!/usr/bin/python3
# Asks in a running QEMU: a request an ask rule parks emits
# BLKDEBUG_FAULTCORE_ASK and does not complete until
# blkdebug-faultcore-resolve decides it; each verdict does what it says
# (pass, media-error with codes, write-fault, lost-write); an undecided
# request does what on_timeout says; bad resolves get clear errors and
# change nothing.
import json
import time

from qmp import (faultcore_drive, make_disk, sector, show, start_vm,
                 write_file)

disk = make_disk()
rules = write_file("rules.txtpb", """
rules {
  name: "decide"
  range { lba: 8 count: 8 }
  ops: [READ, WRITE]
  ask { timeout_ns: 60000000000 }
}
rules {
  name: "decide-or-fail"
  range { lba: 100 count: 4 }
  ask { timeout_ns: 300000000 on_timeout: FAIL }
}
rules {
  name: "drain-fails"
  range { lba: 300 count: 4 }
  ask { timeout_ns: 60000000000 on_timeout: FAIL }
}
rules {
  name: "drain-passes"
  range { lba: 400 count: 4 }
  ask { timeout_ns: 60000000000 }
}
rules {
  name: "decide-or-pass"
  range { lba: 200 count: 4 }
  ask { timeout_ns: 300000000 }
}
""")

vm = start_vm(faultcore_drive(rules, disk))


def ask(cmd):
    """Issues a qemu-io command that an ask parks; returns its event's data."""
    vm.hmp('qemu-io disk0 "%s"' % cmd)
    ev = vm.wait_event("BLKDEBUG_FAULTCORE_ASK", 10)
    if ev is None:
        print("no BLKDEBUG_FAULTCORE_ASK event")
        return None
    data = dict(ev["data"])
    ticket = data.pop("ticket")
    show("event", json.dumps(data, sort_keys=True))
    return ticket


def resolve(ticket, verdict, codes=None, node="dbg0"):
    args = {"node-name": node, "ticket": ticket, "verdict": verdict}
    if codes is not None:
        args["codes"] = codes
    resp = vm.qmp("blkdebug-faultcore-resolve", args)
    return resp.get("error", {}).get("desc", resp.get("return"))


def new_log():
    log = vm.log()
    out = log[new_log.seen:].strip()
    new_log.seen = len(log)
    return out


new_log.seen = 0


def wait_new(text, timeout=10):
    """Waits until QEMU's output since the last new_log() contains text."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in vm.log()[new_log.seen:]:
            return True
        time.sleep(0.02)
    return False

print("=== a read the ask parks does not complete before the decision")
t = ask("aio_read -P 0xaa %s" % sector(4, 8))
time.sleep(0.3)
show("completed before the decision", new_log())
show("resolve pass", resolve(t, "pass"))
show("completed", wait_new("read 4096/4096 bytes at offset 2048"))
print(new_log())

print("=== media-error with codes: the good prefix, then the error")
t = ask("aio_read %s" % sector(4, 8))
show("resolve media-error",
     resolve(t, "media-error", {"scsi-asc": 20, "errno": 61}))
show("completed", wait_new("readv failed"))
print(new_log())  # errno 61 (ENODATA) is the decision's

print("=== a ticket is decided once")
show("resolve again", resolve(t, "pass"))
show("resolve a ticket never given", resolve(t + 1000, "pass"))

print("=== a decision that cannot apply is refused; the request still waits")
t = ask("aio_write -P 0x55 %s" % sector(8, 2))
show("resolve corrupt on a write", resolve(t, "corrupt"))
show("resolve errno 0", resolve(t, "write-fault", {"errno": 0}))
show("resolve on another node", resolve(t, "pass", node="raw0"))
show("resolve on no node", resolve(t, "pass", node="nope"))
time.sleep(0.1)
show("completed", new_log())
show("resolve lost-write", resolve(t, "lost-write"))
show("completed", wait_new("wrote 1024/1024 bytes at offset 4096"))
print(new_log())

print("=== undecided: on_timeout FAIL fails, PROCEED passes")
t0 = time.monotonic()
t = ask("aio_read %s" % sector(100))
show("failed after the timeout", wait_new("readv failed"))
show("waited at least 300 ms", time.monotonic() - t0 >= 0.3)
print(new_log())
show("resolve after the timeout", resolve(t, "pass"))
t = ask("aio_read %s" % sector(200))
show("completed after the timeout",
     wait_new("read 512/512 bytes at offset 102400"))
print(new_log())

print("=== a drain (stop) ends an undecided ask as on_timeout says")
ask("aio_read %s" % sector(300))
t0 = time.monotonic()
show("stop", vm.qmp("stop").get("return"))
show("failed at the drain", wait_new("readv failed"))
show("well before the 60 s timeout", time.monotonic() - t0 < 5)
print(new_log())
vm.qmp("cont")
ask("aio_read %s" % sector(400))
show("stop", vm.qmp("stop").get("return"))
show("passed at the drain", wait_new("read 512/512 bytes at offset 204800"))
print(new_log())
vm.qmp("cont")

print("=== quit with an ask pending does not wait for a decision")
ask("aio_read %s" % sector(10))
t0 = time.monotonic()
show("exit status", vm.shutdown())
show("QEMU quit in less than 5 s (ask timeout 60 s)",
     time.monotonic() - t0 < 5)

print("=== the lost write left the medium as it was")
with open(disk, "rb") as f:
    f.seek(8 * 512)
    show("sectors 8-9 still 0xaa", f.read(1024) == b"\xaa" * 1024)
