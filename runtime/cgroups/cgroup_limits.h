#pragma once
// Pure conversions from CgroupResources values to cgroup file values, shared by both drivers and
// unit-tested on their own.

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace podagent::cgroup_limits {

// pids.max: "max" for 0 or negative, else the number.
std::string PidsMax(int64_t limit);

// cpu.weight from v1 cpu.shares, the mapping Kubernetes and runc use:
// weight = 1 + ((shares - 2) * 9999) / 262142, shares clamped to [2, 262144].
int64_t CpuWeightFromShares(int64_t shares);

// cpu.max: "<quota|max> <period>"; quota <= 0 means max; period <= 0 means 100000.
std::string CpuMax(int64_t quota, int64_t period);

// memory.swap.max from the v1-style memory+swap limit: swap - memory. -1 → "max".
// InvalidArgument when swap is limited but memory is not, or swap < memory.
absl::StatusOr<std::string> SwapMax(int64_t memory_limit, int64_t memory_swap_limit);

// Hugepage size as the CRI names it ("2MB", "1GB", "64KB"): digits then KB/MB/GB.
absl::Status ValidateHugepageSize(const std::string& size);

// A raw v2 file name from the `unified` map: one plain component of [a-z0-9._] with a controller
// prefix ("memory.high"); the membership and control files (cgroup.procs, cgroup.kill, ...) refused.
absl::Status ValidateUnifiedKey(const std::string& key);

}  // namespace podagent::cgroup_limits
