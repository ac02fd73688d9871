#!/bin/sh
# libfaultcore.so exports exactly the C ABI: every FC_EXPORT function of
# faultcore.h and nothing else (STYLE.md: "Everything else has hidden
# visibility").  Usage: so_exports_test.sh path/to/libfaultcore.so
# path/to/faultcore.h
set -eu

so=$1
header=$2
tmp=${TEST_TMPDIR:-$(mktemp -d)}

# Defined dynamic symbols that other objects can bind to: every global type
# (T, D, B, R, W, V, G, S, ...) and GNU's unique (u) and indirect (i) ones.
# Symbol versions (name@@VERSION) are cut off.  Left out: absolute symbols
# (A, e.g. a version node the linker defines) and local ones (lower case):
# the linker keeps a local symbol in .dynsym when a relocation needs it, for
# example a thread-local variable with the initial-exec TLS model, but
# nothing outside the library can refer to it.
nm -D --defined-only "$so" >"$tmp/nm"
awk '$2 ~ /^([B-Z]|[ui])$/ { sub(/@.*/, "", $3); print $3 }' "$tmp/nm" |
  sort -u >"$tmp/exported"
awk '$2 ~ /^[a-z]$/ && $2 !~ /^[ui]$/ { print "  " $2 " " $3 }' "$tmp/nm" \
  >"$tmp/local"

# The declared ABI: the name before "(" on each line that starts with
# FC_EXPORT (declarations in faultcore.h are one per line from FC_EXPORT to
# the name).
grep -E '^FC_EXPORT[[:space:]]' "$header" |
  sed -E 's/\(.*//; s/.*[[:space:]*]([A-Za-z_][A-Za-z0-9_]*)[[:space:]]*$/\1/' |
  sort -u >"$tmp/declared"

echo "== exported by $so:"
cat "$tmp/exported"
if [ -s "$tmp/local" ]; then
  echo "== local (not exported) entries of its dynamic symbol table:"
  cat "$tmp/local"
fi

status=0
if [ ! -s "$tmp/declared" ]; then
  echo "FAIL: found no FC_EXPORT declarations in $header"
  status=1
fi
bad=$(grep -Ev '^(fc_[A-Za-z0-9_]+|faultcore_get_api)$' "$tmp/exported" || true)
if [ -n "$bad" ]; then
  echo "FAIL: exported symbols outside fc_* / faultcore_get_api:"
  echo "$bad"
  status=1
fi
if ! diff -u "$tmp/declared" "$tmp/exported" >"$tmp/diff"; then
  echo "FAIL: exports differ from the FC_EXPORT functions of $header" \
    "(- declared only, + exported only):"
  cat "$tmp/diff"
  status=1
fi
[ $status -eq 0 ] && echo "OK: $(wc -l <"$tmp/exported") symbols, all declared"
exit $status
