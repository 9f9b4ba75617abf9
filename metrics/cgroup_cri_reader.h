#pragma once
// ReadCgroupCriStats: only the cgroup figures the CRI stats messages carry (ContainerStats,
// PodSandboxStats): cpu usage, memory usage, limit (available bytes), working set, rss, page
// faults, swap, and the process count. About five files per cgroup instead of the thirty
// ReadCgroupStats reads for the cAdvisor families, so ListContainerStats at hundreds of
// containers stays cheap. Fields are filled from the same files and keys as ReadCgroupStats.

#include <string>

#include "metrics/cgroup_layout.h"
#include "metrics/cgroup_reader.h"
#include "metrics/cgroup_stats.h"
#include "metrics/open_stat_files.h"

namespace podagent {

// `known` (may be null): process counts of direct children read in this pass (cgroup_reader.h).
// `processes` false: pids.processes is left unset (a container's stats carry no process count).
// `held` (may be null): the stat files are read through it, kept open between calls and marked
// used at `now`; the process count still walks the cgroup tree.
CgroupStats ReadCgroupCriStats(const CgroupLayout& layout, const std::string& path,
                               const KnownChildren* known = nullptr, bool processes = true,
                               OpenStatFiles* held = nullptr, absl::Time now = absl::InfinitePast());

}  // namespace podagent
