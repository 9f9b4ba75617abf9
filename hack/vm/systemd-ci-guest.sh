#!/usr/bin/env bash
# Guest side of hack/vm/systemd-ci.sh: systemd-ci-guest.sh BUILD_DIR OUT_DIR, inside the systemd
# guest. The tests that need systemd, then the .deb's install acceptance. Exits non-zero if either
# failed (both run).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=$1
out=$2
echo "vm-systemd: kernel $(uname -r), PID 1 $(readlink /proc/1/exe), PODAGENT_EXPECT_INIT=${PODAGENT_EXPECT_INIT:-unset}"
rc=0
select='SystemdGuest'
[ -n "${PODAGENT_VM_SYSTEMD_INCLUDE:-}" ] && select+="|$PODAGENT_VM_SYSTEMD_INCLUDE"
s=$(date +%s)
ctest --test-dir "$build" -R "$select" --timeout "$PODAGENT_VM_CI_TEST_TIMEOUT" --output-on-failure \
  --no-tests=error --output-junit "$out/junit.xml" --output-log "$out/ctest.log" || rc=1
echo "vm-systemd: tests took $(( $(date +%s) - s ))s"
if [ -n "${PODAGENT_VM_CRICTL:-}" ]; then
  s=$(date +%s)
  CRICTL=$PODAGENT_VM_CRICTL bash "$here/systemd-install-check.sh" "$(ls "$out"/deb/podagent_*.deb)" \
    "$out/images/busybox" || rc=1
  echo "vm-systemd: install check took $(( $(date +%s) - s ))s"
else
  echo "vm-systemd: install check NOT RUN: no crictl (not a Debian package; set CRICTL=PATH)"
fi
exit "$rc"
