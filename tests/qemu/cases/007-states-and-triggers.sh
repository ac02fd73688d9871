#!/bin/bash
# State transitions over a sequence of requests: a rule with next_state
# moves the engine to another state, where other rules are armed and the
# first one is not.  Triggers count matches: skip, max_fires, every_nth.
# shellcheck source=SCRIPTDIR/../common.sh
. "$TESTS_DIR/common.sh"

_make_disk 4M 0xaa
cat >rules.txtpb <<'RULES'
states: "healthy"
states: "degraded"
rules {
  name: "first-failure"
  states: "healthy"
  range { lba: 1010 }
  media_error {}
  next_state: "degraded"
}
rules {
  name: "spreading"
  states: "degraded"
  range { lba: 2010 count: 4 }
  media_error {}
}
rules {
  name: "slow-when-degraded"
  states: "degraded"
  range { lba: 4010 }
  delay { ns: 250000000 }
}
RULES
cat >triggers.txtpb <<'RULES'
rules {
  name: "second-and-third"
  range { lba: 3010 }
  media_error {}
  trigger { skip: 1 max_fires: 2 }
}
rules {
  name: "every-third"
  range { lba: 5010 }
  media_error {}
  trigger { every_nth: 3 }
}
RULES

_section "healthy: 2010 reads fine; 1010 fails once and degrades the disk; then 2010..2013 fail"
_qio rules.txtpb \
  -c "$(_sec read 2010 1)" \
  -c "$(_sec read 4010 1)" \
  -c "$(_sec read 1010 1)" \
  -c "$(_sec read 1010 1)" \
  -c "$(_sec read 2010 1)" \
  -c "$(_sec read 2013 1)" \
  -c "$(_sec read 2014 1)" \
  -c "$(_sec read 1000 32)" | tee out.txt
echo "--- 4010 is slow only in state degraded"
_expect_lt "read of 4010 when healthy (qemu-io's time)" "$(grep -A1 'at offset 2053120' out.txt | _op_ms)" 150
_qio rules.txtpb -c "$(_sec read 1010 1)" -c "$(_sec read 4010 1)" >out2.txt
cat out2.txt
_expect_ge "read of 4010 when degraded (qemu-io's time)" "$(grep -A1 'at offset 2053120' out2.txt | _op_ms)" 250

_section "skip: 1 max_fires: 2 - the 2nd and 3rd reads of 3010 fail"
_qio triggers.txtpb \
  -c "$(_sec read 3010 1)" -c "$(_sec read 3010 1)" -c "$(_sec read 3010 1)" \
  -c "$(_sec read 3010 1)" -c "$(_sec read 3010 1)"

_section "every_nth: 3 - reads 1, 4 and 7 of 5010 fail"
_qio triggers.txtpb \
  -c "$(_sec read 5010 1)" -c "$(_sec read 5010 1)" -c "$(_sec read 5010 1)" \
  -c "$(_sec read 5010 1)" -c "$(_sec read 5010 1)" -c "$(_sec read 5010 1)" \
  -c "$(_sec read 5010 1)"

_done
