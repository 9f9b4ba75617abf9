// ListPodSandboxMetrics: per pod and per container, the same samples the /metrics endpoint shows.
#include "agent/grpc_status.h"
#include "agent/services.h"
#include "agent/stats/cri_stats.h"
#include "agent/stats/stats_manager.h"

namespace podagent {

absl::Status StatsManager::ListPodSandboxMetrics(const cri::ListPodSandboxMetricsRequest&,
                                                 cri::ListPodSandboxMetricsResponse* resp) {
  std::vector<PodReading> readings =
      ReadPods([](const PodSnapshot&) { return true; }, [](const ContainerSnapshot&) { return true; },
               ReadDepth::kMetrics);  // the cAdvisor families, as the endpoint serves them
  for (const PodReading& r : readings) FillPodSandboxMetrics(r, resp->add_pod_metrics());
  return absl::OkStatus();
}

grpc::Status RuntimeServiceImpl::ListPodSandboxMetrics(grpc::ServerContext*,
                                                       const cri::ListPodSandboxMetricsRequest* request,
                                                       cri::ListPodSandboxMetricsResponse* response) {
  return ToGrpc(m_.stats->ListPodSandboxMetrics(*request, response));
}

}  // namespace podagent
