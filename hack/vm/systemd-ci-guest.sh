#!/usr/bin/env bash
# Guest side of hack/vm/systemd-ci.sh: systemd-ci-guest.sh BUILD_DIR OUT_DIR, inside the systemd
# guest. The tests that need systemd; the sandbox and container e2e suites again under the systemd
# cgroup driver (PODAGENT_TEST_CGROUP_DRIVER=systemd: each test's daemon runs cgroup_driver
# systemd under a slice of the test's; tests/lib/cgroup_driver_e2e.h); then the .deb's install
# acceptance. Exits non-zero if any failed (all run).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=$1
out=$2
echo "vm-systemd: kernel $(uname -r), PID 1 $(readlink /proc/1/exe), PODAGENT_EXPECT_INIT=${PODAGENT_EXPECT_INIT:-unset}"
rc=0
# The busybox image systemd-ci.sh built on the host, for every test process of the run
# (tests/lib/test_registry.h) instead of one build each under TCG.
export PODAGENT_TEST_BUSYBOX_LAYOUT=$out/images/busybox
select='SystemdGuest'
[ -n "${PODAGENT_VM_SYSTEMD_INCLUDE:-}" ] && select+="|$PODAGENT_VM_SYSTEMD_INCLUDE"
s=$(date +%s)
ctest --test-dir "$build" -R "$select" --timeout "$PODAGENT_VM_CI_TEST_TIMEOUT" --output-on-failure \
  --no-tests=error --output-junit "$out/junit.xml" --output-log "$out/ctest.log" || rc=1
echo "vm-systemd: tests took $(( $(date +%s) - s ))s"
# The driver's suites: results in junit-driver.xml. All of SandboxE2E and ContainerE2E (tests added
# to either suite run here too, pod-to-pod TCP over the bridge included: 10 s here), and the cgroup
# root tests of tests/integration/cgroupv2 (ROOT_CgroupOnDetectedVersion: the same checks through
# SystemdCgroupDriver, on a scope in a slice of the test's own). With the busybox layout built once
# (above) a ContainerE2E test takes 6-22 s here instead of 39 s or more; the 17 tests took 103-155 s
# (2026-11-30, two runs), 19 with ContainerE2E's restart tests 145 s.
# PODAGENT_VM_SYSTEMD_DRIVER_EXCLUDE, a ctest -E regex, leaves tests out.
driver_select=${PODAGENT_VM_SYSTEMD_DRIVER_SUITES:-'^(SandboxE2E|ContainerE2E|ROOT_CgroupOnDetectedVersion)\.'}
driver_args=(-R "$driver_select")
[ -n "${PODAGENT_VM_SYSTEMD_DRIVER_EXCLUDE:-}" ] && driver_args+=(-E "$PODAGENT_VM_SYSTEMD_DRIVER_EXCLUDE")
s=$(date +%s)
PODAGENT_TEST_CGROUP_DRIVER=systemd ctest --test-dir "$build" "${driver_args[@]}" \
  --timeout "$PODAGENT_VM_CI_TEST_TIMEOUT" --output-on-failure --no-tests=error --output-junit "$out/junit-driver.xml" \
  --output-log "$out/ctest-driver.log" || rc=1
echo "vm-systemd: the e2e suites under the systemd cgroup driver took $(( $(date +%s) - s ))s"
if [ -n "${PODAGENT_VM_CRICTL:-}" ]; then
  s=$(date +%s)
  # The guest's / is the host's under a throw-away overlay: a podagent config the host has (the
  # README's run command installs one) would make dpkg ask about a conffile it did not install.
  # The check wants a node podagent was never on, so the guest's copy moves aside (the host's
  # file is untouched: only stage2's systemd guest sets PODAGENT_EXPECT_INIT).
  if [ "${PODAGENT_EXPECT_INIT:-}" = systemd ] && [ -e /etc/podagent ]; then
    mv /etc/podagent /etc/podagent.from-host && echo "vm-systemd: the host's /etc/podagent moved aside in the guest"
  fi
  CRICTL=$PODAGENT_VM_CRICTL bash "$here/systemd-install-check.sh" "$(ls "$out"/deb/podagent_*.deb)" \
    "$out/images/busybox" || rc=1
  echo "vm-systemd: install check took $(( $(date +%s) - s ))s"
else
  echo "vm-systemd: install check NOT RUN: no crictl (not a Debian package; set CRICTL=PATH)"
fi
exit "$rc"
