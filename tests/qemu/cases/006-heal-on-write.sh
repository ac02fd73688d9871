#!/bin/bash
# Heal-on-write: a bad sector fails reads until it is rewritten; only the
# sectors written heal.  With fail_writes: 1 the first write to it fails
# (a write fault), the second heals it.
# shellcheck source=SCRIPTDIR/../common.sh
. "$TESTS_DIR/common.sh"

_make_disk 4M 0xaa
cat >rules.txtpb <<'RULES'
rules {
  name: "heals"
  range { lba: 1010 count: 4 }
  media_error { heal_on_write {} }
}
rules {
  name: "heals-on-second-write"
  range { lba: 2010 count: 4 }
  media_error { heal_on_write { fail_writes: 1 } }
}
RULES

_section "read fails, write the block, read succeeds"
_qio rules.txtpb \
  -c "$(_sec read 1010 4)" \
  -c "$(_sec 'write -P 0x11' 1010 1)" \
  -c "$(_sec read 1010 4)" \
  -c "$(_sec 'read -P 0x11' 1010 1)" \
  -c "$(_sec 'write -P 0x12' 1011 3)" \
  -c "$(_sec 'read -P 0x11' 1010 1)" \
  -c "$(_sec 'read -P 0x12' 1011 3)" \
  -c "$(_sec 'read' 1000 32)"

_section "fail_writes: 1 - the first write fails, the second heals"
_qio rules.txtpb \
  -c "$(_sec read 2010 4)" \
  -c "$(_sec 'write -P 0x22' 2008 8)" \
  -c "$(_sec read 2010 4)"
echo "--- on the medium: the failed write wrote 2008..2009 only"
_qio_raw -c "$(_sec 'read -P 0x22' 2008 2)" -c "$(_sec 'read -P 0xaa' 2010 6)"
echo "--- a new open: first write fails again, the second one heals"
_qio rules.txtpb \
  -c "$(_sec 'write -P 0x23' 2008 8)" \
  -c "$(_sec read 2010 4)" \
  -c "$(_sec 'write -P 0x23' 2008 8)" \
  -c "$(_sec 'read -P 0x23' 2008 8)"
_qio_raw -c "$(_sec 'read -P 0x23' 2008 8)"

_section "heals live in the engine: a new open starts with the bad sectors again"
_qio rules.txtpb -c "$(_sec read 1010 1)" -c "$(_sec read 2010 1)"

_done
