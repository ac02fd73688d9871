#!/bin/sh
# Offline stand-in for Bazel's coverage tools (see third_party/README.md).
echo "bazel coverage is not available offline (no remote_coverage_tools); build with --copt=--coverage --linkopt=--coverage and use gcov/gcovr" >&2
exit 1
