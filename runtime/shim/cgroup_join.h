#pragma once
// How the shim's stages put themselves into a container's cgroups.
//
// On cgroup v1 a process that is a single thread writes "0" to the `tasks` file beside each
// cgroup.procs it was given: the kernel then moves the calling thread without taking
// cgroup_threadgroup_rwsem for writing. That writer waits for an RCU grace period (10-16 ms for
// the first hierarchy on the v1 host of docs/benchmarks.md) and the lock is node-wide, so every
// container start paid it, and pods started at once queued behind each other. A process with more
// than one thread, a path that is not a cgroup.procs, or v2 (no `tasks` file) writes the pid to
// cgroup.procs as before, which moves every thread. The thread count is read once per call.

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace podagent {

// Moves the calling process into the cgroups whose cgroup.procs files are `procs_files`, in order;
// stops at the first failure.
absl::Status JoinCgroups(const std::vector<std::string>& procs_files);

// The number of threads of the calling process (/proc/self/stat); 0 when it cannot be read.
int ThreadCount();

}  // namespace podagent
