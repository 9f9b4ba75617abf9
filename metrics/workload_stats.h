#pragma once
// WorkloadStatsReader: reads, at the moment of the call, the cgroup stats of pods and containers,
// each pod's network counters (through its pause process) and each container's writable-layer
// usage. Shared by the Prometheus collector and the CRI stats calls so both show the same figures.
// The CRI depths read their cgroup files through files held open between calls
// (metrics/open_stat_files.h); files unread for two minutes are closed.
// What only the Prometheus families need (a walk of /proc per process, statfs of the writable
// layer's filesystem) is read at ReadDepth::kMetrics only, so the CRI stats calls do not pay it.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "metrics/cgroup_layout.h"
#include "metrics/cgroup_reader.h"
#include "metrics/cgroup_stats.h"
#include "metrics/device_names.h"
#include "metrics/disk_usage.h"
#include "metrics/fs_stats.h"
#include "metrics/helper_thread.h"
#include "metrics/net_dev.h"
#include "metrics/open_stat_files.h"
#include "metrics/workload.h"

namespace podagent {

// kCri: cgroup files, pod network counters and writable-layer usage (the CRI stats calls).
// kCriContainer: kCri without the cgroup's process count, which the CRI's ContainerStats does not
// carry (ContainerStats, ListContainerStats: 4 of ~13 syscalls per container on v1).
// kMetrics: also what only the cAdvisor families read: fds and sockets, task states, the main
// process's open-files ulimit, the writable layer's filesystem (the collector, ListPodSandboxMetrics).
enum class ReadDepth { kCri, kCriContainer, kMetrics };

struct ContainerReading {
  ContainerSnapshot container;
  CgroupStats stats;
  bool cgroup_found = false;  // false when the cgroup is gone (exited and cleaned up) or unknown
  DirUsage writable_layer;
  bool has_writable_layer = false;
  std::optional<FsStats> filesystem;            // kMetrics: the writable layer's filesystem
  std::optional<int64_t> max_open_files_soft;   // kMetrics: /proc/<pid>/limits, -1 unlimited
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

  ContainerReading ReadContainer(const ContainerSnapshot& c, absl::Time now,
                                 ReadDepth depth = ReadDepth::kCri) const;
  // The pod and the given containers (those whose pod_id matches). The containers are read
  // first: the pod's recursive process and thread counts add those of its containers' cgroups
  // (direct children of the pod cgroup) instead of reading their files a second time.
  PodReading ReadPod(const PodSnapshot& pod, const std::vector<ContainerSnapshot>& containers, absl::Time now,
                     ReadDepth depth = ReadDepth::kCri) const;
  // The containers in the given order; by two threads, as ReadAll, from 8 containers on
  // (ListContainerStats: one container after another took ~35 ms at 500).
  std::vector<ContainerReading> ReadContainers(const std::vector<ContainerSnapshot>& containers, absl::Time now,
                                               ReadDepth depth) const;
  // `pods` with their containers among `containers` (others are dropped), in the given order;
  // by two threads, as ReadAll, from 8 pods on.
  std::vector<PodReading> ReadPods(const std::vector<PodSnapshot>& pods, std::vector<ContainerSnapshot> containers,
                                   absl::Time now, ReadDepth depth) const;
  // Every pod of `source` with its containers; containers whose pod is unknown are dropped.
  // Read by two threads (the caller's and the reader's HelperThread) when there are 8 pods or more.
  std::vector<PodReading> ReadAll(const WorkloadSource& source, absl::Time now,
                                  ReadDepth depth = ReadDepth::kCri) const;

  const CgroupLayout& Layout() const { return layout_; }
  // The cgroup files the CRI depths hold open (for tests: how many are held).
  const OpenStatFiles& HeldFiles() const { return *held_; }

 private:
  CgroupStats ReadStats(const std::string& path, ReadDepth depth, absl::Time now,
                        const KnownChildren* known = nullptr) const;
  // Runs `work` here and on the helper thread when `items` reach kPodsPerHelper, else here alone.
  void RunShared(size_t items, const std::function<void()>& work) const;

  CgroupLayout layout_;
  std::shared_ptr<DiskUsageCache> disk_;
  std::string proc_root_;
  std::string sys_root_;
  std::unique_ptr<DeviceNames> device_names_;  // a cache: filled by const reads
  std::unique_ptr<OpenStatFiles> held_;          // likewise
  mutable std::once_flag helper_once_;
  mutable std::unique_ptr<HelperThread> helper_;  // started by the first ReadAll of 8 pods or more
};

// True when something could be read from the cgroup (it exists and has a controller we know).
bool HasAnyStat(const CgroupStats& s);

}  // namespace podagent
