#pragma once
// StartContainer's cgroup step. CreateContainer checks the resources (CgroupDriver::Check) and
// makes no cgroup: StartContainer makes it here, with the record's resources (UpdateContainerResources
// on the created container included), before the shim's init joins it, as runc does for
// containerd. A cgroup already there (a start retried after the shim failed, or a record from a
// podagent that made the cgroup at create) is used as it is.

#include "absl/status/status.h"
#include "agent/container/container_record.h"
#include "runtime/cgroups/cgroup.h"

namespace podagent {

// Makes the container's cgroup with rec.resources applied, unless it exists. When the resources
// cannot be applied the new cgroup is removed again, so that a retried start applies them anew.
// No driver or no cgroup path: nothing to do. An error names the cgroup and what to do.
absl::Status EnsureContainerCgroup(CgroupDriver* cgroups, const ContainerRecord& rec);

}  // namespace podagent
