#pragma once
// podagent's own metrics (podagent_*): CRI requests, image pulls, build info in a prometheus-cpp
// Registry; pods/containers by state and shim/pause process counts computed at scrape time by
// WorkloadStateCollector.
//
// API for other domains (see README.md): agent code reaches the one AgentMetrics through
// StatsManager::Metrics() and calls
//   ObserveCriRequest(method, grpc_code, seconds)  -- done by the daemon for every CRI call
//   ObserveImagePull(success, bytes)               -- by the image domain once per PullImage

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"

#include "metrics/workload.h"
#include "prometheus/collectable.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace podagent {

struct BuildInfo {
  std::string version, git_commit;
};

// gRPC status code name in CamelCase ("OK", "NotFound", ...) for code 0..16; "Unknown" otherwise.
std::string GrpcCodeName(int code);

class AgentMetrics {
 public:
  explicit AgentMetrics(const BuildInfo& build);

  void ObserveCriRequest(const std::string& method, int grpc_code, double seconds);
  // One finished image pull; `bytes` = bytes fetched from the registry (0 when all were cached).
  void ObserveImagePull(bool success, uint64_t bytes);

  std::shared_ptr<prometheus::Registry> Registry() const { return registry_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& durations_;
  prometheus::Family<prometheus::Counter>& pulls_;
  prometheus::Counter& pull_bytes_;
};

// Counts on the host, through `proc_root`: pause processes = pods whose pause_pid is alive;
// shim processes = live parents, named podagent-shim, of the containers' processes.
struct ProcessCounts {
  uint64_t pause = 0, shim = 0;
};
ProcessCounts CountProcesses(const std::vector<PodSnapshot>& pods, const std::vector<ContainerSnapshot>& containers,
                             const std::string& proc_root = "/proc");

// The process counts read /proc two or three times per pod (a third of a /metrics scrape's CPU
// at 500 pods), so a count is kept for `recount_after` while the workload's pause and container
// pids and states stay the same; a pod or container that starts, stops or changes its process
// is counted at once. Only a process that dies while its record does not change (a shim killed
// under a live container) shows up to `recount_after` late, as the cAdvisor families of the
// housekeeping cache do. Zero counts at every scrape.
class WorkloadStateCollector : public prometheus::Collectable {
 public:
  using Clock = std::function<absl::Time()>;
  explicit WorkloadStateCollector(const WorkloadSource& source, std::string proc_root = "/proc",
                                  absl::Duration recount_after = absl::ZeroDuration(), Clock clock = absl::Now)
      : source_(source), proc_root_(std::move(proc_root)), recount_after_(recount_after), clock_(std::move(clock)) {}
  // podagent_pods{state}, podagent_containers{state}, podagent_pause_processes,
  // podagent_shim_processes.
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  ProcessCounts Counts(const std::vector<PodSnapshot>& pods, const std::vector<ContainerSnapshot>& containers) const;

  const WorkloadSource& source_;
  std::string proc_root_;
  absl::Duration recount_after_;
  Clock clock_;
  mutable std::mutex mu_;
  mutable std::string counted_for_;  // the pids and states counted last; guarded by mu_
  mutable ProcessCounts counts_;     // guarded by mu_
  mutable absl::Time counted_at_ = absl::InfinitePast();  // guarded by mu_
};

}  // namespace podagent
