#!/usr/bin/python3
# Bad QMP input at every boundary of the faultcore commands: missing,
# wrong-typed, unknown, huge and absurd arguments, unknown nodes, rule files
# that vanish, turn bad or are not regular files, dump paths that cannot be
# written.  Each gets a clear error; none half-applies anything (the rules,
# their counters and the state are the same before and after) and QEMU keeps
# serving I/O and QMP throughout.
import os
import re

from qmp import (describe_error, faultcore_drive, make_disk, rule_counters,
                 sector, show, start_vm, write_file)

disk = make_disk()
good = """
states: ["healthy", "degraded"]
transitions { event: "wear" from: "healthy" to: "degraded" }
rules {
  name: "bad"
  range { lba: 100 count: 2 }
  media_error {}
}
"""
rules = write_file("rules.txtpb", good)
vm = start_vm(faultcore_drive(rules, disk))
NODE = {"node-name": "dbg0"}
U64_MAX = 2**64 - 1


def squeeze(text):
    """Long runs of one character (the huge arguments echoed back) as
    '<N x c>'."""
    return re.sub(r"(.)\1{31,}",
                  lambda m: "<%d x %s>" % (len(m.group(0)), m.group(1)), text)


def try_cmd(title, command, args):
    show(title, squeeze(describe_error(vm.qmp(command, args))))


def with_node(**kw):
    args = dict(NODE)
    args.update(kw)
    return args


vm.qemu_io("read %s" % sector(100))
before = rule_counters(vm)
print(before)

print("=== every command: no node-name, a wrong-typed one, an unknown one,"
      " an unknown argument")
commands = {
    "blkdebug-faultcore-load": {"file": rules},
    "blkdebug-faultcore-event": {"event": "wear"},
    "blkdebug-faultcore-release": {},
    "query-blkdebug-faultcore": {},
    "blkdebug-faultcore-resolve": {"ticket": 1, "verdict": "pass"},
    "blkdebug-faultcore-trace-start": {},
    "blkdebug-faultcore-trace-stop": {},
    "blkdebug-faultcore-trace-dump": {"filename": "t.jsonl"},
    "query-blkdebug-faultcore-stats": {},
    "blkdebug-faultcore-stats-reset": {},
}
for command, rest in commands.items():
    try_cmd("%s without node-name" % command, command, dict(rest))
    try_cmd("%s node-name 7" % command, command,
            dict(rest, **{"node-name": 7}))
    try_cmd("%s node-name ''" % command, command,
            dict(rest, **{"node-name": ""}))
    try_cmd("%s node-name of 4096 bytes" % command, command,
            dict(rest, **{"node-name": "n" * 4096}))
    try_cmd("%s unknown argument" % command, command,
            dict(rest, bogus=1, **NODE))

print("=== load: the file")
try_cmd("load without file", "blkdebug-faultcore-load", with_node())
try_cmd("load file 3", "blkdebug-faultcore-load", with_node(file=3))
try_cmd("load file ''", "blkdebug-faultcore-load", with_node(file=""))
try_cmd("load a directory", "blkdebug-faultcore-load",
        with_node(file=os.getcwd()))
vanished = write_file("vanishes.txtpb", good)
os.unlink(vanished)
try_cmd("load a file that vanished", "blkdebug-faultcore-load",
        with_node(file=vanished))
write_file("rules.txtpb", good + "rules { name: \"x\" range { lba: 1 } }\n"
           "rules { name: \"x\" media_error {} }\n")
try_cmd("load the rule file after it turned bad", "blkdebug-faultcore-load",
        with_node(file=rules))
write_file("rules.txtpb", good)
os.mkfifo("rules.fifo")
try_cmd("load a FIFO (no writer: must not block)", "blkdebug-faultcore-load",
        with_node(file=os.path.abspath("rules.fifo")))
try_cmd("load /dev/zero (endless)", "blkdebug-faultcore-load",
        with_node(file="/dev/zero"))
with open("binary.fcpb", "wb") as f:
    f.write(bytes(range(256)) * 16)
try_cmd("load 4 KiB of binary garbage", "blkdebug-faultcore-load",
        with_node(file=os.path.abspath("binary.fcpb")))

print("=== event")
try_cmd("event without event", "blkdebug-faultcore-event", with_node())
try_cmd("event event true", "blkdebug-faultcore-event",
        with_node(event=True))
try_cmd("event ''", "blkdebug-faultcore-event", with_node(event=""))
try_cmd("event of 65536 bytes", "blkdebug-faultcore-event",
        with_node(event="e" * 65536))

print("=== release")
try_cmd("release rule 5", "blkdebug-faultcore-release", with_node(rule=5))
try_cmd("release an unknown rule", "blkdebug-faultcore-release",
        with_node(rule="no-such-rule"))

print("=== resolve")
try_cmd("resolve without ticket", "blkdebug-faultcore-resolve",
        with_node(verdict="pass"))
try_cmd("resolve without verdict", "blkdebug-faultcore-resolve",
        with_node(ticket=1))
for ticket in (0, 1, U64_MAX, -1, 2**64, 1.5, "1"):
    try_cmd("resolve ticket %r" % (ticket,), "blkdebug-faultcore-resolve",
            with_node(ticket=ticket, verdict="pass"))
try_cmd("resolve verdict 'explode'", "blkdebug-faultcore-resolve",
        with_node(ticket=1, verdict="explode"))
for codes in ({"scsi-sense-key": 256}, {"nvme-sc": -1},
              {"errno": 65536}, {"nvme-dnr": "yes"}, {"bogus": 1}, []):
    try_cmd("resolve codes %r" % (codes,), "blkdebug-faultcore-resolve",
            with_node(ticket=1, verdict="media-error", codes=codes))

print("=== trace")
try_cmd("trace-stop before any start", "blkdebug-faultcore-trace-stop",
        with_node())
try_cmd("trace-dump before any start", "blkdebug-faultcore-trace-dump",
        with_node(filename=os.path.abspath("never.jsonl")))
for capacity in (0, U64_MAX, 2**40, -1, "many"):
    try_cmd("trace-start capacity %r" % (capacity,),
            "blkdebug-faultcore-trace-start", with_node(capacity=capacity))
    vm.qmp("blkdebug-faultcore-trace-stop", with_node())
try_cmd("trace-start injected-only 1", "blkdebug-faultcore-trace-start",
        with_node(**{"injected-only": 1}))
try_cmd("trace-start", "blkdebug-faultcore-trace-start",
        with_node(capacity=16))
try_cmd("trace-start again while tracing", "blkdebug-faultcore-trace-start",
        with_node(capacity=16))
os.mkfifo("dump.fifo")
for filename in ("", "/", "/proc/no-such-dir/t.jsonl", os.getcwd(),
                 os.path.abspath("dump.fifo"), "/dev/null"):
    try_cmd("trace-dump to %r" % filename, "blkdebug-faultcore-trace-dump",
            with_node(filename=filename))
try_cmd("trace-dump filename 0", "blkdebug-faultcore-trace-dump",
        with_node(filename=0))
try_cmd("trace-stop", "blkdebug-faultcore-trace-stop", with_node())

print("=== stats-reset")
for bucket in (0, 1, 511, U64_MAX, -1, "1M"):
    try_cmd("stats-reset heat-map-bucket %r" % (bucket,),
            "blkdebug-faultcore-stats-reset",
            with_node(**{"heat-map-bucket": bucket}))
try_cmd("stats-reset collect 'no'", "blkdebug-faultcore-stats-reset",
        with_node(collect="no"))

print("=== afterwards: the same rules, counters and state; I/O still works")
after = rule_counters(vm)
show("rules, counters and state unchanged", after == before)
if after != before:
    print(after)
vm.qemu_io("read %s" % sector(100))
vm.qemu_io("read %s" % sector(200, 8))
show("query-status", vm.cmd("query-status")["status"])
show("exit status", vm.shutdown())
