#!/bin/bash
# Loading libfaultcore.so.  The library is the one the environment
# variable QEMU_FAULTCORE_LIB of the QEMU process names, else the
# configured default found by the dynamic linker; it is never taken from
# the node's options, so a QMP client cannot make QEMU load (and run) a
# shared object of its choice.  A missing library, one of another major
# ABI version, one without the entry point and one whose entry point
# returns no table are refused with a clear error naming the path, never a
# crash; a bad rule file at open gives a located error.  Through qemu-io
# and through QEMU's -blockdev and QMP blockdev-add.
# shellcheck source=SCRIPTDIR/../common.sh
. "$TESTS_DIR/common.sh"

_make_disk 1M 0xaa
cat >rules.txtpb <<'RULES'
rules { name: "bad" range { lba: 1010 count: 4 } media_error {} }
RULES

_open() {  # LIB -> qemu-io's answer to opening the stack with that library
  QEMU_FAULTCORE_LIB=$1 _run "$QEMU_IO" --image-opts "$(_fc_opts rules.txtpb)" \
    -c "read 0 512"
}

_section "a missing library"
_open "$TEST_DIR/no-such-dir/libfaultcore.so"

_section "a library of the next major ABI version"
_open "$FAKE_LIB_DIR/libfaultcore-next-major.so"

_section "a shared object without faultcore_get_api"
_open "$FAKE_LIB_DIR/libnot-faultcore.so"

_section "faultcore_get_api returns no table"
_open "$FAKE_LIB_DIR/libfaultcore-null-api.so"
echo "exit status $?"

_section "the real library"
_open "$FAULTCORE_LIB"

_section "without QEMU_FAULTCORE_LIB: the configured default, found by the dynamic linker"
env -u QEMU_FAULTCORE_LIB LD_LIBRARY_PATH="$(dirname "$FAULTCORE_LIB")" \
  timeout -k 5 "$IO_TIMEOUT" "$QEMU_IO" --image-opts "$(_fc_opts rules.txtpb)" \
  -c "$(_sec read 1010 1)" 2>&1

_section "faultcore-lib is no option: the path cannot come from the node's options"
FAKE_MARKER=$TEST_DIR/marker-io _run "$QEMU_IO" --image-opts \
  "$(_fc_opts rules.txtpb "file.faultcore-lib=$FAKE_LIB_DIR/libfaultcore-marker.so")" \
  -c "read 0 512"
[ -e "$TEST_DIR/marker-io" ] && echo "the marker library was loaded: FAILED" ||
  echo "the marker library was not loaded"

_section "a rule file that does not validate: a located error"
cat >bad.txtpb <<'RULES'
rules { name: "fine" range { lba: 1 } media_error {} }
rules { name: "wrong" range { lba: 2 } media_error {} trigger { probability: 2 } }
RULES
# The position, rule and field are the contract; the explanation after the
# field is the engine's wording.
_qio bad.txtpb -c "read 0 512" |
  sed -E 's/(rules\[[0-9]+\][^:]*\.[a-z_]+): .+$/\1: <explanation>/'

_section "a rule file that does not parse"
printf 'rules { name: "x" range { lba: 1 }\n  media_errr {} }\n' >typo.txtpb
_qio typo.txtpb -c "read 0 512" | sed -E 's/^(.*typo.txtpb:[0-9]+:[0-9]+: error:).*$/\1 <explanation>/'

_section "the same errors from QEMU's -blockdev"
for lib in "$TEST_DIR/no-such-dir/libfaultcore.so" \
           "$FAKE_LIB_DIR/libfaultcore-next-major.so" \
           "$FAKE_LIB_DIR/libfaultcore-null-api.so"; do
  QEMU_FAULTCORE_LIB=$lib _run "$QEMU" -M none -nodefaults -display none -S \
    -blockdev "file,node-name=file0,filename=$DISK" \
    -blockdev "blkdebug,node-name=dbg0,image=file0,faultcore=rules.txtpb" \
    </dev/null
  echo "exit status $?"
done

_section "QMP blockdev-add cannot name a library: nothing is loaded"
export FAKE_MARKER=$TEST_DIR/marker
/usr/bin/python3 -B - "$DISK" <<'PY'
import sys
import qmp
vm = qmp.start_vm(["-M", "none", "-blockdev",
                   "file,node-name=file0,filename=%s" % sys.argv[1]])
r = vm.qmp("blockdev-add", {
    "driver": "blkdebug", "node-name": "dbg0", "image": "file0",
    "faultcore": "rules.txtpb",
    "faultcore-lib": qmp.env("FAKE_LIB_DIR") + "/libfaultcore-marker.so"})
print("blockdev-add:", qmp.describe_error(r))
print("exit status", vm.shutdown())
PY
if [ -e "$FAKE_MARKER" ]; then
  echo "the marker library was loaded: FAILED"
else
  echo "the marker library was not loaded"
fi

_done
