#!/usr/bin/python3
"""Command-line usage: help pages, usage errors (exit 2), --version."""

import unittest

import clitest
from clitest import run, write

GOOD = 'rules { name: "r" range { lba: 10 } media_error {} }\n'
SECTIONS = ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXIT STATUS",
            "EXAMPLES", "SEE ALSO"]


class UsageTest(unittest.TestCase):

    def usage_error(self, *args, contains):
        result = run(*args)
        self.assertEqual(result.code, 2, result)
        self.assertEqual(result.out, "", result)
        self.assertIn(contains, result.err)
        self.assertIn("--help' for more information.", result.err)
        return result

    def test_help_pages(self):
        for command in ["lint", "explain", "convert", "fmt", "trace"]:
            with self.subTest(command=command):
                result = run(command, "--help")
                self.assertEqual(result.code, 0, result)
                for section in SECTIONS:
                    self.assertIn("\n" + section + "\n", "\n" + result.out)
                self.assertIn("faultcore " + command + " - ", result.out)
                self.assertEqual(run("help", command).out, result.out)
                self.assertEqual(run(command, "-h").out, result.out)
                # --help prints help whatever else is there, but an unknown
                # option is still a usage error.
                self.assertEqual(run(command, "--bogus", "--help").code, 2)
                self.assertEqual(run(command, "x", "--help").out, result.out)
        result = run("--help")
        self.assertEqual(result.code, 0, result)
        for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "EXIT STATUS"]:
            self.assertIn(section, result.out)
        self.assertEqual(run("help").out, result.out)

    def test_explain_help_documents_the_json_keys(self):
        out = run("explain", "--help").out
        for key in ["request", "op", "target", "lba", "blocks", "block_size",
                    "events", "state_before", "state_after", "action",
                    "rule_index", "rule_name", "reported", "first_bad_lba",
                    "good_blocks", "bad_blocks", "first_bad_byte",
                    "good_bytes", "bad_bytes", "scsi", "nvme", "ata", "errno",
                    "delay_ns", "hold", "corrupt", "heal_write_failure",
                    "healed", "matched"]:
            self.assertRegex(out[out.index("\nOUTPUT\n"):],
                             r"\n      (\w+, )*%s\b" % key, key)
        # Every documented key is present in the output, in that order.
        path = write("good.txtpb", GOOD)
        [v] = run("explain", path, "--op", "read", "--lba", "10",
                  "--json").json_lines()
        self.assertEqual(list(v.keys()), [
            "request", "op", "target", "lba", "blocks", "block_size",
            "events", "state_before", "state_after", "action", "rule_index",
            "rule_name", "reported", "first_bad_lba", "good_blocks",
            "bad_blocks", "first_bad_byte", "good_bytes", "bad_bytes", "scsi",
            "nvme", "ata", "errno", "delay_ns", "hold", "corrupt",
            "heal_write_failure", "healed", "matched"])

    def test_version(self):
        result = run("--version")
        self.assertEqual(result.code, 0, result)
        self.assertRegex(result.out, r"^faultcore \S+ \(ABI \d+\.\d+\)\n$")

    def test_commands(self):
        self.usage_error(contains="no command")
        self.usage_error("frobnicate", contains='unknown command "frobnicate"')
        self.usage_error("help", "frobnicate", contains="expected one of")

    def test_lint_usage(self):
        path = write("good.txtpb", GOOD)
        self.usage_error("lint", contains="no FILE given")
        self.usage_error("lint", "--bogus", path, contains="unknown option --bogus")
        self.usage_error("lint", "--device-size", "abc", path,
                         contains="is not a size")
        # The option takes the next word as its value.
        self.usage_error("lint", "--device-size", path, contains="no FILE")
        self.usage_error("lint", "--device-size", "10Q", path,
                         contains="unknown unit")
        self.usage_error("lint", "--device-size", "0", path,
                         contains="must be more than 0")
        self.usage_error("lint", "--device-size", "-1G", path,
                         contains="negative")
        self.usage_error("lint", "--device-size", "16E", path,
                         contains="too large")
        self.usage_error("lint", "--from", "xml", path,
                         contains='"xml" is not a format')
        self.usage_error("lint", "--werror", "--werror", path,
                         contains="given twice")

    def test_explain_usage(self):
        path = write("good.txtpb", GOOD)
        e = lambda *a, contains: self.usage_error("explain", *a,
                                                  contains=contains)
        e(contains="no FILE given")
        e(path, path, "--op", "read", "--lba", "1", contains="one FILE")
        e(path, "--lba", "1", contains="--op is required")
        e(path, "--op", "reed", "--lba", "1", contains='"reed" is not an op')
        e(path, "--op", "read", contains="--lba is required")
        e(path, "--op", "read", "--lba", "-5", contains="negative")
        e(path, "--op", "read", "--lba", "18446744073709551616",
          contains="out of range")
        e(path, "--op", "read", "--lba", "12abc", contains="not a number")
        e(path, "--op", "read", "--lba", "1", "--blocks", "0",
          contains="--blocks: must be at least 1")
        e(path, "--op", "read", "--lba", "1", "--repeat", "0",
          contains="--repeat: must be from 1 to 1000000")
        e(path, "--op", "read", "--lba", "1", "--block-size", "1000",
          contains="not a power of two")
        e(path, "--op", "flush", "--lba", "1", contains="do not apply to flush")
        e(path, "--op", "read", "--lba", "18446744073709551615",
          contains="ends beyond 2^64 bytes")
        e(path, "--op", "read", "--lba", "1", "--events", "go",
          contains='no transition of %s names event "go" (it has no '
                   'transitions)' % path)
        e("examples/demo.txtpb", "--op", "read", "--lba", "1", "--events",
          "age,,age", contains="an event name is empty")
        e("examples/demo.txtpb", "--op", "read", "--lba", "1", "--events",
          "aeg", contains='names event "aeg" (its events: age)')
        e(path, "--op", "read", "--lba", "1", "--target", "",
          contains="--target: the name is empty")

    def test_explain_notes_about_targets(self):
        result = run("explain", "examples/raid_member_fails_mid_rebuild.txtpb",
                     "--op", "read", "--lba", "0")
        self.assertEqual(result.code, 0, result)
        self.assertIn('note: no --target: rules with a target (e.g. "sdc") '
                      'cannot match', result.err)
        result = run("explain", "examples/raid_member_fails_mid_rebuild.txtpb",
                     "--op", "read", "--lba", "0", "--target", "sdx")
        self.assertIn('note: no rule names target "sdx"', result.err)

    def test_convert_usage(self):
        path = write("good.txtpb", GOOD)
        self.usage_error("convert", path, contains="expected IN and OUT, got 1 file")
        self.usage_error("convert", path, "a", "b",
                         contains="expected IN and OUT, got 3 files")
        self.usage_error("convert", path, "out.json",
                         contains='cannot tell the output format from "out.json"')
        self.usage_error("convert", path, "-",
                         contains='cannot tell the output format from "-"')
        self.usage_error("convert", "--to", "yaml", path, "x.binpb",
                         contains='"yaml" is not a format')

    def test_fmt_usage(self):
        path = write("good.txtpb", GOOD)
        self.usage_error("fmt", contains="no FILE given")
        self.usage_error("fmt", path, path, contains="more than one FILE")
        self.usage_error("fmt", "--check", "-i", path, contains="exclude")
        self.usage_error("fmt", "-i", "-", contains="cannot rewrite standard input")
        self.usage_error("fmt", "--drop-comments", path,
                         contains="only applies with --in-place")


if __name__ == "__main__":
    clitest.main()
