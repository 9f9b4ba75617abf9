#pragma once
// The container's root filesystem, built by the container's init process inside its own mount
// namespace (so nothing here is visible on the host, and it all goes away with the container):
// overlayfs over the image layers (or a plain directory), /proc, /dev, /dev/pts, /dev/shm,
// /dev/mqueue, /sys, /sys/fs/cgroup (cgroup_view.h), the pod's /etc files, the CRI mounts and devices, then pivot_root, then
// masked and read-only paths and a read-only root.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "runtime/container/container_spec.h"

namespace podagent::shim {

// "lowerdir=top:...:lowest,upperdir=U,workdir=W" (layers are given lowest first). When the
// string does not fit a page, the caller chdirs to `chdir_to` and the paths are relative to it.
struct OverlayOptions {
  std::string data;
  std::string chdir_to;  // empty: absolute paths fit
};
absl::StatusOr<OverlayOptions> BuildOverlayOptions(const std::vector<std::string>& lower_dirs_lowest_first,
                                                   const std::string& upper_dir, const std::string& work_dir);

// Everything up to and including pivot_root into <state_dir>/rootfs.
absl::Status BuildRootfs(const ContainerSpec& spec);
// After pivot_root: masked paths, read-only paths, read-only root.
absl::Status FinishRootfs(const ContainerSpec& spec);

}  // namespace podagent::shim
