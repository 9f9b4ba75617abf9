#pragma once
// Device nodes the CRI grants a container. The device cgroup is deny-by-default before the
// container's first process runs, and a grant may lack "m" (mknod), so the nodes are made in two
// steps: the shim makes a private copy of each host node under <state_dir>/devices/ while it is
// still outside the container's cgroup (StageDeviceNodes), and the container's init binds each
// copy onto its path in the rootfs (BindDevices). A copy, not the host's node: a chmod inside
// the container never reaches the host's /dev. A privileged container has the host's /dev bound
// in already; nodes under /dev are left alone there.

#include "absl/status/status.h"
#include "runtime/container/container_spec.h"

namespace podagent::shim {

absl::Status StageDeviceNodes(const ContainerSpec& spec);
// Inside the new mount namespace, before pivot_root; `root_fd` is the rootfs (O_PATH).
absl::Status BindDevices(const ContainerSpec& spec, int root_fd);

}  // namespace podagent::shim
