#!/usr/bin/python3
"""soak_check.py: after a soak boot, checks every block of the disk against
what the rules allowed (suites/soak.sh).

  soak_check.py --image IMG --serial LOG --trace TRACE.jsonl --seed S
                [--workers W --region B --guard G] [--control]

Inputs: the disk image after QEMU exited; the guest's serial log with
soakio's per-request lines (tests/guest/helpers/soakio.c says their format
and the sector format recomputed here); the dump of an injected-only trace
(every request a rule acted on).

The fault record.  From the trace (which must have dropped nothing):
  - a block is *write-touched* when a write (or write-zeroes, discard) that
    covered it was torn or lost, or failed (write fault, a heal's failed
    write, a hold or ask that timed out with FAIL); a write that was only
    delayed, or held and then went on, is not: it must land whole;
  - a block is *corrupt-read* when a read covering it got `corrupt`.

The checks, each printed as PASS:/FAIL: with numbers:
  - the trace is complete (dropped 0) and every worker ran to its end line;
  - every request the guest saw fail overlaps an injected request of the
    same kind that failed: no error comes from nowhere;
  - every block a read returned that differs from the guest's model (the
    last write the device acknowledged) is explained: garbage only in a
    corrupt-read block, another write's data (or the image pattern) only in a
    write-touched block and only data that some write of that block carried;
  - the image after the run: a block outside every worker's region holds the
    image pattern; a block not write-touched holds exactly its last
    acknowledged write (or the pattern if it was never written); a
    write-touched block holds the pattern or the exact data of some write of
    that block.  No byte changed outside an injected fault.
--control first flips one bit of a block no fault touched (in memory; the
file is not changed): the image check must then fail.
Ends with 'N passed, N failed'; exit 1 on any failure.
"""

import argparse
import collections
import json
import struct
import sys

BS = 512
WORDS = BS // 8
M64 = (1 << 64) - 1
SOAK_MAGIC = 0x4B414F535346
K1 = 0x9E3779B97F4A7C15
K2 = 0xD1B54A32D192ED03
FCTEST_MAGIC = 0xFC5E000000000000
WRITE_OPS = ("write", "write_zeroes", "discard")


def soak_sector(lba, wid, seed):
    base = wid ^ ((lba * K1) & M64)
    return struct.pack("<%dQ" % WORDS, SOAK_MAGIC, lba, wid, seed,
                       *[base ^ ((k * K2) & M64) for k in range(4, WORDS)])


def pattern_sector(lba):
    return struct.pack("<Q", FCTEST_MAGIC | (lba & 0xFFFFFFFFFFFF)) * WORDS


class Ranges:
    """A set of blocks, kept as a per-block set (the disks are small)."""

    def __init__(self):
        self.blocks = set()

    def add(self, offset, nbytes):
        first = offset // BS
        last = (offset + max(nbytes, 1) - 1) // BS
        self.blocks.update(range(first, last + 1))

    def overlaps(self, lba, n):
        return any(b in self.blocks for b in range(lba, lba + n))


def parse_serial(path):
    writes, reads, ends = [], [], {}
    inside = False
    with open(path, errors="replace") as f:
        for raw in f:
            line = raw.strip("\r\n")
            if line == "SOAK-LOG-BEGIN":
                inside = True
                continue
            if line == "SOAK-LOG-END":
                inside = False
                continue
            if not inside or not line:
                continue
            p = line.split()
            if p[0] == "W":
                writes.append((int(p[1]), int(p[2], 16), int(p[3]), int(p[4]),
                               int(p[5]), int(p[6])))
            elif p[0] == "R":
                diffs = []
                for item in p[8:]:
                    lba, _, obs = item.partition("=")
                    diffs.append((int(lba), obs))
                reads.append((int(p[1]), int(p[3]), int(p[4]), int(p[5]),
                              int(p[6]), int(p[7]), diffs))
            elif p[0] == "E":
                ends[int(p[1])] = [int(x) for x in p[2:]]
    return writes, reads, ends


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--image", required=True)
    ap.add_argument("--serial", required=True)
    ap.add_argument("--trace", required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--region", type=int, default=3072)
    ap.add_argument("--guard", type=int, default=64)
    ap.add_argument("--control", action="store_true",
                    help="flip one bit of a block no fault touched first: "
                    "the check must then fail")
    a = ap.parse_args()
    passed = failed = 0

    def check(ok, msg, details=()):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
        print("%s: %s" % ("PASS" if ok else "FAIL", msg))
        for d in list(details)[:12]:
            print("      | %s" % d)

    with open(a.trace) as f:
        header = json.loads(f.readline())
        recs = [json.loads(l) for l in f if l.strip()]
    touched, corrupt = Ranges(), Ranges()
    failed_reads, failed_writes = Ranges(), Ranges()
    by_action = collections.Counter()
    for r in recs:
        by_action["%s:%s" % (r["op"], r["action"])] += 1
        bad_result = r["result"] is None or r["result"] != 0
        if r["op"] in WRITE_OPS:
            if r["action"] in ("torn_write", "lost_write") or bad_result:
                touched.add(r["offset"], r["bytes"])
            if bad_result:
                failed_writes.add(r["offset"], r["bytes"])
        elif r["op"] == "read":
            if r["action"] == "corrupt":
                corrupt.add(r["offset"], r["bytes"])
            if bad_result:
                failed_reads.add(r["offset"], r["bytes"])
    check(header.get("injected-only") is True and header.get("dropped") == 0,
          "the trace is the complete record of injected requests: %d recorded,"
          " %s dropped (capacity %s)" % (header.get("recorded", -1),
                                         header.get("dropped"),
                                         header.get("capacity")),
          ["%s: %d" % kv for kv in sorted(by_action.items())])

    writes, reads, ends = parse_serial(a.serial)
    check(sorted(ends) == list(range(a.workers)),
          "every worker ran to its end: %d writes and %d reads logged, "
          "end lines of workers %s" % (len(writes), len(reads), sorted(ends)),
          ["worker %d: ops=%d writes=%d reads=%d write_errors=%d "
           "read_errors=%d max_ms=%.1f" % ((w,) + tuple(e[:5]) + (e[5] / 1000,))
           for w, e in sorted(ends.items())])

    # Errors the guest saw must come from injected failures.
    stray = [("write", lba, n, rc) for _, _, lba, n, rc, _ in writes
             if rc and not failed_writes.overlaps(lba, n)]
    stray += [("read", lba, n, rc) for _, lba, n, rc, _, _, _ in reads
              if rc and not failed_reads.overlaps(lba, n)]
    nerr = sum(1 for w in writes if w[4]) + sum(1 for r in reads if r[3])
    check(not stray, "every one of the %d errors the guest saw overlaps an "
          "injected failure of its kind" % nerr,
          ["%s %d+%d errno %d: no injected failure there" % s for s in stray])

    # What each block may hold: writes attempted, and the last acknowledged.
    attempted = collections.defaultdict(set)
    last_acked = {}
    for _, wid, lba, n, rc, _ in writes:  # per worker in order, regions apart
        for b in range(lba, lba + n):
            attempted[b].add(wid)
            if rc == 0:
                last_acked[b] = wid

    unexplained, ndiff = [], 0
    for _, lba, n, rc, _, k, diffs in reads:
        ndiff += k
        if k > len(diffs):
            unexplained.append("read %d+%d: %d blocks differ but %d are "
                               "listed: the log is incomplete"
                               % (lba, n, k, len(diffs)))
        for b, obs in diffs:
            if obs == "X":
                if b not in corrupt.blocks:
                    unexplained.append("block %d read back damaged, no corrupt "
                                       "read covered it" % b)
            elif b not in touched.blocks:
                unexplained.append("block %d read back %s instead of its last "
                                   "acknowledged write, and no write of it was "
                                   "torn, lost or failed" % (b, obs))
            elif obs != "I" and int(obs, 16) not in attempted[b]:
                unexplained.append("block %d read back write %s, never written "
                                   "there" % (b, obs))
    check(not unexplained, "every block a read returned differently from the "
          "guest's model (%d) is explained by an injected fault" % ndiff,
          unexplained)

    regions = [range(a.guard + w * (a.region + a.guard),
                     a.guard + w * (a.region + a.guard) + a.region)
               for w in range(a.workers)]
    in_region = set()
    for r in regions:
        in_region.update(r)
    with open(a.image, "rb") as f:
        image = bytearray(f.read())
    if a.control:
        # The check must notice a single flipped bit where no fault wrote.
        victims = sorted(b for b in last_acked if b not in touched.blocks)
        if not victims:
            print("CONTROL no acknowledged, untouched block to flip a bit in")
            return 2
        b = victims[len(victims) // 2]
        image[b * BS + 300] ^= 0x10
        print("CONTROL flipped bit 4 of byte 300 of block %d (last write %x)"
              % (b, last_acked[b]))
    image = bytes(image)
    nblocks = len(image) // BS
    outside_bad, exact_bad, touched_bad = [], [], []
    exact = in_touched = 0
    for b in range(nblocks):
        got = image[b * BS:(b + 1) * BS]
        if b not in in_region:
            if got != pattern_sector(b):
                outside_bad.append("block %d (outside every region) changed" % b)
            continue
        if b not in touched.blocks:
            wid = last_acked.get(b, 0)
            want = soak_sector(b, wid, a.seed) if wid else pattern_sector(b)
            exact += 1
            if got != want:
                exact_bad.append("block %d: want %s, holds %s" % (
                    b, "write %x" % wid if wid else "the image pattern",
                    describe(got, b, a.seed)))
            continue
        in_touched += 1
        if got == pattern_sector(b):
            continue
        wid = struct.unpack_from("<Q", got, 16)[0]
        if wid not in attempted[b] or got != soak_sector(b, wid, a.seed):
            touched_bad.append("block %d (fault-touched) holds %s, not the data "
                               "of any write of it" % (b, describe(got, b, a.seed)))
    written = sum(1 for b in last_acked if b not in touched.blocks)
    check(not outside_bad, "the %d blocks outside the workers' regions hold "
          "the image pattern" % (nblocks - len(in_region)), outside_bad)
    check(not exact_bad, "the %d blocks no injected fault wrote hold exactly "
          "their last acknowledged write (%d written, %d never)" % (
              exact, written, exact - written), exact_bad)
    check(not touched_bad, "the %d fault-touched blocks hold the data of one "
          "of their writes, or the image pattern" % in_touched, touched_bad)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def describe(got, lba, seed):
    if got == pattern_sector(lba):
        return "the image pattern"
    w = struct.unpack_from("<4Q", got)
    if w[0] == SOAK_MAGIC:
        ok = got == soak_sector(w[1], w[2], w[3])
        return "write %x for lba %d seed %d%s" % (
            w[2], w[1], w[3], "" if ok else " (damaged)")
    return "unknown bytes %s" % got[:16].hex()


if __name__ == "__main__":
    sys.exit(main())
