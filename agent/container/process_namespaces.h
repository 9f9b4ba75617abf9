#pragma once
// The namespaces of a process the daemon started (the pause, a container's main process), read
// by the daemon for the verbose `info` of PodSandboxStatus / ContainerStatus: `podagent ns`
// shows them without reading /proc/PID/ns of another user's process (which needs ptrace access).

#include <sys/types.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace podagent {

// The namespace types shown, in this order.
const std::vector<std::string>& NamespaceTypes();

// One inode per NamespaceTypes(); nullopt where the kernel gave none.
using NamespaceInodes = std::vector<std::optional<uint64_t>>;

// {"ipc": inode, ...}: the types with an inode; absent where there is none. Pure.
nlohmann::json NamespacesJson(const NamespaceInodes& inodes);
// The inverse: one entry per NamespaceTypes(), nullopt where absent or not a number. Pure.
NamespaceInodes NamespacesFromJson(const nlohmann::json& j);

// The inodes of /proc/`pid`/ns/*, when `pid` still is the process started at `start_time`
// (clock ticks after boot, 0: not checked) before and after the reads and not a zombie;
// otherwise NotFound saying why.
absl::StatusOr<NamespaceInodes> ProcessNamespaces(pid_t pid, uint64_t start_time);

// The host's inodes: PID 1's; where its ns files answer EACCES (a PID 1 with capabilities this
// process lacks), this process's own, which runs in the host's namespaces.
NamespaceInodes HostNamespaces();

}  // namespace podagent
