#pragma once
// The kernel's view of cgroups for tests that run on cgroup v2 and on v1 (systemd's hybrid layout
// in the hack/vm guest, the host's plain v1): which cgroup a process is in, and where a
// controller's file of a cgroup path is. Read from /proc and statfs, independent of the drivers.
//   EXPECT_TRUE(InCgroupEverywhere(pid, "/a.slice/x.scope"));
//   Read(CgroupFile(path, "memory", "memory.max", "memory.limit_in_bytes"));

#include <sys/types.h>

#include <string>
#include <vector>

namespace podagent::testing {

// True when /sys/fs/cgroup is the unified cgroup2 mount.
bool CgroupRootIsV2();
// True when every line of /proc/PID/cgroup (the "0::" one on v2; one per v1 hierarchy and the
// unified one on the hybrid layout) names `path`. False when the file cannot be read.
bool InCgroupEverywhere(pid_t pid, const std::string& path);
// /sys/fs/cgroup<path>/<v2_file> on v2, /sys/fs/cgroup/<controller><path>/<v1_file> on v1
// (`controller` as mounted: "memory", "pids", "cpu,cpuacct" is reached as "cpu").
std::string CgroupFile(const std::string& path, const std::string& controller, const std::string& v2_file,
                       const std::string& v1_file);

// The directories `path` would have: /sys/fs/cgroup<path> on v2; on v1 one per mounted hierarchy
// (aliases skipped), systemd's unified one included.
std::vector<std::string> CgroupDirs(const std::string& path);

}  // namespace podagent::testing
