#!/usr/bin/env bash
# Smoke test of the built QEMU (make qemu-smoke):
#   1. qemu-img create -f raw + qemu-io 'read 0 512' on it;
#   2. qemu-system-x86_64 -M q35 -S starts, answers QMP (qmp_capabilities,
#      quit) within 5 s and finds its firmware without -L;
#   3. SeaBIOS actually runs (its debug console says "SeaBIOS (version").
# Usage: smoke-qemu.sh [QEMU_BUILD_DIR]   (default: build-qemu.sh --print-dir)
set -euo pipefail
PROG=qemu-smoke
. "$(dirname "$0")/common.sh"

build=${1:-${QEMU_BUILD_DIR:-$("$SCRIPTS_DIR/build-qemu.sh" --print-dir)}}
for b in qemu-img qemu-io qemu-system-x86_64; do
  [ -x "$build/$b" ] || die "$build/$b not found (run make qemu)"
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { echo "qemu-smoke: ok: $*"; }

# 1. Block layer tools.
"$build/qemu-img" create -q -f raw "$tmp/disk.raw" 1M || die "qemu-img create failed"
out=$("$build/qemu-io" -f raw -c 'read 0 512' "$tmp/disk.raw" 2>&1) || die "qemu-io failed: $out"
grep -q '^read 512/512 bytes at offset 0' <<<"$out" || die "unexpected qemu-io output: $out"
ok "qemu-img create + qemu-io read 0 512"

# 2. QMP handshake on a q35 machine (default devices, so the BIOS, the VGA
#    BIOS and the NIC's option ROM must all be found).
set +e
printf '%s\n' '{"execute":"qmp_capabilities"}' '{"execute":"quit"}' |
  timeout 5 "$build/qemu-system-x86_64" -M q35 -nographic -S -display none \
    -monitor none -serial none -qmp stdio >"$tmp/qmp.out" 2>"$tmp/qmp.err"
rc=$?
set -e
if [ $rc -ne 0 ] || [ "$(grep -c '"return": {}' "$tmp/qmp.out")" -ne 2 ] \
   || ! grep -q '"QMP": {"version": {"qemu"' "$tmp/qmp.out" || [ -s "$tmp/qmp.err" ]; then
  echo "--- stdout"; cat "$tmp/qmp.out"; echo "--- stderr"; cat "$tmp/qmp.err"
  die "qemu-system-x86_64 QMP check failed (exit $rc$([ $rc -eq 124 ] && echo ', timed out'))"
fi
ver=$(sed -n 's/.*"qemu": {"micro": \([0-9]*\), "minor": \([0-9]*\), "major": \([0-9]*\)}.*/\3.\2.\1/p' "$tmp/qmp.out")
ok "qemu-system-x86_64 $ver: q35 started, QMP qmp_capabilities + quit, no firmware warnings"

# 3. The BIOS runs (TCG): wait for SeaBIOS's banner on the debug console.
"$build/qemu-system-x86_64" -M q35 -display none -monitor none -serial none -no-reboot \
  -chardev file,id=dbg,path="$tmp/bios.log" -device isa-debugcon,iobase=0x402,chardev=dbg \
  >"$tmp/run.out" 2>&1 &
pid=$!
for _ in $(seq 50); do
  grep -q 'SeaBIOS (version' "$tmp/bios.log" 2>/dev/null && break
  sleep 0.2
done
kill "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
bios=$(grep -m1 -o 'SeaBIOS (version [^)]*)' "$tmp/bios.log" 2>/dev/null || true)
[ -n "$bios" ] || { cat "$tmp/run.out"; die "SeaBIOS did not start within 10 s"; }
ok "firmware runs: $bios"
