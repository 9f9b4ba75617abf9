#!/bin/bash
# Memory per process kind of a hack/scrape-bench.sh daemon and its pods, from the kernel's
# /proc/PID/smaps_rollup: count, then mean RSS, PSS and private (clean + dirty) KiB per process.
#
#   hack/pod-memory.sh DIR      (DIR as given to scrape-bench.sh; CGROUP_PARENT as given to it)
#
# Shims are the processes started as "<shim> start DIR/run/containers/<id>"; pauses are the
# podagent-pause processes in a cgroup under the pods' parent; the daemon is DIR/podagent.pid.
set -euo pipefail
[ $# -eq 1 ] || { sed -n '2,8p' "$0" >&2; exit 2; }
dir=$1
parent=${CGROUP_PARENT:-/scrape-bench}
rollup() {  # kind, then pids on stdin
  local kind=$1 pid
  while read -r pid; do cat "/proc/$pid/smaps_rollup" 2>/dev/null || true; done | awk -v kind="$kind" '
    /^[0-9a-f]+-[0-9a-f]+ / { n++ }
    $1 == "Rss:" { rss += $2 } $1 == "Pss:" { pss += $2 }
    $1 == "Private_Clean:" || $1 == "Private_Dirty:" { priv += $2 }
    END { if (n) printf "%-8s n=%-4d RSS %7.0f KiB  PSS %6.0f KiB  private %6.0f KiB (mean per process)\n", kind, n, rss / n, pss / n, priv / n
          else printf "%-8s n=0\n", kind }'
}
cat "$dir/podagent.pid" | rollup daemon
pgrep -f -- " start $dir/run/containers/" | rollup shim || true
for pid in $(pgrep -x podagent-pause || true); do
  grep -q ":$parent/" "/proc/$pid/cgroup" 2>/dev/null && echo "$pid"
done | rollup pause
