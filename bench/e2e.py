#!/usr/bin/env python3
"""End-to-end cost of faultcore in QEMU's I/O path, next to upstream blkdebug.

Measures `qemu-img bench` (4 KiB reads and writes, queue depth 1 and 32) on a
null-co disk with read-zeroes=on, for:

  nofilter      raw -> null-co
  blkdebug/N    raw -> blkdebug -> null-co with N upstream inject-error rules
                (an ini config file; N = 0 is blkdebug without rules)
  faultcore/N   raw -> blkdebug -> null-co, blkdebug handing every request to
                libfaultcore with N one-sector media-error rules (.binpb)

All rules lie above the first GiB; the requests stay inside it, so no rule
ever fires: what is measured is the cost of deciding.  (Before measuring,
qemu-io proves the rules are live: a read of a rule's sector fails.)

Repetitions are interleaved (A B C ... A B C ...) so that load changes on a
shared machine hit every configuration alike; each configuration's request
count is calibrated so that one run takes about --run-seconds.  Reports the
median microseconds per request and the ratio to nofilter (and to blkdebug
without rules, the cost of the blkdebug layer itself).

  e2e.py --lib libfaultcore.so --make-rules make_rule_files \\
         [--qemu-img PATH] [--reps 5] [--out bench/results/e2e.json]
"""

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

MODES = [("read", 1), ("read", 32), ("write", 1), ("write", 32)]
DEFAULT_COUNTS = [1, 1000, 10000, 100000, 1000000]
MAX_REQUESTS = 200000


def label(n):
    if n >= 1000000 and n % 1000000 == 0:
        return "%dM" % (n // 1000000)
    if n >= 1000 and n % 1000 == 0:
        return "%dk" % (n // 1000)
    return str(n)


def find_qemu_img(repo):
    """The pipeline's build (make qemu-dir) when finished, else qemu-dev's."""
    try:
        d = subprocess.run(["make", "-s", "--no-print-directory", "qemu-dir"],
                           cwd=repo, stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, text=True,
                           timeout=60).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        d = ""
    if d and os.path.exists(os.path.join(os.path.dirname(d), ".done")) and \
            os.access(os.path.join(d, "qemu-img"), os.X_OK):
        return os.path.join(d, "qemu-img")
    fallback = "/work/qemu-dev/build/qemu-img"
    if os.access(fallback, os.X_OK):
        return fallback
    raise SystemExit("e2e: no qemu-img with the faultcore series "
                     "(run make qemu, or pass --qemu-img)")


class Config:
    def __init__(self, kind, n, files, lib):
        self.kind, self.n = kind, n
        self.name = kind if kind == "nofilter" else "%s/%s" % (kind, label(n))
        self.files, self.lib = files, lib

    def image_opts(self, op):
        if self.kind == "nofilter":
            return "driver=raw,file.driver=null-co,file.read-zeroes=on"
        opts = ["driver=raw", "file.driver=blkdebug"]
        if self.kind == "blkdebug" and self.n > 0:
            opts.append("file.config=%s" % self.files["ini_" + op])
        elif self.kind == "faultcore":
            opts.append("file.faultcore=%s" % self.files["binpb"])
        opts += ["file.image.driver=null-co", "file.image.read-zeroes=on"]
        return ",".join(opts)


def run_bench(qemu_img, cfg, op, depth, count):
    cmd = [qemu_img, "bench", "--image-opts", "-c", str(count), "-d",
           str(depth), "-s", "4k"]
    if op == "write":
        cmd.append("-w")
    cmd.append(cfg.image_opts(op))
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
    m = re.search(r"Run completed in ([0-9.]+) seconds", proc.stdout)
    if proc.returncode != 0 or not m:
        raise SystemExit("e2e: %s failed:\n%s%s" % (" ".join(cmd), proc.stdout,
                                                    proc.stderr))
    return float(m.group(1))


def prove_live(qemu_io, cfg, first_lba):
    """A read (write) of the first rule's sector fails; one at 0 passes."""
    if cfg.kind == "nofilter" or cfg.n == 0:
        return
    for op in ("read", "write"):
        if cfg.kind == "faultcore" and op == "write":
            continue  # media errors fail reads only
        opts = cfg.image_opts(op) + ",file.image.size=1T"
        bad = subprocess.run([qemu_io, "--image-opts", "-c",
                              "%s %d 4096" % (op, first_lba * 512), opts],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True).stdout
        good = subprocess.run([qemu_io, "--image-opts", "-c",
                               "%s 0 4096" % op, opts],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True).stdout
        if "Input/output error" not in bad or "failed" in good:
            raise SystemExit("e2e: %s rules are not live (%s at LBA %d: %r; "
                             "at 0: %r)" % (cfg.name, op, first_lba,
                                            bad.strip(), good.strip()))


def load_average():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def main():
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--qemu-img", help="default: make qemu-dir's, else "
                    "/work/qemu-dev/build/qemu-img")
    ap.add_argument("--lib", required=True,
                    help="libfaultcore.so built with -c opt")
    ap.add_argument("--make-rules", required=True,
                    help="bench/make_rule_files (bazel-bin)")
    ap.add_argument("--counts", default=",".join(map(str, DEFAULT_COUNTS)))
    ap.add_argument("--upstream-max", type=int, default=1000000,
                    help="largest N measured for upstream blkdebug")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--run-seconds", type=float, default=0.6,
                    help="target duration of one qemu-img bench run")
    ap.add_argument("--workdir", help="where rule files go (default: a "
                    "temporary directory)")
    ap.add_argument("--out", help="write the results as JSON here")
    args = ap.parse_args()

    qemu_img = args.qemu_img or find_qemu_img(repo)
    qemu_io = os.path.join(os.path.dirname(qemu_img), "qemu-io")
    lib = os.path.abspath(args.lib)
    # QEMU takes the library from its environment, never from an option
    os.environ["QEMU_FAULTCORE_LIB"] = lib
    counts = [int(c) for c in args.counts.split(",") if c]
    workdir = args.workdir or tempfile.mkdtemp(prefix="faultcore-e2e-")
    os.makedirs(workdir, exist_ok=True)
    try:
        return measure(args, qemu_img, qemu_io, lib, counts, workdir)
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)  # ~130 MB at 1M rules


def measure(args, qemu_img, qemu_io, lib, counts, workdir):

    gen = subprocess.run([args.make_rules, workdir] + [str(n) for n in counts],
                         stdout=subprocess.PIPE, text=True, check=True).stdout
    first_lba = {int(m.group(1)): int(m.group(2))
                 for m in re.finditer(r"N (\d+) first_lba (\d+)", gen)}

    def files(n):
        return {"binpb": os.path.join(workdir, "faultcore-%s.binpb" % label(n)),
                "ini_read": os.path.join(workdir,
                                         "blkdebug-%s-read_aio.ini" % label(n)),
                "ini_write": os.path.join(
                    workdir, "blkdebug-%s-write_aio.ini" % label(n))}

    configs = [Config("nofilter", 0, {}, lib), Config("blkdebug", 0, {}, lib)]
    configs += [Config("blkdebug", n, files(n), lib) for n in counts
                if n <= args.upstream_max]
    configs += [Config("faultcore", n, files(n), lib) for n in counts]

    version = subprocess.run([qemu_img, "--version"], stdout=subprocess.PIPE,
                             text=True).stdout.splitlines()[0]
    print("e2e: %s (%s), lib %s" % (qemu_img, version, lib), flush=True)
    for cfg in configs:
        prove_live(qemu_io, cfg, first_lba.get(cfg.n, 0))
    print("e2e: rules are live (a read of a rule's sector fails)", flush=True)

    # Calibrate each (config, mode): requests per run for ~run_seconds.
    count = {}
    for cfg in configs:
        for op, depth in MODES:
            probe = 2000 if cfg.kind != "blkdebug" or cfg.n < 10000 else 20
            secs = run_bench(qemu_img, cfg, op, depth, probe)
            per_req = max(secs, 1e-4) / probe
            count[(cfg.name, op, depth)] = int(min(
                MAX_REQUESTS, max(20, args.run_seconds / per_req)))
    print("e2e: calibrated; %d configurations x %d modes x %d repetitions"
          % (len(configs), len(MODES), args.reps), flush=True)

    samples = {k: [] for k in count}
    load_before = load_average()
    started = time.time()
    for rep in range(args.reps):
        for cfg in configs:
            for op, depth in MODES:
                c = count[(cfg.name, op, depth)]
                secs = run_bench(qemu_img, cfg, op, depth, c)
                samples[(cfg.name, op, depth)].append(secs / c * 1e6)
        print("e2e: repetition %d/%d done (load %s)"
              % (rep + 1, args.reps, " ".join("%.2f" % x
                                              for x in load_average())),
              flush=True)
    load_after = load_average()

    results = []
    for op, depth in MODES:
        base = statistics.median(samples[("nofilter", op, depth)])
        bd0 = statistics.median(samples[("blkdebug/0", op, depth)])
        for cfg in configs:
            s = samples[(cfg.name, op, depth)]
            med = statistics.median(s)
            results.append({
                "config": cfg.name, "kind": cfg.kind, "rules": cfg.n,
                "op": op, "depth": depth,
                "requests_per_run": count[(cfg.name, op, depth)],
                "us_per_request": s, "median_us": med,
                "min_us": min(s), "max_us": max(s),
                "ratio_to_nofilter": med / base,
                "ratio_to_blkdebug0": med / bd0,
            })

    print()
    print("median us/request (min..max over %d interleaved runs); ratio to "
          "nofilter; ratio to blkdebug/0" % args.reps)
    for op, depth in MODES:
        print("\n%s, depth %d" % (op, depth))
        print("  %-16s %10s %21s %9s %9s" % ("config", "median", "min..max",
                                            "/nofilter", "/bd0"))
        for r in results:
            if r["op"] != op or r["depth"] != depth:
                continue
            print("  %-16s %10.3f %21s %8.3fx %8.3fx" % (
                r["config"], r["median_us"],
                "%.3f..%.3f" % (r["min_us"], r["max_us"]),
                r["ratio_to_nofilter"], r["ratio_to_blkdebug0"]))

    if args.out:
        out = {
            "qemu_img": qemu_img, "qemu_version": version, "lib": lib,
            "reps": args.reps, "run_seconds": args.run_seconds,
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z",
                                     time.localtime(started)),
            "duration_s": round(time.time() - started, 1),
            "load_before": load_before, "load_after": load_after,
            "host": platform.node(), "kernel": platform.release(),
            "results": results,
        }
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as f:
            json.dump(out, f, indent=1)
        print("\ne2e: results written to %s" % args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
