#!/bin/bash
# Reads and writes across a bad range fail exactly there; their neighbours
# succeed; a failed write has written the good prefix before the bad block
# (checked through a plain raw open of the image) and nothing after it.
# shellcheck source=SCRIPTDIR/../common.sh
. "$TESTS_DIR/common.sh"

_make_disk 4M 0xaa
cat >rules.txtpb <<'RULES'
rules { name: "unreadable" range { lba: 1010 count: 4 } media_error {} }
rules { name: "unwritable" range { lba: 3010 count: 4 } write_fault {} }
RULES

_section "reads of sectors 1000..1031 across the bad sectors 1010..1013"
_qio rules.txtpb \
  -c "$(_sec 'read -P 0xaa' 1000 32)" \
  -c "$(_sec 'read -P 0xaa' 1000 10)" \
  -c "$(_sec 'read -P 0xaa' 1009 1)" \
  -c "$(_sec 'read' 1010 1)" \
  -c "$(_sec 'read' 1013 1)" \
  -c "$(_sec 'read' 1012 8)" \
  -c "$(_sec 'read -P 0xaa' 1014 18)"

_section "media errors fail reads only: writing the bad sectors succeeds"
_qio rules.txtpb -c "$(_sec 'write -P 0xaa' 1010 4)" -c "$(_sec 'read' 1010 4)"

_section "a write of sectors 3000..3031 across the unwritable 3010..3013"
_qio rules.txtpb \
  -c "$(_sec 'write -P 0x55' 3000 32)" \
  -c "$(_sec 'read -P 0xaa' 3010 4)"

echo
echo "--- on the medium: 3000..3009 were written, 3010..3031 were not"
_qio_raw \
  -c "$(_sec 'read -P 0xaa' 2990 10)" \
  -c "$(_sec 'read -P 0x55' 3000 10)" \
  -c "$(_sec 'read -P 0xaa' 3010 22)"

_section "writes next to the unwritable range succeed"
_qio rules.txtpb \
  -c "$(_sec 'write -P 0x66' 2990 20)" \
  -c "$(_sec 'write -P 0x66' 3014 18)" \
  -c "$(_sec 'write' 3013 1)"
_qio_raw \
  -c "$(_sec 'read -P 0x66' 2990 20)" \
  -c "$(_sec 'read -P 0xaa' 3010 4)" \
  -c "$(_sec 'read -P 0x66' 3014 18)"

_done
