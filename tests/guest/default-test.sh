# shellcheck shell=sh
# Baked-in guest test: one SG_IO READ(16) of LBAs 1000..1031.
sgio_read "$DISK" 1000 32 --tag default
