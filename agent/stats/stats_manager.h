#pragma once
// StatsManager: cgroup stats for the CRI stats calls and the Prometheus endpoint.
//   Start()          serves /metrics on ctx.config.metrics_listen ("" = none): the cAdvisor
//                    families, read from cgroups every metrics_housekeeping_seconds and served
//                    with their read times (metrics/pod_text_cache.h), or at each scrape when 0;
//                    plus podagent's own metrics.
//   ObserveRequest() counts one finished CRI request (called by the request interceptor).
//   Metrics()        podagent's own metrics, for other domains (image pulls: metrics/README.md).
// The CRI stats RPCs (agent/stats/*.cc, one per file) call the methods below; they and the
// endpoint read through the same WorkloadStatsReader, so both show the same figures.

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "agent/context.h"
#include "agent/stats/workload_adapter.h"
#include "api.pb.h"
#include "metrics/agent_metrics.h"
#include "metrics/cgroup_layout.h"
#include "metrics/container_collector.h"
#include "metrics/machine_metrics.h"
#include "metrics/cpu_rate.h"
#include "metrics/pod_text_cache.h"
#include "metrics/workload_stats.h"

namespace podagent {

namespace cri = ::runtime::v1;

class MetricsServer;

class StatsManager {
 public:
  // For tests: where cgroups and /proc are read, and the clock.
  struct Options {
    std::optional<CgroupLayout> layout;  // default: from ctx.cgroups, else probed at /sys/fs/cgroup
    std::string proc_root = "/proc";
    std::function<absl::Time()> clock = absl::Now;
  };

  explicit StatsManager(AgentContext& ctx);
  StatsManager(AgentContext& ctx, Options options);
  ~StatsManager();

  // Starts the metrics endpoint on ctx.config.metrics_listen ("" = none).
  absl::Status Start();
  // Records one finished CRI request (method, gRPC code, seconds) for podagent's own metrics.
  void ObserveRequest(const std::string& method, int grpc_code, double seconds);

  AgentMetrics& Metrics() { return *agent_metrics_; }
  // The port the endpoint listens on (useful with ":0"); 0 when not serving.
  int MetricsPort() const;

  absl::Status ContainerStats(const cri::ContainerStatsRequest& req, cri::ContainerStatsResponse* resp);
  absl::Status ListContainerStats(const cri::ListContainerStatsRequest& req, cri::ListContainerStatsResponse* resp);
  absl::Status PodSandboxStats(const cri::PodSandboxStatsRequest& req, cri::PodSandboxStatsResponse* resp);
  absl::Status ListPodSandboxStats(const cri::ListPodSandboxStatsRequest& req,
                                   cri::ListPodSandboxStatsResponse* resp);
  absl::Status ListMetricDescriptors(const cri::ListMetricDescriptorsRequest& req,
                                     cri::ListMetricDescriptorsResponse* resp);
  absl::Status ListPodSandboxMetrics(const cri::ListPodSandboxMetricsRequest& req,
                                     cri::ListPodSandboxMetricsResponse* resp);

 private:
  // Pods matching `pod_filter` (id prefix, labels) with their containers matching `keep`.
  std::vector<PodReading> ReadPods(const std::function<bool(const PodSnapshot&)>& pod_filter,
                                   const std::function<bool(const ContainerSnapshot&)>& keep,
                                   ReadDepth depth = ReadDepth::kCri);
  void PruneRates(absl::Time now);
  // What writes the cAdvisor families into a scrape: the housekeeping cache, or a read per scrape.
  std::function<void(std::string&)> ContainerText();

  AgentContext& ctx_;
  Options options_;
  AgentWorkload workload_;
  std::unique_ptr<WorkloadStatsReader> reader_;
  std::shared_ptr<AgentMetrics> agent_metrics_;
  std::shared_ptr<ContainerCollector> container_collector_;
  std::shared_ptr<WorkloadStateCollector> state_collector_;
  std::shared_ptr<MachineCollector> machine_collector_;
  CpuRateTracker rates_;
  std::unique_ptr<PodTextCache> pod_text_;  // when housekeeping is on; outlives server_'s threads
  std::unique_ptr<MetricsServer> server_;
};

}  // namespace podagent
