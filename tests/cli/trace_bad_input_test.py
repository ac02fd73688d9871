#!/usr/bin/python3
"""faultcore trace on bad dumps: each gives one error line naming
FILE:LINE:COLUMN and the key, exit status 1, nothing on standard output and
no chart written; never a crash."""

import json
import os
import random
import re
import unittest

import clitest
from clitest import run, trace_record, trace_text, write

CODES = {"scsi": [3, 17, 0], "nvme": [2, 129, 1], "ata": [65, 64], "errno": 5}
REQUIRED = ["seq", "ns", "target", "op", "offset", "bytes", "action", "rule",
            "first-bad-offset", "good-bytes", "result", "latency-ns", "state"]


def column(line, key):
    """1-based column of the value of the first `"key":` in `line`."""
    at = line.index('"%s":' % key) + len(key) + 3
    while line[at] == " ":
        at += 1
    return at + 1


class BadTraceTest(unittest.TestCase):

    def error(self, text, name="bad.trace"):
        """Runs trace on `text`; expects exit 1, one error line; returns it
        without the FILE prefix."""
        path = write(name, text)
        svg = os.path.join(clitest.tmpdir(), "never.svg")
        result = run("trace", "--heatmap", svg, path)
        self.assertEqual(result.code, 1, result)
        self.assertEqual(result.out, "", result)
        self.assertFalse(os.path.exists(svg))
        self.assertEqual(len(result.err.splitlines()), 1, result)
        self.assertTrue(result.err.startswith(path + ":"), result)
        return result.err[len(path):].rstrip("\n")

    def record_error(self, record, **header):
        """The error for a dump of one valid record, then `record`, which is
        a dict or a line; also returns that line."""
        line = record if isinstance(record, str) else json.dumps(record)
        return self.error(trace_text([trace_record(1), line], **header)), line

    def test_not_json(self):
        for line, expected in [
                ('{"seq": 2,', ":3:11: error: not JSON: unexpected end of "
                 "input in an object; expected a key (a string)"),
                ('{"seq": ', ":3:9: error: not JSON: unexpected end of "
                 "input; expected a value"),
                ("seq=2", ":3:1: error: not JSON: unexpected character 's'; "
                 "expected a value"),
                ('{"seq": 2} {"seq": 3}', ":3:12: error: not JSON: unexpected "
                 "character '{' after the value (one value per text)"),
                ('{"seq": 2, "seq": 3}', ':3:12: error: not JSON: key "seq" '
                 "appears twice"),
                ("\x00\xff\xfe", ":3:1: error: not JSON: unexpected byte 0x00; "
                 "expected a value")]:
            with self.subTest(line=line):
                self.assertEqual(self.record_error(line)[0], expected)

    def test_no_header(self):
        record = json.dumps(trace_record(1))
        self.assertEqual(self.error(record + "\n"),
                         ':1:1: error: no trace header: the first line must be '
                         'an object with "faultcore-trace" (is this a dump of '
                         'fc_engine_trace_dump()?), got an object without it')
        self.assertEqual(self.error("[1, 2]\n"),
                         ':1:1: error: no trace header: the first line must be '
                         'an object with "faultcore-trace" (is this a dump of '
                         'fc_engine_trace_dump()?), got an array')
        self.assertEqual(self.error(""),
                         ":1:1: error: no trace header: the file is empty")
        self.assertEqual(self.error("\n" + record + "\n"),
                         ":1:1: error: empty line (every line is one JSON "
                         "object: the header first)")

    def test_bad_header(self):
        good = json.loads(trace_text([]))
        for key, value, message in [
                ("faultcore-trace", 2, "format version 2 is not supported "
                 "(this faultcore reads version 1)"),
                ("faultcore-trace", "1", 'expected a non-negative integer, '
                 'got a string ("1")'),
                ("library", 1, "expected a string, got 1"),
                ("capacity", -1, "expected a non-negative integer, got -1"),
                ("injected-only", "no", 'expected true or false, got a string '
                 '("no")'),
                ("recorded", None, "expected a non-negative integer, got "
                 "null"),
                ("dropped", 1.5, "expected a non-negative integer, got 1.5")]:
            with self.subTest(key=key, value=value):
                line = json.dumps(dict(good, **{key: value}))
                self.assertEqual(self.error(line + "\n"), ':1:%d: error: "%s": '
                                 "%s" % (column(line, key), key, message))
        for key in good:
            if key == "faultcore-trace":
                continue
            with self.subTest(missing=key):
                line = json.dumps({k: v for k, v in good.items() if k != key})
                self.assertRegex(self.error(line + "\n"),
                                 r'^:1:1: error: "%s": missing \(expected '
                                 % key)

    def test_missing_keys(self):
        for key in REQUIRED:
            with self.subTest(key=key):
                record = trace_record(2)
                del record[key]
                message, _ = self.record_error(record)
                self.assertRegex(message, r'^:3:1: error: "%s": missing '
                                 r'\(expected [^)]+\)$' % key)
        for key in ["scsi", "nvme", "ata", "errno"]:
            with self.subTest(key="codes." + key):
                codes = {k: v for k, v in CODES.items() if k != key}
                message, line = self.record_error(
                    trace_record(2, action="media_error", codes=codes))
                self.assertRegex(message, r'^:3:%d: error: "codes.%s": missing'
                                 % (column(line, "codes"), key))

    def test_wrong_types_and_values(self):
        cases = [
            ("seq", "2", 'expected a non-negative integer, got a string ("2")'),
            ("seq", 2**64, "18446744073709551616 is out of range (0 to "
             "18446744073709551615)"),
            ("ns", -1, "expected a non-negative integer, got -1"),
            ("target", 5, "expected a string or null, got 5"),
            ("op", None, "expected a string, got null"),
            ("op", "trim", '"trim" is not an op (read, write, flush, discard, '
             'write-zeroes)'),
            ("offset", 1.5, "expected a non-negative integer, got 1.5"),
            ("bytes", True, "expected a non-negative integer, got true"),
            ("action", 3, "expected a string, got 3"),
            ("action", "explode", '"explode" is not an action (pass, '
             'media_error, write_fault, recovered_error, delay, hold, corrupt, '
             'torn_write, lost_write, ask)'),
            ("rule", [], "expected a string or null, got an array"),
            ("first-bad-offset", "x", 'expected a non-negative integer or '
             'null, got a string ("x")'),
            ("good-bytes", None, "expected a non-negative integer, got null"),
            ("result", 1, "expected 0, a negative errno or null, got 1"),
            ("result", "-5", 'expected 0, a negative errno or null, got a '
             'string ("-5")'),
            ("result", -2**31 - 1, "expected 0, a negative errno or null, got "
             "-2147483649"),
            ("latency-ns", -3, "expected a non-negative integer or null, got "
             "-3"),
            ("state", None, "expected a string, got null"),
            ("asked", "yes", 'expected true or false, got a string ("yes")'),
            ("codes", "EIO", 'expected an object, got a string ("EIO")'),
        ]
        for key, value, message in cases:
            with self.subTest(key=key, value=value):
                record = trace_record(2)
                record[key] = value
                got, line = self.record_error(record)
                self.assertEqual(got, ':3:%d: error: "%s": %s'
                                 % (column(line, key), key, message))

    def test_bad_codes(self):
        for codes, key, message in [
                (dict(CODES, scsi=[3, 17]), "codes.scsi",
                 "expected an array of 3 integers [sense key, asc, ascq], got "
                 "an array of 2"),
                (dict(CODES, ata={"status": 65}), "codes.ata",
                 "expected an array of 2 integers [status, error], got an "
                 "object"),
                (dict(CODES, scsi=[3, 300, 0]), "codes.scsi[1]",
                 "expected an integer from 0 to 255, got 300"),
                (dict(CODES, nvme=[2, 129, 2]), "codes.nvme[2]",
                 "expected an integer from 0 to 1, got 2"),
                (dict(CODES, errno=-5), "codes.errno",
                 "expected an integer from 0 to 2147483647, got -5")]:
            with self.subTest(key=key):
                got, _ = self.record_error(trace_record(
                    2, action="media_error", codes=codes))
                self.assertRegex(got, r'^:3:\d+: error: "%s": %s$'
                                 % (re.escape(key), re.escape(message)))

    def test_range_beyond_2_64(self):
        got, line = self.record_error(trace_record(2, offset=2**64 - 512,
                                                   bytes=1024))
        self.assertEqual(got, ':3:%d: error: "bytes": offset '
                         '18446744073709551104 + bytes 1024 reaches 2^64'
                         % column(line, "bytes"))
        # Ending exactly at 2^64 is one byte too far, as for explain.
        got, _ = self.record_error(trace_record(2, offset=2**63,
                                                bytes=2**63))
        self.assertIn("reaches 2^64", got)

    def test_seq_must_increase(self):
        for seq in [1, 0]:
            with self.subTest(seq=seq):
                got, line = self.record_error(trace_record(seq))
                self.assertEqual(got, ':3:%d: error: "seq": %d does not '
                                 'increase: the record before it (line 2) has '
                                 'seq 1' % (column(line, "seq"), seq))
        # A gap is fine; only the order matters.
        path = write("gap.trace", trace_text([trace_record(1),
                                              trace_record(1000)]))
        self.assertEqual(run("trace", path).code, 0)

    def test_record_not_an_object_and_empty_lines(self):
        self.assertEqual(self.record_error("[1, 2, 3]")[0],
                         ":3:1: error: expected a record (a JSON object), got "
                         "an array")
        self.assertEqual(self.record_error("   ")[0],
                         ":3:1: error: empty line (every line is one JSON "
                         "object)")

    def test_line_too_long(self):
        line = json.dumps(trace_record(2, state="x" * (1 << 20)))
        self.assertEqual(self.record_error(line)[0],
                         ":3:1: error: line is longer than 1048576 bytes (a "
                         "record is a few hundred)")
        # The same from standard input, and without a final newline.
        text = trace_text([trace_record(1)]) + line
        result = run("trace", "-", stdin=text.encode())
        self.assertEqual((result.code, result.err), (1, "<stdin>:3:1: error: "
                         "line is longer than 1048576 bytes (a record is a few "
                         "hundred)\n"))

    def test_unreadable_files(self):
        result = run("trace", "/nonexistent/disk.trace")
        self.assertEqual(result.code, 1, result)
        self.assertEqual(result.err, "/nonexistent/disk.trace: error: cannot "
                         "open trace dump: No such file or directory\n")
        result = run("trace", clitest.tmpdir())
        self.assertEqual(result.code, 1, result)
        self.assertEqual(result.err, clitest.tmpdir() + ": error: is a "
                         "directory, not a trace dump\n")
        if os.geteuid() != 0:  # root reads anything
            path = write("secret.trace", trace_text([]))
            os.chmod(path, 0)
            result = run("trace", path)
            self.assertEqual(result.code, 1, result)
            self.assertIn("Permission denied", result.err)

    def test_mutated_dumps_never_crash(self):
        rng = random.Random(11)
        records = [trace_record(i, action=rng.choice(["pass", "media_error"]),
                                codes=CODES) for i in range(1, 6)]
        source = trace_text(records).encode()
        located = re.compile(r"^\S+:\d+(:\d+)?: error: .+\n$")
        outcomes = set()
        for i in range(200):
            data = bytearray(source)
            for _ in range(rng.randint(1, 3)):
                at = rng.randrange(len(data))
                kind = rng.randrange(4)
                if kind == 0:
                    data[at] = rng.randrange(256)
                elif kind == 1:
                    del data[at:at + rng.randint(1, 8)]
                elif kind == 2:
                    data[at:at] = bytes([rng.choice(b'{}[]",:0-9en ')])
                else:
                    del data[at:]
            path = write("mutant.trace", bytes(data))
            result = run("trace", "--heatmap",
                         os.path.join(clitest.tmpdir(), "m.svg"),
                         "--histogram", os.path.join(clitest.tmpdir(),
                                                     "m2.svg"), path)
            self.assertIn(result.code, (0, 1), (bytes(data), result))
            if result.code == 1:
                self.assertRegex(result.err, located)
            outcomes.add(result.code)
        self.assertEqual(outcomes, {0, 1})


if __name__ == "__main__":
    clitest.main()
