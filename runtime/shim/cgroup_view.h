#pragma once
// The container's /sys/fs/cgroup: its own cgroup directories bound read-only (read-write when
// privileged), so tools inside (JVMs, the Go runtime, nproc-style probes) find their limits at the
// root: /sys/fs/cgroup/memory.max on v2, /sys/fs/cgroup/memory/memory.limit_in_bytes on v1.
// On v2 the one directory is bound at /sys/fs/cgroup; on v1 a small read-only tmpfs holds one
// bound directory per hierarchy. The directories are those of the cgroup.procs files the spec has
// the container join. On v2 the container also gets a private cgroup namespace (as containerd
// gives there), so /proc/self/cgroup reads "0::/"; on v1 it keeps the host's unless the node
// sets `cgroup_v1_namespace`, and then every hierarchy reads "/".

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "runtime/container/container_spec.h"

namespace podagent::shim {

inline constexpr char kCgroupMountRoot[] = "/sys/fs/cgroup";

// One directory of the container's cgroup as seen inside: `name` is the v1 hierarchy's directory
// under the mount root ("memory", "cpu,cpuacct"); empty on v2, where it is the root itself.
struct CgroupMount {
  std::string name;
  std::string host_dir;
};

// From the cgroup.procs files the container joins; files outside `mount_root` are an error.
absl::StatusOr<std::vector<CgroupMount>> CgroupMountsFor(bool v2, const std::string& mount_root,
                                                         const std::vector<std::string>& procs_files);
// Whether `mount_root` is a cgroup2 mount (statfs magic).
bool IsCgroupV2(const std::string& mount_root);
// Whether the container gets a cgroup namespace of its own: when the spec asks for one (the agent
// does on v2, and on v1 with `cgroup_v1_namespace`) and the container joins a cgroup.
bool WantsCgroupNamespace(const ContainerSpec& spec);

absl::Status MountCgroupView(const ContainerSpec& spec, int root_fd);

}  // namespace podagent::shim
