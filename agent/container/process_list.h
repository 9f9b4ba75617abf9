#pragma once
// The processes of a cgroup as `podagent top` shows them, read by the daemon for the verbose
// `info` of PodSandboxStatus / ContainerStatus: each process's /proc/PID/status (NSpid, Uid,
// State) and cmdline (proc_info.h) and its user name from the container's own /etc/passwd
// (container_users.h). The CLI then reads nothing under /proc of another user's process.

#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/container/proc_info.h"

namespace podagent {

class CgroupDriver;

// At most this many processes per cgroup are listed (cmdline is bounded by proc_info.h: 4 KiB).
inline constexpr size_t kMaxListedProcesses = 1024;

// {"nsPids": [...outermost first], "uid", "user", "state": "S", "command"}. Pure.
nlohmann::json ProcessJson(const ProcInfo& p, const std::string& user);

// The rows of `pids` (the first `limit` of them), each read by `read` and named by `user_of`
// (called with the first process read, for the users of its root); a process that `read` cannot
// read (it exited meanwhile) is left out. Sets `truncated` when `pids` held more than `limit`.
nlohmann::json ProcessesJson(const std::vector<pid_t>& pids, size_t limit,
                             const std::function<absl::StatusOr<ProcInfo>(pid_t)>& read,
                             const std::function<std::string(pid_t first, uid_t uid)>& user_of, bool& truncated);

// Sets info["processes"] to the processes of the cgroup at `path` and its descendants, as
// agent/hostfs/cgroup_source.h lists them beneath `cgroups`' mount root (bounded, no symlinks
// followed; "processesTruncated": true beyond kMaxListedProcesses), or info["processesError"]
// to why they cannot be listed.
void AddCgroupProcesses(const CgroupDriver* cgroups, const std::string& path, nlohmann::json& info);

}  // namespace podagent
