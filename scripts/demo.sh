#!/bin/bash
# demo.sh: what `make demo` runs once libfaultcore.so, the faultcore CLI and
# the patched QEMU are built.  Boots the test guest (Debian's 6.1 kernel,
# busybox, TCG) on a virtio-scsi disk whose faults come from a rule file,
# reads LBAs 1000..1031 the way a program and the kernel do, rewrites the
# bad sector, reads again, and prints what the rule says next to what the
# guest saw.
# usage: demo.sh --qemu QEMU --lib LIB --cli FAULTCORE [RULES]  (default examples/demo.txtpb)
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
qemu='' lib='' cli=''
while [ $# -gt 0 ]; do
  case "$1" in
    --qemu) qemu=$2; shift 2 ;;
    --lib) lib=$2; shift 2 ;;
    --cli) cli=$2; shift 2 ;;
    -*) echo "usage: $0 --qemu QEMU --lib LIB --cli FAULTCORE [RULES]" >&2; exit 2 ;;
    *) break ;;
  esac
done
rules=${1:-$root/examples/demo.txtpb}
work=$(mktemp -d "${TMPDIR:-/tmp}/fcdemo.XXXXXX")
trap 'rm -rf "$work"' EXIT
field() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n1; }

"$root/tests/guest/fetch-guest.sh" >/dev/null || exit 1
echo "Booting a Debian 6.1 guest under TCG (about 10 s) with the rules of ${rules#"$root"/}..."
out=$("$root/tests/guest/run-guest.sh" --qemu "$qemu" --lib "$lib" --rules "$rules" --log "$work/serial.log" -- \
  'sgio_read "$DISK" 1000 32 --tag before' \
  'dd if="$DISK" of=/dev/null bs=16384 count=1 skip=512000 iflag=direct,skip_bytes 2>&1 | sed -n "s/^dd: /DD /p"' \
  'sgio_write "$DISK" 1010 1 --tag rewrite' \
  'sgio_read "$DISK" 1000 32 --tag after')
rc=$?
if [ "$rc" != 0 ]; then
  printf '%s\n' "$out" | tail -n 40
  echo "demo: the guest run failed (run-guest.sh exit $rc)" >&2
  exit 1
fi
before=$(printf '%s\n' "$out" | grep '^SGIO tag=before ')
after=$(printf '%s\n' "$out" | grep '^SGIO tag=after ')
rewrite=$(printf '%s\n' "$out" | grep '^SGIO tag=rewrite ')

# Left column: the rule that fires and the engine's own account of it.
{
  echo "THE RULE (${rules#"$root"/})"
  awk '/^rules \{/ {r = ""; on = 1} on {r = r $0 "\n"} on && /^\}/ {on = 0; if (r ~ /1010/) printf "%s", r}' "$rules" |
    grep -v '^ *#' | sed 's/  *#.*//'
  echo
  echo "faultcore explain: read 1000 +32"
  "$cli" explain "$rules" --op read --lba 1000 --blocks 32 2>/dev/null |
    grep -E '^  (verdict|first bad|SCSI) ' |
    sed 's/^  //; s/  */ /g; s/ (the host reports error)//; s/: \([0-9]* good blocks before it\),.*/ (\1)/;
         s/^\(SCSI [0-9a-fA-F/]*\) \(.*\)$/\1\n  \2/'
} >"$work/left"

# Right column: what the guest saw.
map=$(field "$before" map)
good=$(field "$before" good_prefix)
{
  echo "WHAT THE GUEST SAW (virtio-scsi, scsi-hd)"
  echo "SG_IO READ(16) of LBAs 1000..1031:"
  echo "  status $(field "$before" status) CHECK CONDITION"
  echo "  sense  $(field "$before" sense | cut -c1-36)"
  echo "  key/ASC/ASCQ $(field "$before" key)/$(field "$before" asc)/$(field "$before" ascq), $(field "$before" format) format"
  echo "  VALID=$(field "$before" valid) INFORMATION=$(field "$before" information)"
  echo "  blocks: $good good, then $(( ${#map} - good )) not sent"
  echo "  ${map:0:16}"
  echo "  ${map:16}"
  echo "  (G = right data, P = never written)"
  echo "after rewriting LBA 1010: WRITE $(field "$rewrite" status),"
  echo "  READ $(field "$after" status), map $(field "$after" map | sed 's/G\{32\}/32 x G/')"
} >"$work/right"

echo
awk 'NR == FNR {l[FNR] = $0; n = FNR; next} {r[FNR] = $0; m = FNR}
     END {k = n > m ? n : m; for (i = 1; i <= k; i++) printf "%-46s | %s\n", l[i], r[i]}' \
  "$work/left" "$work/right"
echo
echo "THE GUEST KERNEL (an O_DIRECT read of the same blocks through sd):"
sed -n '/FCTEST-DMESG-BEGIN/,/FCTEST-DMESG-END/p' "$work/serial.log" | tr -d '\r' |
  grep -E 'Sense Key|Add. Sense|medium error|I/O error' | sed 's/ *$//; s/^/  /'
printf '%s\n' "$out" | sed -n 's/^DD /  dd: /p'
echo
echo "Sector 1010 is named, not the request's start (1000): the device reported"
echo "the first bad LBA and really delivered the 10 blocks before it."
