#!/bin/bash
# Corruption flips bits of the data read inside the rule's range only, the
# same bits every time for a seed (other bits for another seed), however
# the range is read; the medium keeps the right data.  Images are exported
# through the blkdebug stack with qemu-img convert and compared bit by bit
# with the original.
# shellcheck source=SCRIPTDIR/../common.sh
. "$TESTS_DIR/common.sh"

_make_disk 4M 0xaa
for seed in 7 8; do
  cat >rules-$seed.txtpb <<RULES
rules {
  name: "rot"
  range { lba: 1010 count: 4 }
  corrupt { bits_per_block: 8 seed: $seed }
}
RULES
done

_export() {  # RULES OUT
  _run "$QEMU_IMG" convert --image-opts "$(_fc_opts "$1")" -O raw "$2" ||
    echo "qemu-img convert through $1 failed"
}

# _bitdiff A B: which bits differ, summarised.
_bitdiff() {
  /usr/bin/python3 - "$1" "$2" <<'PY'
import sys
a = open(sys.argv[1], "rb").read()
b = open(sys.argv[2], "rb").read()
if len(a) != len(b):
    print("sizes differ: %d, %d" % (len(a), len(b)))
    sys.exit(0)
diff = [i for i in range(len(a)) if a[i] != b[i]]
bits = sum(bin(a[i] ^ b[i]).count("1") for i in diff)
print("%d bits differ in %d bytes" % (bits, len(diff)))
if diff:
    lo, hi = diff[0] // 512, diff[-1] // 512
    print("first in sector %d, last in sector %d" % (lo, hi))
    per = {}
    for i in diff:
        per[i // 512] = per.get(i // 512, 0) + bin(a[i] ^ b[i]).count("1")
    print("bits per sector: %s" % " ".join(
        "%d:%d" % (s, per[s]) for s in sorted(per)))
PY
}

_section "an export through the stack differs from the image in 1010..1013 only"
_export rules-7.txtpb seed7-a.raw
_bitdiff "$DISK" seed7-a.raw

_section "again: the same bits"
_export rules-7.txtpb seed7-b.raw
_expect "second export identical to the first" cmp -s seed7-a.raw seed7-b.raw

_section "another seed: other bits, still confined"
_export rules-8.txtpb seed8.raw
_bitdiff "$DISK" seed8.raw
_expect "seed 8 export differs from seed 7" eval '! cmp -s seed7-a.raw seed8.raw'

_section "a read of sector 1012 alone gets the same corrupted bytes"
_qio rules-7.txtpb -c "$(_sec 'read -v' 1012 1)" | grep -v ' ops; ' >alone.dump
_run "$QEMU_IO" -f raw -c "$(_sec 'read -v' 1012 1)" seed7-a.raw |
  grep -v ' ops; ' >exported.dump
_expect "same bytes as in the whole-image export" cmp -s alone.dump exported.dump
_expect "and they are corrupted" eval "! _qio_raw -c '$(_sec 'read -v' 1012 1)' | grep -v ' ops; ' | cmp -s - alone.dump"

_section "a read into four separate buffers gets the same corrupted bytes"
_qio rules-7.txtpb -c "readv -v $((1010 * 512)) 512 512 512 512" |
  grep -v ' ops; ' | sed 's/^read /readv /' >four.dump
_run "$QEMU_IO" -f raw -c "readv -v $((1010 * 512)) 2048" seed7-a.raw |
  grep -v ' ops; ' | sed 's/^read /readv /' >exported4.dump
_expect "same bytes as in the whole-image export" cmp -s four.dump exported4.dump

_section "a read that does not overlap the range is not corrupted"
_qio rules-7.txtpb -c "$(_sec 'read -P 0xaa' 1000 10)" \
  -c "$(_sec 'read -P 0xaa' 1014 100)"

_section "the medium still has the right data"
_qio_raw -c "$(_sec 'read -P 0xaa' 1000 32)"

_done
