#include "metrics/workload_stats.h"

#include <atomic>
#include <functional>
#include <map>
#include <system_error>
#include <utility>

#include "metrics/cgroup_cri_reader.h"
#include "metrics/cgroup_reader.h"
#include "metrics/proc_fds.h"
#include "metrics/proc_tasks.h"
#include "metrics/stat_files.h"
#include "metrics/ulimits.h"

namespace podagent {
namespace {

// ReadAll reads on a second thread from this many pods (below it a thread costs more than it saves).
constexpr size_t kPodsPerHelper = 8;

// The process and thread counts just read for those containers whose cgroup is a direct child
// of `parent_path`, by the child's directory name.
KnownChildren ChildCountsOf(const std::string& parent_path, const std::vector<ContainerReading>& containers) {
  KnownChildren known;
  for (const ContainerReading& c : containers) {
    const std::string& path = c.container.cgroup_path;
    if (!c.cgroup_found || path.size() <= parent_path.size() + 1 || path.compare(0, parent_path.size(), parent_path) != 0 ||
        path[parent_path.size()] != '/') {
      continue;
    }
    std::string name = path.substr(parent_path.size() + 1);
    if (name.find('/') != std::string::npos) continue;
    known[name] = ChildCounts{c.stats.pids.processes, c.stats.pids.threads};
  }
  return known;
}

}  // namespace

bool HasAnyStat(const CgroupStats& s) {
  return s.cpu.usage_ns || s.cpu.shares || s.memory.usage || s.memory.limit || s.pids.current ||
         s.pids.processes;
}

WorkloadStatsReader::WorkloadStatsReader(CgroupLayout layout, std::shared_ptr<DiskUsageCache> disk,
                                         std::string proc_root, std::string sys_root)
    : layout_(std::move(layout)), disk_(std::move(disk)), proc_root_(std::move(proc_root)),
      sys_root_(std::move(sys_root)), device_names_(std::make_unique<DeviceNames>(sys_root_, proc_root_)),
      held_(std::make_unique<OpenStatFiles>(DefaultMaxOpenStatFiles())) {
  if (!disk_) disk_ = std::make_shared<DiskUsageCache>();
}

// At kCri only the figures of the CRI messages (metrics/cgroup_cri_reader.h). At kMetrics every
// cgroup figure, its block devices named, and what /proc adds for the cgroup's own processes:
// their fds and sockets (container_file_descriptors/_sockets) and task states (container_tasks_state).
CgroupStats WorkloadStatsReader::ReadStats(const std::string& path, ReadDepth depth, absl::Time now,
                                           const KnownChildren* known) const {
  if (depth != ReadDepth::kMetrics) {
    return ReadCgroupCriStats(layout_, path, known, depth == ReadDepth::kCri, held_.get(), now);
  }
  // The cgroup.procs read for the process count also serves both walks of its processes.
  std::optional<std::string> procs;
  CgroupStats s = ReadCgroupStats(layout_, path, &procs, known);
  for (DeviceIo& d : s.io) d.device = device_names_->Block(d.major, d.minor);
  if (procs) {
    FdCounts fds = CountProcessFds(*procs, proc_root_);
    s.pids.fds = fds.fds;
    s.pids.sockets = fds.sockets;
    s.pids.tasks = CountTaskStates(*procs, proc_root_);
  }
  return s;
}

ContainerReading WorkloadStatsReader::ReadContainer(const ContainerSnapshot& c, absl::Time now,
                                                    ReadDepth depth) const {
  ContainerReading r;
  r.container = c;
  r.timestamp_ns = absl::ToUnixNanos(now);
  if (!c.cgroup_path.empty()) {
    r.stats = ReadStats(c.cgroup_path, depth, now);
    r.cgroup_found = HasAnyStat(r.stats);
  }
  if (!c.upper_dir.empty()) {
    r.writable_layer = disk_->Get(c.upper_dir, now);
    r.has_writable_layer = true;
    if (depth == ReadDepth::kMetrics) r.filesystem = ReadFsStats(c.upper_dir, *device_names_);
  }
  if (depth == ReadDepth::kMetrics) r.max_open_files_soft = ReadMaxOpenFilesSoft(c.pid, proc_root_);
  return r;
}

PodReading WorkloadStatsReader::ReadPod(const PodSnapshot& pod, const std::vector<ContainerSnapshot>& containers,
                                        absl::Time now, ReadDepth depth) const {
  PodReading r;
  r.pod = pod;
  r.timestamp_ns = absl::ToUnixNanos(now);
  for (const ContainerSnapshot& c : containers) {
    if (c.pod_id == pod.id) r.containers.push_back(ReadContainer(c, now, depth));
  }
  if (!pod.cgroup_path.empty()) {
    KnownChildren known = ChildCountsOf(pod.cgroup_path, r.containers);
    r.stats = ReadStats(pod.cgroup_path, depth, now, &known);
    r.cgroup_found = HasAnyStat(r.stats);
  }
  if (!pod.host_network) r.interfaces = ReadNetDev(pod.pause_pid, proc_root_);
  return r;
}

void WorkloadStatsReader::RunShared(size_t items, const std::function<void()>& work) const {
  HelperThread* helper = nullptr;
  if (items >= kPodsPerHelper) {
    try {
      std::call_once(helper_once_, [this] { helper_ = std::make_unique<HelperThread>(); });
      helper = helper_.get();
    } catch (const std::system_error&) {  // no thread to be had now: this one reads them all
    }
  }
  if (helper != nullptr) {
    helper->RunBeside(work);
  } else {
    work();
  }
}

std::vector<ContainerReading> WorkloadStatsReader::ReadContainers(const std::vector<ContainerSnapshot>& containers,
                                                                  absl::Time now, ReadDepth depth) const {
  std::vector<ContainerReading> out(containers.size());
  std::atomic<size_t> next{0};
  RunShared(containers.size(), [&] {
    for (size_t i; (i = next.fetch_add(1)) < containers.size();) out[i] = ReadContainer(containers[i], now, depth);
  });
  return out;
}

std::vector<PodReading> WorkloadStatsReader::ReadPods(const std::vector<PodSnapshot>& pods,
                                                      std::vector<ContainerSnapshot> containers, absl::Time now,
                                                      ReadDepth depth) const {
  std::map<std::string, std::vector<ContainerSnapshot>> by_pod;
  for (ContainerSnapshot& c : containers) by_pod[c.pod_id].push_back(std::move(c));
  std::vector<PodReading> out(pods.size());
  static const std::vector<ContainerSnapshot> kNone;
  std::atomic<size_t> next{0};
  std::function<void()> work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < pods.size();) {
      auto it = by_pod.find(pods[i].id);
      out[i] = ReadPod(pods[i], it == by_pod.end() ? kNone : it->second, now, depth);
    }
  };
  // Two threads (this one and the reader's helper) share the pods; each pod is read whole by one.
  RunShared(pods.size(), work);
  disk_->Prune(now - absl::Minutes(10));
  return out;
}

std::vector<PodReading> WorkloadStatsReader::ReadAll(const WorkloadSource& source, absl::Time now,
                                                     ReadDepth depth) const {
  return ReadPods(source.Pods(), source.Containers(), now, depth);
}

}  // namespace podagent
