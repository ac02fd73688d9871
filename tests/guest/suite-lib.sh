# suite-lib.sh: shared by the real-guest suites (tests/guest/suites/*.sh).
# Source it after setting $here to tests/guest; it parses --qemu/--lib,
# prepares the guest, and gives:
#   pass MSG / fail MSG      count a case (prints PASS:/FAIL:)
#   field LINE KEY           the value of KEY= in a 'key=value ...' line
#   sgio_line OUT TAG        the 'SGIO tag=TAG ...' line of a run's output
#   line_of OUT PREFIX       the first line of OUT starting with PREFIX
#   quote LINE...            the lines, indented as quotes under a case
#   kernel_lines LOG MARK    the guest kernel log lines after the guest ran
#                            'mark MARK' and before its next mark
#   boot NAME ARGS...        run-guest.sh with the suite's --qemu/--lib and
#                            --log $work/NAME.log; sets $out, $rc, $secs
#   expect_kernel CASE MARK PATTERN...
#                            passes when every (ERE) pattern is in the kernel
#                            lines after MARK of boot $log; quotes them
#   finish                   prints 'N passed, N failed' and exits
#   $FCTEST_MKIMAGE          the patterned-image generator (fetch-guest.sh)
# Guest scripts can call 'mark NAME' (defined by $GUEST_PRELUDE) to label
# the kernel log lines that follow.
set -uo pipefail
qemu=${FCTEST_QEMU:-} lib=${FCTEST_LIB:-}
while [ $# -gt 0 ]; do
  case "$1" in
    --qemu) qemu=$2; shift 2 ;;
    --lib) lib=$2; shift 2 ;;
    *) echo "usage: $0 [--qemu QEMU] [--lib libfaultcore.so]" >&2; exit 2 ;;
  esac
done
[ -n "$qemu" ] || qemu=$(make -s -C "$here/../.." qemu-dir)/qemu-system-x86_64
if [ -z "$lib" ]; then
  lib=$(cd "$here/../.." && bazel info bazel-bin 2>/dev/null)/libfaultcore/libfaultcore.so
fi
passed=0 failed=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
finish() { echo "$passed passed, $failed failed"; [ "$failed" = 0 ]; exit; }
field() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n1; }
sgio_line() { printf '%s\n' "$1" | grep "^SGIO tag=$2 " | head -n1; }
line_of() { printf '%s\n' "$1" | grep -m1 "^$2" || true; }
quote() { printf '%s\n' "$@" | sed 's/^/   | /'; }
kernel_lines() {
  sed -n '/FCTEST-DMESG-BEGIN/,/FCTEST-DMESG-END/p' "$1" | tr -d '\r' |
    awk -v m="FCTEST-MARK $2" 'index($0, "FCTEST-MARK ") { on = index($0, m) > 0; next } on' |
    sed 's/ *$//'
}
GUEST_PRELUDE='mark() { echo "FCTEST-MARK $1" >/dev/kmsg; }'

work=$(mktemp -d "${TMPDIR:-/tmp}/fcsuite.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Prepares the guest; the suites use FCTEST_MKIMAGE (and the rest) from it.
guest_env=$("$here/fetch-guest.sh" --print-env) || { fail "fetch-guest.sh"; finish; }
eval "$guest_env"
[ -x "$qemu" ] || { fail "no QEMU at '$qemu' (pass --qemu)"; finish; }
[ -f "$lib" ] || { fail "libfaultcore.so not found at '$lib' (pass --lib)"; finish; }

boot() { # boot NAME run-guest-args... -- guest-commands...
  local name=$1 t0 t1
  shift
  t0=$(date +%s.%N)
  out=$("$here/run-guest.sh" --qemu "$qemu" --lib "$lib" --log "$work/$name.log" "$@")
  rc=$?
  t1=$(date +%s.%N)
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}')
  echo "-- boot '$name': rc=$rc, ${secs}s"
  if [ "$rc" != 0 ]; then
    printf '%s\n' "$out" | tail -n 40
  fi
}
expect_kernel() { # expect_kernel CASE MARK PATTERN...: every pattern in the mark's lines
  local c=$1 m=$2 lines p missing=
  shift 2
  lines=$(kernel_lines "$work/$log.log" "$m")
  for p in "$@"; do
    printf '%s\n' "$lines" | grep -qE "$p" || missing+=" '$p'"
  done
  if [ -z "$missing" ]; then
    pass "$c: the guest kernel says:"
  else
    fail "$c: the guest kernel did not log$missing; it said:"
  fi
  printf '%s\n' "$lines" | grep -v '^$' | sed 's/^/      | /'
}
