// ContainerStats: the stats of one container, by full id or unique prefix.
#include "absl/strings/str_cat.h"
#include "agent/grpc_status.h"
#include "agent/services.h"
#include "agent/stats/cri_stats.h"
#include "agent/stats/stats_manager.h"

namespace podagent {

absl::Status StatsManager::ContainerStats(const cri::ContainerStatsRequest& req, cri::ContainerStatsResponse* resp) {
  const std::string& id = req.container_id();
  if (id.empty()) return absl::InvalidArgumentError("container stats: container id is empty");
  std::vector<ContainerSnapshot> found;
  for (ContainerSnapshot& c : workload_.Containers()) {
    if (c.id == id) {
      found = {std::move(c)};
      break;
    }
    if (MatchesId(id, c.id)) found.push_back(std::move(c));
  }
  if (found.empty()) return absl::NotFoundError(absl::StrCat("container ", id, " not found"));
  if (found.size() > 1) return absl::InvalidArgumentError(absl::StrCat("container id prefix ", id, " is ambiguous"));
  ContainerReading r = reader_->ReadContainer(found.front(), options_.clock(), ReadDepth::kCriContainer);
  FillContainerStats(r, rates_, ctx_.config.root_dir, resp->mutable_stats());
  return absl::OkStatus();
}

grpc::Status RuntimeServiceImpl::ContainerStats(grpc::ServerContext*, const cri::ContainerStatsRequest* request,
                                                cri::ContainerStatsResponse* response) {
  return ToGrpc(m_.stats->ContainerStats(*request, response));
}

}  // namespace podagent
