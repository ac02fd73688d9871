# shellcheck shell=bash
# Helpers for tests/qemu/cases/*.sh, sourced as ". "$TESTS_DIR/common.sh"".
# run.sh sets: TEST_DIR (the case's temporary directory, also the current
# directory), TESTS_DIR, QEMU_IO, QEMU_IMG, QEMU, FAULTCORE_LIB,
# FAKE_LIB_DIR, and QEMU_FAULTCORE_LIB=FAULTCORE_LIB, which is where every
# QEMU binary takes the library from (never from its options).  Output is compared after the filters of run.sh, so print
# what a reader of the golden file needs to see and nothing that varies.

set -u

# Upper bound of every single QEMU invocation, in seconds.
IO_TIMEOUT=${IO_TIMEOUT:-30}
DISK=$TEST_DIR/disk.img

# _sec "read -P 0xaa" 1000 32 -> "read -P 0xaa 512000 16384": a qemu-io
# command over COUNT 512-byte sectors from sector FIRST.
_sec() {
  echo "$1 $(($2 * 512)) $((${3:-1} * 512))"
}

# _run CMD...: CMD bounded by IO_TIMEOUT, stderr into stdout.
_run() {
  local rc
  timeout -k 5 "$IO_TIMEOUT" "$@" 2>&1
  rc=$?
  if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
    echo "TIMEOUT: $(basename "$1") still ran after ${IO_TIMEOUT}s"
  fi
  return $rc
}

# _make_disk SIZE PATTERN: a raw image filled with the byte PATTERN, so
# that every sector is allocated and has known contents.
_make_disk() {
  _run "$QEMU_IMG" create -f raw "$DISK" "$1" >/dev/null &&
  _run "$QEMU_IO" -f raw -c "write -P $2 0 $1" "$DISK" >/dev/null ||
    echo "cannot create $DISK"
}

# _fc_opts RULES [OPTS]: --image-opts of raw over blkdebug with faultcore
# over the file DISK; OPTS are more options (",OPTS").
_fc_opts() {
  echo "driver=raw,file.driver=blkdebug,file.faultcore=$1,file.image.driver=file,file.image.filename=$DISK${2:+,$2}"
}

# _qio RULES [qemu-io arguments]: qemu-io on DISK through blkdebug+faultcore.
_qio() {
  local rules=$1
  shift
  _run "$QEMU_IO" --image-opts "$(_fc_opts "$rules")" "$@"
}

# _qio_opts RULES OPTS [qemu-io arguments]: the same with more options.
_qio_opts() {
  local rules=$1 opts=$2
  shift 2
  _run "$QEMU_IO" --image-opts "$(_fc_opts "$rules" "$opts")" "$@"
}

# _qio_raw [qemu-io arguments]: qemu-io on DISK as plain raw (no blkdebug):
# what is really on the medium.
_qio_raw() {
  _run "$QEMU_IO" -f raw "$@" "$DISK"
}

# _by_request < QEMU-IO OUTPUT: one line per completed request, its
# "error detail:" lines joined to it, sorted: requests in flight at once
# complete in any order.
_by_request() {
  awk '/^error detail: / { line = line " | " substr($0, 15); next }
       { if (line != "") print line; line = $0 }
       END { if (line != "") print line }' | sort
}

_now_ms() {
  echo $(($(date +%s%N) / 1000000))
}

# _op_ms < QEMU-IO OUTPUT: the time qemu-io measured for the first
# completed operation, in ms (its "00.30 sec" or "0:00:05.01" field).
_op_ms() {
  sed -n 's/.* ops; \([0-9:.]*\)\( sec\)\{0,1\} (.*/\1/p' | head -n 1 |
    awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i;
               printf "%d\n", s * 1000 + 0.5 }'
}

# _expect_ge WHAT VALUE MIN / _expect_lt WHAT VALUE MAX: a timing
# assertion that prints the same line whenever it holds.
_expect_ge() {
  if [ -n "$2" ] && [ "$2" -ge "$3" ]; then
    echo "$1: at least $3 ms"
  else
    echo "$1: FAILED, took ${2:-?} ms, expected at least $3 ms"
  fi
}
_expect_lt() {
  if [ -n "$2" ] && [ "$2" -lt "$3" ]; then
    echo "$1: less than $3 ms"
  else
    echo "$1: FAILED, took ${2:-?} ms, expected less than $3 ms"
  fi
}

# _expect WHAT COMMAND...: prints "WHAT: yes" if COMMAND succeeds, else
# "WHAT: NO".
_expect() {
  local what=$1
  shift
  if "$@"; then
    echo "$what: yes"
  else
    echo "$what: NO"
  fi
}

# _section TITLE
_section() {
  echo
  echo "=== $* ==="
  echo
}

# _done: the last line of every case; a case that stops early lacks it.
_done() {
  echo
  echo "*** done"
  exit 0
}
