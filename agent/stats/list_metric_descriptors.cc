// ListMetricDescriptors: the cAdvisor families that ListPodSandboxMetrics fills (kubelet's
// CRI-only stats path), with their label keys.
#include "agent/grpc_status.h"
#include "agent/services.h"
#include "agent/stats/cri_stats.h"
#include "agent/stats/stats_manager.h"

namespace podagent {

absl::Status StatsManager::ListMetricDescriptors(const cri::ListMetricDescriptorsRequest&,
                                                 cri::ListMetricDescriptorsResponse* resp) {
  for (const MetricDef& def : ContainerMetricDefs()) FillMetricDescriptor(def, resp->add_descriptors());
  return absl::OkStatus();
}

grpc::Status RuntimeServiceImpl::ListMetricDescriptors(grpc::ServerContext*,
                                                       const cri::ListMetricDescriptorsRequest* request,
                                                       cri::ListMetricDescriptorsResponse* response) {
  return ToGrpc(m_.stats->ListMetricDescriptors(*request, response));
}

}  // namespace podagent
