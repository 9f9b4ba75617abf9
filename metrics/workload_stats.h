#pragma once
// WorkloadStatsReader: reads, at the moment of the call, the cgroup stats of pods and containers,
// each pod's network counters (through its pause process) and each container's writable-layer
// usage. Shared by the Prometheus collector and the CRI stats calls so both show the same figures.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "metrics/cgroup_layout.h"
#include "metrics/cgroup_stats.h"
#include "metrics/disk_usage.h"
#include "metrics/net_dev.h"
#include "metrics/workload.h"

namespace podagent {

struct ContainerReading {
  ContainerSnapshot container;
  CgroupStats stats;
  bool cgroup_found = false;  // false when the cgroup is gone (exited and cleaned up) or unknown
  DirUsage writable_layer;
  bool has_writable_layer = false;
  int64_t timestamp_ns = 0;
};

struct PodReading {
  PodSnapshot pod;
  CgroupStats stats;
  bool cgroup_found = false;
  std::vector<InterfaceStats> interfaces;  // empty for host-network pods and gone pause processes
  std::vector<ContainerReading> containers;
  int64_t timestamp_ns = 0;
};

class WorkloadStatsReader {
 public:
  // `disk` may be shared with other readers; `proc_root` and `sys_root` are /proc and /sys
  // outside tests (fd counts of cgroup processes, block device names).
  WorkloadStatsReader(CgroupLayout layout, std::shared_ptr<DiskUsageCache> disk,
                      std::string proc_root = "/proc", std::string sys_root = "/sys");

  ContainerReading ReadContainer(const ContainerSnapshot& c, absl::Time now) const;
  // The pod and the given containers (those whose pod_id matches).
  PodReading ReadPod(const PodSnapshot& pod, const std::vector<ContainerSnapshot>& containers,
                     absl::Time now) const;
  // Every pod of `source` with its containers; containers whose pod is unknown are dropped.
  std::vector<PodReading> ReadAll(const WorkloadSource& source, absl::Time now) const;

  const CgroupLayout& Layout() const { return layout_; }

 private:
  CgroupLayout layout_;
  std::shared_ptr<DiskUsageCache> disk_;
  std::string proc_root_;
  std::string sys_root_;
};

// True when something could be read from the cgroup (it exists and has a controller we know).
bool HasAnyStat(const CgroupStats& s);

}  // namespace podagent
