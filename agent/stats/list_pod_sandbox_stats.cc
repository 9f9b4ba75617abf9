// ListPodSandboxStats: stats of the pods matching the filter (id prefix, labels), all when there
// is none, each with its containers.
#include "agent/grpc_status.h"
#include "agent/services.h"
#include "agent/stats/cri_stats.h"
#include "agent/stats/stats_manager.h"

namespace podagent {

absl::Status StatsManager::ListPodSandboxStats(const cri::ListPodSandboxStatsRequest& req,
                                               cri::ListPodSandboxStatsResponse* resp) {
  const cri::PodSandboxStatsFilter& f = req.filter();
  std::vector<PodReading> readings = ReadPods(
      [&](const PodSnapshot& p) { return MatchesId(f.id(), p.id) && MatchesSelector(f.label_selector(), p.labels); },
      [](const ContainerSnapshot&) { return true; });
  for (const PodReading& r : readings) FillPodStats(r, rates_, ctx_.config.root_dir, resp->add_stats());
  return absl::OkStatus();
}

grpc::Status RuntimeServiceImpl::ListPodSandboxStats(grpc::ServerContext*,
                                                     const cri::ListPodSandboxStatsRequest* request,
                                                     cri::ListPodSandboxStatsResponse* response) {
  return ToGrpc(m_.stats->ListPodSandboxStats(*request, response));
}

}  // namespace podagent
