"""Shared helpers for the faultcore CLI tests (tests/cli/*_test.py).

Each test file is run by Bazel as an sh_test whose first argument is the
faultcore binary; the working directory is the workspace's runfiles root, so
examples/ is at examples/.  Results are also written as JUnit XML to
$XML_OUTPUT_FILE, one <testcase> per test method, so that make check counts
each case.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import unittest
import xml.etree.ElementTree as ET

FAULTCORE = None


class Result:
    def __init__(self, code, raw_out, err, seconds):
        self.code = code
        self.raw_out = raw_out
        self.out = raw_out.decode("utf-8", "replace")
        self.err = err
        self.seconds = seconds

    def lines(self):
        return self.out.splitlines()

    def json_lines(self):
        return [json.loads(line) for line in self.out.splitlines()]

    def __repr__(self):
        return "exit %d\n--- stdout ---\n%s--- stderr ---\n%s" % (
            self.code, self.out, self.err)


def run(*args, stdin=None, timeout=300):
    """Runs faultcore with `args`; stdin is bytes or None."""
    start = time.monotonic()
    proc = subprocess.run([FAULTCORE] + [str(a) for a in args],
                          input=stdin if stdin is not None else b"",
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=timeout)
    return Result(proc.returncode, proc.stdout,
                  proc.stderr.decode("utf-8", "replace"),
                  time.monotonic() - start)


def tmpdir():
    return os.environ.get("TEST_TMPDIR") or tempfile.mkdtemp()


def write(name, data):
    """Writes `data` (str or bytes) to a file in the test's temp dir."""
    path = os.path.join(tmpdir(), name)
    with open(path, "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)
    return path


def examples():
    d = "examples"
    return sorted(os.path.join(d, f) for f in os.listdir(d)
                  if f.endswith(".txtpb"))


# --- Protobuf wire format, for big binary rule files ----------------------

def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(number, payload):
    """A length-delimited field."""
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def uint_field(number, value):
    return varint(number << 3) + varint(value)


# --- Trace dumps (faultcore trace) ------------------------------------------

TRACE_HEADER = {"faultcore-trace": 1, "library": "0.1.0", "capacity": 65536,
                "injected-only": False, "recorded": 0, "dropped": 0}


def trace_record(seq, **fields):
    """A record of a trace dump: a passed 4 KiB read unless `fields` (with
    underscores for hyphens: first_bad_offset) say otherwise."""
    r = {"seq": seq, "ns": seq * 1000000, "target": "disk0", "op": "read",
         "offset": 0, "bytes": 4096, "action": "pass", "rule": None,
         "first-bad-offset": None, "good-bytes": 4096, "result": 0,
         "latency-ns": 35000, "state": "initial"}
    for key, value in fields.items():
        r[key.replace("_", "-")] = value
    return r


def trace_text(records, **header):
    """Dump text: the header (recorded = len(records) unless given), then
    one line per record (dicts, or str lines written as they are)."""
    h = dict(TRACE_HEADER, recorded=len(records))
    for key, value in header.items():
        h[key.replace("_", "-")] = value
    lines = [json.dumps(h)]
    for r in records:
        lines.append(r if isinstance(r, str) else json.dumps(r))
    return "\n".join(lines) + "\n"


def duration(ns):
    """tools/cli_format.cc Duration(): "35 us", "1.5 s", "16.4 us"."""
    for unit, name in ((10**9, "s"), (10**6, "ms"), (10**3, "us"), (1, "ns")):
        if ns / unit >= 0.9995 or unit == 1:
            if ns % unit == 0:
                return "%d %s" % (ns // unit, name)
            return ("%.0f %s" if ns / unit >= 999.5 else "%.3g %s") % (
                ns / unit, name)


# --- Running ---------------------------------------------------------------

class _Recorder(unittest.TextTestResult):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cases = []
        self._start = 0.0

    def startTest(self, test):
        self._start = time.monotonic()
        super().startTest(test)

    def _record(self, test, kind, text):
        self.cases.append((test, time.monotonic() - self._start, kind, text))

    def addSuccess(self, test):
        super().addSuccess(test)
        self._record(test, None, "")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._record(test, "failure", self._exc_info_to_string(err, test))

    def addError(self, test, err):
        super().addError(test, err)
        self._record(test, "error", self._exc_info_to_string(err, test))


def main():
    global FAULTCORE
    if len(sys.argv) < 2:
        sys.exit("usage: %s FAULTCORE_BINARY" % sys.argv[0])
    FAULTCORE = os.path.abspath(sys.argv[1])
    suite = unittest.defaultTestLoader.loadTestsFromModule(
        sys.modules["__main__"])
    runner = unittest.TextTestRunner(resultclass=_Recorder, verbosity=2)
    result = runner.run(suite)
    xml_path = os.environ.get("XML_OUTPUT_FILE")
    if xml_path:
        suite_el = ET.Element("testsuite", name=os.path.basename(sys.argv[0]),
                              tests=str(len(result.cases)),
                              failures=str(len(result.failures)),
                              errors=str(len(result.errors)))
        for test, seconds, kind, text in result.cases:
            case = ET.SubElement(suite_el, "testcase",
                                 classname=type(test).__name__,
                                 name=test._testMethodName,
                                 time="%.3f" % seconds)
            if kind:
                ET.SubElement(case, kind, message=text.splitlines()[-1]
                              if text else kind).text = text
        root = ET.Element("testsuites")
        root.append(suite_el)
        ET.ElementTree(root).write(xml_path, encoding="utf-8",
                                   xml_declaration=True)
    sys.exit(0 if result.wasSuccessful() and result.testsRun > 0 else 1)
