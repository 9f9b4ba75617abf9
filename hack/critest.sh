#!/usr/bin/env bash
# Runs SIG Node's CRI conformance suite (critest, kubernetes-sigs/cri-tools) against a podagent
# started from a build dir on temp dirs, and prints the summary. Run as root.
#
#   hack/critest.sh [BUILD_DIR] [-- extra critest flags, e.g. -ginkgo.focus 'Idempotence']
#
# env: CRITEST   the critest binary (default: critest on PATH)
#      CRICTL    crictl, used to remove what failing specs leave behind (default: crictl on PATH)
#      REGISTRY  the loopback registry serving critest's images under their upstream names
#                (default http://127.0.0.1:5000; see ../../shared/critest/README.md on this
#                machine, or make-test-images.sh there, for building and serving them)
#      KEEP=1    keep the temp dir (daemon log, junit report) after the run
#
# The daemon gets a private socket, root dir, run dir and cgroup parent, a bridge CNI network on
# a random 10.87.X.0/24 with its own bridge, metrics off, and registry mirrors sending
# registry.k8s.io, gcr.io and docker.io to $REGISTRY (critest v1.34.0's -registry-prefix drops
# tags, so mirrors it is). Afterwards every pod left is stopped and removed, the daemon (started
# here, stopped by its PID) exits, mounts under the temp dir are detached, the bridge and the
# cgroup parent deleted.
# critest's binaries and images never enter this repository.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
build=$here/build
if [ $# -gt 0 ] && [ "$1" != "--" ]; then build=$(cd "$1" && pwd); shift; fi
[ "${1:-}" = "--" ] && shift
critest=${CRITEST:-$(command -v critest || true)}
crictl=${CRICTL:-$(command -v crictl || true)}
registry=${REGISTRY:-http://127.0.0.1:5000}
[ "$(id -u)" -eq 0 ] || { echo "critest.sh: run as root" >&2; exit 2; }
[ -x "$critest" ] || { echo "critest.sh: no critest binary (set CRITEST or put critest on PATH)" >&2; exit 2; }
for b in podagent podagent-shim podagent-pause; do
  [ -x "$build/bin/$b" ] || { echo "critest.sh: $build/bin/$b missing: build it first" >&2; exit 2; }
done
curl -fsS "$registry/v2/" >/dev/null || { echo "critest.sh: no registry answers at $registry" >&2; exit 2; }

tmp=$(mktemp -d /tmp/podagent-critest.XXXXXX)
octet=$((RANDOM % 250))
bridge=pacrit$((RANDOM % 10000))
sock=$tmp/podagent.sock
daemon_pid=""

cleanup() {
  set +e
  if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
    if [ -n "$crictl" ]; then  # pods outlive the daemon by design: remove them while it runs
      for p in $("$crictl" --runtime-endpoint "unix://$sock" pods -q 2>/dev/null); do
        "$crictl" --runtime-endpoint "unix://$sock" stopp "$p" >/dev/null 2>&1
        "$crictl" --runtime-endpoint "unix://$sock" rmp -f "$p" >/dev/null 2>&1
      done
    fi
    kill -TERM "$daemon_pid"
    for _ in $(seq 100); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$daemon_pid" 2>/dev/null && kill -KILL "$daemon_pid"
    wait "$daemon_pid" 2>/dev/null
  fi
  # Deepest first: netns pins, leftovers of failed specs.
  awk -v t="$tmp" 'index($5, t) == 1 {print $5}' /proc/self/mountinfo | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null
  done
  ip link del "$bridge" 2>/dev/null
  # The cgroup parent podagent made for the run (empty once every pod is gone), in each hierarchy.
  find /sys/fs/cgroup -maxdepth 3 -type d -name "podagent-critest-$octet" 2>/dev/null | while read -r d; do
    find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
  done
  if [ "${KEEP:-0}" = 1 ]; then echo "critest.sh: kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

mkdir -p "$tmp/cni" "$tmp/root" "$tmp/run"
jq --arg b "$bridge" --arg s "10.87.$octet.0/24" --arg d "$tmp/ipam" \
   '.name = "podagent-critest" | .plugins[0].bridge = $b | .plugins[0].ipam.ranges = [[{subnet: $s}]]
    | .plugins[0].ipam.dataDir = $d' "$here/deploy/cni/10-podagent.conflist" > "$tmp/cni/10-critest.conflist"
cat > "$tmp/podagent.yaml" <<EOF
socket: $sock
root_dir: $tmp/root
run_dir: $tmp/run
cgroup_parent: /podagent-critest-$octet
metrics:
  listen: ""
cni:
  conf_dir: $tmp/cni
  bin_dirs: [/usr/lib/cni, /opt/cni/bin]
registry:
  mirrors:
    registry.k8s.io: ["$registry"]
    gcr.io: ["$registry"]
    docker.io: ["$registry"]
EOF

"$build/bin/podagent" --config "$tmp/podagent.yaml" >"$tmp/podagent.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.2; done
[ -S "$sock" ] || { echo "critest.sh: podagent did not come up:"; tail -20 "$tmp/podagent.log"; exit 1; }

echo "critest.sh: podagent pid $daemon_pid on $sock, log $tmp/podagent.log"
set +e
"$critest" -runtime-endpoint "unix://$sock" -image-endpoint "unix://$sock" -config /dev/null \
  -ginkgo.no-color -ginkgo.junit-report "$tmp/junit.xml" "$@" >"$tmp/critest.out" 2>&1
rc=$?
set -e
# The summary: ginkgo's totals and the name of every failed spec.
grep -E '^Ran [0-9]+ of [0-9]+ Specs|Passed \| [0-9]+ Failed' "$tmp/critest.out" || tail -5 "$tmp/critest.out"
sed -n '/^Summarizing [0-9]* Failure/,$p' "$tmp/critest.out" | grep -E '\[FAIL\]|\[PANICKED\]' | sed 's/^/  /'
[ "${KEEP:-0}" = 1 ] && echo "critest.sh: full output $tmp/critest.out"
exit $rc
