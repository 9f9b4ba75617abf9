// ListContainerStats: stats of the containers matching the filter (id prefix, pod id prefix,
// labels), all when there is none.
#include "agent/grpc_status.h"
#include "agent/services.h"
#include "agent/stats/cri_stats.h"
#include "agent/stats/stats_manager.h"

namespace podagent {

absl::Status StatsManager::ListContainerStats(const cri::ListContainerStatsRequest& req,
                                              cri::ListContainerStatsResponse* resp) {
  const cri::ContainerStatsFilter& f = req.filter();
  absl::Time now = options_.clock();
  std::vector<ContainerSnapshot> matching;
  for (ContainerSnapshot& c : workload_.Containers()) {
    if (MatchesId(f.id(), c.id) && MatchesId(f.pod_sandbox_id(), c.pod_id) && MatchesSelector(f.label_selector(), c.labels)) {
      matching.push_back(std::move(c));
    }
  }
  // Read on two threads; filled here, one after another (the CPU rates are not shared).
  for (const ContainerReading& r : reader_->ReadContainers(matching, now, ReadDepth::kCriContainer)) {
    FillContainerStats(r, rates_, ctx_.config.root_dir, resp->add_stats());
  }
  PruneRates(now);
  return absl::OkStatus();
}

grpc::Status RuntimeServiceImpl::ListContainerStats(grpc::ServerContext*, const cri::ListContainerStatsRequest* request,
                                                    cri::ListContainerStatsResponse* response) {
  return ToGrpc(m_.stats->ListContainerStats(*request, response));
}

}  // namespace podagent
