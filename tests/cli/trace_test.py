#!/usr/bin/python3
"""faultcore trace: the timeline, the summary (against totals computed here
from the records), --json, and the SVG charts (well-formed, one mark per
cell or bar that a model of the documented bucketing predicts)."""

import json
import math
import os
import random
import re
import unittest
import xml.etree.ElementTree as ET

import clitest
from clitest import duration, run, trace_record, trace_text, write

SVG = "{http://www.w3.org/2000/svg}"
OPS = ["read", "write", "flush", "discard", "write-zeroes"]
INJECTED = ["media_error", "write_fault", "recovered_error", "delay", "hold",
            "corrupt", "torn_write", "lost_write", "ask"]
CODES = {"scsi": [3, 17, 0], "nvme": [2, 129, 1], "ata": [65, 64], "errno": 5}

# The dump of the format's description: a pass, a media error, a pending
# flush without a target after a state change.
EXAMPLE = [
    trace_record(1),
    trace_record(2, offset=1048576, action="media_error", rule="bad-sector",
                 first_bad_offset=1049088, good_bytes=512, result=-5,
                 latency_ns=15000000, codes=CODES),
    trace_record(3, target=None, op="flush", bytes=0, good_bytes=0,
                 result=None, latency_ns=None, state="degraded"),
]


def random_records(seed, count=300):
    """Records of every op and action, three targets (one of them none),
    completed and pending, some with codes."""
    rng = random.Random(seed)
    records, seq, ns = [], 0, 5 * 10**9
    for _ in range(count):
        seq += rng.randint(1, 3)  # not contiguous
        ns += rng.randrange(0, 2 * 10**6)
        op = rng.choice(OPS + ["write_zeroes"])
        flush = op == "flush"
        size = 0 if flush else rng.choice([512, 4096, 65536, 1 << 20])
        offset = 0 if flush else rng.randrange(0, 1 << 21) * 512 + \
            rng.choice([0, 0, 0, 100])
        action = rng.choice(["pass"] * 6 + INJECTED)
        done = rng.random() < 0.85
        r = trace_record(
            seq, ns=ns, target=rng.choice([None, "disk0", "disk1"]), op=op,
            offset=offset, bytes=size, action=action,
            result=(rng.choice([0, 0, -5, -28]) if done else None),
            latency_ns=(int(rng.lognormvariate(10, 2)) if done else None),
            state=rng.choice(["young", "old"]))
        if rng.random() < 0.02 and done:
            r["latency-ns"] = 0
        if action != "pass":
            r["rule"] = "r%d" % rng.randrange(5)
            r["first-bad-offset"] = offset + rng.randrange(0, max(size, 1))
            r["good-bytes"] = r["first-bad-offset"] - offset
            r["codes"] = CODES
        records.append(r)
    return records


def op_name(op):
    return "write-zeroes" if op == "write_zeroes" else op


def nearest_rank(values, p):
    values = sorted(values)
    return values[max(1, math.ceil(p * len(values) / 100)) - 1]


def model_group(records):
    """The summary of `records`, computed from the records themselves."""
    lat = [r["latency-ns"] for r in records if r["latency-ns"] is not None]
    completed = sum(r["result"] is not None for r in records)
    return {
        "requests": len(records),
        "bytes": sum(r["bytes"] for r in records),
        "completed": completed,
        "pending": len(records) - completed,
        "failed": sum(r["result"] is not None and r["result"] < 0
                      for r in records),
        "injected": sum(r["action"] != "pass" for r in records),
        "by_action": {a: sum(r["action"] == a for r in records)
                      for a in INJECTED},
        "latency_ns": None if not lat else {
            "count": len(lat), "p50": nearest_rank(lat, 50),
            "p99": nearest_rank(lat, 99), "max": max(lat)},
    }


def model_groups(records):
    keys = sorted({(r["target"], OPS.index(op_name(r["op"])))
                   for r in records},
                  key=lambda k: (k[0] is not None, k[0] or "", k[1]))
    out = []
    for target, op in keys:
        group = [r for r in records if r["target"] == target
                 and op_name(r["op"]) == OPS[op]]
        out.append(dict({"target": target, "op": OPS[op]},
                        **model_group(group)))
    return out


def svg_rects(path, css_class):
    root = ET.parse(path).getroot()  # raises unless well-formed
    assert root.tag == SVG + "svg", root.tag
    return [e for e in root.iter(SVG + "rect") if e.get("class") == css_class]


def model_heatmap(records, n):
    """(cells, injected cells) as trace_charts.h documents the bucketing."""
    t0 = min(r["ns"] for r in records)
    span = max(r["ns"] for r in records) - t0 + 1
    ranged = [r for r in records if r["bytes"] > 0]
    cells, injected = set(), set()
    for target in {r["target"] for r in ranged}:
        mine = [r for r in ranged if r["target"] == target]
        low = min(r["offset"] for r in mine) // 512 * 512
        high = -(-max(r["offset"] + r["bytes"] for r in mine) // 512) * 512
        row = lambda b: (b - low) * n // (high - low)
        for r in mine:
            x = (r["ns"] - t0) * n // span
            for y in range(row(r["offset"]),
                           row(r["offset"] + r["bytes"] - 1) + 1):
                cells.add((target, x, y))
            if r["action"] != "pass":
                at = r["first-bad-offset"]
                at = r["offset"] if at is None else at
                at = min(max(at, r["offset"]), r["offset"] + r["bytes"] - 1)
                injected.add((target, x, row(at)))
    return len(cells), len(injected)


def model_histogram(records):
    bars, injected = set(), set()
    for r in records:
        if r["latency-ns"] is None:
            continue
        key = (op_name(r["op"]), r["latency-ns"].bit_length())
        bars.add(key)
        if r["action"] != "pass":
            injected.add(key)
    return len(bars), len(injected)


class TimelineTest(unittest.TestCase):

    def test_example_timeline(self):
        path = write("example.trace", trace_text(EXAMPLE))
        result = run("trace", path)
        self.assertEqual(result.code, 0, result)
        self.assertEqual(result.err, "")
        timeline = result.out.split("\n\n")[0].splitlines()
        self.assertEqual(timeline, [
            "   ms  seq  target  op      offset  bytes   lba  blocks  action"
            "       rule        result   latency",
            "0.000    1  disk0   read         0   4096     0       8  pass  "
            "       -           ok       35 us",
            "1.000    2  disk0   read   1048576   4096  2048       8  "
            "media_error  bad-sector  EIO      15 ms",
            "       failed at LBA 2049 (byte 1049088) after 512 good bytes; "
            "SCSI 03/11/00 MEDIUM ERROR: unrecovered read error; NVMe 2/81 "
            "DNR: unrecovered read error; ATA 0x41/0x40 (DRDY ERR / UNC); "
            "errno EIO",
            '       state "initial" -> "degraded" (from seq 3)',
            "2.000    3  -       flush        -      -     -       -  pass  "
            "       -           pending  -",
        ])

    def test_one_line_per_request_and_times_from_the_first(self):
        records = random_records(1, 120)
        path = write("random.trace", trace_text(records))
        result = run("trace", path)
        self.assertEqual(result.code, 0, result)
        timeline = result.out.split("\n\n")[0].splitlines()
        rows = [l for l in timeline[1:] if re.match(r"^\s*-?\d+\.\d{3}\s", l)]
        self.assertEqual(len(rows), len(records))
        injected = [r for r in records if r["action"] != "pass"]
        t0 = records[0]["ns"]
        for line, r in zip(rows, records):
            cells = line.split()
            self.assertEqual(cells[0], "%.3f" % ((r["ns"] - t0) / 1e6))
            self.assertEqual(cells[1], str(r["seq"]))
            self.assertEqual(cells[2], r["target"] or "-")
            self.assertEqual(cells[3], op_name(r["op"]))
            self.assertIn(r["action"], cells)
        explanations = [l for l in timeline[1:] if l not in rows
                        and not l.strip().startswith("state ")]
        self.assertEqual(len(explanations), len(injected))

    def test_offsets_in_bytes_and_lbas(self):
        records = [trace_record(1, offset=1000, bytes=100),   # LBA 1, 2 blocks
                   trace_record(2, offset=4096, bytes=0, op="discard"),
                   trace_record(3, offset=2**63, bytes=2**63 - 512,
                                op="write")]
        result = run("trace", write("lba.trace", trace_text(records)))
        self.assertEqual(result.code, 0, result)
        rows = [l.split() for l in result.out.splitlines()[1:4]]
        self.assertEqual(rows[0][4:8], ["1000", "100", "1", "2"])
        self.assertEqual(rows[1][4:8], ["4096", "0", "8", "0"])
        self.assertEqual(rows[2][4:8], [str(2**63), str(2**63 - 512),
                                        str(2**54), str(2**54 - 1)])

    def test_explanations_per_action(self):
        records = [
            trace_record(1, op="write", action="write_fault", rule="wf",
                         first_bad_offset=8192, good_bytes=0, result=-5,
                         codes={"scsi": [3, 12, 0], "nvme": [2, 128, 1],
                                "ata": [0x61, 0x10], "errno": 5}),
            trace_record(2, action="recovered_error", rule="", result=0,
                         first_bad_offset=1024, good_bytes=1024,
                         codes={"scsi": [1, 0x18, 0], "nvme": [0, 0, 0],
                                "ata": [0x50, 0], "errno": 0}),
            trace_record(3, action="delay", rule="slow", latency_ns=2 * 10**9,
                         first_bad_offset=0, good_bytes=0, codes=CODES),
            trace_record(4, action="hold", rule="hang", result=None,
                         latency_ns=None, first_bad_offset=0, good_bytes=0,
                         codes=CODES),
            trace_record(5, action="media_error", rule="asked", asked=True,
                         first_bad_offset=0, good_bytes=0, result=-61,
                         codes=dict(CODES, errno=61)),
            trace_record(6, op="write", action="lost_write", rule="lost",
                         first_bad_offset=0, good_bytes=0, codes=CODES),
            trace_record(7, action="ask", rule="ask", result=None,
                         latency_ns=None, first_bad_offset=0, good_bytes=0),
            trace_record(8, op="write", action="torn_write", rule="torn",
                         first_bad_offset=2048, good_bytes=2048, result=0,
                         codes=CODES),
            trace_record(9, action="corrupt", rule="rot",
                         first_bad_offset=512, good_bytes=512, codes=CODES),
            trace_record(10, result=-4095),
        ]
        result = run("trace", "--injected",
                     write("actions.trace", trace_text(records)))
        self.assertEqual(result.code, 0, result)
        lines = result.out.split("\n\n")[0].splitlines()[1:]
        explained = [l.strip() for l in lines[1::2]]
        self.assertEqual(explained, [
            "failed at LBA 16 (byte 8192) after 0 good bytes; SCSI 03/0C/00 "
            "MEDIUM ERROR: write error; NVMe 2/80 DNR: write fault; ATA "
            "0x61/0x10 (DRDY DF ERR / IDNF); errno EIO",
            "recovered error at LBA 2 (byte 1024) after 1024 good bytes (the "
            "data was delivered); SCSI 01/18/00 RECOVERED ERROR: recovered "
            "data with error correction applied; NVMe 0/00: successful "
            "completion; ATA 0x50/0x00 (DRDY DSC / -); errno none",
            "delayed by the rule; completed after 2 s",
            "held by the rule; still held when dumped",
            "decided from outside (ask): failed at LBA 0 (byte 0) after 0 "
            "good bytes; SCSI 03/11/00 MEDIUM ERROR: unrecovered read error; "
            "NVMe 2/81 DNR: unrecovered read error; ATA 0x41/0x40 (DRDY ERR "
            "/ UNC); errno ENODATA",
            "lost write: reported as done, the data was not written",
            "ask: waiting for a decision from outside; not completed when "
            "dumped",
            "torn at LBA 4 (byte 2048) after 2048 written bytes",
            "corrupted at LBA 1 (byte 512) after 512 intact bytes",
        ])
        rows = [l.split() for l in lines[0::2]]
        self.assertEqual([r[9] for r in rows][:2], ["wf", "(unnamed)"])
        self.assertEqual(rows[4][10], "ENODATA")
        self.assertEqual(rows[3][10], "pending")
        # --injected leaves out the passed request, whose result has no name.
        self.assertNotIn("-4095", result.out.split("\n\n")[0])
        self.assertIn("-4095", run("trace", write(
            "actions.trace", trace_text(records))).out)

    def test_unknown_keys_are_ignored(self):
        plain = run("trace", write("plain.trace", trace_text(EXAMPLE)))
        extended = [dict(r, **{"future-key": {"nested": [1, None]},
                               "zz": "x"}) for r in EXAMPLE]
        text = trace_text(extended, **{"new-header-key": [1, 2]})
        result = run("trace", write("plain.trace", text))
        self.assertEqual(result.code, 0, result)
        self.assertEqual(result.out, plain.out)

    def test_both_spellings_of_write_zeroes(self):
        records = [trace_record(1, op="write_zeroes"),
                   trace_record(2, op="write-zeroes")]
        result = run("trace", "--json", write("wz.trace",
                                              trace_text(records)))
        self.assertEqual(result.code, 0, result)
        [group] = json.loads(result.out)["groups"]
        self.assertEqual((group["op"], group["requests"]), ("write-zeroes", 2))

    def test_standard_input_and_control_characters(self):
        records = [trace_record(1, target="evil\x1b[31m", rule=None)]
        result = run("trace", "-", stdin=trace_text(records).encode())
        self.assertEqual(result.code, 0, result)
        self.assertIn("evil?[31m", result.out)
        self.assertNotIn("\x1b", result.out)
        self.assertIn("summary of <stdin>", result.out)

    def test_empty_trace(self):
        result = run("trace", write("empty.trace", trace_text([])))
        self.assertEqual(result.code, 0, result)
        self.assertIn("(no records)", result.out)
        self.assertIn("records   0 (none dropped)", result.out)
        j = json.loads(run("trace", "--json",
                           write("empty.trace", trace_text([]))).out)
        self.assertEqual((j["records"], j["span_ns"], j["groups"]),
                         (0, None, []))
        self.assertEqual(j["total"]["latency_ns"], None)


class SummaryTest(unittest.TestCase):

    def test_json_summary_matches_a_model(self):
        for seed in range(4):
            with self.subTest(seed=seed):
                records = random_records(seed)
                path = write("random.trace", trace_text(records, dropped=7,
                                                        capacity=300))
                result = run("trace", "--json", path)
                self.assertEqual(result.code, 0, result)
                self.assertEqual(len(result.lines()), 1)
                j = json.loads(result.out)
                ns = [r["ns"] for r in records]
                self.assertEqual(
                    {k: j[k] for k in ["dump", "library", "capacity",
                                       "injected_only", "recorded", "records",
                                       "dropped", "first_ns", "last_ns",
                                       "span_ns"]},
                    {"dump": path, "library": "0.1.0", "capacity": 300,
                     "injected_only": False, "recorded": len(records),
                     "records": len(records), "dropped": 7,
                     "first_ns": min(ns), "last_ns": max(ns),
                     "span_ns": max(ns) - min(ns)})
                self.assertEqual(j["groups"], model_groups(records))
                self.assertEqual(j["total"], model_group(records))

    def test_json_keys_are_documented_in_order(self):
        out = run("trace", "--help").out
        documented = re.findall(r"\n      ((?:\w+, )*\w+)\s",
                                out[out.index("\nOUTPUT\n"):])
        keys = [k for line in documented for k in line.split(", ")]
        j = json.loads(run("trace", "--json", write(
            "example.trace", trace_text(EXAMPLE))).out)
        self.assertEqual(keys, list(j.keys()))
        self.assertEqual(list(j["groups"][0].keys()), [
            "target", "op", "requests", "bytes", "completed", "pending",
            "failed", "injected", "by_action", "latency_ns"])
        self.assertEqual(list(j["groups"][0]["by_action"].keys()), INJECTED)

    def test_text_summary_matches_a_model(self):
        records = random_records(9)
        path = write("random.trace", trace_text(records, dropped=3))
        result = run("trace", "--summary", path)
        self.assertEqual(result.code, 0, result)
        lines = result.lines()
        self.assertEqual(lines[0], "summary of " + path)
        self.assertEqual(lines[1], "  records   %d (3 dropped: the ring of "
                         "65536 was full, the oldest went)" % len(records))
        ns = [r["ns"] for r in records]
        self.assertEqual(lines[2], "  span      %s from the first submission "
                         "to the last" % duration(max(ns) - min(ns)))
        table = [re.split(r"\s{2,}", l.strip()) for l in lines[5:]]
        self.assertEqual(table[0], ["target", "op", "requests", "bytes",
                                    "completed", "failed", "p50", "p99",
                                    "max", "injected"])
        expected = []
        for g in model_groups(records) + [dict(model_group(records),
                                               target="all", op="")]:
            lat = g["latency_ns"]
            by = ", ".join("%s %d" % (a, n) for a, n in g["by_action"].items()
                           if n)
            row = [g["target"] or "-", g["op"], str(g["requests"]),
                   str(g["bytes"]), str(g["completed"]), str(g["failed"])]
            row += [duration(lat[k]) if lat else "-"
                    for k in ["p50", "p99", "max"]]
            row.append("%d (%s)" % (g["injected"], by) if by else
                       str(g["injected"]))
            expected.append([c for c in row if c])
        self.assertEqual(table[1:], expected)

    def test_summary_only_and_injected_only(self):
        path = write("example.trace", trace_text(EXAMPLE))
        summary = run("trace", "--summary", path)
        self.assertTrue(summary.out.startswith("summary of "), summary)
        full = run("trace", path)
        self.assertTrue(full.out.endswith(summary.out))
        injected = run("trace", "--injected", path)
        self.assertNotIn("35 us  \n", injected.out.split("\n\n")[0])
        self.assertEqual(len(injected.out.split("\n\n")[0].splitlines()), 4)
        self.assertTrue(injected.out.endswith(summary.out))

    def test_percentiles_are_nearest_rank(self):
        # 100 latencies 1..100 us: p50 = 50 us, p99 = 99 us, max = 100 us.
        records = [trace_record(i, latency_ns=i * 1000) for i in range(1, 101)]
        j = json.loads(run("trace", "--json", write(
            "p.trace", trace_text(records))).out)
        self.assertEqual(j["total"]["latency_ns"], {
            "count": 100, "p50": 50000, "p99": 99000, "max": 100000})

    def test_durations_never_use_exponents(self):
        # 999999 ns rounds to 1 ms, not "1e+03 us"; 1234.5 s is whole seconds.
        records = [trace_record(1, latency_ns=999999),
                   trace_record(2, latency_ns=1234500000001)]
        result = run("trace", write("d.trace", trace_text(records)))
        self.assertEqual(result.code, 0, result)
        self.assertIn(" 1 ms\n", result.out)
        self.assertIn(" 1235 s\n", result.out)
        self.assertNotIn("e+", result.out)

    def test_recorded_mismatch_warns(self):
        text = trace_text(EXAMPLE, recorded=5)
        path = write("short.trace", text)
        result = run("trace", "--summary", path)
        self.assertEqual(result.code, 0, result)
        self.assertEqual(result.err, path + ':1: warning: the header says '
                         '"recorded": 5, but the file has 3 records (cut '
                         'short?)\n')


class ChartTest(unittest.TestCase):

    def test_heatmap_cells(self):
        records = random_records(3)
        path = write("random.trace", trace_text(records))
        for buckets in [1, 7, 16, 64]:
            with self.subTest(buckets=buckets):
                svg = os.path.join(clitest.tmpdir(), "heat.svg")
                result = run("trace", "--summary", "--heatmap", svg,
                             "--buckets", buckets, path)
                self.assertEqual(result.code, 0, result)
                cells, injected = model_heatmap(records, buckets)
                self.assertEqual(len(svg_rects(svg, "cell")) +
                                 len(svg_rects(svg, "cell injected")), cells)
                self.assertEqual(len(svg_rects(svg, "cell injected")),
                                 injected)
                text = ET.tostring(ET.parse(svg).getroot(), encoding="unicode")
                for label in ["LBA (512-byte blocks)",
                              "time since the first request (ms)",
                              "requests per cell",
                              "cells with injected requests",
                              "(no target):", "disk0:", "disk1:"]:
                    self.assertIn(label, text)

    def test_heatmap_of_a_small_trace(self):
        # 2 buckets: the first half of the time and of the LBAs, and the last.
        records = [trace_record(1, ns=0, offset=0, bytes=512),
                   trace_record(2, ns=10, offset=1536, bytes=512,
                                action="media_error", rule="x",
                                first_bad_offset=1536, good_bytes=0,
                                result=-5, codes=CODES),
                   trace_record(3, ns=10, offset=0, bytes=2048),
                   trace_record(4, ns=5, op="flush", bytes=0)]
        svg = os.path.join(clitest.tmpdir(), "small.svg")
        result = run("trace", "--heatmap", svg, "--buckets", "2",
                     write("small.trace", trace_text(records)))
        self.assertEqual(result.code, 0, result)
        plain = svg_rects(svg, "cell")
        red = svg_rects(svg, "cell injected")
        self.assertEqual((len(plain), len(red)), (2, 1))
        self.assertEqual(sorted(c.find(SVG + "title").text for c in plain), [
            "disk0: LBAs 0..1, 0 ns to 5 ns: 1 request",
            "disk0: LBAs 0..1, 5 ns to 11 ns: 1 request"])
        self.assertEqual(red[0].find(SVG + "title").text,
                         "disk0: LBAs 2..3, 5 ns to 11 ns: 2 requests, "
                         "1 injected")

    def test_histogram_bars(self):
        records = random_records(5)
        svg = os.path.join(clitest.tmpdir(), "hist.svg")
        result = run("trace", "--summary", "--histogram", svg,
                     write("random.trace", trace_text(records)))
        self.assertEqual(result.code, 0, result)
        bars, injected = model_histogram(records)
        self.assertEqual(len(svg_rects(svg, "bar")), bars)
        self.assertEqual(len(svg_rects(svg, "bar-injected")), injected)
        text = ET.tostring(ET.parse(svg).getroot(), encoding="unicode")
        ops = {op_name(r["op"]) for r in records if r["latency-ns"] is not None}
        for op in ops:
            self.assertIn(op + ": ", text)

    def test_histogram_buckets_are_log2(self):
        # 0 | 1 | 2, 3 | 4..7: four bars; 1000 and 1023 share [512, 1024).
        records = [trace_record(i + 1, latency_ns=l) for i, l in
                   enumerate([0, 1, 2, 3, 4, 7, 1000, 1023])]
        svg = os.path.join(clitest.tmpdir(), "log2.svg")
        run("trace", "--histogram", svg, write("l.trace", trace_text(records)))
        titles = [b.find(SVG + "title").text for b in svg_rects(svg, "bar")]
        self.assertEqual(titles, [
            "read: 1 request in 0 ns, 0 injected",
            "read: 1 request in [1 ns, 2 ns), 0 injected",
            "read: 2 requests in [2 ns, 4 ns), 0 injected",
            "read: 2 requests in [4 ns, 8 ns), 0 injected",
            "read: 2 requests in [512 ns, 1.02 us), 0 injected"])

    def test_charts_of_nothing_are_still_svg(self):
        path = write("empty.trace", trace_text([]))
        heat = os.path.join(clitest.tmpdir(), "h0.svg")
        hist = os.path.join(clitest.tmpdir(), "l0.svg")
        result = run("trace", "--heatmap", heat, "--histogram", hist, path)
        self.assertEqual(result.code, 0, result)
        self.assertEqual(svg_rects(heat, "cell"), [])
        self.assertEqual(svg_rects(hist, "bar"), [])

    def test_names_are_escaped(self):
        records = [trace_record(1, target='<a&"b\'>\x01\u00e9',
                                action="delay", rule="r", first_bad_offset=0,
                                codes=CODES)]
        heat = os.path.join(clitest.tmpdir(), "esc.svg")
        result = run("trace", "--heatmap", heat,
                     write("esc.trace", trace_text(records)))
        self.assertEqual(result.code, 0, result)
        [cell] = svg_rects(heat, "cell injected")
        # Bytes beyond ASCII are character references of each byte.
        self.assertTrue(cell.find(SVG + "title").text.startswith(
            '<a&"b\'>?\u00c3\u00a9: LBA'))

    def test_written_atomically_and_failures_reported(self):
        d = os.path.join(clitest.tmpdir(), "atomic")
        os.makedirs(d, exist_ok=True)
        svg = os.path.join(d, "heat.svg")
        with open(svg, "w") as f:
            f.write("old")
        path = write("example.trace", trace_text(EXAMPLE))
        result = run("trace", "--summary", "--heatmap", svg, path)
        self.assertEqual(result.code, 0, result)
        self.assertEqual(os.listdir(d), ["heat.svg"])  # no temporary left
        svg_rects(svg, "cell")
        result = run("trace", "--summary", "--histogram",
                     "/nonexistent/dir/h.svg", path)
        self.assertEqual(result.code, 1, result)
        self.assertIn("summary of", result.out)
        self.assertRegex(result.err, r"^faultcore trace: cannot create a file "
                         r"in /nonexistent/dir/")


class UsageTest(unittest.TestCase):

    def usage_error(self, *args, contains):
        result = run("trace", *args)
        self.assertEqual(result.code, 2, result)
        self.assertEqual(result.out, "")
        self.assertIn(contains, result.err)
        self.assertIn("Try 'faultcore trace --help'", result.err)

    def test_usage_errors(self):
        path = write("example.trace", trace_text(EXAMPLE))
        e = self.usage_error
        e(contains="no DUMP given")
        e(path, path, contains="trace takes one DUMP")
        e("--summary", "--injected", path, contains="exclude each other")
        e("--json", "--injected", path, contains="--json prints the summary")
        e("--buckets", "8", path, contains="--buckets only applies with "
          "--heatmap")
        for bad, message in [("0", "must be from 1 to 512"),
                             ("513", "must be from 1 to 512"),
                             ("x", "not a number")]:
            e("--heatmap", "h.svg", "--buckets", bad, path, contains=message)
        e("--heatmap", "-", path, contains='--heatmap: needs a file name')
        e("--histogram", "", path, contains='--histogram: needs a file name')
        e("--heatmap", "a.svg", "--histogram", "a.svg", path,
          contains="name the same file")
        e("--bogus", path, contains="unknown option --bogus")

    def test_help(self):
        result = run("trace", "--help")
        self.assertEqual(result.code, 0, result)
        for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "INPUT", "OPTIONS",
                        "OUTPUT", "EXIT STATUS", "EXAMPLES", "SEE ALSO"]:
            self.assertIn("\n" + section + "\n", "\n" + result.out)
        self.assertIn("trace DUMP", run("--help").out)


if __name__ == "__main__":
    clitest.main()
