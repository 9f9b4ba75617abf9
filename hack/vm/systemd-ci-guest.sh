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
# The driver's suites: results in junit-driver.xml. A ContainerE2E test costs 90-160 s under TCG
# (most of it building the busybox image, once per test process), so only those whose cgroups the
# driver makes: the OOM kill (137), cpu shares (the scope's weight) and the daemon's kill -9
# restart; all of SandboxE2E (4-15 s each). Left out, as nothing in them depends on the driver:
# the namespaces test (passed here once, 121 s), and as in the bash guest (hack/vm/ci.sh) pod-to-
# pod TCP, malformed CreateContainer input and ExecE2E.
driver_select=${PODAGENT_VM_SYSTEMD_DRIVER_SUITES:-'^(SandboxE2E\.|ContainerE2E\.(MemoryLimitOomKilled|CpuSharesProportionOnOneCpu|Kill9RestartKeepsStatesExitCodesAndLogs)$)'}
s=$(date +%s)
PODAGENT_TEST_CGROUP_DRIVER=systemd ctest --test-dir "$build" -R "$driver_select" --timeout "$PODAGENT_VM_CI_TEST_TIMEOUT" \
  --output-on-failure --no-tests=error --output-junit "$out/junit-driver.xml" --output-log "$out/ctest-driver.log" || rc=1
echo "vm-systemd: the e2e suites under the systemd cgroup driver took $(( $(date +%s) - s ))s"
if [ -n "${PODAGENT_VM_CRICTL:-}" ]; then
  s=$(date +%s)
  CRICTL=$PODAGENT_VM_CRICTL bash "$here/systemd-install-check.sh" "$(ls "$out"/deb/podagent_*.deb)" \
    "$out/images/busybox" || rc=1
  echo "vm-systemd: install check took $(( $(date +%s) - s ))s"
else
  echo "vm-systemd: install check NOT RUN: no crictl (not a Debian package; set CRICTL=PATH)"
fi
exit "$rc"
