#pragma once
// StartContainer's cgroup step. The cgroup CreateContainer made can be gone by StartContainer:
// under the systemd driver a created container's scope lives around a holder child of the
// daemon, so a podagent restart in between ends the holder and systemd stops the emptied scope.
// The cgroup is then made again with the record's resources (UpdateContainerResources
// included), before the shim's init joins it. When the cgroup is there this costs one existence
// check (a stat of its directory).

#include "absl/status/status.h"
#include "agent/container/container_record.h"
#include "runtime/cgroups/cgroup.h"

namespace podagent {

// Makes the container's cgroup again when it is gone, with rec.resources applied. No driver, no
// cgroup path or an existing cgroup: nothing to do. An error names the cgroup and what to do.
absl::Status EnsureContainerCgroup(CgroupDriver* cgroups, const ContainerRecord& rec);

}  // namespace podagent
