// PodSandboxStats: the stats of one pod (its cgroup, network, processes and containers), by full
// id or unique prefix.
#include "absl/strings/str_cat.h"
#include "agent/grpc_status.h"
#include "agent/services.h"
#include "agent/stats/cri_stats.h"
#include "agent/stats/stats_manager.h"

namespace podagent {

absl::Status StatsManager::PodSandboxStats(const cri::PodSandboxStatsRequest& req, cri::PodSandboxStatsResponse* resp) {
  const std::string& id = req.pod_sandbox_id();
  if (id.empty()) return absl::InvalidArgumentError("pod sandbox stats: pod sandbox id is empty");
  if (ctx_.pods == nullptr) return absl::NotFoundError(absl::StrCat("pod sandbox ", id, " not found"));
  absl::StatusOr<PodInfo> pod = ctx_.pods->GetPod(id);
  if (!pod.ok()) return pod.status();
  std::string full_id = pod->id;
  std::vector<PodReading> readings = ReadPods([&](const PodSnapshot& p) { return p.id == full_id; },
                                              [&](const ContainerSnapshot& c) { return c.pod_id == full_id; });
  if (readings.empty()) return absl::NotFoundError(absl::StrCat("pod sandbox ", id, " not found"));
  FillPodStats(readings.front(), rates_, ctx_.config.root_dir, resp->mutable_stats());
  return absl::OkStatus();
}

grpc::Status RuntimeServiceImpl::PodSandboxStats(grpc::ServerContext*, const cri::PodSandboxStatsRequest* request,
                                                 cri::PodSandboxStatsResponse* response) {
  return ToGrpc(m_.stats->PodSandboxStats(*request, response));
}

}  // namespace podagent
