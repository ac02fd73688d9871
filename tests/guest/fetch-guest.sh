#!/bin/bash
# fetch-guest.sh: prepare the faultcore test guest (idempotent, offline-safe
# once cached). Downloads Debian's kernel (the versioned package that
# linux-image-amd64 depends on) and busybox-static with `apt-get download`,
# unpacks them with `dpkg -x` (nothing is installed on the host), builds the
# static helpers and an initramfs (cpio newc + gzip) with busybox, the storage
# modules and their dependencies, /init and the helpers.
#
# Prints two lines:  KERNEL=<path>  INITRD=<path>   (or --print-env for shell)
#
# Cache: ${FAULTCORE_CACHE_DIR:-~/.cache/faultcore}/guest/
#   <kernel-pkg>_<kver>__busybox_<bbver>/   keyed by package versions
#     debs/          the downloaded .deb files
#     kernel/        dpkg -x of the kernel package
#     busybox/       dpkg -x of busybox-static
#     .unpacked      stamp
#     initramfs-<hash>.cpio.gz   hash of tests/guest sources + module list
#     mkimage        host tool (image generator)
# Environment: FCTEST_KERNEL_FROM=bookworm-backports takes linux-image-amd64
# from that archive suite (6.12 instead of bookworm's 6.1); FCTEST_KERNEL_PKG
# (e.g. linux-image-6.1.0-56-amd64) and FCTEST_KERNEL_VERSION pin the kernel;
# FCTEST_MODULES overrides the module list.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache_root=${FAULTCORE_CACHE_DIR:-$HOME/.cache/faultcore}/guest
MODULES=${FCTEST_MODULES:-"virtio_pci virtio_scsi virtio_blk sd_mod sg sym53c8xx ahci nvme raid1"}
mode=paths
case "${1:-}" in
  --print-env) mode="env" ;;
  "") ;;
  *) echo "usage: $0 [--print-env]" >&2; exit 2 ;;
esac

die() { echo "fetch-guest: ERROR: $*" >&2; exit 1; }
log() { echo "fetch-guest: $*" >&2; }

for t in apt-cache apt-get dpkg dpkg-deb gcc objcopy gzip sha256sum flock ldd; do
  command -v "$t" >/dev/null || die "'$t' not found (Debian host with dpkg/apt, gcc and binutils needed)"
done

candidate() { # candidate PKG: the version apt would pick
  apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2; exit}'
}

kpkg=${FCTEST_KERNEL_PKG:-} kver=${FCTEST_KERNEL_VERSION:-}
if [ -z "$kpkg" ]; then
  from=${FCTEST_KERNEL_FROM:-}
  if [ -n "$from" ]; then
    # The newest linux-image-amd64 of that suite, whatever apt's pins say.
    metaver=$(apt-cache madison linux-image-amd64 2>/dev/null |
              awk -F' [|] ' -v s=" $from/" 'index($3, s) && !v {v = $2} END {print v}' | tr -d ' ') || true
    [ -n "$metaver" ] || die "no linux-image-amd64 in suite '$from' (FCTEST_KERNEL_FROM); is it in apt's sources? run 'apt-get update'"
  else
    metaver=$(candidate linux-image-amd64)
  fi
  if [ -z "$metaver" ] || [ "$metaver" = "(none)" ]; then
    die "apt knows no candidate for linux-image-amd64; run 'apt-get update' (Debian's archive must be reachable)"
  fi
  dep=$(apt-cache show "linux-image-amd64=$metaver" 2>/dev/null |
        awk -F': ' '/^Depends:/ {print $2; exit}' | tr ',' '\n' |
        sed -E 's/^ *//' | grep -E '^linux-image-[0-9]' | head -n1) || true
  kpkg=${dep%% *}
  [ -n "$kpkg" ] || die "could not find the versioned kernel package that linux-image-amd64 $metaver depends on"
  # The exact version the meta-package asks for (its own suite's).
  [ -n "$kver" ] || kver=$(printf '%s\n' "$dep" | sed -nE 's/.*\(= *([^)]+)\).*/\1/p')
fi
[ -n "$kver" ] || kver=$(candidate "$kpkg")
[ -n "$kver" ] && [ "$kver" != "(none)" ] || die "apt knows no candidate for $kpkg; run 'apt-get update'"
bbver=$(candidate busybox-static)
[ -n "$bbver" ] && [ "$bbver" != "(none)" ] || die "apt knows no candidate for busybox-static; run 'apt-get update'"
# Real tools in the guest: Debian's own binaries with the shared libraries
# ldd names (the host is the same Debian release).
mdver=$(candidate mdadm)
[ -n "$mdver" ] && [ "$mdver" != "(none)" ] || die "apt knows no candidate for mdadm; run 'apt-get update'"

key=$(printf '%s_%s__busybox_%s' "$kpkg" "$kver" "$bbver" | tr ':/' '__')
dir=$cache_root/$key
mkdir -p "$dir"
exec 9>"$dir/.lock"
flock 9

if [ ! -e "$dir/.unpacked" ]; then
  t0=$(date +%s)
  rm -rf "$dir/debs" "$dir/kernel" "$dir/busybox"
  mkdir -p "$dir/debs"
  log "downloading $kpkg=$kver and busybox-static=$bbver into $dir/debs"
  # apt-get download warns (harmlessly) when run as root in a dir _apt cannot read.
  (cd "$dir/debs" && apt-get download "$kpkg=$kver" "busybox-static=$bbver") >"$dir/download.log" 2>&1 || {
    cat "$dir/download.log" >&2
    die "apt-get download failed (is Debian's archive reachable? try 'apt-get update')"
  }
  kdeb=$(ls "$dir"/debs/"$kpkg"_*.deb 2>/dev/null | head -n1)
  bdeb=$(ls "$dir"/debs/busybox-static_*.deb 2>/dev/null | head -n1)
  [ -f "$kdeb" ] || die "no $kpkg .deb in $dir/debs after download"
  [ -f "$bdeb" ] || die "no busybox-static .deb in $dir/debs after download"
  log "unpacking with dpkg -x"
  dpkg -x "$kdeb" "$dir/kernel" || die "dpkg -x $kdeb failed"
  dpkg -x "$bdeb" "$dir/busybox" || die "dpkg -x $bdeb failed"
  touch "$dir/.unpacked"
  log "download + unpack took $(( $(date +%s) - t0 )) s"
fi

tools=$dir/mdadm_$(printf '%s' "$mdver" | tr ':/' '__')
if [ ! -e "$tools/.unpacked" ]; then
  rm -rf "$tools" && mkdir -p "$tools/debs"
  log "downloading mdadm=$mdver into $tools/debs"
  (cd "$tools/debs" && apt-get download "mdadm=$mdver") >"$tools/download.log" 2>&1 || {
    cat "$tools/download.log" >&2
    die "apt-get download mdadm failed (is Debian's archive reachable? try 'apt-get update')"
  }
  dpkg -x "$(ls "$tools"/debs/mdadm_*.deb | head -n1)" "$tools/root" || die "dpkg -x mdadm failed"
  touch "$tools/.unpacked"
fi
[ -x "$tools/root/sbin/mdadm" ] || die "no sbin/mdadm in the mdadm package"

vmlinuz=$(ls "$dir"/kernel/boot/vmlinuz-* 2>/dev/null | head -n1)
[ -f "$vmlinuz" ] || die "no /boot/vmlinuz-* in $kpkg"
uname_r=${vmlinuz##*/vmlinuz-}
moddir=$dir/kernel/lib/modules/$uname_r
[ -d "$moddir" ] || die "no lib/modules/$uname_r in $kpkg"
busybox=$dir/busybox/bin/busybox
[ -x "$busybox" ] || die "no bin/busybox in busybox-static"

# Host tool: the image generator.
if [ ! -x "$dir/mkimage" ] || [ "$here/mkimage.c" -nt "$dir/mkimage" ] || [ "$here/pattern.h" -nt "$dir/mkimage" ]; then
  gcc -O2 -Wall -o "$dir/mkimage" "$here/mkimage.c" || die "building mkimage failed"
fi

# Every helpers/NAME.c becomes /bin/NAME in the guest (static, with -I tests/guest).
helper_srcs=("$here"/helpers/*.c)
[ -e "${helper_srcs[0]}" ] || helper_srcs=()
srchash=$( (cd "$here" && cat init.sh default-test.sh sgio.c pattern.h fetch-guest.sh "${helper_srcs[@]}"
            ls helpers 2>/dev/null; echo "$MODULES mdadm=$mdver") |
           sha256sum | cut -c1-16)
initrd=$dir/initramfs-$srchash.cpio.gz
if [ ! -s "$initrd" ]; then
  t0=$(date +%s)
  log "building $initrd"
  work=$(mktemp -d "$dir/.initramfs.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  root=$work/root
  mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,lib/modules}
  cp "$busybox" "$root/bin/busybox"
  ln -s busybox "$root/bin/sh"

  # Static helpers.
  gcc -static -O2 -Wall -Wextra -o "$root/bin/sgio" "$here/sgio.c" 2>"$work/gcc.log" || {
    cat "$work/gcc.log" >&2
    die "gcc -static failed for sgio.c (is libc6-dev installed? static glibc is in libc6-dev)"
  }
  ln -s sgio "$root/bin/sgio_read"
  ln -s sgio "$root/bin/sgio_write"
  for c in "${helper_srcs[@]}"; do
    name=$(basename "$c" .c)
    gcc -static -O2 -Wall -Wextra -I"$here" -o "$root/bin/$name" "$c" 2>"$work/gcc.log" || {
      cat "$work/gcc.log" >&2
      die "gcc -static failed for $c"
    }
  done

  # mdadm and the shared libraries it needs (ldd's absolute paths).
  cp "$tools/root/sbin/mdadm" "$root/sbin/mdadm"
  for l in $(ldd "$tools/root/sbin/mdadm" | grep -oE '/[^ ]+'); do
    mkdir -p "$root$(dirname "$l")"
    cp -L "$l" "$root$l" || die "copying $l (for mdadm) failed"
  done
  mkdir -p "$root/etc/mdadm" "$root/run/mdadm"

  # Modules: resolve dependencies from each module's .modinfo 'depends=' (the
  # package ships no modules.dep; depmod is not needed). Post-order = load order.
  declare -A path_of=() seen=()
  while IFS= read -r f; do
    b=${f##*/}; b=${b%%.ko*}
    path_of[$b]=$f; path_of[${b//-/_}]=$f
  done < <(find "$moddir/kernel" -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.zst' -o -name '*.ko.gz')
  order=()
  modinfo_depends() { # the depends= list of a (possibly compressed) module
    local f=$1 tmp=$work/mod.ko
    case "$f" in
      *.ko.xz) xz -dc "$f" >"$tmp" ;;
      *.ko.zst) zstd -qdc "$f" >"$tmp" ;;
      *.ko.gz) gzip -dc "$f" >"$tmp" ;;
      *) cp "$f" "$tmp" ;;
    esac
    objcopy -O binary --only-section=.modinfo "$tmp" "$work/modinfo" 2>/dev/null || true
    tr '\0' '\n' <"$work/modinfo" | sed -n 's/^depends=//p' | tr ',' ' '
  }
  visit() {
    local m=${1//-/_}
    [ -z "${seen[$m]:-}" ] || return 0
    seen[$m]=1
    local f=${path_of[$m]:-}
    if [ -z "$f" ]; then
      grep -qE "/${m//_/[-_]}\.ko" "$moddir/modules.builtin" 2>/dev/null && return 0
      die "module $m not found in $kpkg (and not built in)"
    fi
    local d
    for d in $(modinfo_depends "$f"); do visit "$d"; done
    order+=("$f")
  }
  for m in $MODULES; do visit "$m"; done
  : >"$root/lib/modules/load.order"
  for f in "${order[@]}"; do
    b=${f##*/}; b=${b%%.ko*}.ko
    case "$f" in
      *.ko.xz) xz -dc "$f" >"$root/lib/modules/$b" || die "xz -d $f" ;;
      *.ko.zst) zstd -qdc "$f" >"$root/lib/modules/$b" || die "zstd -d $f (install zstd)" ;;
      *.ko.gz) gzip -dc "$f" >"$root/lib/modules/$b" || die "gzip -d $f" ;;
      *) cp "$f" "$root/lib/modules/$b" ;;
    esac
    echo "$b" >>"$root/lib/modules/load.order"
  done
  log "modules (load order): $(tr '\n' ' ' <"$root/lib/modules/load.order")"

  cp "$here/init.sh" "$root/init"; chmod 755 "$root/init"
  cp "$here/default-test.sh" "$root/test.sh"
  # cpio newc with busybox's own cpio (the host may have no cpio).
  (cd "$root" && find . | LC_ALL=C sort | "$busybox" cpio -o -H newc 2>/dev/null) | gzip -6 >"$work/initramfs.cpio.gz" ||
    die "building the cpio archive failed"
  mv "$work/initramfs.cpio.gz" "$initrd"
  cp "$busybox" "$dir/busybox-host"   # used by run-guest.sh to pack per-run test scripts
  log "initramfs built in $(( $(date +%s) - t0 )) s ($(du -h "$initrd" | cut -f1))"
fi
[ -x "$dir/busybox-host" ] || cp "$busybox" "$dir/busybox-host"

if [ "$mode" = env ]; then
  printf 'FCTEST_KERNEL=%q\nFCTEST_INITRD=%q\nFCTEST_MKIMAGE=%q\nFCTEST_BUSYBOX=%q\nFCTEST_GUEST_DIR=%q\n' \
    "$vmlinuz" "$initrd" "$dir/mkimage" "$dir/busybox-host" "$dir"
else
  echo "KERNEL=$vmlinuz"
  echo "INITRD=$initrd"
fi
