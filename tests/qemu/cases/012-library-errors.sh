#!/bin/bash
# Loading libfaultcore.so: a missing library, a library of another major
# ABI version (a fake built from tests/qemu/fake_faultcore.c), and a shared
# object without the entry point are refused with a clear error naming the
# path (and both versions); the library is found through the dynamic
# linker's path when faultcore-lib is not given; a bad rule file at open
# gives a located error.  Through qemu-io and through -blockdev of QEMU.
# shellcheck source=SCRIPTDIR/../common.sh
. "$TESTS_DIR/common.sh"

_make_disk 1M 0xaa
cat >rules.txtpb <<'RULES'
rules { name: "bad" range { lba: 1010 count: 4 } media_error {} }
RULES

_open() {  # LIB -> qemu-io's answer to opening the stack with that library
  _run "$QEMU_IO" --image-opts \
    "driver=raw,file.driver=blkdebug,file.faultcore=rules.txtpb,file.faultcore-lib=$1,file.image.driver=file,file.image.filename=$DISK" \
    -c "read 0 512"
}

_section "a missing library"
_open "$TEST_DIR/no-such-dir/libfaultcore.so"

_section "a library of the next major ABI version"
_open "$FAKE_LIB_DIR/libfaultcore-next-major.so"

_section "a shared object without faultcore_get_api"
_open "$FAKE_LIB_DIR/libnot-faultcore.so"

_section "the real library"
_open "$FAULTCORE_LIB"

_section "without faultcore-lib: the configured default, found by the dynamic linker"
LD_LIBRARY_PATH=$(dirname "$FAULTCORE_LIB") _run "$QEMU_IO" --image-opts \
  "driver=raw,file.driver=blkdebug,file.faultcore=rules.txtpb,file.image.driver=file,file.image.filename=$DISK" \
  -c "$(_sec read 1010 1)"

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
           "$FAKE_LIB_DIR/libfaultcore-next-major.so"; do
  _run "$QEMU" -M none -nodefaults -display none -S \
    -blockdev "file,node-name=file0,filename=$DISK" \
    -blockdev "blkdebug,node-name=dbg0,image=file0,faultcore=rules.txtpb,faultcore-lib=$lib" \
    </dev/null
  echo "exit status $?"
done

_done
