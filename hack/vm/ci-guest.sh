#!/usr/bin/env bash
# Guest side of hack/vm/ci.sh: ci-guest.sh BUILD_DIR OUT_DIR. Runs inside run.sh's guest.
set -uo pipefail
build=$1
out=$2

fail() { echo "vm-ci: $*" >&2; exit 1; }

fs=$(stat -f -c %T /sys/fs/cgroup)
[ "$fs" = cgroup2fs ] || fail "/sys/fs/cgroup is $fs, not cgroup2fs"
enabled=$(cat /sys/fs/cgroup/cgroup.subtree_control)
for c in cpu cpuset io memory pids hugetlb; do
  grep -qw "$c" <<<"$enabled" || fail "controller $c not enabled in the root's subtree_control ($enabled)"
done
echo "vm-ci: kernel $(uname -r), cgroup2 with: $enabled"

# The busybox image ci.sh built on the host for the whole run (tests/lib/test_registry.h).
export PODAGENT_TEST_BUSYBOX_LAYOUT=$out/images/busybox

# PODAGENT_VM_CI_PART=K/N (ci.sh sets it): this guest runs every Nth of the selected tests,
# starting at the Kth (ctest -I K,,N), and names its results junit-K.xml and ctest-K.log.
part=${PODAGENT_VM_CI_PART:-1/1}
k=${part%/*}
n=${part#*/}
select=(-L "$PODAGENT_VM_CI_LABELS" -E "$PODAGENT_VM_CI_EXCLUDE" -I "$k,,$n")
[ -n "${PODAGENT_VM_CI_INCLUDE:-}" ] && select+=(-R "$PODAGENT_VM_CI_INCLUDE")
ctest --test-dir "$build" -N "${select[@]}" | tail -n 1
ctest --test-dir "$build" "${select[@]}" \
  --timeout "$PODAGENT_VM_CI_TEST_TIMEOUT" --output-on-failure --no-tests=error \
  --output-junit "$out/junit-$k.xml" --output-log "$out/ctest-$k.log"
