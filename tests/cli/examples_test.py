#!/usr/bin/python3
"""Every example rule file lints clean and explains as its comments say."""

import os
import unittest

import clitest
from clitest import run

EXPECTED_EXAMPLES = {
    "bit_rot_checksumming_fs.txtpb",
    "demo.txtpb",
    "dying_disk.txtpb",
    "heal_on_rewrite.txtpb",
    "intermittent_timeouts.txtpb",
    "power_loss_torn_write.txtpb",
    "raid_member_fails_mid_rebuild.txtpb",
    "scrub_latent_error.txtpb",
    "unrecoverable_sector.txtpb",
}

MEDIA_ERROR_DEFAULT_CODES = {
    "nvme": (2, 0x81, True, False),
    "ata": (0x41, 0x40, ["DRDY", "ERR"], ["UNC"]),
    "errno": (5, "EIO"),
}


def explain(example, *args):
    result = run("explain", os.path.join("examples", example), "--json", *args)
    assert result.code == 0, result
    return result.json_lines()


class ExamplesTest(unittest.TestCase):

    def assertVerdict(self, v, action, rule_index, rule_name, **fields):
        self.assertEqual(v["action"], action, v)
        self.assertEqual(v["rule_index"], rule_index, v)
        self.assertEqual(v["rule_name"], rule_name, v)
        for key, value in fields.items():
            self.assertEqual(v[key], value, "%s in %s" % (key, v))

    def assertCodes(self, v, scsi, nvme, ata, errno):
        self.assertEqual((v["scsi"]["key"], v["scsi"]["asc"], v["scsi"]["ascq"]),
                         scsi, v)
        self.assertEqual((v["nvme"]["sct"], v["nvme"]["sc"], v["nvme"]["dnr"],
                          v["nvme"]["more"]), nvme, v)
        self.assertEqual((v["ata"]["status"], v["ata"]["error"],
                          v["ata"]["status_bits"], v["ata"]["error_bits"]),
                         ata, v)
        if errno is None:
            self.assertIsNone(v["errno"], v)
        else:
            self.assertEqual((v["errno"]["value"], v["errno"]["name"]), errno, v)

    def test_the_scenario_library_is_complete(self):
        self.assertEqual(
            {os.path.basename(p) for p in clitest.examples()}, EXPECTED_EXAMPLES)

    def test_every_example_lints_clean(self):
        for path in clitest.examples():
            with self.subTest(path=path):
                result = run("lint", "--werror", path)
                self.assertEqual(result.code, 0, result)
                self.assertEqual(result.out, "", result)
                self.assertIn("1 file, 0 errors, 0 warnings", result.err)

    def test_all_examples_lint_together(self):
        result = run("lint", *clitest.examples())
        self.assertEqual(result.code, 0, result)
        self.assertIn("9 files, 0 errors, 0 warnings", result.err)

    def test_unrecoverable_sector(self):
        [v] = explain("unrecoverable_sector.txtpb", "--op", "read", "--lba",
                      "123440", "--blocks", "32")
        self.assertVerdict(v, "media_error", 0, "bad-sector-123456",
                           reported="error", first_bad_lba=123456,
                           good_blocks=16, bad_blocks=1,
                           first_bad_byte=123456 * 512, good_bytes=16 * 512)
        self.assertCodes(v, (3, 0x11, 1), (2, 0x81, True, False),
                         (0x41, 0x40, ["DRDY", "ERR"], ["UNC"]), (5, "EIO"))
        self.assertEqual(v["scsi"]["text"], "read retries exhausted")
        self.assertEqual(v["scsi"]["key_name"], "MEDIUM ERROR")
        # Writes and reads elsewhere pass.
        [w] = explain("unrecoverable_sector.txtpb", "--op", "write", "--lba",
                      "123456")
        self.assertVerdict(w, "pass", None, None)
        [r] = explain("unrecoverable_sector.txtpb", "--op", "read", "--lba",
                      "123457", "--blocks", "100")
        self.assertVerdict(r, "pass", None, None)

    def test_unrecoverable_sector_text_output(self):
        result = run("explain", "examples/unrecoverable_sector.txtpb", "--op",
                     "read", "--lba", "123440", "--blocks", "32")
        self.assertEqual(result.code, 0, result)
        self.assertEqual(result.out, """\
examples/unrecoverable_sector.txtpb: 1 rule, block size 512 bytes, initial state "initial"

request 1: read LBA 123440 +32 blocks (512-byte blocks), no target
  verdict     media_error (the host reports error)
  rule        rules[0] "bad-sector-123456"
  first bad   LBA 123456: 16 good blocks before it, 1 bad block
  SCSI        03/11/01  MEDIUM ERROR: read retries exhausted
  NVMe        SCT 2 SC 0x81 DNR 1 More 0  media and data integrity errors: unrecovered read error
  ATA         status 0x41 (DRDY ERR), error 0x40 (UNC)
  errno       EIO (5)
  delay       none
  state       "initial" (unchanged)
  fired       rules[0] "bad-sector-123456" (matches 1, fires 1 so far)
""")

    def test_dying_disk_first_error_moves_the_state(self):
        first, second = explain("dying_disk.txtpb", "--op", "read", "--lba",
                                "5000", "--repeat", "2")
        self.assertVerdict(first, "media_error", 0, "first-bad-sector",
                           state_before="healthy", state_after="degrading",
                           first_bad_lba=5000, good_blocks=0, delay_ns=0)
        self.assertVerdict(second, "media_error", 1, "spreading",
                           state_before="degrading", state_after="degrading",
                           delay_ns=2000000000)
        self.assertCodes(second, (3, 0x11, 0), (2, 0x81, True, False),
                         (0x41, 0x40, ["DRDY", "ERR"], ["UNC"]), (5, "EIO"))

    def test_dying_disk_ages(self):
        [v] = explain("dying_disk.txtpb", "--events", "age,age", "--op", "read",
                      "--lba", "6000", "--blocks", "8")
        self.assertEqual(v["events"], [
            {"event": "age", "state_before": "healthy",
             "state_after": "degrading"},
            {"event": "age", "state_before": "degrading",
             "state_after": "failing"}])
        self.assertVerdict(v, "media_error", 2, "failing-zone",
                           state_before="failing", first_bad_lba=6000,
                           bad_blocks=8, delay_ns=5000000000)
        self.assertEqual((v["scsi"]["asc"], v["scsi"]["ascq"]), (0x11, 4))
        [w] = explain("dying_disk.txtpb", "--events", "age,age", "--op",
                      "write", "--lba", "6000", "--blocks", "8")
        self.assertVerdict(w, "write_fault", 3, "failing-zone-writes")
        self.assertCodes(w, (3, 0x0C, 0), (2, 0x80, True, False),
                         (0x61, 0x04, ["DRDY", "DF", "ERR"], ["ABRT"]),
                         (5, "EIO"))
        [d] = explain("dying_disk.txtpb", "--events", "age,age,age", "--op",
                      "read", "--lba", "0", "--blocks", "8")
        self.assertVerdict(d, "hold", 4, "dead", reported="error_on_timeout",
                           hold={"timeout_ns": 30000000000,
                                 "on_timeout": "fail"})
        self.assertCodes(d, (0x0B, 0, 0), (0, 0x06, False, False),
                         (0x41, 0x04, ["DRDY", "ERR"], ["ABRT"]),
                         (110, "ETIMEDOUT"))
        # A fourth "age" has no transition out of "dead": the state stays.
        [e] = explain("dying_disk.txtpb", "--events", "age,age,age,age",
                      "--op", "flush")
        self.assertEqual(e["events"][-1], {"event": "age",
                                           "state_before": "dead",
                                           "state_after": "dead"})
        self.assertVerdict(e, "hold", 4, "dead", first_bad_lba=None)

    def test_heal_on_rewrite(self):
        [r] = explain("heal_on_rewrite.txtpb", "--op", "read", "--lba", "2040",
                      "--blocks", "16")
        self.assertVerdict(r, "media_error", 0, "pending-sectors",
                           first_bad_lba=2048, good_blocks=8, bad_blocks=8)
        [w] = explain("heal_on_rewrite.txtpb", "--op", "write", "--lba",
                      "2048", "--blocks", "8")
        self.assertVerdict(w, "pass", None, None)
        self.assertEqual(w["healed"], [{
            "rule_index": 0, "rule_name": "pending-sectors",
            "healed_blocks_before": 0, "healed_blocks_after": 8}])
        first, second = explain("heal_on_rewrite.txtpb", "--op", "write",
                                "--lba", "9000", "--repeat", "2")
        self.assertVerdict(first, "write_fault", 1, "stubborn-sector",
                           heal_write_failure=True, healed=[])
        self.assertCodes(first, (3, 0x0C, 0), (2, 0x80, True, False),
                         (0x61, 0x04, ["DRDY", "DF", "ERR"], ["ABRT"]),
                         (5, "EIO"))
        self.assertVerdict(second, "pass", None, None)
        self.assertEqual(second["healed"][0]["healed_blocks_after"], 1)

    def test_scrub_finds_the_latent_error(self):
        [normal] = explain("scrub_latent_error.txtpb", "--op", "read", "--lba",
                           "777777")
        self.assertVerdict(normal, "pass", None, None, state_after="normal")
        found, again = explain("scrub_latent_error.txtpb", "--events",
                               "scrub_start", "--op", "read", "--lba",
                               "777770", "--blocks", "16", "--repeat", "2")
        self.assertVerdict(found, "media_error", 0, "latent",
                           state_before="scrubbing", state_after="known-bad",
                           first_bad_lba=777777, good_blocks=7)
        self.assertVerdict(again, "media_error", 1, "known-bad-sector",
                           state_before="known-bad", state_after="known-bad")
        # A scrub that ends before reading the sector finds nothing.
        [ended] = explain("scrub_latent_error.txtpb", "--events",
                          "scrub_start,scrub_end", "--op", "read", "--lba",
                          "777777")
        self.assertVerdict(ended, "pass", None, None, state_before="normal")

    def test_intermittent_timeouts_are_reproducible(self):
        verdicts = explain("intermittent_timeouts.txtpb", "--op", "read",
                           "--lba", "0", "--blocks", "8", "--repeat", "20")
        held = [v["request"] for v in verdicts if v["action"] == "hold"]
        self.assertEqual(held, [3, 5, 10, 17, 19])
        v = verdicts[2]
        self.assertVerdict(v, "hold", 0, "flaky-link",
                           reported="error_on_timeout",
                           hold={"timeout_ns": 5000000000, "on_timeout": "fail"})
        self.assertCodes(v, (0x0B, 0, 0), (0, 0x06, False, False),
                         (0x41, 0x04, ["DRDY", "ERR"], ["ABRT"]),
                         (110, "ETIMEDOUT"))
        self.assertEqual(verdicts[19]["matched"], [{
            "rule_index": 0, "rule_name": "flaky-link", "fired": False,
            "matches": 20, "fires": 5}])
        # Flushes are not held (ops: READ, WRITE).
        flushes = explain("intermittent_timeouts.txtpb", "--op", "flush",
                          "--repeat", "20")
        self.assertEqual({v["action"] for v in flushes}, {"pass"})

    def test_bit_rot_is_silent(self):
        [v] = explain("bit_rot_checksumming_fs.txtpb", "--op", "read", "--lba",
                      "9990", "--blocks", "20")
        self.assertVerdict(v, "corrupt", 0, "rotten-extent", reported="success",
                           first_bad_lba=10000, good_blocks=10, bad_blocks=10,
                           corrupt={"bits_per_block": 1, "seed": 7},
                           scsi=None, nvme=None, ata=None, errno=None)
        [w] = explain("bit_rot_checksumming_fs.txtpb", "--op", "write",
                      "--lba", "10000", "--blocks", "8")
        self.assertVerdict(w, "pass", None, None)

    def test_raid_member_fails_mid_rebuild(self):
        verdicts = explain("raid_member_fails_mid_rebuild.txtpb", "--events",
                           "rebuild_start", "--op", "read", "--lba", "4096",
                           "--blocks", "128", "--target", "sdc", "--repeat", "4")
        self.assertEqual([v["action"] for v in verdicts],
                         ["pass", "pass", "media_error", "media_error"])
        self.assertVerdict(verdicts[2], "media_error", 0,
                           "fails-during-rebuild", state_before="rebuilding",
                           state_after="failed", first_bad_lba=4096,
                           good_blocks=0, bad_blocks=128, target="sdc")
        self.assertVerdict(verdicts[3], "media_error", 1, "member-gone",
                           state_before="failed")
        self.assertCodes(verdicts[3], (4, 0x44, 0), (0, 0x06, True, False),
                         (0x61, 0x04, ["DRDY", "DF", "ERR"], ["ABRT"]),
                         (5, "EIO"))
        self.assertEqual(verdicts[3]["scsi"]["key_name"], "HARDWARE ERROR")
        # Other members, and sdc outside a rebuild, pass.
        [other] = explain("raid_member_fails_mid_rebuild.txtpb", "--events",
                          "rebuild_start", "--op", "read", "--lba", "4096",
                          "--target", "sdb", "--repeat", "1")
        self.assertVerdict(other, "pass", None, None, matched=[])
        [optimal] = explain("raid_member_fails_mid_rebuild.txtpb", "--op",
                            "read", "--lba", "4096", "--target", "sdc")
        self.assertVerdict(optimal, "pass", None, None)

    def test_power_loss_tears_one_write(self):
        [v] = explain("power_loss_torn_write.txtpb", "--events", "power_cut",
                      "--op", "write", "--lba", "1048570", "--blocks", "16")
        self.assertVerdict(v, "torn_write", 0, "journal-tear",
                           reported="success", first_bad_lba=1048579,
                           good_blocks=9, bad_blocks=7, state_before="cutting",
                           state_after="running", scsi=None)
        [normal] = explain("power_loss_torn_write.txtpb", "--op", "write",
                           "--lba", "1048570", "--blocks", "16")
        self.assertVerdict(normal, "pass", None, None)

    def test_demo(self):
        [v] = explain("demo.txtpb", "--op", "read", "--lba", "1000",
                      "--blocks", "32")
        self.assertVerdict(v, "media_error", 0, "unreadable-1010",
                           first_bad_lba=1010, good_blocks=10, bad_blocks=1)
        self.assertCodes(v, (3, 0x11, 1), (2, 0x81, True, False),
                         (0x41, 0x40, ["DRDY", "ERR"], ["UNC"]), (5, "EIO"))
        [aged] = explain("demo.txtpb", "--events", "age", "--op", "read",
                         "--lba", "1996", "--blocks", "16")
        self.assertVerdict(aged, "media_error", 2, "aging",
                           first_bad_lba=2000, good_blocks=4,
                           delay_ns=1500000000)

    def test_other_block_size_reports_in_its_units(self):
        # 4096-byte LBAs over a 512-byte rule file: LBA 15432 covers
        # 512-byte LBAs 123456..123463.
        [v] = explain("unrecoverable_sector.txtpb", "--op", "read", "--lba",
                      "15430", "--blocks", "4", "--block-size", "4096")
        self.assertVerdict(v, "media_error", 0, "bad-sector-123456",
                           block_size=4096, first_bad_lba=15432,
                           good_blocks=2, first_bad_byte=123456 * 512,
                           bad_bytes=512)


if __name__ == "__main__":
    clitest.main()
