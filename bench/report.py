#!/usr/bin/env python3
"""Turns bench/results/ into tables, the targets of issue 8, and a plot.

Reads engine_benchmark.json and dlopen_benchmark.json (google-benchmark JSON,
medians of repetitions), e2e.json (bench/e2e.py) and machine-*.txt; writes
summary.md next to them, replaces the generated block of docs/BENCHMARKS.md
(between its BEGIN/END GENERATED RESULTS markers) and draws the plot.

  report.py --results bench/results [--doc docs/BENCHMARKS.md]
            [--plot docs/benchmarks/cost_vs_rules.png]

The plot needs matplotlib (Debian: python3-matplotlib); without it the
tables are still written.
"""

import argparse
import json
import os
import re
import sys

BEGIN = "<!-- BEGIN GENERATED RESULTS (bench/report.py) -->"
END = "<!-- END GENERATED RESULTS -->"
COUNTS = [1, 1000, 10000, 100000, 1000000]
UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def label(n):
    if n >= 1000000 and n % 1000000 == 0:
        return "%dM" % (n // 1000000)
    if n >= 1000 and n % 1000 == 0:
        return "%dk" % (n // 1000)
    return str(n)


class Micro:
    """Median (or single) google-benchmark results by run name."""

    def __init__(self, paths):
        self.runs, self.context = {}, None
        for path in paths:
            if not os.path.exists(path):
                continue
            with open(path) as f:
                data = json.load(f)
            self.context = self.context or data.get("context")
            for b in data["benchmarks"]:
                if b.get("error_occurred"):
                    continue
                # Registration options are not part of the names used here.
                name = re.sub(r"/(iterations|min_time):[0-9.]+", "",
                              b.get("run_name", b["name"]))
                agg = b.get("aggregate_name")
                if agg == "median" or (agg is None and name not in self.runs):
                    self.runs[name] = b

    def get(self, name):
        return self.runs.get(name)

    def ns(self, name):
        b = self.runs.get(name)
        return None if b is None else b["real_time"] * UNIT_NS[b["time_unit"]]

    def counter(self, name, key):
        b = self.runs.get(name)
        return None if b is None else b.get(key)


def fmt_ns(v):
    if v is None:
        return "n/a"
    if v >= 1e6:
        return "%.1f ms" % (v / 1e6)
    if v >= 1e4:
        return "%.1f µs" % (v / 1e3)
    if v >= 100:
        return "%.0f ns" % v
    return "%.1f ns" % v


def fmt_x(v):
    return "n/a" if v is None else ("%.0f×" % v if v >= 100 else "%.2f×" % v)


def table(header, rows):
    out = ["| " + " | ".join(header) + " |",
           "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def verdict(ok):
    return "n/a" if ok is None else ("**met**" if ok else "**not met**")


def read_text(path):
    if not os.path.exists(path):
        return ""
    with open(path) as f:
        return f.read()


def machine_section(results):
    lines = []
    for kind in ("micro", "e2e"):
        text = read_text(os.path.join(results, "machine-%s.txt" % kind))
        if not text:
            continue
        info = {}
        uptimes = []
        for line in text.splitlines():
            if line.startswith("uptime: "):
                uptimes.append(line[len("uptime: "):])
            elif re.match(r"^ ?\d\d:\d\d:\d\d up ", line):
                uptimes.append(line.strip())
            elif ": " in line:
                k, v = line.split(": ", 1)
                info.setdefault(k, []).append(v)
        loads = [re.search(r"load average: (.*)$", u).group(1)
                 for u in uptimes if "load average" in u]
        if kind == "micro":
            lines.append("- Machine: %s; %s CPUs; %s" % (
                "; ".join(info.get("lscpu", [])), info.get("cpus", ["?"])[0],
                info.get("memory", ["?"])[0]))
            lines.append("- Kernel: %s; %s; %s" % (
                info.get("kernel", ["?"])[0], info.get("os", ["?"])[0],
                info.get("compiler", ["?"])[0]))
        lines.append("- %s run: %s; load average (1, 5, 15 min) at start "
                     "%s, at end %s" % (
                         "Microbenchmark" if kind == "micro" else "End-to-end",
                         info.get("date", ["?"])[0],
                         loads[0] if loads else "?",
                         loads[-1] if len(loads) > 1 else "?"))
    return "\n".join(lines)


def targets(m, e2e):
    rows = []

    def add(target, measured, ok, note=""):
        rows.append((target, measured, verdict(ok), note))

    v = m.ns("Check/no_rules/4KiB")
    add("Lookup with no rules ≤ 2 ns", fmt_ns(v), None if v is None else v <= 2,
        "Check() with no rule set (a rule file cannot be empty)")
    for n, limit in ((1000, 30), (1000000, 150)):
        names = ["Check/miss/%s/%s/%s" % (lay, label(n), size)
                 for lay in ("random", "clustered") for size in ("4KiB", "1MiB")]
        vals = [(nm, m.ns(nm)) for nm in names if m.ns(nm) is not None]
        worst = max((x for _, x in vals), default=None)
        add("Miss lookup at %s rules ≤ %d ns" % (label(n), limit),
            "worst %s (%s)" % (fmt_ns(worst), ", ".join(
                "%s %s" % (nm.split("/")[2] + " " + nm.split("/")[4], fmt_ns(x))
                for nm, x in vals)),
            None if worst is None else worst <= limit)

    def scaling(mode):
        one = m.counter("Readers/%s/1k/real_time/threads:1" % mode,
                        "items_per_second")
        two = m.counter("Readers/%s/1k/real_time/threads:2" % mode,
                        "items_per_second")
        return None if not one or not two else two / one
    ncpu = (m.context or {}).get("num_cpus", 2)
    s_idle, s_paced, s_busy = (scaling("no_writer"), scaling("writer_1ms"),
                               scaling("writer_busy"))
    ideal = min(2, ncpu)
    add("Reader throughput scales with cores while publishing",
        "1→2 readers: %s with a writer republishing 1k rules every ms, %s "
        "with one republishing back to back, %s with no writer" % (
            fmt_x(s_paced), fmt_x(s_busy), fmt_x(s_idle)),
        None if s_paced is None else s_paced >= 0.9 * ideal,
        "criterion: ≥ %.1f× (90%% of %d cores); a back-to-back writer is a "
        "third busy thread on %d cores" % (0.9 * ideal, ideal, ncpu))

    pv = m.ns("Publish/validated/1M")
    pb = m.ns("Publish/binary/1M")
    add("Publishing 1M rules < 1 s",
        "%s compiled+indexed+published; %s from .binpb bytes (parse, "
        "validate, compile, index, publish)" % (fmt_ns(pv), fmt_ns(pb)),
        None if pv is None or pb is None else max(pv, pb) < 1e9)
    lat = m.get("ReaderLatency/publishing/1M")
    idle = m.get("ReaderLatency/idle/1M")
    if lat and idle:
        pub_ms = lat.get("publish_ms_max", 0)
        ok = lat.get("publishes", 0) >= 1 and lat["max_ns"] < 0.1 * pub_ms * 1e6
        add("… without blocking readers",
            "during %d publishes of 1M rules (each up to %.0f ms): reader "
            "p50 %s, p99.9 %s, p99.99 %s, max %s (idle: p50 %s, p99.99 %s, "
            "max %s)" % (
                lat.get("publishes", 0), pub_ms, fmt_ns(lat["p50_ns"]),
                fmt_ns(lat["p99.9_ns"]), fmt_ns(lat["p99.99_ns"]),
                fmt_ns(lat["max_ns"]), fmt_ns(idle["p50_ns"]),
                fmt_ns(idle["p99.99_ns"]), fmt_ns(idle["max_ns"])),
            ok, "criterion: no check waits for a publish (max < 10% of one "
            "publish)")

    if e2e:
        res = e2e["results"]

        def e2e_row(cfg, op, depth):
            for r in res:
                if r["config"] == cfg and r["op"] == op and r["depth"] == depth:
                    return r
            return None
        for cfg, limit, what in (("faultcore/1M", 1.05, "1M rules"),
                                 ("faultcore/1", 1.02,
                                  "0 rules (1 rule: a file cannot be empty)")):
            parts, oks = [], []
            for op, depth in (("read", 1), ("read", 32), ("write", 1),
                              ("write", 32)):
                r = e2e_row(cfg, op, depth)
                if r is None:
                    continue
                parts.append("%s d%d %.3f× (%.3f× blkdebug/0)" % (
                    op, depth, r["ratio_to_nofilter"], r["ratio_to_blkdebug0"]))
                oks.append(r["ratio_to_nofilter"] <= limit)
            add("End-to-end, faultcore with %s ≤ %.2f× no-filter" % (what, limit),
                "; ".join(parts) or "n/a",
                None if not oks else all(oks),
                "per mode; the ratio to blkdebug/0 isolates the engine from "
                "the blkdebug layer")

    ref = m.ns("Blkdebug/request/10k/4KiB")
    refc = m.ns("Blkdebug/rule_check/10k/4KiB")
    fc = m.ns("Check/miss/random/10k/4KiB")
    micro_ratio = ref / fc if ref and fc else None
    parts = ["lookup (same binary, same run): blkdebug %s per request (%s "
             "rule_check alone) vs faultcore %s: %s (%s)" % (
                 fmt_ns(ref), fmt_ns(refc), fmt_ns(fc), fmt_x(micro_ratio),
                 fmt_x(refc / fc if refc and fc else None))]
    e2e_ratio = None
    if e2e:
        bd = [r for r in e2e["results"] if r["config"] == "blkdebug/10k"]
        fcr = {(r["op"], r["depth"]): r for r in e2e["results"]
               if r["config"] == "faultcore/10k"}
        rs = ["%s d%d %s" % (r["op"], r["depth"], fmt_x(
            r["median_us"] / fcr[(r["op"], r["depth"])]["median_us"]))
            for r in bd if (r["op"], r["depth"]) in fcr]
        if bd:
            e2e_ratio = min(r["median_us"] / fcr[(r["op"], r["depth"])]["median_us"]
                            for r in bd if (r["op"], r["depth"]) in fcr)
            parts.append("whole request in qemu-img bench: " + ", ".join(rs))
    add("≥ 100× faster than blkdebug at 10k rules", "; ".join(parts),
        None if micro_ratio is None else micro_ratio >= 100,
        "judged on the lookup; end to end the ratio is bounded by QEMU's own "
        "per-request cost" + (" (%s here)" % fmt_x(e2e_ratio)
                              if e2e_ratio else ""))
    return table(("Target (issue 8)", "Measured", "Verdict", "Note"), rows)


def micro_tables(m):
    out = []
    header = ["rules"]
    cols = []
    for kind in ("miss", "hit"):
        for lay in ("random", "clustered"):
            for size in ("4KiB", "1MiB"):
                header.append("%s %s %s" % (kind, lay, size.replace("KiB", " KiB")
                                             .replace("MiB", " MiB")))
                cols.append((kind, lay, size))
    rows = [["none"] + [fmt_ns(m.ns("Check/no_rules/4KiB")) if c == cols[0]
                        else "" for c in cols]]
    for n in COUNTS:
        rows.append([label(n)] + [fmt_ns(m.ns("Check/%s/%s/%s/%s" % (
            k, lay, label(n), size))) for k, lay, size in cols])
    out.append("**Verdict lookup** (`Engine::Check`, real time per call; "
               "misses never overlap a rule, hits overlap at least one; "
               "'none' = no rule set):\n\n" + table(header, rows))

    rows = []
    for n in [0] + COUNTS:
        ref = m.ns("Blkdebug/request/%s/4KiB" % label(n))
        rc = m.ns("Blkdebug/rule_check/%s/4KiB" % label(n))
        fc = m.ns("Check/no_rules/4KiB" if n == 0 else
                  "Check/miss/random/%s/4KiB" % label(n))
        rows.append([label(n), fmt_ns(rc), fmt_ns(ref), fmt_ns(fc),
                     fmt_x(ref / fc if ref and fc else None)])
    out.append("**Against upstream blkdebug's algorithm** (4 KiB misses; "
               "`rule_check` = the list scan; `request` = event processing + "
               "scan, what one upstream request costs; same binary, same run):"
               "\n\n" + table(("rules", "blkdebug rule_check",
                               "blkdebug request", "faultcore Check",
                               "ratio (request / Check)"), rows))

    rows = []
    for what, n in (("miss", "no_rules"), ("miss", "1k"), ("hit", "1k")):
        rows.append(["%s, %s" % (what, n.replace("_", " "))] +
                    [fmt_ns(m.ns("Api/%s/%s/%s" % (c, what, n)))
                     for c in ("cxx", "c", "c_table", "c_dlopen")])
    out.append("**C ABI against C++** (4 KiB reads; `c` = direct call into "
               "the static library, `c_table` = through `faultcore_get_api()`'s "
               "table, `c_dlopen` = the table of a `dlopen()`ed "
               "libfaultcore.so, QEMU's path):\n\n" +
               table(("request", "C++ Check", "fc_engine_check", "via table",
                      "via dlopen'd .so"), rows))

    rows = []
    for name, what in (
            ("Trigger/none/hit/real_time/threads:1", "plain media error hit"),
            ("Trigger/none/hit/real_time/threads:2",
             "same rule hit by 2 threads (shared counters)"),
            ("Trigger/every_2nd/hit", "trigger every_nth: 2"),
            ("Trigger/probability_0.5/hit", "trigger probability 0.5"),
            ("Trigger/once_exhausted/hit", "trigger once, budget used up"),
            ("PerTarget/hit/real_time/threads:1", "per_target counters"),
            ("PerTarget/hit/real_time/threads:2",
             "per_target, 2 threads, a target each"),
            ("State/gated_off/hit", "rule armed in another state"),
            ("State/next_state/hit", "hit that sets next_state"),
            ("Event/raise", "RaiseEvent (2 transitions)")):
        fr = m.counter(name, "fire_ratio")
        rows.append([what, "`%s`" % name, fmt_ns(m.ns(name)),
                     "" if fr is None else "%.2f" % fr])
    out.append("**Triggers, counters and the state machine** (1k random "
               "rules plus one rule per path; 4 KiB reads at that rule):\n\n" +
               table(("path", "benchmark", "time", "fired"), rows))

    rows = []
    for mode, what in (("no_writer", "no writer"),
                       ("writer_1ms", "writer republishing every 1 ms"),
                       ("writer_busy", "writer republishing back to back")):
        r1 = m.get("Readers/%s/1k/real_time/threads:1" % mode)
        r2 = m.get("Readers/%s/1k/real_time/threads:2" % mode)
        if not r1 or not r2:
            continue
        rows.append([what, "%.1f M/s" % (r1["items_per_second"] / 1e6),
                     "%.1f M/s" % (r2["items_per_second"] / 1e6),
                     fmt_x(r2["items_per_second"] / r1["items_per_second"]),
                     "%.0f/s" % r2.get("publishes", 0)
                     if "publishes" in r2 else ""])
    out.append("**Readers while a writer republishes** (1k random rules, "
               "4 KiB misses, total checks per second over all readers):\n\n" +
               table(("writer", "1 reader", "2 readers", "scaling",
                      "publishes (2 readers)"), rows))

    rows = []
    for n in (1000, 100000, 1000000):
        rows.append([label(n), fmt_ns(m.ns("Publish/validated/%s" % label(n))),
                     fmt_ns(m.ns("Publish/binary/%s" % label(n)))])
    out.append("**Publishing a rule set** (`LoadValidated`: compile, index, "
               "publish, wait for the grace period; `binary`: the same from "
               "serialized bytes, with parsing and validation):\n\n" +
               table(("rules", "validated", "from .binpb bytes"), rows))

    rows = []
    for name, what in (("ReaderLatency/idle/1M", "idle"),
                       ("ReaderLatency/publishing/1M",
                        "while 1M rules are republished back to back")):
        b = m.get(name)
        if not b:
            continue
        rows.append([what] + [fmt_ns(b.get(k)) for k in
                              ("p50_ns", "p99_ns", "p99.9_ns", "p99.99_ns",
                               "max_ns")] +
                    ["%d" % b.get("over_10us", 0), "%.1fM" % (b["checks"] / 1e6),
                     "%d" % b.get("publishes", 0)])
    out.append("**Reader latency during a publish** (one reader, 4 KiB misses "
               "against 1M rules, each check timed with rdtscp; the timer "
               "adds ~10–20 ns):\n\n" +
               table(("", "p50", "p99", "p99.9", "p99.99", "max", "> 10 µs",
                      "checks", "publishes"), rows))
    return "\n\n".join(out)


def e2e_tables(e2e):
    out = ["`qemu-img bench -s 4k` (%s), %d interleaved repetitions; median "
           "µs per request (min–max); ratios of medians. Started %s, load "
           "average %s → %s." % (
               e2e.get("qemu_version", "?"), e2e["reps"], e2e.get("started"),
               " ".join("%.2f" % x for x in e2e.get("load_before", [])),
               " ".join("%.2f" % x for x in e2e.get("load_after", [])))]
    modes = []
    for r in e2e["results"]:
        if (r["op"], r["depth"]) not in modes:
            modes.append((r["op"], r["depth"]))
    configs = []
    for r in e2e["results"]:
        if r["config"] not in configs:
            configs.append(r["config"])
    by = {(r["config"], r["op"], r["depth"]): r for r in e2e["results"]}
    header = ["config"] + ["%s d%d" % md for md in modes] + \
        ["× no-filter (%s)" % ", ".join("%s d%d" % md for md in modes)]
    rows = []
    for c in configs:
        cells = [c]
        ratios = []
        for md in modes:
            r = by.get((c,) + md)
            if r is None:
                cells.append("")
                continue
            cells.append("%.2f (%.2f–%.2f)" % (r["median_us"], r["min_us"],
                                              r["max_us"]))
            ratios.append(fmt_x(r["ratio_to_nofilter"]))
        cells.append(" / ".join(ratios))
        rows.append(cells)
    out.append(table(header, rows))
    return "\n\n".join(out)


def budget_table(path):
    """The guard's checked-in budget (bench/instruction_budget.txt)."""
    if not os.path.exists(path):
        return ""
    rows, margin, meta = [], "?", []
    what = {}
    src = os.path.join(os.path.dirname(path), "hot_path_workloads.cc")
    if os.path.exists(src):
        for name, desc in re.findall(r'\{"(\w+)",\s*"([^"]+)"', read_text(src)):
            what[name] = desc
    for line in read_text(path).splitlines():
        m = re.match(r"# (?:Measured (\S+) with:|compiler: (.*)|valgrind: (.*))$",
                     line)
        if m:
            meta.append(next(g for g in m.groups() if g))
        fields = line.split("#", 1)[0].split()
        if len(fields) == 2 and fields[0] == "margin_percent":
            margin = fields[1]
        elif len(fields) == 2:
            rows.append(("`%s`" % fields[0], what.get(fields[0], ""),
                         fields[1]))
    return ("Budget of `make bench-guard` (`bench/instruction_budget.txt`, "
            "margin %s%%; measured %s):\n\n" % (margin, ", ".join(meta)) +
            table(("workload", "what", "instructions per check"), rows))


def plot(m, e2e, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("report: matplotlib missing (apt-get install python3-matplotlib);"
              " no plot", file=sys.stderr)
        return False
    fig, axes = plt.subplots(1, 2, figsize=(13, 5.2), dpi=110)
    ax = axes[0]
    xs = COUNTS

    def series(fmt):
        pts = [(n, m.ns(fmt % label(n))) for n in xs]
        return [p for p in pts if p[1] is not None]
    for fmt, lab, style in (
            ("Blkdebug/request/%s/4KiB", "blkdebug algorithm (event + scan)",
             dict(color="tab:red", marker="s")),
            ("Blkdebug/rule_check/%s/4KiB", "blkdebug rule_check scan only",
             dict(color="tab:red", marker="s", linestyle="--",
                  markerfacecolor="none")),
            ("Check/miss/random/%s/4KiB", "faultcore Check, random layout",
             dict(color="tab:blue", marker="o")),
            ("Check/miss/clustered/%s/4KiB", "faultcore Check, clustered",
             dict(color="tab:blue", marker="o", linestyle="--",
                  markerfacecolor="none"))):
        pts = series(fmt)
        if pts:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], label=lab,
                    **style)
    nr = m.ns("Check/no_rules/4KiB")
    if nr:
        ax.axhline(nr, color="tab:blue", linestyle=":", linewidth=1)
        ax.text(1.2, nr * 1.15, "faultcore, no rules: %s" % fmt_ns(nr),
                color="tab:blue", fontsize=8)
    for n, y, lab in ((1000, 30, "target 30 ns @1k"),
                      (1000000, 150, "target 150 ns @1M")):
        ax.plot([n], [y], marker="_", markersize=18, color="black")
        ax.annotate(lab, (n, y), textcoords="offset points", xytext=(-40, 8),
                    fontsize=8)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("rules (one-sector faults)")
    ax.set_ylabel("ns per 4 KiB request that matches no rule")
    ax.set_title("Verdict lookup (microbenchmark, one thread)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")

    ax = axes[1]
    if e2e:
        by = {(r["config"], r["op"], r["depth"]): r for r in e2e["results"]}
        for depth, ls in ((1, "-"), (32, "--")):
            for kind, color, marker, name in (
                    ("blkdebug", "tab:red", "s", "upstream blkdebug"),
                    ("faultcore", "tab:blue", "o", "faultcore blkdebug")):
                pts = [(n, by[("%s/%s" % (kind, label(n)), "read", depth)]
                        ["median_us"]) for n in xs
                       if ("%s/%s" % (kind, label(n)), "read", depth) in by]
                if pts:
                    ax.plot([p[0] for p in pts], [p[1] for p in pts],
                            color=color, marker=marker, linestyle=ls,
                            markerfacecolor=color if depth == 1 else "none",
                            label="%s, depth %d" % (name, depth))
            nf = by.get(("nofilter", "read", depth))
            if nf:
                ax.axhline(nf["median_us"], color="gray", linestyle=ls,
                           linewidth=1)
                # Below its line, between the curves that start at x = 1.
                ax.text(12, nf["median_us"] * 0.86,
                        "no filter, depth %d: %.2f µs" % (depth,
                                                         nf["median_us"]),
                        color="gray", fontsize=8, va="top")
        ax.set_title("qemu-img bench, 4 KiB reads (end to end)")
    else:
        ax.text(0.5, 0.5, "no end-to-end results", ha="center",
                transform=ax.transAxes)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("rules (one-sector faults, never hit)")
    ax.set_ylabel("µs per request (median)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    fig.suptitle("Cost per request vs rule count: faultcore vs blkdebug "
                 "(log-log)", fontsize=11)
    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path)
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--results", default="bench/results")
    ap.add_argument("--doc", help="update this file's generated block")
    ap.add_argument("--plot", help="write the PNG here")
    args = ap.parse_args()

    m = Micro([os.path.join(args.results, f) for f in
               ("engine_benchmark.json", "dlopen_benchmark.json")])
    e2e_path = os.path.join(args.results, "e2e.json")
    e2e = None
    if os.path.exists(e2e_path):
        with open(e2e_path) as f:
            e2e = json.load(f)
    if not m.runs and not e2e:
        raise SystemExit("report: no results in %s (make bench)" % args.results)

    parts = ["### Machine\n\n" + machine_section(args.results),
             "### Targets\n\n" + targets(m, e2e),
             "### Microbenchmarks\n\n" + micro_tables(m)]
    if e2e:
        parts.append("### End to end\n\n" + e2e_tables(e2e))
    budget = budget_table(os.path.join(os.path.dirname(
        os.path.abspath(__file__)), "instruction_budget.txt"))
    if budget:
        parts.append("### Instruction budget\n\n" + budget)
    if args.plot:
        rel = os.path.relpath(args.plot, os.path.dirname(args.doc)
                              if args.doc else ".")
        if plot(m, e2e, args.plot):
            parts.append("### Plot\n\n![Cost per request vs rule count](%s)"
                         % rel)
    body = "\n\n".join(parts) + "\n"
    with open(os.path.join(args.results, "summary.md"), "w") as f:
        f.write(body)
    print(body)
    if args.doc:
        with open(args.doc) as f:
            doc = f.read()
        if BEGIN not in doc or END not in doc:
            raise SystemExit("report: %s has no generated block (%s ... %s)"
                             % (args.doc, BEGIN, END))
        head, rest = doc.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        with open(args.doc, "w") as f:
            f.write(head + BEGIN + "\n\n" + body + "\n" + END + tail)
        print("report: updated %s" % args.doc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
