#!/usr/bin/env bash
# hack/vm/systemd-ci.sh [BUILD_DIR]: the systemd guest's run (issue 16's acceptance), against an
# already built BUILD_DIR (default: build; podagent, podagent-shim, podagent-pause,
# t_systemd_guest_root, t_sandbox_e2e, t_container_e2e and t_cgroup_version_root built). On the
# host it packs the .deb with CPack and builds the busybox OCI layout once (no network in the
# guest; every test there uses it through PODAGENT_TEST_BUSYBOX_LAYOUT); then one boot of
# PODAGENT_VM_INIT=systemd hack/vm/run.sh runs systemd-ci-guest.sh there:
#   1. ctest -R 'SystemdGuest' (plus PODAGENT_VM_SYSTEMD_INCLUDE, a ctest -R regex for the tests
#      that need systemd, e.g. the systemd cgroup driver's): PID 1 is systemd, the system is
#      running, cgroup2 with a systemd-managed tree;
#   2. the sandbox and container e2e suites (t_sandbox_e2e, t_container_e2e) and the cgroup root
#      tests (t_cgroup_version_root) again with PODAGENT_TEST_CGROUP_DRIVER=systemd: the daemon,
#      or the cgroup checks, under the systemd cgroup driver (PODAGENT_VM_SYSTEMD_DRIVER_SUITES
#      and PODAGENT_VM_SYSTEMD_DRIVER_EXCLUDE, ctest -R and -E regexes, override the choice);
#   3. systemd-install-check.sh: the .deb installs, starts (Type=notify), runs a pod through
#      crictl, upgrades with the pod kept running, and is removed;
# then systemd-hybrid-ci.sh: a second, short boot on systemd's hybrid v1 layout
# (PODAGENT_VM_HYBRID=0 skips it).
# Bounds: systemd's boot to the command PODAGENT_VM_SYSTEMD_BOOT_TIMEOUT (300 s, inside the guest:
# run.sh exits 125 when it is exceeded, so no separate boot check costs a second boot), each test
# PODAGENT_VM_CI_TEST_TIMEOUT (300 s), the whole run PODAGENT_VM_TIMEOUT (1200 s).
# Results stay in BUILD_DIR/vm-systemd/ (junit.xml, ctest.log; junit-driver.xml, ctest-driver.log
# for 2; the .deb; junit-hybrid.xml, ctest-hybrid.log for the hybrid boot).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${1:-${PODAGENT_BUILD_DIR:-build}}
[ -f "$build/CPackConfig.cmake" ] || { echo "vm-systemd: $build is not a configured build dir (build the project first)" >&2; exit 2; }
build=$(cd "$build" && pwd -P)
export PODAGENT_VM_INIT=systemd
export PODAGENT_VM_TIMEOUT=${PODAGENT_VM_TIMEOUT:-1200}
export PODAGENT_VM_SYSTEMD_BOOT_TIMEOUT=${PODAGENT_VM_SYSTEMD_BOOT_TIMEOUT:-300}
export PODAGENT_VM_CI_TEST_TIMEOUT=${PODAGENT_VM_CI_TEST_TIMEOUT:-300}
# The install check drives the daemon with crictl, which Debian does not package: CRICTL or
# crictl on PATH; without one it is not run, and the guest says so.
PODAGENT_VM_CRICTL=${CRICTL:-$(command -v crictl || true)}
export PODAGENT_VM_CRICTL

out=$build/vm-systemd
rm -rf "$out"
mkdir -p "$out/deb"
start=$(date +%s)
cpack -G DEB -B "$out/deb" --config "$build/CPackConfig.cmake" >"$out/cpack.log" 2>&1 ||
  { cat "$out/cpack.log" >&2; echo "vm-systemd: cpack failed" >&2; exit 1; }
rm -rf "$out/deb/_CPack_Packages"
bash "$src/hack/make-test-images.sh" "$out/images" >/dev/null
echo "vm-systemd: .deb and image ready in $(( $(date +%s) - start ))s: $(cd "$out/deb" && ls ./*.deb)" >&2
set +e
PODAGENT_VM_SHARE=$out "$here/run.sh" bash "$here/systemd-ci-guest.sh" "$build" "$out"
rc=$?
set -e
echo "vm-systemd: run took $(( $(date +%s) - start ))s, exit $rc; results in $out" >&2
if [ "${PODAGENT_VM_HYBRID:-1}" = 1 ]; then
  "$here/systemd-hybrid-ci.sh" "$build" "$out" || rc=1
fi
exit "$rc"
