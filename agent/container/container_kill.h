#pragma once
// The kill step of StopContainer: a container's processes are everything in its cgroup, not
// just its main process. In a pod sharing the pause's PID namespace (or the host's), the
// container's other processes outlive the main one, so they are killed through the cgroup.

#include "absl/status/status.h"
#include "agent/container/container_record.h"
#include "runtime/cgroups/cgroup.h"

namespace podagent {

// Kills every process left in the container's cgroup and waits (bounded) until none is left.
// No cgroup driver or no cgroup path: nothing to do.
absl::Status KillContainerCgroup(CgroupDriver* cgroups, const ContainerRecord& rec);

}  // namespace podagent
