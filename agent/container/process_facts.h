#pragma once
// The kernel's facts of one process the daemon started and of its cgroup, added to the verbose
// `info` of PodSandboxStatus (the pause) and ContainerStatus (the main process) for the
// diagnostics subcommands (agent/cli: `podagent ns`, `podagent top`).

#include <sys/types.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace podagent {

class CgroupDriver;

// info["namespaces"] (type -> inode, process_namespaces.h) or info["namespacesError"] when `pid`
// is not (or no longer) the process started at `start_time`; info["processes"] of the cgroup at
// `cgroup_path` or info["processesError"] (process_list.h). `pid` 0: not running.
void AddProcessFacts(pid_t pid, uint64_t start_time, const CgroupDriver* cgroups, const std::string& cgroup_path,
                     nlohmann::json& info);

}  // namespace podagent
