#!/usr/bin/env bash
# Makes apt able to fetch what the QEMU build needs, idempotently:
#   * deb-src for Debian 13 "trixie" main  -> `apt-get source qemu` (10.0.x)
#   * deb for bookworm-backports main      -> meson >= 1.5, seabios 1.16.3
# and pins every trixie *binary* package to priority -1, so nothing from
# trixie can ever be installed on this bookworm machine (there is no `deb`
# line for trixie either; the pin is the second lock).  Backports keep their
# default priority 100: only `apt-get install -t bookworm-backports` uses them.
#
# The mirror is the one the machine already uses for bookworm (derived from
# `apt-get update --print-uris`), unless FAULTCORE_DEBIAN_MIRROR is set.
# `apt-get update` runs only when a file changed or an index is missing.
set -euo pipefail
PROG=setup-apt
. "$(dirname "$0")/common.sh"

SOURCES_FILE=/etc/apt/sources.list.d/faultcore-qemu.sources
PIN_FILE=/etc/apt/preferences.d/faultcore-qemu
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

# Index URIs apt would fetch for the given sources.list.d directory.
print_uris() { apt-get update --print-uris -o Dir::Etc::sourceparts="$1" 2>/dev/null || true; }

# Sources configured by someone other than this script.
others=$(mktemp -d)
trap 'rm -rf "$others"' EXIT
for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  [ -e "$f" ] && [ "$f" != "$SOURCES_FILE" ] && ln -s "$f" "$others/"
done
other_uris=$(print_uris "$others")

mirror=${FAULTCORE_DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then
  mirror=$(sed -n "s|^'\(.*\)/dists/bookworm/InRelease'.*|\1|p" <<<"$other_uris" | head -n1)
  [ -n "$mirror" ] || mirror=$(sed -n "s|^'\(.*\)/dists/bookworm/Release'.*|\1|p" <<<"$other_uris" | head -n1)
  [ -n "$mirror" ] || die "no apt source for Debian 'bookworm' found in /etc/apt/sources.list*;" \
    "set FAULTCORE_DEBIAN_MIRROR=http://<debian mirror>/debian"
fi
[ -f "$KEYRING" ] || die "$KEYRING missing (apt-get install debian-archive-keyring)"

# Add each stanza only if no other source provides it already (a duplicate
# entry would make apt warn on every call).
want_trixie_src=1 want_backports=1
grep -q "/dists/trixie/main/source/Sources" <<<"$other_uris" && want_trixie_src=0
grep -q "/dists/bookworm-backports/main/binary-" <<<"$other_uris" && want_backports=0

desired_sources="# Managed by faultcore qemu-glue/scripts/setup-apt.sh -- do not edit.
# trixie: source packages only (the qemu 10.0.x source); never binaries.
# bookworm-backports: meson >= 1.5 and seabios 1.16.3 (install with -t).
"
if [ $want_trixie_src -eq 1 ]; then
  desired_sources+="
Types: deb-src
URIs: $mirror
Suites: trixie
Components: main
Signed-By: $KEYRING
"
fi
if [ $want_backports -eq 1 ]; then
  desired_sources+="
Types: deb
URIs: $mirror
Suites: bookworm-backports
Components: main
Signed-By: $KEYRING
"
fi
desired_pin="# Managed by faultcore qemu-glue/scripts/setup-apt.sh -- do not edit.
# trixie is configured for source packages only; never install its binaries.
Package: *
Pin: release n=trixie
Pin-Priority: -1
"

changed=0
write_if_different() {  # FILE CONTENT
  if [ -f "$1" ] && cmp -s "$1" <(printf '%s' "$2"); then return 0; fi
  log "writing $1"
  printf '%s' "$2" | $SUDO tee "$1.tmp" >/dev/null
  $SUDO mv -f "$1.tmp" "$1"
  changed=1
}
if [ $want_trixie_src -eq 0 ] && [ $want_backports -eq 0 ]; then
  if [ -e "$SOURCES_FILE" ]; then $SUDO rm -f "$SOURCES_FILE"; changed=1; fi
else
  write_if_different "$SOURCES_FILE" "$desired_sources"
fi
write_if_different "$PIN_FILE" "$desired_pin"

# Are the indexes present?  (indextargets lists only downloaded ones.)
# shellcheck disable=SC2016  # $(...) are apt's format fields, not shell
targets=$(apt-get indextargets --format '$(RELEASE) $(TARGET_OF) $(CREATED_BY)' 2>/dev/null || true)
missing=0
grep -qx 'trixie deb-src Sources' <<<"$targets" || missing=1
grep -qx 'bookworm-backports deb Packages' <<<"$targets" || missing=1

if [ $changed -eq 1 ] || [ $missing -eq 1 ]; then
  log "apt-get update (mirror $mirror)"
  apt_get update -q >/dev/null || die "apt-get update failed"
  # shellcheck disable=SC2016
  targets=$(apt-get indextargets --format '$(RELEASE) $(TARGET_OF) $(CREATED_BY)')
  grep -qx 'trixie deb-src Sources' <<<"$targets" \
    || die "apt-get update did not fetch trixie's Sources index from $mirror"
  grep -qx 'bookworm-backports deb Packages' <<<"$targets" \
    || die "apt-get update did not fetch bookworm-backports' Packages index from $mirror"
fi

# The lock must hold.  There is no trixie `deb` line of ours; if someone else
# added one, its packages must show priority -1.
if grep -qx 'trixie deb Packages' <<<"$targets"; then
  bad=$(apt-cache policy | grep -E '^ *[0-9-]+ .* trixie/' | awk '$1 != "-1"' || true)
  [ -z "$bad" ] || die "trixie binary packages are installable (pin not effective):"$'\n'"$bad"
fi
log "ok: trixie deb-src + bookworm-backports from $mirror (trixie binaries pinned to -1)"
