#!/usr/bin/env bash
# The whole QEMU pipeline: apt sources, build deps, pinned Debian source,
# faultcore's patch series, configure, ninja.  Cached by content:
#
#   ~/.cache/faultcore/qemu-build/<qemu version>-<key>/
#     src/        pristine tree copy + qemu-glue/patches/*.patch applied
#     build/      meson/ninja build dir (QEMU_BUILD_DIR)
#     patch.log configure.log ninja.log optionrom.log   logs of each step
#     build.env   the result paths (sourceable)
#     .done       stamp, written last; its presence = finished build
#
# <key> = first 16 hex digits of the sha256 over the patch series (names and
# contents, in name order), the configure flags and this script.  A finished
# keyed dir is re-used as is; the newest 3 keyed dirs are kept.
#
# Usage: build-qemu.sh             build (or re-use) and print the result
#        build-qemu.sh --print-dir print QEMU_BUILD_DIR for the current key
#                                  (for $(shell ...) in Makefiles; no building)
#        build-qemu.sh --rebuild   throw away the current keyed dir and rebuild
# Environment: FAULTCORE_CACHE_DIR (default ~/.cache/faultcore),
#              QEMU_BUILD_JOBS (ninja -j; default: ninja's own choice).
set -euo pipefail
PROG=build-qemu
. "$(dirname "$0")/common.sh"

KEEP_BUILDS=3
# Firmware the +ds source lacks comes from Debian's seabios and ipxe-qemu
# packages (install-build-deps.sh).  /usr/share/qemu is left out on purpose:
# it belongs to Debian's qemu-system-data (another QEMU version) and would
# shadow this build's own option ROMs (kvmvapic.bin, linuxboot_dma.bin, ...).
FIRMWARE_DIRS=(/usr/share/seabios /usr/lib/ipxe/qemu)
CONFIGURE_FLAGS=(
  --python=/usr/bin/python3
  --disable-download
  --disable-install-blobs
  --target-list=x86_64-softmmu
  --disable-docs
  --disable-user
  --disable-werror
  --disable-sdl
  --disable-gtk
  --disable-vnc
  --disable-opengl
  --disable-spice
  "--firmwarepath=$(IFS=:; echo "${FIRMWARE_DIRS[*]}")"
)
NINJA_TARGETS=(qemu-system-x86_64 qemu-img qemu-io)
# Files a q35 guest started with -kernel needs at run time.
FIRMWARE_CHECK=(bios-256k.bin vgabios-stdvga.bin efi-e1000e.rom kvmvapic.bin linuxboot_dma.bin)

mode=build
case "${1:-}" in
  "") ;;
  --print-dir) mode=print ;;
  --rebuild) mode=rebuild ;;
  -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  *) die "unknown argument '$1' (try --help)" ;;
esac

read_qemu_pin
shopt -s nullglob
patches=("$GLUE_DIR"/patches/*.patch)
shopt -u nullglob
# Name order, independent of the locale.
if [ ${#patches[@]} -gt 0 ]; then
  mapfile -t patches < <(printf '%s\n' "${patches[@]}" | LC_ALL=C sort)
fi

key_input() {
  echo "faultcore qemu build key v1"
  for p in "${patches[@]}"; do
    echo "patch $(basename "$p") $(sha256sum <"$p" | cut -d' ' -f1)"
  done
  printf 'configure %s\n' "${CONFIGURE_FLAGS[@]}"
  echo "script $(sha256sum <"$0" | cut -d' ' -f1)"
}
full_key=$(key_input | sha256sum | cut -d' ' -f1)
KEY="$QEMU_DIRVER-${full_key:0:16}"
KDIR="$QEMU_BUILD_CACHE/$KEY"
BUILD="$KDIR/build"

if [ "$mode" = print ]; then
  [ -f "$KDIR/.done" ] || log "note: $KDIR is not built yet (run qemu-glue/scripts/build-qemu.sh)"
  echo "$BUILD"
  exit 0
fi

mkdir -p "$QEMU_BUILD_CACHE"
# One builder per key at a time (a second `make qemu` waits).
exec 9>"$QEMU_BUILD_CACHE/.$KEY.lock"
flock -n 9 || { log "another build of $KEY is running; waiting for it"; flock 9; }

now() { date +%s; }
elapsed() { local s=$(( $(now) - $1 )); printf '%dm%02ds' $((s / 60)) $((s % 60)); }
fail() {  # STEP LOG
  echo "--- last 40 lines of $2 ---" >&2
  tail -n 40 "$2" >&2 || true
  echo "---" >&2
  die "$1 failed; log: $2"
}

write_env() {
  cat >"$KDIR/build.env" <<ENV
# Written by qemu-glue/scripts/build-qemu.sh
QEMU_VERSION=$QEMU_PIN
QEMU_BUILD_KEY=$KEY
QEMU_SRC_DIR=$KDIR/src
QEMU_BUILD_DIR=$BUILD
QEMU_SYSTEM_X86_64=$BUILD/qemu-system-x86_64
QEMU_IMG=$BUILD/qemu-img
QEMU_IO=$BUILD/qemu-io
ENV
}

prune() {
  # Keyed dirs, most recently used first (.last-used is touched on every use;
  # unfinished dirs count by their own mtime).  The current key always stays.
  local d ts n=1 list=()
  for d in "$QEMU_BUILD_CACHE"/*/; do
    d=${d%/}
    [ "$d" = "$KDIR" ] && continue
    [ -f "$d/build.env" ] || [ -d "$d/src" ] || continue   # not one of ours
    ts=$(stat -c %Y "$d/.last-used" 2>/dev/null || stat -c %Y "$d")
    list+=("$ts $d")
  done
  [ ${#list[@]} -gt 0 ] || return 0
  while read -r ts d; do
    n=$((n + 1))
    [ $n -le $KEEP_BUILDS ] && continue
    local lock="$QEMU_BUILD_CACHE/.$(basename "$d").lock"
    if ( exec 8>"$lock"; flock -n 8 ); then   # skip dirs being built right now
      log "removing old build $d ($(du -sh "$d" | cut -f1))"
      rm -rf "$d" "$lock"
    fi
  done < <(printf '%s\n' "${list[@]}" | sort -rn)
}

finish() {
  touch "$KDIR/.last-used"
  cp "$KDIR/build.env" "$QEMU_BUILD_CACHE/current.env.tmp"
  mv -f "$QEMU_BUILD_CACHE/current.env.tmp" "$QEMU_BUILD_CACHE/current.env"
  prune
  echo "QEMU $QEMU_PIN, patch series: ${#patches[@]} patch(es), key $KEY"
  echo "  QEMU_BUILD_DIR=$BUILD"
  echo "  qemu-system-x86_64: $BUILD/qemu-system-x86_64"
  echo "  qemu-img:           $BUILD/qemu-img"
  echo "  qemu-io:            $BUILD/qemu-io"
  echo "  env file:           $QEMU_BUILD_CACHE/current.env (and $KDIR/build.env)"
}

if [ "$mode" = rebuild ] && [ -d "$KDIR" ]; then
  log "--rebuild: removing $KDIR"
  rm -rf "$KDIR"
fi

if [ -f "$KDIR/.done" ]; then
  for bin in "${NINJA_TARGETS[@]}"; do
    [ -x "$BUILD/$bin" ] || die "$KDIR/.done exists but $BUILD/$bin is missing; run with --rebuild"
  done
  log "up to date: $KDIR (built $(cat "$KDIR/.done"))"
  finish
  exit 0
fi

t_all=$(now)
"$SCRIPTS_DIR/setup-apt.sh"
export QEMU_GLUE_APT_READY=1
"$SCRIPTS_DIR/install-build-deps.sh"
pristine=$("$SCRIPTS_DIR/fetch-qemu.sh")
[ -f "$pristine/VERSION" ] || die "fetch-qemu.sh returned '$pristine', which is not a QEMU tree"

# A half-finished dir (failed or interrupted build) is started over.
[ -d "$KDIR" ] && { log "removing unfinished $KDIR"; rm -rf "$KDIR"; }
mkdir -p "$KDIR/src" "$BUILD"
t=$(now)
# Copy the pristine tree but not the firmware sources under roms/ (270 MB;
# never built here: firmware comes from Debian packages).
for e in "$pristine"/* "$pristine"/.[!.]*; do
  [ "$e" = "$pristine/roms" ] && continue
  cp -a "$e" "$KDIR/src/"
done
mkdir "$KDIR/src/roms"
find "$pristine/roms" -mindepth 1 -maxdepth 1 -type f -exec cp -a {} "$KDIR/src/roms/" \;
log "copied the pristine tree ($(elapsed "$t"))"

: >"$KDIR/patch.log"
for p in "${patches[@]}"; do
  log "applying $(basename "$p")"
  { echo "=== $(basename "$p")"; } >>"$KDIR/patch.log"
  (cd "$KDIR/src" && patch -p1 --batch --forward --fuzz=0 --no-backup-if-mismatch <"$p") \
    >>"$KDIR/patch.log" 2>&1 || fail "applying $(basename "$p")" "$KDIR/patch.log"
done
[ ${#patches[@]} -gt 0 ] || echo "(empty patch series)" >>"$KDIR/patch.log"
log "patch series: ${#patches[@]} patch(es) applied"

t=$(now)
log "configure (log: $KDIR/configure.log)"
(cd "$BUILD" && "$KDIR/src/configure" "${CONFIGURE_FLAGS[@]}") >"$KDIR/configure.log" 2>&1 \
  || fail configure "$KDIR/configure.log"
t_configure=$(elapsed "$t")
log "configure done ($t_configure)"

t=$(now)
log "ninja ${NINJA_TARGETS[*]} (log: $KDIR/ninja.log; takes ~5 min on 2 cores)"
(cd "$BUILD" && ninja ${QEMU_BUILD_JOBS:+-j "$QEMU_BUILD_JOBS"} "${NINJA_TARGETS[@]}") \
  >"$KDIR/ninja.log" 2>&1 || fail ninja "$KDIR/ninja.log"
t_ninja=$(elapsed "$t")
log "ninja done ($t_ninja)"

# x86 option ROMs (linuxboot_dma.bin for -kernel, kvmvapic.bin, ...): the +ds
# source has no prebuilt ones; configure set up their build (make, not ninja).
t=$(now)
[ -f "$BUILD/pc-bios/optionrom/config.mak" ] \
  || die "configure did not set up pc-bios/optionrom (no usable x86 compiler?); see $KDIR/configure.log"
make -C "$BUILD/pc-bios/optionrom" all >"$KDIR/optionrom.log" 2>&1 \
  || fail "building the x86 option ROMs" "$KDIR/optionrom.log"
log "option ROMs done ($(elapsed "$t"))"

# Run from the build tree, QEMU maps every data/firmware path P to
# build/qemu-bundle/P (util/cutils.c get_relocated_path), so --firmwarepath
# dirs must appear there too, and the option ROMs go to the bundle's datadir.
datadir=$(sed -n "s/^#define CONFIG_QEMU_DATADIR \"\(.*\)\"$/\1/p" "$BUILD/config-host.h")
[ -n "$datadir" ] || die "CONFIG_QEMU_DATADIR not found in $BUILD/config-host.h"
for d in "${FIRMWARE_DIRS[@]}"; do
  mkdir -p "$BUILD/qemu-bundle$(dirname "$d")"
  ln -sfn "$d" "$BUILD/qemu-bundle$d"
done
mkdir -p "$BUILD/qemu-bundle$datadir"
for rom in "$BUILD"/pc-bios/optionrom/*.bin; do
  ln -sfn "$rom" "$BUILD/qemu-bundle$datadir/$(basename "$rom")"
done

# Verify: every binary runs, and the firmware a q35 guest needs is found
# without -L.
for bin in "${NINJA_TARGETS[@]}"; do
  "$BUILD/$bin" --version >/dev/null 2>&1 || die "$BUILD/$bin does not run"
done
got=$("$BUILD/qemu-system-x86_64" --version | head -n1)
case "$got" in *"version ${QEMU_DIRVER%%+*}"*) ;; *) die "unexpected version: $got" ;; esac
datadirs=$("$BUILD/qemu-system-x86_64" -L help)
for f in "${FIRMWARE_CHECK[@]}"; do
  found=
  while read -r d; do [ -f "$d/$f" ] && { found=$d/$f; break; }; done <<<"$datadirs"
  [ -n "$found" ] || die "the built QEMU would not find $f; its search path is:"$'\n'"$datadirs"
done
log "firmware found via: $(tr '\n' ' ' <<<"$datadirs")"

write_env
{
  echo "cold build $(date -u +%FT%TZ): configure $t_configure, ninja $t_ninja, total $(elapsed "$t_all")"
  key_input
} >"$KDIR/build-info.txt"
date -u +%FT%TZ >"$KDIR/.done"
log "built $KEY in $(elapsed "$t_all") (configure $t_configure, ninja $t_ninja)"
finish
