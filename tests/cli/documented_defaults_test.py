#!/usr/bin/python3
"""The default codes that docs/rules.md and faultcore.proto document are the
ones the engine applies (faultcore explain runs the real engine).

One fact, one home: the engine's defaults live in
libfaultcore/internal/compiled_rules.cc; the table in docs/rules.md
("Defaults per action") and the comments of MediaError, WriteFault and
RecoveredError in proto/faultcore.proto restate them for people, and this
test keeps both true.
"""

import os
import re
import unittest

import clitest
from clitest import run

RULES_MD = "docs/rules.md"
PROTO = "proto/faultcore.proto"

ACTIONS = {
    # action: (rule text, explain op)
    "media_error": ("media_error {}", "read"),
    "write_fault": ("write_fault {}", "write"),
    "recovered_error": ("recovered_error {}", "read"),
}
PROTO_MESSAGES = {
    "media_error": "MediaError",
    "write_fault": "WriteFault",
    "recovered_error": "RecoveredError",
}
ERRNO_NAMES = {"EIO": 5, "ETIMEDOUT": 110}
ATA_STATUS_BITS = {"DRDY": 0x40, "DF": 0x20, "DSC": 0x10, "ERR": 0x01}
ATA_ERROR_BITS = {"UNC": 0x40, "IDNF": 0x10, "ABRT": 0x04}


def engine_codes(action):
    """(scsi key, asc, ascq, nvme sct, sc, dnr, ata status, error, errno)."""
    text, op = ACTIONS[action]
    path = clitest.write(action + ".txtpb",
                        "rules { range { lba: 10 } ops: [%s] %s }\n" %
                        (op.upper(), text))
    result = run("explain", path, "--op", op, "--lba", "10", "--json")
    assert result.code == 0, result
    v = result.json_lines()[0]
    assert v["action"] == action, v
    return (v["scsi"]["key"], v["scsi"]["asc"], v["scsi"]["ascq"],
            v["nvme"]["sct"], v["nvme"]["sc"], v["nvme"]["dnr"],
            v["ata"]["status"], v["ata"]["error"],
            v["errno"]["value"] if v["errno"] else 0)


def docs_table():
    """action -> the same tuple, from the table in docs/rules.md."""
    with open(RULES_MD) as f:
        text = f.read()
    section = text.split("## Defaults per action", 1)[1]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 5:
            continue
        m = re.match(r"`(\w+)`", cells[0])
        if not m or m.group(1) not in ACTIONS:
            continue
        scsi = re.match(r"([0-9A-F]{2})/([0-9A-F]{2})/([0-9A-F]{2})", cells[1])
        nvme = re.match(r"(\d+)/0x([0-9a-fA-F]+)", cells[2])
        ata = re.match(r"0x([0-9a-fA-F]+) .*/ 0x([0-9a-fA-F]+)", cells[3])
        err = re.search(r"\((\d+)\)", cells[4])
        assert scsi and nvme and ata and err, line
        rows[m.group(1)] = (
            int(scsi.group(1), 16), int(scsi.group(2), 16),
            int(scsi.group(3), 16), int(nvme.group(1)),
            int(nvme.group(2), 16), "DNR" in cells[2],
            int(ata.group(1), 16), int(ata.group(2), 16), int(err.group(1)))
    return rows


def proto_defaults(message):
    """The tuple from the "Defaults: ..." comment above `message`."""
    with open(PROTO) as f:
        text = f.read()
    m = re.search(r"((?://[^\n]*\n)+)message %s " % message, text)
    assert m, message
    comment = " ".join(l.strip()[2:].strip() for l in m.group(1).splitlines())
    d = re.search(r"Defaults: (.*?)(?:\.  |\. Default|$)", comment)
    assert d, comment
    defaults = d.group(1)
    scsi = re.search(r"SCSI ([0-9A-F]{2})/([0-9A-F]{2})/([0-9A-F]{2})",
                     defaults)
    nvme = re.search(r"NVMe (\d+)/([0-9a-fA-F]+)( with DNR)?", defaults)
    ata = re.search(r"ATA ([A-Z|]+)(?: \((0x[0-9a-f]+)\))?(?: \+ ([A-Z]+))?",
                    defaults)
    assert scsi and nvme and ata, defaults
    status = sum(ATA_STATUS_BITS[b] for b in ata.group(1).split("|"))
    error = ATA_ERROR_BITS[ata.group(3)] if ata.group(3) else 0
    errno = 0
    for name, value in ERRNO_NAMES.items():
        if re.search(r"\b%s\b" % name, defaults):
            errno = value
    return (int(scsi.group(1), 16), int(scsi.group(2), 16),
            int(scsi.group(3), 16), int(nvme.group(1)),
            int(nvme.group(2), 16), bool(nvme.group(3)), status, error, errno)


class DocumentedDefaultsTest(unittest.TestCase):

    def test_docs_table_is_what_the_engine_applies(self):
        table = docs_table()
        self.assertEqual(set(table), set(ACTIONS))
        for action in ACTIONS:
            with self.subTest(action=action):
                self.assertEqual(table[action], engine_codes(action))

    def test_proto_comments_are_what_the_engine_applies(self):
        for action, message in PROTO_MESSAGES.items():
            with self.subTest(action=action):
                self.assertEqual(proto_defaults(message), engine_codes(action))


if __name__ == "__main__":
    clitest.main()
