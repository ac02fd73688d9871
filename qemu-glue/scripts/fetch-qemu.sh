#!/usr/bin/env bash
# Fetches the pinned QEMU source (qemu-glue/QEMU_VERSION, a Debian trixie
# source version) once, with `apt-get source`, which unpacks it WITH Debian's
# patches applied (they matter: the +ds tarball has its firmware blobs
# removed, and Debian's patches make it configure without them).
#
# Usage: fetch-qemu.sh [DEST]       DEST defaults to ~/.cache/faultcore/qemu-src
#        fetch-qemu.sh --update-pin  re-pin QEMU_VERSION to the newest 10.0.x
#                                    in the archive (then run it again to fetch)
#
# Layout:  DEST/<version without epoch>/source/   the pristine unpacked tree
#          DEST/<version without epoch>/dl/       the .dsc and tarballs
#          DEST/<version without epoch>/.complete written last
# A complete cache entry is re-used without touching the network.
# Prints the pristine tree's path on stdout.
set -euo pipefail
PROG=fetch-qemu
. "$(dirname "$0")/common.sh"

SERIES=10.0   # the QEMU series faultcore's patches are written against

available_versions() {
  apt-cache showsrc --only-source qemu 2>/dev/null | sed -n 's/^Version: //p' | sort -u
}

if [ "${1:-}" = "--update-pin" ]; then
  "$SCRIPTS_DIR/setup-apt.sh"
  best=
  for v in $(available_versions); do
    up=${v#*:}
    case "$up" in "$SERIES".*) ;; *) continue ;; esac
    if [ -z "$best" ] || dpkg --compare-versions "$v" gt "$best"; then best=$v; fi
  done
  [ -n "$best" ] || die "the archive has no qemu $SERIES.x source; it has: $(available_versions | tr '\n' ' ')"
  printf '# Debian source version of qemu that build-qemu.sh builds (from trixie).\n# Change with: qemu-glue/scripts/fetch-qemu.sh --update-pin\n%s\n' \
    "$best" >"$GLUE_DIR/QEMU_VERSION"
  log "pinned qemu $best in $GLUE_DIR/QEMU_VERSION"
  exit 0
fi
case "${1:-}" in -*) die "unknown option $1 (usage: fetch-qemu.sh [DEST] | --update-pin)" ;; esac

read_qemu_pin
dest=${1:-$QEMU_SRC_CACHE}
entry="$dest/$QEMU_DIRVER"
upstream=${QEMU_DIRVER%-*}   # 10.0.13+ds-0+deb13u1 -> 10.0.13+ds
upstream=${upstream%%+*}     # -> 10.0.13
case "$upstream" in "$SERIES".*) ;; *) die "QEMU_VERSION pins $QEMU_PIN, not a $SERIES.x version" ;; esac

if [ -f "$entry/.complete" ] && [ -f "$entry/source/VERSION" ]; then
  log "cached: qemu $QEMU_PIN in $entry/source"
  echo "$entry/source"
  exit 0
fi

command -v dpkg-source >/dev/null || die "dpkg-source missing (run qemu-glue/scripts/install-build-deps.sh)"
# build-qemu.sh has just run setup-apt.sh; stand-alone runs do it here.
[ -n "${QEMU_GLUE_APT_READY:-}" ] || "$SCRIPTS_DIR/setup-apt.sh"
if ! available_versions | grep -qxF "$QEMU_PIN"; then
  die "the archive no longer has qemu source $QEMU_PIN (pinned in $GLUE_DIR/QEMU_VERSION)." \
      "It has: $(available_versions | tr '\n' ' ')." \
      "Re-pin with: qemu-glue/scripts/fetch-qemu.sh --update-pin"
fi

mkdir -p "$dest"
rm -rf "$entry"
tmp=$(mktemp -d "$dest/.fetch-$QEMU_DIRVER.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/dl"
# As root, apt drops privileges to _apt for downloads, and _apt cannot write
# into root's home ("Download is performed unsandboxed as root" warning):
# download as root on purpose; apt still checks the hashes from the signed
# Sources index.
sandbox=()
[ "$(id -u)" -ne 0 ] || sandbox=(-o APT::Sandbox::User=root)
log "apt-get source qemu=$QEMU_PIN (~40 MB) into $entry"
(cd "$tmp/dl" && apt-get -q "${sandbox[@]}" source --only-source "qemu=$QEMU_PIN") \
  >"$tmp/fetch.log" 2>&1 || { tail -n 30 "$tmp/fetch.log" >&2; die "apt-get source qemu=$QEMU_PIN failed"; }

unpacked=$(find "$tmp/dl" -mindepth 1 -maxdepth 1 -type d -name 'qemu-*' | head -n1)
if [ -z "$unpacked" ] || [ ! -f "$unpacked/VERSION" ]; then
  tail -n 30 "$tmp/fetch.log" >&2
  die "apt-get source did not unpack a QEMU tree"
fi
got=$(cat "$unpacked/VERSION")
[ "$got" = "$upstream" ] || die "unpacked tree says VERSION $got, expected $upstream"
# dpkg-source applied debian/patches (3.0 quilt); make sure it did.
[ -s "$unpacked/.pc/applied-patches" ] || die "Debian's patches were not applied to the unpacked tree"
npatches=$(wc -l <"$unpacked/.pc/applied-patches")

mv "$unpacked" "$tmp/source"
mv "$tmp/fetch.log" "$tmp/dl/"
date -u +%FT%TZ >"$tmp/.complete"
chmod 755 "$tmp"   # mktemp made it 0700
mv "$tmp" "$entry"
trap - EXIT
log "fetched qemu $QEMU_PIN ($npatches Debian patches applied) into $entry/source"
echo "$entry/source"
