#!/bin/bash
# Draining releases held requests, so a hold never hangs a drain: qemu-io's
# aio_flush (drain of every node), its exit, and "close" (a drain of the
# BlockBackend, which reaches blkdebug only through the graph above it, as
# a device reset or blockdev-del does) complete at once although the hold
# would last 20 s.  A hold that also matches flushes (no range) does not
# park the flush that closing the image issues while draining.  Delays are
# cut short the same way: a 20 s delay, or a 20 s latency before a media
# error, never makes a drain (vm stop, quit, migration, blockdev-del) wait;
# the request then completes as its rule says.
# shellcheck source=SCRIPTDIR/../common.sh
. "$TESTS_DIR/common.sh"

_make_disk 1M 0xaa
cat >rules.txtpb <<'RULES'
rules {
  name: "hang"
  range { lba: 0 count: 8 }
  hold { timeout_ns: 20000000000 on_timeout: FAIL }
}
RULES
cat >slow.txtpb <<'RULES'
rules { name: "slow" range { lba: 0 count: 8 } delay { ns: 20000000000 } }
rules {
  name: "slow-failure"
  range { lba: 100 count: 8 }
  media_error {}
  latency_ns: 20000000000
}
RULES
cat >hang-all.txtpb <<'RULES'
rules { name: "hang-everything" hold { timeout_ns: 20000000000 } }
RULES

# _fast WHAT RULES qemu-io-arguments...: runs them, prints the output, and
# checks that they took less than 5 s.
_fast() {
  local what=$1 rules=$2 t0 t1
  shift 2
  t0=$(_now_ms)
  _qio "$rules" "$@"
  t1=$(_now_ms)
  _expect_lt "$what" $((t1 - t0)) 5000
}

_section "aio_read held, then aio_flush"
_fast "aio_flush" rules.txtpb -c "aio_read -P 0xaa 0 512" -c "aio_flush"

_section "aio_read held, then qemu-io exits"
_fast "exit" rules.txtpb -c "aio_read -P 0xaa 0 512"

_section "aio_read held, then close (drains the BlockBackend only)"
_fast "close" rules.txtpb -c "aio_read -P 0xaa 0 512" -c "close"

_section "a hold on every request, flushes included: aio_read, then close"
_fast "close" hang-all.txtpb -c "aio_read -P 0xaa 0 512" -c "close"

_section "... and qemu-io's exit"
_fast "exit" hang-all.txtpb -c "aio_read -P 0xaa 0 512"

_section "aio_read delayed by 20 s, then aio_flush: it completes at once, with its data"
_fast "aio_flush" slow.txtpb -c "aio_read -P 0xaa 0 512" -c "aio_flush"

_section "aio_read delayed by 20 s, then close"
_fast "close" slow.txtpb -c "aio_read -P 0xaa 0 512" -c "close"

_section "a media error 20 s late, then aio_flush: it fails at once, as the rule says"
_fast "aio_flush" slow.txtpb -c "aio_read 51200 512" -c "aio_flush"

_done
