#!/bin/bash
# The scrape and stats cost at N running containers, on a daemon that stays up between commands
# (so perf can attach and a new binary can be swapped in: pods survive a daemon restart).
#
#   hack/scrape-bench.sh DIR up N        start podagent from $BIN_DIR (default build/bin) on private
#                                        dirs under DIR and N host-network pods of one busybox sleep
#   hack/scrape-bench.sh DIR restart     restart the daemon (new binary), keep the pods
#   hack/scrape-bench.sh DIR measure [R] R (default 20) timed scrapes of /metrics and /metrics/cadvisor,
#                                        R crictl ListContainerStats/ListPodSandboxStats, load average
#   hack/scrape-bench.sh DIR percall [R] R (default 7) single calls of each: GET /metrics/cadvisor,
#                                        GET /metrics, ListContainerStats, ListPodSandboxStats; per
#                                        call the wall time and the daemon's CPU time (its threads'
#                                        schedstat, ns), median and max
#   hack/scrape-bench.sh DIR down        remove every pod, stop the daemon, unmount, remove DIR
#
# Needs root, crictl ($CRICTL or PATH) and the loopback registry on $REGISTRY (127.0.0.1:5000)
# with busybox:1.35. Metrics listen on 127.0.0.1:${PORT:-9473}; pods go under the cgroup parent
# ${CGROUP_PARENT:-/scrape-bench} (give a second bench on the same machine its own).
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,18p' "$0" >&2; exit 2; }
dir=$1; cmd=$2; shift 2
here=$(cd "$(dirname "$0")" && pwd)
bin=${BIN_DIR:-$here/../build/bin}
registry=${REGISTRY:-127.0.0.1:5000}
port=${PORT:-9473}
cgroup_parent=${CGROUP_PARENT:-/scrape-bench}
crictl=${CRICTL:-crictl}
sock=$dir/podagent.sock
cri() { "$crictl" --config "$dir/crictl.yaml" --runtime-endpoint "unix://$sock" --image-endpoint "unix://$sock" --timeout 120s "$@"; }

start_daemon() {
  "$bin/podagent" --config "$dir/podagent.yaml" 2>> "$dir/podagent.log" &
  echo $! > "$dir/podagent.pid"
  for _ in $(seq 1 300); do [ -S "$sock" ] && cri version > /dev/null 2>&1 && return 0; sleep 0.1; done
  echo "scrape-bench: podagent did not start: $(tail -3 "$dir/podagent.log")" >&2; exit 1
}
stop_daemon() {
  local pid; pid=$(cat "$dir/podagent.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -INT "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done; fi
}
one_pod() {
  local i=$1
  cat > "$dir/specs/pod$i.json" <<J
{"metadata": {"name": "sb$i", "namespace": "scrape-bench", "uid": "sb-uid-$i"},
 "log_directory": "$dir/logs/sb$i", "linux": {"cgroup_parent": "$cgroup_parent",
 "security_context": {"namespace_options": {"network": 2}}}}
J
  cat > "$dir/specs/ctr$i.json" <<J
{"metadata": {"name": "sleep"}, "image": {"image": "$registry/busybox:1.35"},
 "command": ["sleep", "36000"], "log_path": "sleep.log"}
J
  cri run --no-pull "$dir/specs/ctr$i.json" "$dir/specs/pod$i.json" > /dev/null
}
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1e6 }'; }
# "<count> <sum>" of the daemon's own podagent_cri_request_duration_seconds for CRI method $1.
served() {
  curl -sf "http://127.0.0.1:$port/metrics" | awk -v m="{method=\"$1\"}" '
    index($1, "podagent_cri_request_duration_seconds_count" m) == 1 { c = $2 }
    index($1, "podagent_cri_request_duration_seconds_sum" m) == 1 { s = $2 }
    END { print c + 0, s + 0 }'
}
# CPU time (user + system, in clock ticks) the daemon has used so far: less sensitive to the load
# of a shared machine than wall time.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$(cat "$dir/podagent.pid")/stat"; }
# CPU time (ns) the daemon's threads have run so far (first field of each task's schedstat).
cpu_ns() { cat "/proc/$(cat "$dir/podagent.pid")"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { print s }'; }
summary() {  # name, then one time per line on stdin: p50 and max
  sort -n | awk -v name="$1" '{ v[NR] = $1 } END { printf "%-34s n=%d p50 %.1f ms, max %.1f ms\n", name, NR, v[int((NR + 1) / 2)], v[NR] }'
}

case $cmd in
  up)
    n=${1:?N}
    mkdir -p "$dir/run" "$dir/specs" "$dir/logs"
    : > "$dir/crictl.yaml"  # flags say it all; no warning about a missing /etc/crictl.yaml
    mountpoint -q "$dir/run" || mount -t tmpfs -o mode=0711 scrape-bench-run "$dir/run"
    cat > "$dir/podagent.yaml" <<Y
socket: $sock
root_dir: $dir/root
run_dir: $dir/run
log_level: warn
metrics:
  listen: 127.0.0.1:$port
Y
    start_daemon
    cri pull "$registry/busybox:1.35" > /dev/null
    export -f one_pod cri; export dir crictl sock registry cgroup_parent
    seq 1 "$n" | xargs -P 4 -I{} bash -c 'one_pod {}'
    echo "running containers: $(cri ps -q | wc -l)"
    ;;
  restart) stop_daemon; start_daemon ;;
  measure)
    r=${1:-20}
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    for path in metrics metrics/cadvisor; do
      curl -sf -o /dev/null "http://127.0.0.1:$port/$path"  # warm-up (first du walk)
      t0=$(cpu_ticks)
      for _ in $(seq 1 "$r"); do
        curl -sf -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/$path" | awk '{ print $1 * 1000 }'
      done | summary "GET /$path"
      awk -v t="$(( $(cpu_ticks) - t0 ))" -v hz="$(getconf CLK_TCK)" -v r="$r" \
        'BEGIN { printf "  daemon CPU per scrape %.1f ms\n", t * 1000 / hz / r }'
      echo "  $(curl -sf "http://127.0.0.1:$port/$path" | grep -vc '^#') series"
    done
    # crictl's wall time includes its own start (the "version" row); the daemon's histogram gives
    # the time spent serving each call (its mean over these R calls).
    for call in version "stats -o json:ListContainerStats" "statsp -o json:ListPodSandboxStats"; do
      method=${call#*:}; [ "$method" = "$call" ] && method=''
      [ -n "$method" ] && read -r c0 s0 < <(served "$method")
      for _ in $(seq 1 "$r"); do
        a=$(date +%s%N); cri ${call%%:*} > /dev/null; b=$(date +%s%N); ms "$a" "$b"; echo
      done | summary "crictl ${call%%:*}"
      if [ -n "$method" ]; then
        read -r c1 s1 < <(served "$method")
        awk -v n=$((c1 - c0)) -v s="$s1" -v s0="$s0" -v m="$method" \
          'BEGIN { printf "  %s served in %.1f ms on average (%d calls, daemon histogram)\n", m, (s - s0) * 1000 / n, n }'
      fi
    done
    echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
    ;;
  percall)
    r=${1:-7}
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    for call in "GET /metrics/cadvisor" "GET /metrics" "crictl stats" "crictl statsp"; do
      for _ in $(seq 1 "$r"); do
        c0=$(cpu_ns); a=$(date +%s%N)
        case $call in
          GET*) curl -sf -o /dev/null "http://127.0.0.1:$port/${call#GET /}" ;;
          *) cri ${call#crictl } -o json > /dev/null ;;
        esac
        b=$(date +%s%N); c1=$(cpu_ns)
        echo "$(ms "$a" "$b") $(ms "$c0" "$c1")"
      done > "$dir/percall.txt"
      w=$(cut -d' ' -f1 "$dir/percall.txt" | summary wall); c=$(cut -d' ' -f2 "$dir/percall.txt" | summary cpu)
      echo "$call: ${w#wall}; daemon CPU ${c#cpu}" | tr -s ' '
    done
    echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
    ;;
  down)
    cri rmp -fa > /dev/null 2>&1 || true
    stop_daemon
    mountpoint -q "$dir/run" && umount -l "$dir/run"
    rm -rf "$dir"
    for cg in "/sys/fs/cgroup$cgroup_parent" /sys/fs/cgroup/*"$cgroup_parent"; do  # the pods' cgroup parent
      [ -d "$cg" ] && rmdir "$cg" 2>/dev/null || true
    done
    ;;
  *) echo "scrape-bench: unknown command $cmd" >&2; exit 2 ;;
esac
