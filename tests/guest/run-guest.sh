#!/bin/bash
# run-guest.sh: boot the test guest once under the patched QEMU and print
# what the guest saw (the FCTEST-BEGIN..FCTEST-END section and the kernel log
# lines the test produced).
#
# usage: run-guest.sh --qemu QEMU [options] [-- GUEST-SHELL-COMMANDS...]
#   --qemu PATH        qemu-system-x86_64 (default: $FCTEST_QEMU, else `make -s qemu-dir`)
#   --lib PATH         libfaultcore.so (required with --rules)
#   --rules FILE       faultcore rule file; the disk is then raw -> blkdebug(faultcore) -> file.
#                      Without it the disk is raw -> file (no blkdebug at all).
#   --hba NAME         virtio-scsi (default) | lsi53c895a | ahci | nvme | virtio-blk
#   --drive-opts S     extra options for the guest device (e.g. rerror=report,werror=report)
#   --hba-opts S       extra options for the HBA (virtio-scsi, lsi53c895a, ahci), e.g.
#                      iothread=io0 with --qemu-arg -object --qemu-arg iothread,id=io0
#   --blkdebug-opts S  extra options for the blkdebug node (e.g. max-transfer=4096)
#   --image FILE       disk image to use (default: a fresh patterned 8192-block image per run)
#   --image-blocks N   size of the fresh image in 512-byte blocks (default 8192)
#   --disk2-rules FILE a second disk on the same SCSI HBA (target 1, the guest's
#                      sdb): a fresh patterned image of twice --image-blocks,
#                      raw -> blkdebug(FILE) -> file
#   --log FILE         serial console log (default: a temporary file, printed path)
#   --timeout S        wall-clock bound for the whole boot (default 120)
#   --accel A          tcg (default) | kvm
#   --mem M            guest RAM (default 256M)
#   --append S         extra kernel command line
#   --script FILE      guest test script (sh); or give the commands after --
#   --qemu-arg ARG     one more QEMU argument (repeatable; e.g. --qemu-arg -trace
#                      --qemu-arg 'lsi_*')
# Guest scripts run with $DISK set (/dev/sda; /dev/nvme0n1 for nvme, /dev/vda
# for virtio-blk) and the
# helpers sgio_read / sgio_write on PATH (see sgio.c for the output line).
# Exit status: 0 when the guest reached FCTEST-END and powered off; 3 on a
# guest kernel panic; 4 on timeout; 5 when no FCTEST-END was seen; else QEMU's.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

qemu=${FCTEST_QEMU:-} lib=${FCTEST_LIB:-} rules='' disk2_rules='' hba=virtio-scsi drive_opts='' hba_opts='' blkdebug_opts='' image='' image_blocks=8192
log='' tmo=120 accel=tcg mem=256M append='' script= extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --qemu) qemu=$2; shift 2 ;;
    --lib) lib=$2; shift 2 ;;
    --rules) rules=$2; shift 2 ;;
    --hba) hba=$2; shift 2 ;;
    --drive-opts) drive_opts=$2; shift 2 ;;
    --hba-opts) hba_opts=$2; shift 2 ;;
    --blkdebug-opts) blkdebug_opts=$2; shift 2 ;;
    --image) image=$2; shift 2 ;;
    --image-blocks) image_blocks=$2; shift 2 ;;
    --disk2-rules) disk2_rules=$2; shift 2 ;;
    --log) log=$2; shift 2 ;;
    --timeout) tmo=$2; shift 2 ;;
    --accel) accel=$2; shift 2 ;;
    --mem) mem=$2; shift 2 ;;
    --append) append=$2; shift 2 ;;
    --script) script=$2; shift 2 ;;
    --qemu-arg) extra+=("$2"); shift 2 ;;
    --) shift; break ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d'; exit 0 ;;
    *) echo "run-guest: unknown option $1" >&2; exit 2 ;;
  esac
done
die() { echo "run-guest: ERROR: $*" >&2; exit 2; }

if [ -z "$qemu" ]; then
  qemu=$(make -s -C "$here/../.." qemu-dir 2>/dev/null)/qemu-system-x86_64 || true
fi
[ -x "$qemu" ] || die "no QEMU binary ('$qemu'); pass --qemu or run 'make qemu'"
[ -z "$blkdebug_opts" ] || [ -n "$rules" ] || die "--blkdebug-opts needs --rules (no blkdebug node without it)"
case "$hba" in nvme|virtio-blk) [ -z "$hba_opts" ] || die "--hba-opts does not apply to --hba $hba (no separate HBA; use --drive-opts)" ;; esac
abspath() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
for opt in rules disk2_rules; do
  f=${!opt}
  [ -n "$f" ] || continue
  [ -f "$f" ] || die "rule file $f not found"
  [ -f "$lib" ] || die "--${opt//_/-} needs --lib PATH/libfaultcore.so (got '$lib')"
  printf -v "$opt" '%s' "$(abspath "$f")"
  lib=$(abspath "$lib")
done

eval "$("$here/fetch-guest.sh" --print-env)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fctest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
[ -n "$log" ] || log=$tmp/serial.log
: >"$log"

if [ -z "$image" ]; then
  image=$tmp/disk.img
  "$FCTEST_MKIMAGE" "$image" "$image_blocks" || die "mkimage failed"
fi

# The guest test: appended to the initrd as a second cpio that replaces /test.sh.
mkdir -p "$tmp/overlay"
if [ -n "$script" ]; then
  cp "$script" "$tmp/overlay/test.sh"
elif [ $# -gt 0 ]; then
  printf '%s\n' "$@" >"$tmp/overlay/test.sh"
fi
initrd=$FCTEST_INITRD
if [ -f "$tmp/overlay/test.sh" ]; then
  initrd=$tmp/initrd.img
  cp "$FCTEST_INITRD" "$initrd"
  (cd "$tmp/overlay" && echo test.sh | "$FCTEST_BUSYBOX" cpio -o -H newc 2>/dev/null) | gzip >>"$initrd"
fi

disk_args=(-blockdev "driver=file,node-name=img,filename=$image")
if [ -n "$rules" ]; then
  disk_args+=(-blockdev "driver=blkdebug,node-name=faults,image=img,faultcore=$rules${blkdebug_opts:+,$blkdebug_opts}"
              -blockdev "driver=raw,node-name=disk0,file=faults")
else
  disk_args+=(-blockdev "driver=raw,node-name=disk0,file=img")
fi
dopts=${drive_opts:+,$drive_opts} hopts=${hba_opts:+,$hba_opts}
gdisk=sda
case "$hba" in
  virtio-scsi) disk_args+=(-device "virtio-scsi-pci,id=hba0$hopts" -device "scsi-hd,drive=disk0,bus=hba0.0$dopts") ;;
  lsi53c895a|lsi) disk_args+=(-device "lsi53c895a,id=hba0$hopts" -device "scsi-hd,drive=disk0,bus=hba0.0$dopts") ;;
  ahci) disk_args+=(-device "ahci,id=hba0$hopts" -device "ide-hd,drive=disk0,bus=hba0.0$dopts") ;;
  nvme) disk_args+=(-device "nvme,serial=fctest0,drive=disk0$dopts"); gdisk=nvme0n1 ;;
  virtio-blk) disk_args+=(-device "virtio-blk-pci,drive=disk0$dopts"); gdisk=vda ;;
  *) die "unknown --hba $hba (virtio-scsi, lsi53c895a, ahci, nvme, virtio-blk)" ;;
esac
if [ -n "$disk2_rules" ]; then
  case "$hba" in
    virtio-scsi|lsi53c895a|lsi) ;;
    *) die "--disk2-rules needs a SCSI HBA (virtio-scsi, lsi53c895a), not $hba" ;;
  esac
  "$FCTEST_MKIMAGE" "$tmp/disk2.img" $((image_blocks * 2)) || die "mkimage failed"
  disk_args+=(-blockdev "driver=file,node-name=img2,filename=$tmp/disk2.img"
              -blockdev "driver=blkdebug,node-name=faults2,image=img2,faultcore=$disk2_rules"
              -blockdev "driver=raw,node-name=disk2,file=faults2"
              -device "scsi-hd,drive=disk2,bus=hba0.0,scsi-id=1")
fi

cmdline="console=ttyS0 panic=-1 loglevel=4 fctest.disk=$gdisk $append"
t0=$(date +%s.%N)
set +e
QEMU_FAULTCORE_LIB=$lib timeout --kill-after=5 "$tmo" "$qemu" -nodefaults -machine pc -accel "$accel" -m "$mem" -smp 1 \
  -display none -no-reboot -serial "file:$log" \
  -kernel "$FCTEST_KERNEL" -initrd "$initrd" -append "$cmdline" \
  "${disk_args[@]}" ${extra[@]+"${extra[@]}"} >"$tmp/qemu.out" 2>&1
rc=$?
set -e
t1=$(date +%s.%N)
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}')

# Results: the markers' section(s), with the kernel timestamps kept.
sed -n '/FCTEST-BEGIN/,/FCTEST-DMESG-END/p' "$log" | tr -d '\r'
status=ok
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then status=timeout; fi
if grep -q 'Kernel panic' "$log"; then status=panic; fi
if [ "$status" = ok ] && ! grep -q 'FCTEST-END' "$log"; then status=no-end; fi
if [ "$status" = ok ] && [ "$rc" != 0 ]; then status=qemu-exit-$rc; fi
if [ "$status" != ok ]; then
  echo "FCTEST-LOG-TAIL (last 40 lines of the serial console; QEMU said: $(tr '\n' ' ' <"$tmp/qemu.out"))"
  tail -n 40 "$log" | tr -d '\r'
fi
grep -q 'FCTEST-POWEROFF' "$log" && poweroff=yes || poweroff=no
# A default (temporary) log is kept only when the run failed.
shown_log=$log
if [ "$log" = "$tmp/serial.log" ]; then
  if [ "$status" = ok ]; then
    shown_log="(not kept; pass --log FILE)"
  else
    trap - EXIT
    rm -rf "$tmp/overlay" "$tmp/disk.img" "$tmp/disk2.img" "$tmp/initrd.img"
  fi
fi
echo "FCTEST-RUN status=$status qemu_rc=$rc seconds=$secs poweroff=$poweroff hba=$hba accel=$accel rules=${rules:-none} log=$shown_log"
case "$status" in
  ok) exit 0 ;;
  panic) exit 3 ;;
  timeout) exit 4 ;;
  no-end) exit 5 ;;
  *) exit "$rc" ;;
esac
