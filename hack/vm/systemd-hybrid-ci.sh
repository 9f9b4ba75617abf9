#!/usr/bin/env bash
# hack/vm/systemd-hybrid-ci.sh [BUILD_DIR [OUT_DIR]]: one short boot of the systemd guest on
# systemd's hybrid v1 layout (PODAGENT_VM_CGROUP=hybrid, hack/vm/README.md), against an already
# built BUILD_DIR (default: build): the systemd guest checks (SystemdGuest.*, which assert the
# hybrid layout), the systemd cgroup driver's root test (SystemdDriverSystemdGuest.*: v1 files,
# systemctl properties, every hierarchy joined and left clean) and SandboxE2E under
# cgroup_driver systemd. PODAGENT_VM_HYBRID_SUITES (a ctest -R regex) overrides the choice.
# Left out: ContainerE2E.MemoryLimitOomKilled, whose OOMKilled reason races with systemd removing
# the emptied scope's v1 memory cgroup (runtime/cgroups/README.md). Bounds: the run
# PODAGENT_VM_HYBRID_TIMEOUT (420 s), each test 180 s. Results: OUT_DIR (default
# BUILD_DIR/vm-systemd)/junit-hybrid.xml and ctest-hybrid.log. hack/vm/systemd-ci.sh runs it
# after its own boot (hack/vm/README.md has its record).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=$(cd "${1:-build}" && pwd -P)
out=${2:-$build/vm-systemd}
mkdir -p "$out"
out=$(cd "$out" && pwd -P)
select=${PODAGENT_VM_HYBRID_SUITES:-'^(SystemdGuest\.|SystemdDriverSystemdGuest\.|SandboxE2E\.)'}
rm -f "$out/junit-hybrid.xml" "$out/ctest-hybrid.log"
start=$(date +%s)
set +e
PODAGENT_VM_INIT=systemd PODAGENT_VM_CGROUP=hybrid PODAGENT_VM_TIMEOUT=${PODAGENT_VM_HYBRID_TIMEOUT:-420} \
  PODAGENT_VM_SHARE=$out PODAGENT_TEST_CGROUP_DRIVER=systemd \
  "$here/run.sh" ctest --test-dir "$build" -R "$select" --timeout 180 --output-on-failure --no-tests=error \
  --output-junit "$out/junit-hybrid.xml" --output-log "$out/ctest-hybrid.log"
rc=$?
set -e
echo "vm-systemd-hybrid: boot and tests took $(( $(date +%s) - start ))s, exit $rc; results in $out/junit-hybrid.xml" >&2
exit "$rc"
