#!/usr/bin/env python3
"""Counts test cases in Bazel's JUnit XML results and prints 'N passed, N failed'.

Usage: test-summary.py --testlogs DIR LABEL... [--testlogs DIR2 LABEL...]
For each test LABEL (//pkg:name) the result DIR/pkg/name/test.xml is read; a
missing result counts as a failure.  A target whose XML lists no cases (e.g. a
shell test) counts as one case, passed or failed by its status.
Exit status 1 when a case failed or none ran.
"""
import pathlib
import sys
import xml.etree.ElementTree as ET


def count(xml_path):
    try:
        root = ET.parse(xml_path).getroot()
    except ET.ParseError:
        return 0, 1, [str(xml_path)]
    cases = root.iter("testcase")
    passed = failed = 0
    names = []
    for case in cases:
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
            names.append(f"{xml_path.parent.name}: {case.get('classname')}.{case.get('name')}")
        elif case.get("status") != "notrun" and case.find("skipped") is None:
            passed += 1
    if passed + failed == 0:
        # No case list: take the suite's own verdict.
        suite_failed = any(int(s.get("failures", 0)) + int(s.get("errors", 0)) > 0
                           for s in root.iter("testsuite"))
        if suite_failed:
            return 0, 1, [str(xml_path.parent)]
        return 1, 0, []
    return passed, failed, names


def main(argv):
    passed = failed = 0
    failures = []
    testlogs = None
    for arg in argv:
        if arg == "--testlogs":
            testlogs = None
            continue
        if testlogs is None:
            testlogs = pathlib.Path(arg)
            continue
        rel = arg.lstrip("/").replace(":", "/")
        xml_path = testlogs / rel / "test.xml"
        if not xml_path.exists():
            failed += 1
            failures.append(f"{arg}: no result at {xml_path}")
            continue
        p, f, names = count(xml_path)
        passed += p
        failed += f
        failures += names
    for name in failures:
        print(f"FAILED: {name}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
