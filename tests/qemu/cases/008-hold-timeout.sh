#!/bin/bash
# A held request with a timeout: on_timeout FAIL fails it with ETIMEDOUT
# ("Connection timed out") once the timeout has passed; PROCEED lets it
# complete normally then.  Requests outside the rule's range are not held.
# shellcheck source=SCRIPTDIR/../common.sh
. "$TESTS_DIR/common.sh"

_make_disk 4M 0xaa
cat >rules.txtpb <<'RULES'
rules {
  name: "hang-then-fail"
  range { lba: 1010 count: 4 }
  hold { timeout_ns: 200000000 on_timeout: FAIL }
}
rules {
  name: "hang-then-proceed"
  range { lba: 2010 count: 4 }
  hold { timeout_ns: 200000000 }
}
RULES

_section "on_timeout FAIL: the read fails after 200 ms"
t0=$(_now_ms)
_qio rules.txtpb -c "$(_sec read 1000 32)"
t1=$(_now_ms)
_expect_ge "failing read (wall time)" $((t1 - t0)) 200

_section "on_timeout PROCEED: the read succeeds after 200 ms"
t0=$(_now_ms)
out=$(_qio rules.txtpb -c "$(_sec 'read -P 0xaa' 2000 32)")
t1=$(_now_ms)
echo "$out"
_expect_ge "read (wall time)" $((t1 - t0)) 200
_expect_ge "read (qemu-io's time)" "$(echo "$out" | _op_ms)" 200

_section "a held write proceeds too, and is written"
_qio rules.txtpb -c "$(_sec 'write -P 0x33' 2010 4)"
_qio_raw -c "$(_sec 'read -P 0x33' 2010 4)"

_section "outside the ranges nothing is held"
out=$(_qio rules.txtpb -c "$(_sec 'read -P 0xaa' 1014 996)")
echo "$out"
_expect_lt "read 1014..2009 (qemu-io's time)" "$(echo "$out" | _op_ms)" 150

_done
