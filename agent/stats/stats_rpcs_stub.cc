// STUB: replaced by the metrics work, one RPC per file.
#include "agent/grpc_status.h"
#include "agent/services.h"

namespace podagent {
namespace {
const char kWhy[] = "stats are not implemented yet";
}

#define PODAGENT_STUB(Name, Req, Resp) \
  grpc::Status RuntimeServiceImpl::Name(grpc::ServerContext*, const cri::Req*, cri::Resp*) { return Unimplemented(#Name, kWhy); }
PODAGENT_STUB(ContainerStats, ContainerStatsRequest, ContainerStatsResponse)
PODAGENT_STUB(ListContainerStats, ListContainerStatsRequest, ListContainerStatsResponse)
PODAGENT_STUB(PodSandboxStats, PodSandboxStatsRequest, PodSandboxStatsResponse)
PODAGENT_STUB(ListPodSandboxStats, ListPodSandboxStatsRequest, ListPodSandboxStatsResponse)
PODAGENT_STUB(ListMetricDescriptors, ListMetricDescriptorsRequest, ListMetricDescriptorsResponse)
PODAGENT_STUB(ListPodSandboxMetrics, ListPodSandboxMetricsRequest, ListPodSandboxMetricsResponse)
#undef PODAGENT_STUB

}  // namespace podagent
