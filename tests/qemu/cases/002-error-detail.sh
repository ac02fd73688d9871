#!/bin/bash
# The error detail (what a device asks for on its error path through
# blk_get_error_detail) names the first bad sector of each request: for
# requests that start before, at and inside the bad range; when the node
# splits requests (max-transfer) so that blkdebug sees fragments only; and
# for two failing requests in flight at once on different ranges.
# shellcheck source=SCRIPTDIR/../common.sh
. "$TESTS_DIR/common.sh"

_make_disk 4M 0xaa
cat >rules.txtpb <<'RULES'
rules {
  name: "bad-1010"
  range { lba: 1010 count: 4 }
  media_error {}
  codes { scsi { ascq: 1 } nvme { more: true } }
}
rules { name: "bad-3010" range { lba: 3010 count: 4 } media_error {} }
RULES

_section "a request that starts before the range (1000..1031)"
_qio rules.txtpb -c "$(_sec read 1000 32)" -c "$(_sec error_detail 1000 32)"

_section "a request that starts at the range (1010..1017)"
_qio rules.txtpb -c "$(_sec read 1010 8)" -c "$(_sec error_detail 1010 8)"

_section "a request that starts inside the range (1012..1019)"
_qio rules.txtpb -c "$(_sec read 1012 8)" -c "$(_sec error_detail 1012 8)"

_section "a request that ends inside the range (1005..1010)"
_qio rules.txtpb -c "$(_sec read 1005 6)" -c "$(_sec error_detail 1005 6)"

_section "the record is consumed; reads are not writes; other ranges have none"
_qio rules.txtpb \
  -c "$(_sec read 1000 32)" \
  -c "$(_sec 'error_detail -w' 1000 32)" \
  -c "$(_sec error_detail 2000 32)" \
  -c "$(_sec error_detail 1000 32)" \
  -c "$(_sec error_detail 1000 32)"

_section "two failures on one range: the newest first"
_qio rules.txtpb \
  -c "$(_sec read 1000 32)" \
  -c "$(_sec read 1012 2)" \
  -c "$(_sec error_detail 1000 32)" \
  -c "$(_sec error_detail 1000 32)" \
  -c "$(_sec error_detail 1000 32)"

_section "blkdebug splits requests (max-transfer=4096): fragments, one answer"
_qio_opts rules.txtpb file.max-transfer=4096 \
  -c "$(_sec read 1000 32)" \
  -c "$(_sec error_detail 1000 32)" \
  -c "$(_sec read 1011 16)" \
  -c "$(_sec error_detail 1011 16)"

_section "two failing requests in flight on different ranges"
_qio rules.txtpb \
  -c "$(_sec aio_read 1000 32)" \
  -c "$(_sec aio_read 3005 16)" \
  -c "aio_flush" \
  -c "$(_sec error_detail 1000 32)" \
  -c "$(_sec error_detail 3005 16)"
echo "--- asked for in the other order"
_qio rules.txtpb \
  -c "$(_sec aio_read 1000 32)" \
  -c "$(_sec aio_read 3005 16)" \
  -c "aio_flush" \
  -c "$(_sec error_detail 3005 16)" \
  -c "$(_sec error_detail 1000 32)"

_section "no faultcore below: nothing records failures"
_qio_raw -c "$(_sec error_detail 1000 32)"

_done
