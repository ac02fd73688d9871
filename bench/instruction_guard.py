#!/usr/bin/env python3
"""Instruction-count regression guard for faultcore's hot path.

Runs bench/hot_path_workloads (built with -c opt) under callgrind, which
counts the instructions executed by exactly N checks of each fixed workload
(setup and warm-up excluded, see hot_path_workloads.cc), and compares the
instructions per check with the budget checked in at
bench/instruction_budget.txt.  A workload fails when it exceeds its budget by
more than the margin stated in that file.  Counts, unlike times, do not
depend on the machine's load: the same binary gives the same numbers on a
busy 2-core VM and on an idle workstation.

  instruction_guard.py --binary PATH [--budget FILE]           # check
  instruction_guard.py --binary PATH [--budget FILE] --update  # re-measure

Prints a table and ends with one line 'N passed, N failed' (one per
workload).  Exit status: 0 when nothing failed, 1 otherwise.
"""

import argparse
import datetime
import os
import re
import shutil
import subprocess
import sys
import tempfile

DEFAULT_MARGIN_PERCENT = 5.0
# A workload this much cheaper than its budget is reported (not failed):
# lower the budget so the guard keeps its grip.
IMPROVED_PERCENT = 10.0
# How a dump made by CALLGRIND_DUMP_STATS_AT(name) names itself.
DUMP_TRIGGER = "desc: Trigger: Client Request: "


def run_workloads(valgrind, binary, keep_dir=None):
    """Returns ({workload: instructions per check}, notes)."""
    out_dir = keep_dir or tempfile.mkdtemp(prefix="faultcore-guard-")
    try:
        cmd = [valgrind, "--tool=callgrind", "--collect-atstart=no",
               "--callgrind-out-file=" + os.path.join(out_dir, "cg.out.%p"),
               binary]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            sys.stderr.write(proc.stdout + proc.stderr)
            raise SystemExit("instruction_guard: %s exited with %d"
                             % (binary, proc.returncode))
        checks = None
        workloads = []
        for line in proc.stdout.splitlines():
            m = re.match(r"checks_per_workload (\d+)$", line)
            if m:
                checks = int(m.group(1))
            m = re.match(r"workload (\S+) fired .* (ok|WRONG)$", line)
            if m:
                workloads.append(m.group(1))
        if checks is None or not workloads:
            raise SystemExit("instruction_guard: unexpected output from %s:\n%s"
                             % (binary, proc.stdout))
        counts = {}
        for name in os.listdir(out_dir):
            if not name.startswith("cg.out."):
                continue
            trigger, total = None, None
            with open(os.path.join(out_dir, name)) as f:
                for line in f:
                    if line.startswith(DUMP_TRIGGER):
                        trigger = line[len(DUMP_TRIGGER):].strip()
                    elif line.startswith("summary: ") or \
                            line.startswith("totals: "):
                        total = int(line.split()[1])
            if trigger is not None and total is not None:
                counts[trigger] = total / checks
        missing = [w for w in workloads if w not in counts]
        if missing:
            raise SystemExit("instruction_guard: no callgrind dump for %s"
                             % ", ".join(missing))
        return {w: counts[w] for w in workloads}, checks
    finally:
        if keep_dir is None:
            shutil.rmtree(out_dir, ignore_errors=True)


def compiler_of(binary):
    """The GCC/clang version string recorded in the binary, if any."""
    try:
        out = subprocess.run(["readelf", "-p", ".comment", binary],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             text=True).stdout
    except OSError:
        return "unknown"
    found = re.findall(r"\]\s+(GCC: .*|clang version .*)$", out, re.M)
    return sorted(set(found))[-1].strip() if found else "unknown"


def valgrind_version(valgrind):
    try:
        return subprocess.run([valgrind, "--version"], stdout=subprocess.PIPE,
                              text=True).stdout.strip()
    except OSError:
        return "unknown"


def read_budget(path):
    budget, margin, meta = {}, DEFAULT_MARGIN_PERCENT, {}
    with open(path) as f:
        for raw in f:
            line = raw.split("#", 1)[0].strip()
            m = re.match(r"#\s*(compiler|valgrind):\s*(.*)$", raw.strip())
            if m:
                meta[m.group(1)] = m.group(2).strip()
            if not line:
                continue
            fields = line.split()
            if fields[0] == "margin_percent":
                margin = float(fields[1])
            elif len(fields) == 2:
                budget[fields[0]] = float(fields[1])
            else:
                raise SystemExit("instruction_guard: %s: bad line: %s"
                                 % (path, raw.rstrip()))
    return budget, margin, meta


def write_budget(path, measured, margin, checks, compiler, valgrind):
    lines = [
        "# faultcore hot-path instruction budget: instructions per check of",
        "# each workload of bench/hot_path_workloads.cc, counted by callgrind",
        "# (Ir) over %d checks, setup and warm-up excluded." % checks,
        "#",
        "# `make bench-guard` fails a workload that needs more than",
        "# budget * (1 + margin_percent / 100).  Update with `make bench-budget`",
        "# and commit the result on purpose, saying why in the commit message.",
        "#",
        "# Measured %s with:" % datetime.date.today().isoformat(),
        "# compiler: %s" % compiler,
        "# valgrind: %s" % valgrind,
        "",
        "margin_percent %g" % margin,
        "",
    ]
    width = max(len(w) for w in measured)
    for w, v in measured.items():
        lines.append("%-*s %.2f" % (width, w, v))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", required=True,
                    help="bench/hot_path_workloads built with -c opt")
    ap.add_argument("--budget", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "instruction_budget.txt"))
    ap.add_argument("--update", action="store_true",
                    help="write the measured counts as the new budget")
    ap.add_argument("--margin", type=float, default=None,
                    help="with --update: the margin to record (default: keep)")
    ap.add_argument("--valgrind", default="valgrind")
    ap.add_argument("--keep", metavar="DIR",
                    help="keep callgrind's dumps in DIR (callgrind_annotate)")
    args = ap.parse_args()

    if shutil.which(args.valgrind) is None:
        raise SystemExit("instruction_guard: %s not found (apt-get install "
                         "valgrind)" % args.valgrind)
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
    measured, checks = run_workloads(args.valgrind, args.binary, args.keep)
    compiler = compiler_of(args.binary)
    valgrind = valgrind_version(args.valgrind)

    if args.update:
        margin = args.margin
        if margin is None:
            margin = (read_budget(args.budget)[1]
                      if os.path.exists(args.budget) else DEFAULT_MARGIN_PERCENT)
        old = read_budget(args.budget)[0] if os.path.exists(args.budget) else {}
        write_budget(args.budget, measured, margin, checks, compiler, valgrind)
        print("instruction budget written to %s (margin %g%%)"
              % (args.budget, margin))
        print("%-20s %12s %12s %8s" % ("workload", "old", "new", "change"))
        for w, v in measured.items():
            o = old.get(w)
            print("%-20s %12s %12.2f %8s" % (
                w, "-" if o is None else "%.2f" % o, v,
                "-" if not o else "%+.1f%%" % (100.0 * (v - o) / o)))
        print("%d passed, 0 failed" % len(measured))
        return 0

    if not os.path.exists(args.budget):
        raise SystemExit("instruction_guard: no budget file %s (run make "
                         "bench-budget)" % args.budget)
    budget, margin, meta = read_budget(args.budget)
    if meta.get("compiler") not in (None, compiler):
        print("note: budget measured with %s, this binary built with %s; "
              "counts may differ" % (meta["compiler"], compiler))
    print("instructions per check (callgrind Ir, %d checks per workload), "
          "margin %g%%" % (checks, margin))
    print("%-20s %12s %12s %8s  %s" % ("workload", "budget", "measured",
                                       "change", "result"))
    passed = failed = 0
    for w, v in measured.items():
        b = budget.get(w)
        if b is None:
            result, ok, change = "FAIL: no budget (make bench-budget)", False, "-"
        else:
            pct = 100.0 * (v - b) / b
            change = "%+.1f%%" % pct
            if v > b * (1 + margin / 100.0):
                result, ok = "FAIL: over budget by more than %g%%" % margin, False
            elif pct < -IMPROVED_PERCENT:
                result, ok = "ok (cheaper: lower the budget, make bench-budget)", True
            else:
                result, ok = "ok", True
        print("%-20s %12s %12.2f %8s  %s" % (
            w, "-" if b is None else "%.2f" % b, v, change, result))
        passed += ok
        failed += not ok
    for w in sorted(set(budget) - set(measured)):
        print("%-20s %12.2f %12s %8s  %s" % (
            w, budget[w], "-", "-", "FAIL: workload gone (make bench-budget)"))
        failed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
