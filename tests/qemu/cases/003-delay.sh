#!/bin/bash
# Delays are observed: a request overlapping a delay rule's range takes at
# least the delay, one outside it does not; latency_ns delays a failure.
# Wall time is measured around the whole qemu-io run (date +%s%N), and
# qemu-io's own timing of the operation is checked as well.
# shellcheck source=SCRIPTDIR/../common.sh
. "$TESTS_DIR/common.sh"

_make_disk 4M 0xaa
cat >rules.txtpb <<'RULES'
rules { name: "slow" range { lba: 1010 count: 4 } delay { ns: 300000000 } }
rules {
  name: "slow-write-only"
  ops: WRITE
  range { lba: 2010 count: 4 }
  delay { ns: 300000000 }
}
rules {
  name: "retrying-drive"
  range { lba: 3010 count: 4 }
  media_error {}
  latency_ns: 200000000
}
RULES

# _timed WHAT MIN|-MAX qemu-io-arguments...: runs _qio, prints its output
# and checks the wall time (MIN) or qemu-io's time of the operation (-MAX).
_timed() {
  local what=$1 bound=$2 t0 t1 out
  shift 2
  t0=$(_now_ms)
  out=$(_qio rules.txtpb "$@")
  t1=$(_now_ms)
  echo "$out"
  case "$bound" in
    -*) _expect_lt "$what (qemu-io's time)" "$(echo "$out" | _op_ms)" "${bound#-}" ;;
    *)
      _expect_ge "$what (wall time)" $((t1 - t0)) "$bound"
      if echo "$out" | grep -q ' ops; '; then
        _expect_ge "$what (qemu-io's time)" "$(echo "$out" | _op_ms)" "$bound"
      fi
      ;;
  esac
}

_section "a read across the delayed range (1000..1031) takes 300 ms"
_timed "read 1000..1031" 300 -c "$(_sec 'read -P 0xaa' 1000 32)"

_section "a read of the last delayed sector (1013) takes 300 ms"
_timed "read 1013" 300 -c "$(_sec 'read -P 0xaa' 1013 1)"

_section "a write across it too (no ops given: all operations)"
_timed "write 1008..1011" 300 -c "$(_sec 'write -P 0xaa' 1008 4)"

_section "requests outside the range are fast"
_timed "read 1014..1045" -150 -c "$(_sec 'read -P 0xaa' 1014 32)"
_timed "read 0..1009" -150 -c "$(_sec 'read -P 0xaa' 0 1010)"

_section "a write-only delay: writes are slow, reads are not"
_timed "write 2010" 300 -c "$(_sec 'write -P 0xaa' 2010 1)"
_timed "read 2010" -150 -c "$(_sec 'read -P 0xaa' 2010 1)"

_section "latency before a media error: the failure comes after 200 ms"
_timed "failing read 3000..3031" 200 \
  -c "$(_sec read 3000 32)"

_done
