#!/usr/bin/env bash
# Installs what configuring, building and running the QEMU build needs on
# Debian 12, idempotently: only missing (or too old) packages are installed.
# meson >= 1.5 and seabios >= 1.16.3 come from bookworm-backports (run
# setup-apt.sh first; build-qemu.sh does).
set -euo pipefail
PROG=install-build-deps
. "$(dirname "$0")/common.sh"

# Configure + build.  build-essential brings gcc/make/libc6-dev on a minimal
# machine; python3-venv because configure creates a venv around meson.
build_pkgs=(build-essential ninja-build pkg-config dpkg-dev xz-utils patch perl
            python3 python3-venv libglib2.0-dev libpixman-1-dev libfdt-dev flex
            bison libslirp-dev libaio-dev)
# The x86 option ROMs (linuxboot_dma.bin for -kernel, kvmvapic.bin, ...) are
# 16/32-bit code; configure only sets up their build when `cc -m32` can link
# against a 32-bit libgcc.
[ "$(dpkg --print-architecture)" != amd64 ] || build_pkgs+=(gcc-multilib)
# Run time: the +ds source has no firmware blobs; the binary is configured
# to find these packages' files (--firmwarepath in build-qemu.sh).
run_pkgs=(ipxe-qemu)
# name:minimum-version, installed from bookworm-backports when too old.
backports=(meson:1.5 seabios:1.16.3)

missing=()
for p in "${build_pkgs[@]}" "${run_pkgs[@]}"; do
  pkg_installed "$p" || missing+=("$p")
done
missing_bpo=()
for spec in "${backports[@]}"; do
  p=${spec%%:*} min=${spec#*:}
  if pkg_installed "$p" && dpkg --compare-versions "$(pkg_version "$p")" ge "$min"; then
    continue
  fi
  missing_bpo+=("$p")
done

if [ ${#missing[@]} -eq 0 ] && [ ${#missing_bpo[@]} -eq 0 ]; then
  log "ok: all build dependencies present (meson $(pkg_version meson), seabios $(pkg_version seabios))"
  exit 0
fi

if [ ${#missing_bpo[@]} -gt 0 ]; then
  policy=$(apt-cache policy "${missing_bpo[@]}" 2>/dev/null || true)
  grep -q 'bookworm-backports' <<<"$policy" \
    || die "bookworm-backports is not configured; run qemu-glue/scripts/setup-apt.sh"
fi
install() {  # [apt-get options...] packages...
  apt_get install -y -q --no-install-recommends "$@" >/dev/null
}
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  install "${missing[@]}" || die "apt-get install ${missing[*]} failed"
fi
if [ ${#missing_bpo[@]} -gt 0 ]; then
  log "installing from bookworm-backports: ${missing_bpo[*]}"
  install -t bookworm-backports "${missing_bpo[@]}" \
    || die "apt-get install -t bookworm-backports ${missing_bpo[*]} failed"
fi

for spec in "${backports[@]}"; do
  p=${spec%%:*} min=${spec#*:}
  dpkg --compare-versions "$(pkg_version "$p")" ge "$min" \
    || die "$p $(pkg_version "$p") installed, but >= $min is needed"
done
log "ok: meson $(pkg_version meson), seabios $(pkg_version seabios), ipxe-qemu $(pkg_version ipxe-qemu)"
