#pragma once
// K pods of one container each, started at once by C client threads, then measured and torn down:
//   "K pods started at once, K=N" (s): from the first RunPodSandbox to the last StartContainer
//   "K pods torn down, K=N" (s): StopPodSandbox + RemovePodSandbox of all, by the same threads
//   memory at K (MiB): RSS and PSS per pod of pause + shim + daemon growth over the daemon before
//     the pods, and each part alone (processes found from the daemon's pid, the pods' and the
//     containers' pids: a pod's shim is the parent of its container or its pause)
//   cost at K (ms): ListPodSandbox, ListContainers (kubelet calls both every second),
//     ListContainerStats, ListPodSandboxStats, one /metrics scrape
// With `host_network`, the same pods in the node's network namespace, started and torn down only:
//   "K host-network pods started at once, K=N" and "K host-network pods torn down, K=N" (s), the
//   runtime's own share of the K rows: what it does for K pods besides the CNI plugins (whose
//   chain alone is timed by cni_bound.h).

#include "tests/bench/cri/bench_target.h"
#include "tests/bench/cri/proc_memory.h"
#include "tests/bench/cri/results.h"

namespace podagent::bench {

struct ScaleOptions {
  int pods = 10;
  int clients = 20;
  int list_rounds = 5;
  bool host_network = false;
};

// The K up to which the driver also runs the host-network K rows (the 500 would add minutes of
// the peer's teardown in front of the CNI 500).
inline constexpr int kMaxHostNetworkPods = 100;

void RunScale(Target& t, Results& results, const ScaleOptions& options);

// The daemon and its descendants, summed: the baseline of the memory rows.
absl::StatusOr<Memory> DaemonMemory(pid_t daemon);

}  // namespace podagent::bench
