#!/bin/bash
# Torn writes reach the medium up to the tear (then fail, or report success
# as a power-loss tear does); lost writes report success and write nothing.
# What the medium holds is read back through a plain raw open of the image.
# shellcheck source=SCRIPTDIR/../common.sh
. "$TESTS_DIR/common.sh"

_make_disk 4M 0xaa
cat >rules.txtpb <<'RULES'
rules { name: "torn" range { lba: 1010 count: 8 } torn_write { good_blocks: 2 } }
rules {
  name: "torn-silently"
  range { lba: 2010 count: 8 }
  torn_write { good_blocks: 2 report_success: true }
}
rules { name: "lost" range { lba: 3010 count: 4 } lost_write {} }
RULES

_section "a write of 1000..1031 is torn after 1010..1011 and fails"
_qio rules.txtpb \
  -c "$(_sec 'write -P 0x55' 1000 32)"
echo "--- on the medium: 1000..1011 new, 1012..1031 old"
_qio_raw -c "$(_sec 'read -P 0x55' 1000 12)" -c "$(_sec 'read -P 0xaa' 1012 20)"

_section "a write of no more than good_blocks sectors of the range is not torn"
_qio rules.txtpb -c "$(_sec 'write -P 0x56' 1010 2)" -c "$(_sec 'write -P 0x56' 1016 2)"
_qio_raw -c "$(_sec 'read -P 0x56' 1010 2)" -c "$(_sec 'read -P 0x56' 1016 2)"

_section "a torn write that reports success (2000..2031)"
_qio rules.txtpb \
  -c "$(_sec 'write -P 0x66' 2000 32)"
echo "--- on the medium: 2000..2011 new, 2012..2031 old"
_qio_raw -c "$(_sec 'read -P 0x66' 2000 12)" -c "$(_sec 'read -P 0xaa' 2012 20)"

_section "a lost write (3000..3031) succeeds and writes nothing"
_qio rules.txtpb \
  -c "$(_sec 'write -P 0x77' 3000 32)" \
  -c "$(_sec 'read -P 0xaa' 3000 32)"
echo "--- on the medium: all old"
_qio_raw -c "$(_sec 'read -P 0xaa' 3000 32)"
echo "--- a write next to the range is not lost"
_qio rules.txtpb -c "$(_sec 'write -P 0x78' 3014 18)"
_qio_raw -c "$(_sec 'read -P 0x78' 3014 18)"

_done
