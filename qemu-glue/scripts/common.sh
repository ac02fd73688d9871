# shellcheck shell=bash disable=SC2034
# Shared helpers for qemu-glue/scripts/*.sh.  Source it; do not run it.
# Every script sets PROG before sourcing, so messages say who failed.

GLUE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCRIPTS_DIR="$GLUE_DIR/scripts"
# One cache root for all of faultcore (the top-level Makefile's CACHE_DIR).
CACHE_DIR=${FAULTCORE_CACHE_DIR:-${HOME:?HOME is not set}/.cache/faultcore}
QEMU_SRC_CACHE="$CACHE_DIR/qemu-src"
QEMU_BUILD_CACHE="$CACHE_DIR/qemu-build"

log() { echo "${PROG:-qemu-glue}: $*" >&2; }
die() { echo "${PROG:-qemu-glue}: error: $*" >&2; exit 1; }

# Root runs apt directly; anyone else goes through sudo.
SUDO=
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi

# apt-get, quiet unless it fails (APT_VERBOSE=1 shows its output), with a wait instead of a failure when another apt/dpkg (another
# engineer's install script, unattended-upgrades) holds a lock.  dpkg's
# frontend lock honours DPkg::Lock::Timeout; the lists lock of
# `apt-get update` does not, hence the retry loop.
apt_get() {
  local out rc tries=0
  out=$(mktemp)
  while :; do
    set +e
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=300 "$@" >"$out" 2>&1
    rc=$?
    set -e
    if [ $rc -eq 0 ]; then
      [ -z "${APT_VERBOSE:-}" ] || cat "$out" >&2
      rm -f "$out"; return 0
    fi
    if grep -qE 'Could not get lock|Unable to lock' "$out" && [ $tries -lt 60 ]; then
      tries=$((tries + 1))
      [ $tries -eq 1 ] && log "apt is busy (another apt/dpkg holds its lock); waiting..."
      sleep 5
      continue
    fi
    cat "$out" >&2; rm -f "$out"; return $rc
  done
}

pkg_installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = 'install ok installed' ]
}
pkg_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null; }

# The pinned Debian source version of qemu (qemu-glue/QEMU_VERSION), e.g.
# 1:10.0.7+ds-0+deb13u1.  QEMU_DIRVER drops the epoch for use in paths.
read_qemu_pin() {
  local f="$GLUE_DIR/QEMU_VERSION"
  [ -f "$f" ] || die "$f is missing (run qemu-glue/scripts/fetch-qemu.sh --update-pin)"
  QEMU_PIN=$(grep -v '^[[:space:]]*#' "$f" | tr -d '[:space:]')
  [ -n "$QEMU_PIN" ] || die "$f holds no version"
  QEMU_DIRVER=${QEMU_PIN#*:}
}
