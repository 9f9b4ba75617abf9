#!/usr/bin/env bash
# hack/vm/ci.sh [BUILD_DIR]: the CI entry point for cgroup v2. Boots the guest of run.sh once and
# runs there, against an already built BUILD_DIR (default: build):
#   0. a boot check first: a guest that does not answer `true` within PODAGENT_VM_BOOT_TIMEOUT
#      (180 s) fails the run at once instead of burning the whole budget;
#   1. checks that the guest really is cgroup v2 with the controllers podagent needs delegated;
#   2. ctest -L 'root|e2e' minus SystemdGuest and the tests that by their name only run on the v1 host, each test
#      bounded by PODAGENT_VM_CI_TEST_TIMEOUT (600 s), split over two guests that run at once.
# Exits non-zero if anything failed. Results survive the guests in BUILD_DIR/vm-ci/
# (junit-K.xml, ctest-K.log for guest K). README.md in this folder says what it runs and how long it takes.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=${1:-${PODAGENT_BUILD_DIR:-build}}
[ -f "$build/CTestTestfile.cmake" ] || { echo "vm-ci: $build is not a configured build dir (build the project first)" >&2; exit 2; }
build=$(cd "$build" && pwd -P)

# Tests that say by their name they are for the v1 host only (they assert v1 hierarchies or the
# host's controller-less /sys/fs/cgroup/unified). Everything else must pass on both versions.
# Also left out for time: the image pull tests (PullTest.*) run docker-registry and skopeo, Go
# programs that are ~20x slower under TCG (16 min of the guest's 17 min root suite, measured) and
# do not touch cgroups; they run on the host in hack/test.sh. The same holds for the image e2e
# tests (ImageE2E.*, HostileImageE2E.*, PullCancelE2E.*: ~30 s each in the guest, all of it
# docker-registry), and the benchmark driver's smoke run (CriBenchSmoke.*: pulls, measures nothing
# about cgroups).
# The e2e suites whose subject does not depend on the cgroup version also stay on the host: each
# of their tests starts a daemon and pulls through the registry, 70-110 s a test under TCG
# (measured), which would put the guest past its budget: critest's regressions
# (ConformanceE2E.*), streaming (StreamingE2E.*, StreamingTokenTtlE2E.*), bad requests and exec limits (BadRequestsE2E.*,
# ExecE2E.*), and for now the kubelet-semantics and device/kill e2e suites (KubeletE2E.*,
# SecurityE2E.*: about 25 min more under TCG), whose v2 mechanics the root tests here cover
# (t_device_cgroup_root: the attached BPF device program and cgroup.kill) and every container of
# ContainerE2E exercises (the cgroup namespace and /sys/fs/cgroup view). The guest runs the root
# tests and the container, sandbox, daemon and metrics e2e suites; among these two cases of
# MetricsAcceptanceE2E (issue #17's acceptance), DiskIoIsWhatTheKernelAccounts (disk bytes within
# 10 % of io.stat) and MemoryProcessFsPsiAndMachineFamiliesAreTheKernels (PSI present): the v2
# proof, ~90 s each under TCG (measured). Its other cases run on the host only: the scrape-config
# and network cases read nothing a cgroup version changes (job labels; the pod's
# /proc/<pid>/net/dev), nor does the fs/ulimit/task-state case (statfs and /proc; the task states'
# v2 cgroup.procs read is checked here by the root test RootProcFamilies). So do the diagnostics
# CLI's unprivileged-user tests (UnprivilegedDiagE2E.*: ptrace access to /proc is the same on v1
# and v2; they passed in the guest once, 255 s with TopIsTheCgroupsProcesses).
# For the 60-minute budget, these too run on the host only: pod-to-pod TCP over the bridge and
# malformed CreateContainer input (ContainerE2E, ~60-70 s each under TCG), the CNI plugin
# chain tests (RootCni.*, ~40 s) but the hundred-cycle one, which checks that no cgroup is left,
# and five of the seven diagnostics CLI tests (DiagnosticsE2E.*: the two whose facts differ on v2,
# CgroupReportIsTheKernels and WhyOomKilled, run in the guest, ~35 s each; all seven passed there),
# and the .deb check (DebPackage.*: packing does not depend on the kernel), and the diagnostics
# tutorial (TutorialE2E, ~60 s under TCG: it runs the four subcommands as docs/tutorial.md shows
# them; what in them depends on the cgroup version is what CgroupReportIsTheKernels and
# WhyOomKilled check here). Those 60 s pay for part of the systemd guest's run (systemd-ci.sh).
# The image store's layers-dir flag (LayersDir.*: an ext4 loop mount, a filesystem matter) stays
# on the host too.
# Also on the host only, for the same budget: the privileged tests of files, images, logs, HTTP and
# network devices, which read and write no cgroup file: layer unpacking (UnpackTest.*,
# HostileUnpackTest.*), an image's files and users (ImageFilesRoot.*, ContainerUsersRoot.*), pull
# and import refusals (PullSecurityTest.*, ImportSecurityTest.*), log files (LogOpenRoot.*), HTTP
# connection reuse (HttpConnections.*), the bad-request table (BadRequestCases.*) and interface
# counters (RootNetDev.*). And the container metrics through Prometheus (MetricsContainersE2ETest.*,
# 77-126 s a test under TCG, most of it the Prometheus server, a Go program): what in them depends
# on the cgroup version is the reader, which the root tests check here against the v2 files
# (RootMetrics.*: memory, CPU usage, OOM kills, disk I/O), and MetricsAcceptanceE2E's two cases
# check the whole path through Prometheus on v2.
# Suites named *SystemdGuest (SystemdGuest.*, RootUnitsSystemdGuest.*) need systemd as PID 1: they
# fail in this (bash) guest by design and run in the systemd guest of systemd-ci.sh.
export PODAGENT_VM_CI_EXCLUDE=${PODAGENT_VM_CI_EXCLUDE:-'UnpackTest\.|HostileUnpackTest\.|ImageFilesRoot\.|ContainerUsersRoot\.|PullSecurityTest\.|ImportSecurityTest\.|LogOpenRoot\.|HttpConnections\.|BadRequestCases\.|RootNetDev\.|MetricsContainersE2ETest\.|V1Only|RootCgroupV1\.|RootCgroupV2Unified\.|PullTest\.|LayersDir\.|ImageE2E\.|HostileLayersE2E\.|PullCancelE2E\.|CriBenchSmoke\.|ConformanceE2E\.|Streaming(TokenTtl)?E2E\.|BadRequestsE2E\.|ExecE2E\.|KubeletE2E\.|SecurityE2E\.|DiagnosticsE2E\.(Ns|WhyExit|WhyStart|Top|Errors)|DebPackage\.|ContainerE2E\.TwoPodsTalkTcpOverTheBridge|ContainerE2E\.BadCreateContainerIsRefusedAndCreatesNothing|RootCni\.(NoConfig|DeployConflist|CheckPasses|Failpoint|ManyPods)|UnprivilegedDiagE2E\.|MetricsAcceptanceE2E\.(DeployedConfig|NetworkBytes|FsLimit)|TutorialE2E\.|SystemdGuest\.'}
export PODAGENT_VM_CI_LABELS=${PODAGENT_VM_CI_LABELS:-'root|e2e'}
# One test's bound under TCG. RootCni.HundredPodCyclesLeaveNoIpMountNetnsOrCgroup, kept here for
# its v2 cgroup check, took 244 and 266 s in two guest runs and passed 300 s in a third, on a day
# this host ran everything slower; twice its usual time is the bound.
export PODAGENT_VM_CI_TEST_TIMEOUT=${PODAGENT_VM_CI_TEST_TIMEOUT:-600}
# The whole guest run, boot to power-off (see README.md for measured times; the container and
# metrics e2e suites make it several minutes under TCG).
export PODAGENT_VM_TIMEOUT=${PODAGENT_VM_TIMEOUT:-2400}

out=$build/vm-ci
rm -rf "$out"
mkdir -p "$out"
start=$(date +%s)
# The busybox test image, once for the run (under a second here): ci-guest.sh points every test
# process at it (PODAGENT_TEST_BUSYBOX_LAYOUT) instead of each building its own under TCG.
bash "$here/../make-test-images.sh" "$out/images" >/dev/null
if ! PODAGENT_VM_TIMEOUT=${PODAGENT_VM_BOOT_TIMEOUT:-180} "$here/run.sh" true; then
  echo "vm-ci: the guest did not boot and run \`true\` within ${PODAGENT_VM_BOOT_TIMEOUT:-180}s: giving up" >&2
  exit 1
fi
echo "vm-ci: boot check passed in $(( $(date +%s) - start ))s" >&2
# One guest keeps one host core busy, not two (qemu at 100 %: its tests run one at a time, and
# most of a test is one process), so the list is split over PODAGENT_VM_CI_GUESTS guests at once
# (default: one per host core, at most 2), each taking every Nth test (ctest -I K,,N). Each prefixes
# its lines with its number and leaves its own junit-K.xml and ctest-K.log. A PODAGENT_VM_CI_INCLUDE
# filter defaults to one guest: a filter of one test would leave the second guest none, and
# ctest's --no-tests=error would fail it.
default_guests=$(( $(nproc) > 1 ? 2 : 1 ))
[ -n "${PODAGENT_VM_CI_INCLUDE:-}" ] && default_guests=1
guests=${PODAGENT_VM_CI_GUESTS:-$default_guests}
pids=()
for k in $(seq 1 "$guests"); do
  (
    set -o pipefail
    PODAGENT_VM_CI_PART="$k/$guests" PODAGENT_VM_SHARE=$out "$here/run.sh" bash "$here/ci-guest.sh" "$build" "$out" 2>&1 |
      sed -u "s/^/[guest $k] /"
  ) &
  pids+=($!)
done
rc=0
for p in "${pids[@]}"; do
  wait "$p" || rc=1
done
echo "vm-ci: guest run took $(( $(date +%s) - start ))s, exit $rc; results in $out" >&2
exit "$rc"
