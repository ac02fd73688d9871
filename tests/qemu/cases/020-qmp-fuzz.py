#!/usr/bin/python3
# QEMU's side, fuzzed: a seeded random sequence of faultcore QMP commands
# with random arguments (right and wrong types, extremes, unknown members),
# random rule files (the examples, mutated: bytes flipped, cut, spliced),
# with asynchronous qemu-io reads and writes in flight all along and holds
# parked by the rules.  Every command must get an answer (a return, or an
# error with a description), QEMU must stay up and answer query-status, and
# afterwards, with the rules emptied, the disk must read back what the last
# write put there.
#
# FAULTCORE_QMP_FUZZ_SEED (default 1) and FAULTCORE_QMP_FUZZ_COMMANDS
# (default 2000) choose the run; `make fuzz` runs it longer with a new seed.
# Only seed-independent facts are printed, so the golden output holds for
# every seed.
import glob
import os
import random

from qmp import faultcore_drive, make_disk, show, start_vm, write_file

SEED = int(os.environ.get("FAULTCORE_QMP_FUZZ_SEED", "1"))
COMMANDS = int(os.environ.get("FAULTCORE_QMP_FUZZ_COMMANDS", "2000"))
rng = random.Random(SEED)

EXAMPLES_DIR = os.path.join(os.environ["TESTS_DIR"], "..", "..", "examples")
examples = [open(p, "rb").read()
            for p in sorted(glob.glob(os.path.join(EXAMPLES_DIR, "*.txtpb")))]
assert examples, "no examples in %s" % EXAMPLES_DIR
base_rules = b"""
states: ["a", "b"]
transitions { event: "go" to: "b" }
transitions { event: "back" to: "a" }
rules { name: "held" range { lba: 10 count: 4 } hold { timeout_ns: 200000000 } }
rules { name: "asked" range { lba: 20 } ask { timeout_ns: 200000000 } }
rules { name: "bad" states: "b" range { lba: 30 } media_error {} }
"""
examples.append(base_rules)

disk = make_disk()
rules = write_file("rules.txtpb", base_rules.decode())
vm = start_vm(faultcore_drive(rules, disk))


def mutated_rule_file():
    data = bytearray(rng.choice(examples))
    for _ in range(rng.randrange(4)):
        how = rng.randrange(4)
        if how == 0 and data:
            data[rng.randrange(len(data))] = rng.randrange(256)
        elif how == 1:
            del data[rng.randrange(len(data) + 1):]
        elif how == 2:
            other = rng.choice(examples)
            cut = rng.randrange(len(other) + 1)
            data[rng.randrange(len(data) + 1):] = other[cut:]
        elif data:
            at = rng.randrange(len(data))
            data[at:at] = data[at:at + rng.randrange(64)]
    ext = rng.choice([".txtpb", ".binpb", ".txt", ""])
    path = os.path.abspath("fuzz%s" % ext)
    with open(path, "wb") as f:
        f.write(bytes(data))
    return path


def value():
    kind = rng.randrange(10)
    if kind == 0:
        return rng.choice([0, 1, -1, 2**31, 2**63 - 1, 2**64 - 1, -2**63])
    if kind == 1:
        return rng.randrange(2**64)
    if kind == 2:
        return rng.choice(["", "dbg0", "raw0", "disk0", "x" * 4096,
                           "\u00e9\u4e2d", "held", "asked", "go", "back"])
    if kind == 3:
        return rng.choice([True, False, None])
    if kind == 4:
        return [value() for _ in range(rng.randrange(3))]
    if kind == 5:
        return {"k%d" % i: value() for i in range(rng.randrange(3))}
    if kind == 6:
        return rng.random() * 10**rng.randrange(20)
    if kind == 7:
        return mutated_rule_file()
    return rng.randrange(-5, 5000)


COMMAND_ARGS = {
    "blkdebug-faultcore-load": ["file"],
    "blkdebug-faultcore-event": ["event"],
    "blkdebug-faultcore-release": ["rule"],
    "query-blkdebug-faultcore": [],
    "blkdebug-faultcore-resolve": ["ticket", "verdict", "codes"],
    "blkdebug-faultcore-trace-start": ["capacity", "injected-only"],
    "blkdebug-faultcore-trace-stop": [],
    "blkdebug-faultcore-trace-dump": ["filename"],
    "query-blkdebug-faultcore-stats": ["heat-map-bucket"],
    "blkdebug-faultcore-stats-reset": ["heat-map-bucket", "collect"],
}
VERDICTS = ["pass", "media-error", "write-fault", "recovered-error",
            "corrupt", "nonsense"]
CODES = ["scsi-key", "scsi-asc", "scsi-ascq", "nvme-sct", "nvme-sc",
         "nvme-dnr", "ata-status", "ata-error", "errno"]


def arguments(command):
    args = {}
    if rng.randrange(10):
        args["node-name"] = "dbg0" if rng.randrange(4) else value()
    for name in COMMAND_ARGS[command]:
        if rng.randrange(3) == 0:
            continue
        if name == "file" and rng.randrange(2):
            args[name] = mutated_rule_file()
        elif name == "ticket" and pending_tickets and rng.randrange(2):
            args[name] = rng.choice(pending_tickets)
        elif name == "verdict" and rng.randrange(3):
            args[name] = rng.choice(VERDICTS)
        elif name == "codes" and rng.randrange(2):
            args[name] = {rng.choice(CODES): value()
                          for _ in range(rng.randrange(1, 4))}
        elif name == "filename" and rng.randrange(2):
            args[name] = os.path.abspath("dump.jsonl")
        elif name in ("event", "rule") and rng.randrange(2):
            args[name] = rng.choice(["go", "back", "held", "asked", "nope"])
        else:
            args[name] = value()
    if rng.randrange(8) == 0:
        args["unknown-member"] = value()
    return args


pending_tickets = []
answered = unanswered = returns = errors = io = 0
for i in range(COMMANDS):
    for ev in vm.events:
        if ev["event"] == "BLKDEBUG_FAULTCORE_ASK":
            pending_tickets.append(ev["data"]["ticket"])
    vm.events.clear()
    if rng.randrange(4) == 0:
        lba = rng.choice([0, 10, 12, 20, 30, 100, 4000])
        op = rng.choice(["aio_read", "aio_write -P 0x55"])
        vm.hmp('qemu-io disk0 "%s %d %d"' % (op, lba * 512,
                                            512 * rng.randrange(1, 16)))
        io += 1
    command = rng.choice(list(COMMAND_ARGS))
    resp = vm.qmp(command, arguments(command))
    if "return" in resp:
        returns += 1
        answered += 1
    elif "error" in resp and resp["error"].get("desc"):
        errors += 1
        answered += 1
    else:
        unanswered += 1
        print("command %d %s: neither a return nor a described error: %r"
              % (i, command, resp))
    if vm.proc.poll() is not None:
        print("QEMU exited with %d after command %d (%s)"
              % (vm.proc.returncode, i, command))
        break

show("every command answered with a return or a described error",
     unanswered == 0 and answered == COMMANDS)
show("some returned and some failed", returns > 0 and errors > 0)
show("QEMU still up", vm.cmd("query-status")["status"])
print("=== afterwards: no rules; the data path is intact")
empty = write_file("empty.txtpb", "")
vm.cmd("blkdebug-faultcore-load", {"node-name": "dbg0", "file": empty})
vm.cmd("blkdebug-faultcore-release", {"node-name": "dbg0"})
vm.hmp('qemu-io disk0 "aio_flush"')
vm.skip_log()  # what the fuzzed I/O printed depends on the seed
vm.qemu_io("write -P 0x3c 8192 65536")
vm.qemu_io("read -P 0x3c 8192 65536")
show("rules left", len(vm.cmd("query-blkdebug-faultcore",
                              {"node-name": "dbg0"})["rules"]))
show("exit status", vm.shutdown())
