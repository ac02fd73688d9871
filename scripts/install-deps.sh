#!/usr/bin/env bash
# Installs what building and testing faultcore needs on Debian 12, idempotently.
# Usage: scripts/install-deps.sh [GROUP...]   (default: bazel)
#   bazel  the build and its libraries (every target)
#   fuzz   clang and its sanitizer runtimes with libFuzzer (make fuzz)
#   abi    abigail-tools (make check-abi)
# Each group installs only what is missing; apt-get update runs at most once.
set -euo pipefail

want_bazel=(bazel-bootstrap libabsl-dev libprotobuf-dev protobuf-compiler
            libgtest-dev libgmock-dev libbenchmark-dev binutils valgrind)
want_fuzz=(clang libclang-rt-14-dev)
want_abi=(abigail-tools)

die() { echo "install-deps: error: $*" >&2; exit 1; }

missing=()
for group in "${@:-bazel}"; do
  case "$group" in
    bazel) pkgs=("${want_bazel[@]}") ;;
    fuzz) pkgs=("${want_fuzz[@]}") ;;
    abi) pkgs=("${want_abi[@]}") ;;
    *) die "unknown group '$group' (known: bazel, fuzz, abi)" ;;
  esac
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
      || missing+=("$p")
  done
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "install-deps: installing ${missing[*]}"
${SUDO:-} apt-get update -qq || die "apt-get update failed"
DEBIAN_FRONTEND=noninteractive ${SUDO:-} apt-get install -y -qq --no-install-recommends \
  "${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
