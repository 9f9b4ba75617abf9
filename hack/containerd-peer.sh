#!/usr/bin/env bash
# containerd as the benchmark peer of podagent: its own socket, root, state, CNI and registry
# config under one directory, nothing installed on the system.
#
#   hack/containerd-peer.sh start DIR [--registry HOST:PORT] [--metrics-port PORT]
#       Unpacks Debian trixie's containerd .deb into DIR/pkg (CONTAINERD_DEB=FILE uses a local
#       copy; otherwise it is downloaded with a private apt sources list, as fetch-cri-proto.sh
#       does), writes DIR/config.toml (CRI plugin, runc from Debian bookworm at /usr/sbin/runc,
#       cgroupfs, restrict_oom_score_adj), DIR/cni/ (the project's bridge conflist with bridge
#       pacpeer0 on 10.99.0.0/16), DIR/certs.d/ (registry.k8s.io, docker.io, gcr.io and the
#       registry itself mirrored to http://REGISTRY, default 127.0.0.1:5000), starts containerd,
#       writes DIR/pid and prints the socket path once the CRI answers.
#   hack/containerd-peer.sh stop DIR
#       Removes every pod through the CRI (crictl), stops only the pid in DIR/pid, then removes
#       what containerd leaves on the host: mounts under DIR, the bridge, DIR's CNI iptables
#       chains, and /run/containerd and /var/run/netns if this script created them and they are
#       empty. DIR itself stays (images); rm -rf it afterwards if wanted.
# Needs root, runc (apt-get install runc), crictl (CRICTL, default: crictl on PATH).
set -euo pipefail

die() { echo "containerd-peer: $*" >&2; exit 1; }
usage() { sed -n '2,19p' "$0" >&2; exit 2; }
BRIDGE=pacpeer0
SUBNET=10.99.0.0/16
NETWORK=containerd-peer
RUNC=${RUNC:-/usr/sbin/runc}

crictl_bin() {
  if [ -n "${CRICTL:-}" ]; then echo "$CRICTL"; return; fi
  command -v crictl || true
}

fetch_deb() {
  local dir=$1
  if [ -n "${CONTAINERD_DEB:-}" ]; then echo "$CONTAINERD_DEB"; return; fi
  local state=$dir/apt
  mkdir -p "$state/lists/partial" "$state/cache/archives/partial"
  echo "deb http://deb.debian.org/debian trixie main" > "$state/sources.list"
  local opts=(-o "Dir::Etc::sourcelist=$state/sources.list" -o "Dir::Etc::sourceparts=-"
              -o "Dir::State::Lists=$state/lists" -o "Dir::Cache=$state/cache"
              -o "APT::Get::List-Cleanup=0" -o "Debug::NoLocking=1")
  apt-get "${opts[@]}" -qq update >&2
  ( cd "$state" && apt-get "${opts[@]}" -qq download containerd >&2 )
  ls "$state"/containerd_*.deb | head -n1
}

write_config() {
  local dir=$1 registry=$2 metrics_port=$3
  mkdir -p "$dir/root" "$dir/state" "$dir/cni" "$dir/ipam" "$dir/opt"
  # State on tmpfs, as /run/containerd is on a node (stop's unmount_under removes it).
  mountpoint -q "$dir/state" || mount -t tmpfs -o mode=0711 containerd-peer-state "$dir/state"
  cat > "$dir/config.toml" <<T
version = 2
root = "$dir/root"
state = "$dir/state"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs",
  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$dir/containerd.sock"
[ttrpc]
  address = "$dir/containerd.sock.ttrpc"
[metrics]
  address = "127.0.0.1:$metrics_port"
[plugins."io.containerd.internal.v1.opt"]
  path = "$dir/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:3.8"
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "$RUNC"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$dir/cni"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$dir/certs.d"
T
  jq --arg br "$BRIDGE" --arg net "$SUBNET" --arg name "$NETWORK" --arg ipam "$dir/ipam" '
    .name = $name | .plugins[0].bridge = $br | .plugins[0].ipam.ranges = [[{subnet: $net}]]
    | .plugins[0].ipam.dataDir = $ipam' "$(dirname "$0")/../deploy/cni/10-podagent.conflist" \
    > "$dir/cni/10-peer.conflist"
  local host
  for host in registry.k8s.io docker.io gcr.io "$registry"; do
    mkdir -p "$dir/certs.d/$host"
    cat > "$dir/certs.d/$host/hosts.toml" <<H
server = "http://$registry"
[host."http://$registry"]
  capabilities = ["pull", "resolve"]
H
  done
}

cmd_start() {
  local dir=$1; shift
  local registry=127.0.0.1:5000 metrics_port=9471
  while [ $# -gt 0 ]; do
    case $1 in
      --registry) registry=$2; shift 2 ;;
      --metrics-port) metrics_port=$2; shift 2 ;;
      *) usage ;;
    esac
  done
  [ "$(id -u)" -eq 0 ] || die "needs root"
  [ -x "$RUNC" ] || die "$RUNC missing: apt-get install runc"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then die "containerd already runs from $dir (pid $(cat "$dir/pid"))"; fi
  if [ ! -x "$dir/pkg/usr/bin/containerd" ]; then
    local deb
    deb=$(fetch_deb "$dir")
    [ -f "$deb" ] || die "no containerd .deb"
    dpkg-deb -x "$deb" "$dir/pkg"
  fi
  write_config "$dir" "$registry" "$metrics_port"
  # Host dirs containerd creates: remembered so stop removes only what was not there before.
  : > "$dir/created-dirs"
  local d
  for d in /run/containerd /var/run/netns; do [ -e "$d" ] || echo "$d" >> "$dir/created-dirs"; done
  # setsid: containerd must not die with the caller's terminal; PATH finds the shim binary.
  PATH="$dir/pkg/usr/bin:/usr/sbin:/usr/bin:/sbin:/bin" setsid "$dir/pkg/usr/bin/containerd" \
    --config "$dir/config.toml" >> "$dir/containerd.log" 2>&1 < /dev/null &
  local pid=$!
  echo "$pid" > "$dir/pid"
  local crictl i
  crictl=$(crictl_bin)
  [ -n "$crictl" ] || die "crictl not found (set CRICTL)"
  for i in $(seq 1 200); do
    kill -0 "$pid" 2>/dev/null || die "containerd exited at start: $(tail -5 "$dir/containerd.log")"
    if [ -S "$dir/containerd.sock" ] &&
       "$crictl" --runtime-endpoint "unix://$dir/containerd.sock" version > /dev/null 2>&1; then
      echo "$dir/containerd.sock"
      return 0
    fi
    sleep 0.1
  done
  die "containerd did not answer within 20s; see $dir/containerd.log"
}

remove_pods() {
  local dir=$1 crictl
  crictl=$(crictl_bin)
  [ -n "$crictl" ] && [ -S "$dir/containerd.sock" ] || return 0
  local ep=(--runtime-endpoint "unix://$dir/containerd.sock" --timeout 300s)
  # Ten pods per call, six calls at a time: one `rmp -fa` for hundreds of pods outlives any timeout.
  "$crictl" "${ep[@]}" pods -q 2> /dev/null | xargs -r -P 6 -n 10 "$crictl" "${ep[@]}" rmp -f > /dev/null 2>&1 ||
    echo "containerd-peer: crictl rmp failed" >&2
  [ -z "$("$crictl" "${ep[@]}" pods -q 2> /dev/null)" ] || die "pods are left in $dir; containerd keeps running"
}

stop_pid() {
  local pid=$1
  kill -0 "$pid" 2>/dev/null || return 0
  kill "$pid"
  for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.05; done
  kill -9 "$pid" 2>/dev/null || true
}

# Mounts under DIR (snapshots, shm, sandbox files), deepest first.
unmount_under() {
  local dir=$1 m
  awk -v d="$dir/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || echo "containerd-peer: umount $m failed" >&2
  done
}

# iptables chains whose rules name the peer's CNI network (bridge ipMasq), with the jumps to them.
drop_chains() {
  local table=nat chain rule
  for chain in $(iptables -t $table -S | awk -v net="$NETWORK" 'index($0, "\\\"" net "\\\"") && $1 == "-A" && $(NF-1) == "-j" { print $NF }' | sort -u); do
    iptables -t $table -S | grep -- "-j $chain\$" | sed 's/^-A/-D/' | while read -r rule; do
      eval iptables -t $table "$rule" 2>/dev/null || true
    done
    iptables -t $table -F "$chain" 2>/dev/null || true
    iptables -t $table -X "$chain" 2>/dev/null || true
  done
}

cmd_stop() {
  local dir=$1
  [ -d "$dir" ] || return 0
  dir=$(cd "$dir" && pwd)
  if [ -f "$dir/pid" ]; then
    remove_pods "$dir"
    stop_pid "$(cat "$dir/pid")"
    rm -f "$dir/pid"
  fi
  unmount_under "$dir"
  ip link del "$BRIDGE" 2>/dev/null || true
  drop_chains
  if [ -f "$dir/created-dirs" ]; then
    local d
    while read -r d; do
      [ -d "$d" ] && find "$d" -depth -type d -empty -delete 2>/dev/null || true
    done < "$dir/created-dirs"
  fi
}

[ $# -ge 2 ] || usage
action=$1; shift
case $action in
  start) cmd_start "$@" ;;
  stop) cmd_stop "$1" ;;
  *) usage ;;
esac
