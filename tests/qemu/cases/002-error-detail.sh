#!/bin/bash
# The error detail (what a device reads in its completion callback with
# blk_aio_get_error_detail(); qemu-io prints it after the failure message)
# travels with the request that failed: it names the first bad sector of
# that request whether it starts before, at or inside the bad range; when
# the node splits requests (max-transfer) so that blkdebug sees fragments
# only; for failing requests in flight at once, overlapping or not, and
# for more of them than any table would hold.  Nothing is left behind for
# a later request: not by a failure, not by a recovered error that the
# submitter did not ask for.  A format
# driver between the submitter and blkdebug (qcow2) hides it, as its
# offsets are not the submitter's.
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
rules { name: "unwritable-1020" range { lba: 1020 count: 4 } write_fault {} }
RULES

_section "a request that starts before the range (1000..1031)"
_qio rules.txtpb -c "$(_sec read 1000 32)"

_section "a request that starts at the range (1010..1017)"
_qio rules.txtpb -c "$(_sec read 1010 8)"

_section "a request that starts inside the range (1012..1019)"
_qio rules.txtpb -c "$(_sec read 1012 8)"

_section "a request that ends inside the range (1005..1010)"
_qio rules.txtpb -c "$(_sec read 1005 6)"

_section "the detail belongs to its request: the next ones carry none"
_qio rules.txtpb \
  -c "$(_sec read 1000 32)" \
  -c "$(_sec read 2000 32)" \
  -c "$(_sec 'write -P 0xaa' 1000 8)"

_section "blkdebug splits requests (max-transfer=4096): fragments, one answer"
_qio_opts rules.txtpb file.max-transfer=4096 \
  -c "$(_sec read 1000 32)" \
  -c "$(_sec read 1011 16)"

_section "two failing requests in flight on different ranges"
_qio rules.txtpb \
  -c "$(_sec aio_read 1000 32)" \
  -c "$(_sec aio_read 3005 16)" \
  -c "aio_flush" | _by_request

_section "a read and a write in flight over the same sectors: each its own"
_qio rules.txtpb \
  -c "$(_sec aio_read 1000 32)" \
  -c "$(_sec 'aio_write -P 0xaa' 1000 32)" \
  -c "aio_flush" | _by_request

_section "100 failing requests in flight at once: every one gets its own"
cat >hold.txtpb <<'RULES'
rules {
  name: "stuck"
  range { lba: 0 count: 8192 }
  hold { timeout_ns: 300000000 on_timeout: FAIL }
}
RULES
cmds=()
for i in $(seq 0 99); do
  cmds+=(-c "$(_sec aio_read $((i * 64 + 3)) 8)")
done
# sleep, not aio_flush: a drain would release the holds at once
out=$(_qio hold.txtpb "${cmds[@]}" -c "sleep 1000" -c "aio_flush")
echo "failures: $(grep -c '^readv failed: Connection timed out' <<<"$out")"
echo "details: $(grep -c '^error detail: first bad' <<<"$out")"
sectors=$(sed -n 's/^error detail: first bad offset [0-9]* (sector \([0-9]*\)).*/\1/p' <<<"$out" | sort -n | tr '\n' ' ')
want=$(for i in $(seq 0 99); do echo $((i * 64 + 3)); done | tr '\n' ' ')
_expect "each names the first sector of its own request" [ "$sectors" = "$want" ]

_section "a recovered error the submitter did not ask for leaves nothing behind"
# raw -> blkdebug (faultcore: recovered, once) -> blkdebug (inject-error:
# EIO at sector 4040, as a failing host would) -> file.  The second read
# overlaps the first, passes the engine and fails below it: a plain EIO.
cat >recovered.txtpb <<'RULES'
rules {
  name: "recovered-once"
  range { lba: 4000 count: 64 }
  recovered_error {}
  trigger { once: true }
}
RULES
_run "$QEMU_IO" --image-opts "driver=raw,file.driver=blkdebug,file.faultcore=recovered.txtpb,file.image.driver=blkdebug,file.image.inject-error.0.event=none,file.image.inject-error.0.sector=4040,file.image.inject-error.0.errno=5,file.image.image.driver=file,file.image.image.filename=$DISK" \
  -c "$(_sec 'read -P 0xaa' 4000 32)" \
  -c "$(_sec read 4016 32)"

_section "qcow2 between the submitter and blkdebug: no detail (host offsets)"
"$QEMU_IMG" create -f qcow2 disk.qcow2 4M >/dev/null
cat >host.txtpb <<'RULES'
rules { name: "host-bad" ops: READ range { lba: 2000 count: 100000 } media_error {} }
RULES
# The header, tables and the first data clusters lie below host sector
# 2000; guest sectors 6000.. lie above it, so the read fails in blkdebug
_run "$QEMU_IO" --image-opts "driver=qcow2,file.driver=blkdebug,file.faultcore=host.txtpb,file.image.driver=file,file.image.filename=$TEST_DIR/disk.qcow2" \
  -c "$(_sec 'write -P 0x11' 0 8192)" \
  -c "$(_sec 'read -P 0x11' 0 8)" \
  -c "$(_sec read 6000 8)"

_section "no faultcore below: nothing describes failures"
_run "$QEMU_IO" --image-opts "driver=raw,file.driver=blkdebug,file.inject-error.0.event=none,file.inject-error.0.sector=1010,file.inject-error.0.errno=5,file.image.driver=file,file.image.filename=$DISK" \
  -c "$(_sec read 1000 32)"

_done
