#!/usr/bin/python3
"""Bad rule files: each gives a located error and exit status 1, never a
crash; huge files are refused in bounded time and memory."""

import os
import random
import re
import unittest

import clitest
from clitest import run, write

LOCATED = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): error: ")


class BadInputTest(unittest.TestCase):

    def lint_error(self, name, text, *args):
        """Lints `text`; expects exit 1 and returns stdout's lines."""
        path = write(name, text)
        result = run("lint", *args, path)
        self.assertEqual(result.code, 1, result)
        self.assertTrue(result.out, result)
        return path, result.lines()

    def test_empty_file_is_valid(self):
        # No rules at all is a valid set: the engine passes every request
        # until rules are loaded.
        for text in ["", "   \n\t\n", "# nothing but a comment\n"]:
            path = write("empty.txtpb", text)
            result = run("lint", path)
            self.assertEqual(result.code, 0, result)
            self.assertIn("1 file, 0 errors, 0 warnings", result.err + result.out)

    def test_binary_garbage(self):
        rng = random.Random(1)
        data = bytes(rng.randrange(256) for _ in range(4096))
        path, lines = self.lint_error("garbage.bin", data)
        self.assertEqual(len(lines), 1)
        self.assertTrue(lines[0].startswith(
            path + ": error: not a valid binary faultcore.v1.RuleSet"), lines)

    def test_truncated_text(self):
        path, lines = self.lint_error(
            "truncated.txtpb",
            'rules {\n  name: "a"\n  range { lba: 5 }\n  media_error {\n')
        self.assertEqual(lines, [
            path + ':5:1: error: unexpected end of input: "{" at line 4, '
            'column 15 is not closed'])

    def test_unknown_field_and_enum(self):
        path, lines = self.lint_error(
            "unknown.txtpb",
            "rules {\n  media_error {}\n  trigger { skp: 1 }\n}\n")
        self.assertEqual(lines, [
            path + ':3:13: error: unknown field "skp" in faultcore.v1.Trigger; '
            'did you mean "skip"?'])
        path, lines = self.lint_error(
            "enum.txtpb", "rules { media_error {} ops: [READ, REED] }\n")
        self.assertEqual(lines, [
            path + ':1:36: error: unknown value "REED" for "ops"; did you mean '
            'READ?'])

    def test_numbers_out_of_range(self):
        cases = [
            ("rules {\n  media_error {}\n  range { lba: -5 }\n}\n",
             ':3:16: error: value -5 is out of range for "lba" (uint64: '
             '0..18446744073709551615)'),
            ("rules { media_error {} range { lba: 18446744073709551616 } }\n",
             ':1:37: error: value 18446744073709551616 is out of range for '
             '"lba" (uint64: 0..18446744073709551615)'),
            ("rules { media_error {} range { count: -10 } }\n",
             ':1:39: error: value -10 is out of range for "count" (uint64: '
             '0..18446744073709551615)'),
            ("rules { media_error {} codes { scsi { asc: 256 } } }\n",
             ':1:39: error: rules[0].codes.scsi.asc: asc 256 is out of range '
             '0..255'),
            ("rules { media_error {} trigger { probability: 1.5 } }\n",
             ':1:34: error: rules[0].trigger.probability: probability 1.5 is '
             'outside [0, 1]'),
        ]
        for text, expected in cases:
            with self.subTest(text=text):
                path, lines = self.lint_error("range.txtpb", text)
                self.assertEqual(lines, [path + expected])

    def test_range_that_wraps_around(self):
        # lba + count past 2^64 bytes would be an inverted range.
        path, lines = self.lint_error(
            "wrap.txtpb",
            'rules {\n  name: "wrap"\n  range { lba: 36028797018963967 '
            'count: 2 }\n  media_error {}\n}\n')
        self.assertEqual(lines, [
            path + ':3:34: error: rules[0] ("wrap").range.count: range ends '
            'beyond 2^64 bytes: (lba 36028797018963967 + count 2) * block_size '
            '512'])

    def test_range_beyond_the_device(self):
        text = ('rules {\n  name: "far"\n  range { lba: 4096 count: 8 }\n'
                '  media_error {}\n}\n'
                'rules {\n  name: "edge"\n  range { lba: 2040 count: 16 }\n'
                '  media_error {}\n}\n')
        path, lines = self.lint_error("beyond.txtpb", text, "--device-size",
                                      "1M")
        self.assertEqual(lines, [
            path + ':3:11: error: rules[0] ("far").range.lba: range starts at '
            'LBA 4096, beyond the end of the device: the device has 2048 '
            'blocks of 512 bytes (1 MiB), last LBA 2047; the rule can never '
            'match',
            path + ':8:21: warning: rules[1] ("edge").range.count: range LBAs '
            '2040..2055 ends beyond the device: the device has 2048 blocks of '
            '512 bytes (1 MiB), last LBA 2047; its last 8 blocks can never be '
            'reached'])
        # The same file is fine on a bigger device.
        result = run("lint", "--device-size", "10G", path)
        self.assertEqual(result.code, 0, result)
        self.assertEqual(result.out, "")

    def test_duplicate_names_and_unknown_states(self):
        path, lines = self.lint_error(
            "dup.txtpb",
            'states: ["up", "down"]\n'
            'rules { name: "a" media_error {} }\n'
            'rules { name: "a" states: "dwon" write_fault {} }\n')
        self.assertEqual(lines, [
            path + ':3:9: error: rules[1] ("a").name: duplicate rule name "a" '
            '(first used by rules[0])',
            path + ':3:19: error: rules[1] ("a").states[0]: unknown state '
            '"dwon"; declared: up, down'])

    def test_heal_on_write_with_write_ops(self):
        path, lines = self.lint_error(
            "heal.txtpb",
            "rules { ops: [READ, WRITE] media_error { heal_on_write {} } }\n")
        self.assertEqual(lines, [
            path + ":1:21: error: rules[0].ops[1]: op WRITE is not allowed "
            "with heal_on_write: writes to the bad blocks heal them (or fail "
            "through fail_writes), so the op would be ignored"])

    def test_long_names_are_cut_in_messages(self):
        path, lines = self.lint_error("long.txtpb", "x" * 100000)
        self.assertEqual(lines, [
            path + ':1:1: error: unknown field "' + "x" * 64 + '..." in '
            'faultcore.v1.RuleSet (its fields: block_size, states, '
            'initial_state, rules, transitions)'])

    def test_every_subcommand_reports_load_errors(self):
        path = write("bad.txtpb", "rules { media_error {} range { lba: -1 } }\n")
        expected = (path + ':1:37: error: value -1 is out of range for "lba" '
                    '(uint64: 0..18446744073709551615)\n')
        for args in (["explain", path, "--op", "read", "--lba", "0"],
                     ["fmt", path],
                     ["convert", path, os.path.join(clitest.tmpdir(),
                                                    "out.binpb")]):
            with self.subTest(args=args):
                result = run(*args)
                self.assertEqual(result.code, 1, result)
                self.assertEqual(result.err, expected)
                self.assertEqual(result.out, "")
        self.assertFalse(os.path.exists(os.path.join(clitest.tmpdir(),
                                                     "out.binpb")))

    def test_missing_file_and_directory(self):
        result = run("lint", "/nonexistent/rules.txtpb")
        self.assertEqual(result.code, 1, result)
        self.assertTrue(result.out.startswith(
            "/nonexistent/rules.txtpb: error: cannot open rule file"), result)
        result = run("lint", clitest.tmpdir())
        self.assertEqual(result.code, 1, result)
        self.assertIn("is a directory, not a rule file", result.out)

    def test_huge_file_is_refused_without_reading_it(self):
        path = os.path.join(clitest.tmpdir(), "huge.txtpb")
        with open(path, "wb") as f:
            f.truncate(256 * 1024 * 1024 + 1)  # sparse: no disk used
        result = run("lint", path)
        self.assertEqual(result.code, 1, result)
        self.assertEqual(result.out, path + ": error: rule file is 268435457 "
                         "bytes; the limit is 268435456 bytes (256 MiB)\n")
        self.assertLess(result.seconds, 5)
        os.unlink(path)

    def test_huge_stdin_is_cut_at_the_limit(self):
        data = b" " * (256 * 1024 * 1024 + 100)
        result = run("lint", "-", stdin=data)
        self.assertEqual(result.code, 1, result)
        self.assertIn("<stdin>: error: rule data is more than 268435456 bytes",
                      result.out)

    def test_mutated_examples_never_crash(self):
        rng = random.Random(7)
        sources = [open(p, "rb").read() for p in clitest.examples()]
        outcomes = set()
        for i in range(150):
            data = bytearray(rng.choice(sources))
            for _ in range(rng.randint(1, 4)):
                at = rng.randrange(len(data))
                kind = rng.randrange(4)
                if kind == 0:
                    data[at] = rng.randrange(256)
                elif kind == 1:
                    del data[at:at + rng.randint(1, 12)]
                elif kind == 2:
                    data[at:at] = bytes([rng.randrange(256)])
                else:
                    del data[at:]
                    if not data:
                        data = bytearray(b"x")
            path = write("mutant.txtpb" if i % 2 else "mutant", bytes(data))
            for args in (["lint", path],
                         ["explain", path, "--op", "read", "--lba", "1000"]):
                result = run(*args)
                # The command line is fixed, so no usage error: 0 or 1.
                self.assertIn(result.code, (0, 1), (args, result))
                if result.code == 1:
                    where = result.out if args[0] == "lint" else result.err
                    self.assertRegex(where, r": error: ", (args, result))
                outcomes.add(result.code)
        self.assertEqual(outcomes, {0, 1})


if __name__ == "__main__":
    clitest.main()
