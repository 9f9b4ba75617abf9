#pragma once
// The limits and usage of one cgroup as `podagent cgroup` shows them, for cgroup v1 and v2. Pure:
// the file contents come from a reader the caller passes (the real cgroupfs, or a map in unit
// tests). Each fact is absent when its controller is not there or the kernel has no such file;
// each names its file as "v1: file [key] / v2: file [key]".

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace podagent {

struct CgroupFacts {
  std::optional<uint64_t> memory_limit;         // v1: memory.limit_in_bytes / v2: memory.max ("max": unlimited)
  std::optional<uint64_t> memory_usage;         // v1: memory.usage_in_bytes / v2: memory.current
  std::optional<uint64_t> memory_peak;          // v1: memory.max_usage_in_bytes / v2: memory.peak (5.19+)
  std::optional<uint64_t> oom_kills;            // v1: memory.oom_control oom_kill / v2: memory.events oom_kill
  std::optional<uint64_t> cpu_usage_us;         // v1: cpuacct.usage (ns) / v2: cpu.stat usage_usec
  std::optional<uint64_t> cpu_shares;           // v1: cpu.shares
  std::optional<uint64_t> cpu_weight;           // v2: cpu.weight
  std::optional<int64_t> cpu_quota_us;          // v1: cpu.cfs_quota_us / v2: cpu.max first field; -1: none
  std::optional<uint64_t> cpu_period_us;        // v1: cpu.cfs_period_us / v2: cpu.max second field
  std::optional<uint64_t> throttled_us;         // v1: cpu.stat throttled_time (ns) / v2: cpu.stat throttled_usec
  std::optional<uint64_t> nr_throttled;         // v1, v2: cpu.stat nr_throttled
  std::optional<std::string> cpuset_cpus;       // v1, v2: cpuset.cpus
  std::optional<std::string> cpuset_effective;  // v1: cpuset.effective_cpus / v2: cpuset.cpus.effective
  std::optional<uint64_t> pids_limit;           // v1, v2: pids.max ("max": unlimited)
  std::optional<uint64_t> pids_current;         // v1, v2: pids.current
};

// "unlimited" in memory_limit and pids_limit (v2 and pids "max").
inline constexpr uint64_t kCgroupUnlimited = UINT64_MAX;

// The content of `file` of the cgroup in the hierarchy of `controller` ("memory", "cpu",
// "cpuacct", "cpuset", "pids"; v2 has one directory for all), or nullopt when it cannot be read.
using CgroupFileReader =
    std::function<std::optional<std::string>(const std::string& controller, const std::string& file)>;

CgroupFacts ReadCgroupFacts(bool v2, const CgroupFileReader& read);

// {"memory": {"limitBytes", "usageBytes", "peakBytes", "oomKills"}, "cpu": {"usageUs", "shares"
// (v1) or "weight" (v2), "quotaUs", "periodUs", "throttledUs", "nrThrottled"}, "cpuset": {"cpus",
// "effectiveCpus"}, "pids": {"limit", "current"}}: absent facts are left out; unlimited is null.
nlohmann::json CgroupFactsJson(const CgroupFacts& f);

}  // namespace podagent
