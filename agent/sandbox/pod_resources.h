#pragma once
// RunPodSandbox's pod-level resources -> the pod cgroup's limits. The CRI gives `resources` (the
// sum of the pod's container resources) and `overhead` (what the sandbox itself costs, from the
// RuntimeClass); the pod cgroup gets their sum, as kubelet sizes a pod cgroup. A limit the
// containers leave unbounded (memory 0, cpu quota 0 or -1) stays unbounded whatever the overhead.

#include "absl/status/statusor.h"
#include "agent/services.h"
#include "runtime/cgroups/cgroup.h"

namespace podagent {

// InvalidArgument for malformed values (negative, bad cpuset); unset fields stay unset.
absl::StatusOr<CgroupResources> PodCgroupResources(const cri::LinuxPodSandboxConfig& linux);

}  // namespace podagent
