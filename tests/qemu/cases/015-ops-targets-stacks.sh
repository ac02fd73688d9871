#!/bin/bash
# The other operations (write-zeroes, discard, flush) go through the engine
# too; a recovered error delivers the data, and a submitter that did not ask
# for recovered errors (qemu-io) sees plain success; rules can
# name a target (the node name, or faultcore-target);
# blkdebug above a format node (qcow2) sees guest offsets; raw with an
# offset translates the error detail back to its own offsets.
# shellcheck source=SCRIPTDIR/../common.sh
. "$TESTS_DIR/common.sh"

_make_disk 4M 0xaa
cat >rules.txtpb <<'RULES'
rules { name: "unwritable" range { lba: 1010 count: 4 } write_fault {} }
rules {
  name: "no-discard"
  ops: DISCARD
  range { lba: 2010 count: 4 }
  write_fault {}
}
rules { name: "flush-fails" ops: FLUSH write_fault {} }
rules { name: "recovered" range { lba: 3010 count: 4 } recovered_error {} }
RULES

_section "write -z across a write fault: fails at 1010, zeroes the prefix"
_qio rules.txtpb -c "$(_sec 'write -z' 1000 32)"
_qio_raw -c "$(_sec 'read -P 0' 1000 10)" -c "$(_sec 'read -P 0xaa' 1010 22)"

_section "discard across a rule for discards (discard=unmap)"
_qio_opts rules.txtpb discard=unmap \
  -c "$(_sec discard 2000 32)" \
  -c "$(_sec discard 2014 8)"

_section "flush: qemu-io prints no error of its own for it; the detail says it failed"
_qio rules.txtpb -c "$(_sec 'write -P 0xaa' 0 1)" -c "flush"

_section "a recovered error: qemu-io did not ask for recovered errors, so the read simply succeeds"
_qio rules.txtpb -c "$(_sec 'read -P 0xaa' 3000 32)"

cat >targets.txtpb <<'RULES'
rules {
  name: "only-guestdisk"
  target: "guestdisk"
  range { lba: 1010 count: 4 }
  media_error {}
}
RULES

"$QEMU_IMG" create -f qcow2 disk.qcow2 4M >/dev/null
_stack() {  # NODE-NAME [OPTIONS]: blkdebug+faultcore over qcow2 over file
  echo "driver=blkdebug,node-name=$1,faultcore=targets.txtpb,image.driver=qcow2,image.file.driver=file,image.file.filename=$TEST_DIR/disk.qcow2${2:+,$2}"
}

_section "blkdebug over qcow2, node guestdisk: the rule's target"
_run "$QEMU_IO" --image-opts "$(_stack guestdisk)" \
  -c "$(_sec 'write -P 0x11' 0 2048)" \
  -c "$(_sec read 1000 32)"

_section "another node name: the rule does not apply"
_run "$QEMU_IO" --image-opts "$(_stack other)" -c "$(_sec 'read -P 0x11' 1000 32)"

_section "another node name with faultcore-target=guestdisk: it does"
_run "$QEMU_IO" --image-opts "$(_stack other faultcore-target=guestdisk)" \
  -c "$(_sec read 1000 32)"

_section "raw with offset=1M over blkdebug: blkdebug's 3058 is raw's 1010"
cat >offset.txtpb <<'RULES'
rules { name: "bad" range { lba: 3058 count: 4 } media_error {} }
RULES
_run "$QEMU_IO" --image-opts "driver=raw,offset=1M,file.driver=blkdebug,file.faultcore=offset.txtpb,file.image.driver=file,file.image.filename=$DISK" \
  -c "$(_sec read 1000 32)"

_done
