#include "metrics/workload_stats.h"

#include <map>
#include <utility>

#include "metrics/blkio.h"
#include "metrics/cgroup_reader.h"
#include "metrics/proc_fds.h"

namespace podagent {

namespace {

// The cgroup's stats plus what /proc and /sys add: the fd counts of its processes
// (container_file_descriptors/_sockets) and the names of its block devices.
CgroupStats ReadWithProcAndSys(const CgroupLayout& layout, const std::string& path, const std::string& proc_root,
                               const std::string& sys_root) {
  CgroupStats s = ReadCgroupStats(layout, path);
  if (std::optional<FdCounts> fds = ReadCgroupFdCounts(ProcsDir(layout, path), proc_root)) {
    s.pids.fds = fds->fds;
    s.pids.sockets = fds->sockets;
  }
  for (DeviceIo& d : s.io) d.device = BlockDeviceName(d.major, d.minor, sys_root);
  return s;
}

}  // namespace

bool HasAnyStat(const CgroupStats& s) {
  return s.cpu.usage_ns || s.cpu.shares || s.memory.usage || s.memory.limit || s.pids.current ||
         s.pids.processes;
}

WorkloadStatsReader::WorkloadStatsReader(CgroupLayout layout, std::shared_ptr<DiskUsageCache> disk,
                                         std::string proc_root, std::string sys_root)
    : layout_(std::move(layout)), disk_(std::move(disk)), proc_root_(std::move(proc_root)),
      sys_root_(std::move(sys_root)) {
  if (!disk_) disk_ = std::make_shared<DiskUsageCache>();
}

ContainerReading WorkloadStatsReader::ReadContainer(const ContainerSnapshot& c, absl::Time now) const {
  ContainerReading r;
  r.container = c;
  r.timestamp_ns = absl::ToUnixNanos(now);
  if (!c.cgroup_path.empty()) {
    r.stats = ReadWithProcAndSys(layout_, c.cgroup_path, proc_root_, sys_root_);
    r.cgroup_found = HasAnyStat(r.stats);
  }
  if (!c.upper_dir.empty()) {
    r.writable_layer = disk_->Get(c.upper_dir, now);
    r.has_writable_layer = true;
  }
  return r;
}

PodReading WorkloadStatsReader::ReadPod(const PodSnapshot& pod, const std::vector<ContainerSnapshot>& containers,
                                        absl::Time now) const {
  PodReading r;
  r.pod = pod;
  r.timestamp_ns = absl::ToUnixNanos(now);
  if (!pod.cgroup_path.empty()) {
    r.stats = ReadWithProcAndSys(layout_, pod.cgroup_path, proc_root_, sys_root_);
    r.cgroup_found = HasAnyStat(r.stats);
  }
  if (!pod.host_network) r.interfaces = ReadNetDev(pod.pause_pid, proc_root_);
  for (const ContainerSnapshot& c : containers) {
    if (c.pod_id == pod.id) r.containers.push_back(ReadContainer(c, now));
  }
  return r;
}

std::vector<PodReading> WorkloadStatsReader::ReadAll(const WorkloadSource& source, absl::Time now) const {
  std::map<std::string, std::vector<ContainerSnapshot>> by_pod;
  for (ContainerSnapshot& c : source.Containers()) by_pod[c.pod_id].push_back(std::move(c));
  std::vector<PodReading> out;
  for (const PodSnapshot& pod : source.Pods()) out.push_back(ReadPod(pod, by_pod[pod.id], now));
  disk_->Prune(now - absl::Minutes(10));
  return out;
}

}  // namespace podagent
