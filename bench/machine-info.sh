#!/usr/bin/env bash
# The machine a benchmark ran on, for bench/results/ and docs/BENCHMARKS.md.
set -u
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "uptime: $(uptime)"
echo "kernel: $(uname -sr)"
echo "cpus: $(nproc)"
lscpu | grep -E '^(Model name|CPU\(s\)|Thread\(s\) per core|Core\(s\) per socket|Hypervisor vendor|L1d cache|L2 cache|L3 cache|CPU max MHz|BogoMIPS):' \
  | sed -E 's/ +/ /g; s/^/lscpu: /'
echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
echo "compiler: $(gcc --version | head -n 1)"
echo "os: $(. /etc/os-release && echo "$PRETTY_NAME")"
