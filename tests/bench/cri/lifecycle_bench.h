#pragma once
// One round of the pod and container lifecycle, every CRI call timed:
//   host-network pod: RunPodSandbox, StopPodSandbox, RemovePodSandbox (rows ".../host network")
//   CNI bridge pod:   RunPodSandbox, CreateContainer, StartContainer, ExecSync (`true`),
//                     StopContainer (the process exits at once on SIGTERM), RemoveContainer,
//                     StopPodSandbox, RemovePodSandbox (rows ".../CNI bridge" for the pod calls)

#include "tests/bench/cri/bench_target.h"
#include "tests/bench/cri/results.h"

namespace podagent::bench {

void RunLifecycleRound(Target& t, Results& results);

}  // namespace podagent::bench
