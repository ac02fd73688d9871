#!/usr/bin/python3
"""lint's warnings: rules that can never fire (loader, shadowing), overlaps
whose order matters, ranges beyond --device-size; --werror; big files in
bounded time."""

import os
import random
import unittest

import clitest
from clitest import field, run, uint_field, varint, write

RULES = '''\
states: ["ok", "bad", "never"]
rules {
  name: "band"
  range { lba: 100 count: 50 }
  ops: READ
  media_error {}
}
rules {
  name: "inside-band"
  range { lba: 120 count: 5 }
  states: "bad"
  recovered_error {}
}
rules {
  name: "flaky"
  range { lba: 140 count: 100 }
  trigger { probability: 0.5 seed: 1 }
  media_error {}
  codes { scsi { ascq: 1 } }
}
rules {
  name: "early"
  range { lba: 90 count: 20 }
  trigger { every_nth: 2 }
  delay { ns: 1000 }
}
rules {
  name: "never"
  states: "never"
  range { lba: 5000 count: 8 }
  write_fault {}
}
rules {
  name: "zero"
  range { lba: 7000 }
  trigger { probability: 0 }
  media_error {}
}
rules {
  name: "torn-nothing"
  range { lba: 8000 count: 4 }
  torn_write { good_blocks: 4 }
}
rules {
  name: "same-verdict"
  range { lba: 100 count: 10 }
  ops: READ
  media_error {}
  trigger { skip: 1 }
}
transitions { event: "fail" to: "bad" }
'''


class LintWarningsTest(unittest.TestCase):

    def test_every_kind_of_warning(self):
        path = write("warn.txtpb", RULES)
        result = run("lint", path)
        self.assertEqual(result.code, 0, result)
        self.assertEqual(result.lines(), [
            path + ':8:1: warning: rules[1] ("inside-band"): rule can never '
            'fire: rules[0] ("band") comes first in the file, fires on every '
            'match (no skip, max_fires, every_nth or probability below 1) and '
            'matches every request this rule could win (LBAs 100..149 contain '
            "this rule's LBAs 120..124, ops READ include READ, every device, "
            'every state)',
            path + ':16:3: warning: rules[2] ("flaky").range: order matters: '
            'this rule and rules[0] ("band") can both match READ of LBAs '
            '140..149 and decide differently (same action, other codes); a '
            "request starting there gets rules[0]'s media_error, because it "
            'comes first in the file; it always fires, so this rule decides '
            'only requests that start at LBA 150 or later',
            path + ':23:3: warning: rules[3] ("early").range: order matters: '
            'this rule and rules[0] ("band") can both match READ of LBAs '
            '100..109 and decide differently; a request starting there gets '
            "rules[0]'s media_error, because it comes first in the file; "
            "requests starting before LBA 100 get this rule's delay when it "
            'fires (the lowest fault address wins)',
            path + ':29:3: warning: rules[4] ("never").states: rule can never '
            'fire: state "never" is never entered',
            path + ':36:13: warning: rules[5] ("zero").trigger.probability: '
            'rule can never fire: probability 0',
            path + ':42:16: warning: rules[6] ("torn-nothing").torn_write.'
            'good_blocks: rule can never fire: good_blocks 4 tears nothing: '
            'the range has 4 blocks',
            path + ':44:1: warning: rules[7] ("same-verdict"): rule can never '
            'fire: rules[0] ("band") comes first in the file, fires on every '
            'match (no skip, max_fires, every_nth or probability below 1) and '
            'matches every request this rule could win (LBAs 100..149 contain '
            "this rule's LBAs 100..109, ops READ include READ, every device, "
            'every state)',
        ])
        self.assertIn("1 file, 0 errors, 7 warnings", result.err)

    def test_werror_and_quiet(self):
        path = write("warn.txtpb", RULES)
        result = run("lint", "--werror", "-q", path)
        self.assertEqual(result.code, 1, result)
        self.assertEqual(result.err, "")
        self.assertEqual(len(result.lines()), 7)

    def test_the_earlier_rule_wins_ties_in_the_engine(self):
        # What the overlap warning says, checked with explain: a request
        # starting in the overlap gets the earlier rule.
        path = write("warn.txtpb", RULES)
        [v] = run("explain", path, "--op", "read", "--lba", "140", "--blocks",
                  "2", "--json").json_lines()
        self.assertEqual((v["rule_name"], v["scsi"]["ascq"]), ("band", 0))
        # Starting before band's range, "early" is considered first and
        # wins when it fires (every_nth 2: matches 1, 3, ...); otherwise the
        # request goes on to band.
        verdicts = run("explain", path, "--op", "read", "--lba", "95",
                       "--blocks", "10", "--repeat", "3", "--json").json_lines()
        self.assertEqual([(v["rule_name"], v["action"]) for v in verdicts],
                         [("early", "delay"), ("band", "media_error"),
                          ("early", "delay")])

    def test_binary_files_are_located_by_path(self):
        binary = os.path.join(clitest.tmpdir(), "warn.binpb")
        self.assertEqual(run("convert", write("warn.txtpb", RULES),
                             binary).code, 0)
        result = run("lint", binary)
        self.assertEqual(result.code, 0, result)
        self.assertEqual(len(result.lines()), 7)
        # No lines in binary files: the field path alone locates.
        self.assertIn(
            binary + ': warning: rules[1] ("inside-band"): rule can never '
            'fire: rules[0] ("band") comes first', result.out)
        self.assertIn(binary + ': warning: rules[5] ("zero").trigger.'
                      'probability: rule can never fire: probability 0',
                      result.out)

    def test_many_files(self):
        good = "examples/demo.txtpb"
        bad = write("bad.txtpb", "rules {")
        result = run("lint", good, bad, write("warn.txtpb", RULES))
        self.assertEqual(result.code, 1, result)
        self.assertIn("3 files, 1 error, 7 warnings", result.err)
        self.assertTrue(result.lines()[0].startswith(bad + ":1:8: error:"),
                        result)

    def test_a_million_rules_lint_in_bounded_time(self):
        # Clusters of overlapping rules (the case a pairwise check makes
        # quadratic), written as binary to keep the file small.
        rng = random.Random(3)
        rules = []
        for i in range(1000000):
            cluster = i // 1000
            rule = field(1, b"r%d" % i)
            rule += field(4, uint_field(1, cluster * 10000 + rng.randrange(50))
                          + uint_field(2, rng.randint(1, 100)))
            if i % 3 == 0:
                rule += field(20, b"")                       # media_error
            elif i % 3 == 1:
                rule += field(23, uint_field(1, i))          # delay
            else:
                rule += field(22, b"")                       # recovered_error
            rules.append(field(4, rule))
        path = write("million.binpb", b"".join(rules))
        result = run("lint", "-q", path, timeout=600)
        self.assertEqual(result.code, 0, result.err)
        lines = result.lines()
        # Nearly every rule overlaps an earlier one of its cluster; lint
        # shows the first thousand findings and counts the rest.
        self.assertEqual(len(lines), 1001)
        self.assertRegex(lines[-1], "^" + path + r": warning: too many lint "
                         r"warnings: 99\d{4} more not shown$")
        # Generous: about 10 s in a fastbuild, 2 s optimized; quadratic work
        # would take hours.
        self.assertLess(result.seconds, 240)


if __name__ == "__main__":
    clitest.main()
