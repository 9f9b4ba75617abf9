#!/usr/bin/env bash
# podagent beside containerd in one run (docs/benchmarks.md): builds and pushes the multi-layer
# image, starts podagent from build/bin on private dirs and containerd (hack/containerd-peer.sh)
# under OUT_DIR, runs build/bin/podagent-cri-bench against both with alternating rounds, and stops
# both again, leaving no pod, mount, bridge or chain behind.
#
#   hack/bench.sh OUT_DIR [podagent-cri-bench flags, e.g. --rounds 20 --pods 1,10,100,500]
#
# Needs root, the loopback registry (REGISTRY, default 127.0.0.1:5000, with busybox:1.35 and
# pause:3.8 as the shared critest make-test-images.sh pushes them), a build (cmake --build build
# --target podagent podagent-pause podagent-shim podagent-cri-bench).
# Writes OUT_DIR/bench.json and OUT_DIR/bench.txt. PERF=1 runs podagent under `perf record -g`
# (OUT_DIR/perf.data): a profile, not a comparison; do not quote its times. PEER=none runs
# podagent alone (a quick look at one row, no ratio). SIGINT or SIGTERM ends
# the run early, and still removes every pod and stops both runtimes.
set -euo pipefail

[ $# -ge 1 ] || { sed -n '2,15p' "$0" >&2; exit 2; }
out=$1; shift
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
bin=${BIN_DIR:-$top/build/bin}
registry=${REGISTRY:-127.0.0.1:5000}
BRIDGE=pabench0
NETWORK=podagent-bench
mkdir -p "$out"
out=$(cd "$out" && pwd)
pa=$out/podagent

"$here/make-bench-image.sh" "$out/images" --push "$registry" > "$out/bench-image.txt"
# The small image shares no layer with the registry's pause:3.8 (see make-bench-image.sh --small).
"$here/make-bench-image.sh" "$out/images" --push "$registry" --small > "$out/bench-image-small.txt"

mkdir -p "$pa/cni" "$pa/run"
jq --arg br "$BRIDGE" --arg name "$NETWORK" --arg ipam "$pa/ipam" '
  .name = $name | .plugins[0].bridge = $br | .plugins[0].ipam.ranges = [[{subnet: "10.98.0.0/16"}]]
  | .plugins[0].ipam.dataDir = $ipam' "$top/deploy/cni/10-podagent.conflist" > "$pa/cni/10-bench.conflist"
cat > "$pa/podagent.yaml" <<Y
socket: $pa/podagent.sock
root_dir: $pa/root
run_dir: $pa/run
log_level: info
metrics:
  listen: 127.0.0.1:9472
cni:
  conf_dir: $pa/cni
  bin_dirs: [/usr/lib/cni]
Y

pa_pid=''
cleanup() {
  if [ -n "$pa_pid" ] && kill -0 "$pa_pid" 2>/dev/null; then
    "${CRICTL:-crictl}" --runtime-endpoint "unix://$pa/podagent.sock" --timeout 60s rmp -fa > /dev/null 2>&1 || true
    kill -INT "$pa_pid"
    wait "$pa_pid" 2>/dev/null || true
  fi
  if grep -q " $pa/run/netns " /proc/self/mountinfo; then umount "$pa/run/netns" || true; fi
  if mountpoint -q "$pa/run"; then umount -l "$pa/run" || true; fi
  ip link del "$BRIDGE" 2>/dev/null || true
  local chain rule
  for chain in $(iptables -t nat -S | awk -v net="$NETWORK" 'index($0, "\\\"" net "\\\"") && $1 == "-A" && $(NF-1) == "-j" { print $NF }' | sort -u); do
    iptables -t nat -S | grep -- "-j $chain\$" | sed 's/^-A/-D/' | while read -r rule; do eval iptables -t nat "$rule" || true; done
    iptables -t nat -F "$chain" 2>/dev/null || true
    iptables -t nat -X "$chain" 2>/dev/null || true
  done
  "$here/containerd-peer.sh" stop "$out/containerd" || true
}
trap cleanup EXIT
# run_dir on tmpfs, as /run/podagent is on a node (and containerd-peer.sh does for its state):
# on disk, every fsync of a state file would be timed as if it were the runtime's work.
mountpoint -q "$pa/run" || mount -t tmpfs -o mode=0711 podagent-bench-run "$pa/run"

perf=()
[ "${PERF:-0}" = 1 ] && perf=(perf record -g -o "$out/perf.data" --)
# setsid, as containerd-peer.sh starts containerd: a Ctrl-C reaches the driver (which removes
# its pods through the daemons), not the daemons themselves.
setsid "${perf[@]}" "$bin/podagent" --config "$pa/podagent.yaml" 2> "$pa/podagent.log" &
pa_pid=$!
for _ in $(seq 1 100); do [ -S "$pa/podagent.sock" ] && break; sleep 0.1; done
[ -S "$pa/podagent.sock" ] || { echo "bench.sh: podagent did not start: $(tail -3 "$pa/podagent.log")" >&2; exit 1; }

peer=()
if [ "${PERF:-0}" != 1 ] && [ "${PEER:-containerd}" != none ]; then
  sock=$(CONTAINERD_DEB=${CONTAINERD_DEB:-} "$here/containerd-peer.sh" start "$out/containerd" --registry "$registry")
  peer=(--peer-endpoint "$sock" --peer-metrics-url http://127.0.0.1:9471/v1/metrics)
fi
"$bin/podagent-cri-bench" --endpoint "$pa/podagent.sock" --metrics-url http://127.0.0.1:9472/metrics \
  "${peer[@]+"${peer[@]}"}" --image "$registry/podagent-bench/small:1,$registry/podagent-bench/large:1" \
  --cni-conflist "$pa/cni/10-bench.conflist" --cni-bin-dir /usr/lib/cni \
  --settle 70 --json "$out/bench.json" "$@" > >(tee "$out/bench.txt") &
driver=$!
# SIGINT or SIGTERM: the driver removes its pods and exits, then cleanup stops the runtimes.
trap 'kill -TERM "$driver" 2>/dev/null || true' INT TERM
rc=0
while :; do
  wait "$driver" && rc=0 || rc=$?
  kill -0 "$driver" 2>/dev/null || break  # gone: rc is its status, not a trapped signal's
done
exit "$rc"
