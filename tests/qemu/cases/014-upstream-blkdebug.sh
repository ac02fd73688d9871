#!/bin/bash
# Without the faultcore option blkdebug behaves as upstream: inject-error
# rules (inline or from a config file) fail the requests that touch their
# sector, state changes work, and nothing records error details.
# faultcore together with inject-error rules is refused.
# shellcheck source=SCRIPTDIR/../common.sh
. "$TESTS_DIR/common.sh"

_make_disk 1M 0xaa
cat >rules.txtpb <<'RULES'
rules { name: "bad" range { lba: 1010 count: 4 } media_error {} }
RULES
cat >blkdebug.conf <<'CONF'
[inject-error]
event = "read_aio"
errno = "28"
sector = "1012"
CONF

UPSTREAM="driver=raw,file.driver=blkdebug,file.image.driver=file,file.image.filename=$DISK"

_section "an inline inject-error rule (errno 5, sector 1010, read_aio)"
_run "$QEMU_IO" --image-opts \
  "$UPSTREAM,file.inject-error.0.event=read_aio,file.inject-error.0.errno=5,file.inject-error.0.sector=1010" \
  -c "$(_sec read 1000 32)" \
  -c "$(_sec read 1011 8)" \
  -c "$(_sec 'read -P 0xaa' 1000 10)"

_section "inject-error once, with a state change (set-state on read_aio)"
_run "$QEMU_IO" --image-opts \
  "$UPSTREAM,file.inject-error.0.event=read_aio,file.inject-error.0.state=2,file.inject-error.0.once=on,file.set-state.0.event=read_aio,file.set-state.0.state=1,file.set-state.0.new_state=2" \
  -c "$(_sec read 0 1)" \
  -c "$(_sec read 0 1)" \
  -c "$(_sec read 0 1)"

_section "a config file rule (errno 28, sector 1012)"
_run "$QEMU_IO" --image-opts "$UPSTREAM,file.config=blkdebug.conf" \
  -c "$(_sec read 1000 32)" -c "$(_sec read 1013 1)"

_section "faultcore with inject-error is refused"
_run "$QEMU_IO" --image-opts \
  "$(_fc_opts rules.txtpb),file.inject-error.0.event=read_aio,file.inject-error.0.sector=5" \
  -c "read 0 512"
_run "$QEMU_IO" --image-opts "$(_fc_opts rules.txtpb),file.config=blkdebug.conf" \
  -c "read 0 512"

_section "faultcore with set-state rules only is accepted"
_run "$QEMU_IO" --image-opts \
  "$(_fc_opts rules.txtpb),file.set-state.0.event=read_aio,file.set-state.0.new_state=2" \
  -c "$(_sec read 1010 1)" -c "$(_sec read 0 1)"

_done
