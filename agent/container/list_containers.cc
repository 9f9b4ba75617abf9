#include "absl/strings/match.h"
#include "agent/container/container_convert.h"
#include "agent/container/container_manager.h"
#include "agent/grpc_status.h"
#include "agent/services.h"

namespace podagent {
namespace {

bool Matches(const ContainerRecord& r, const cri::ContainerFilter& f) {
  if (!f.id().empty() && !absl::StartsWith(r.id, f.id())) return false;
  if (f.has_state() && ToCriState(r.state) != f.state().state()) return false;
  if (!f.pod_sandbox_id().empty() && !absl::StartsWith(r.pod_id, f.pod_sandbox_id())) return false;
  for (const auto& [k, v] : f.label_selector()) {
    auto it = r.labels.find(k);
    if (it == r.labels.end() || it->second != v) return false;
  }
  return true;
}

}  // namespace

grpc::Status RuntimeServiceImpl::ListContainers(grpc::ServerContext*, const cri::ListContainersRequest* req,
                                                cri::ListContainersResponse* resp) {
  for (const ContainerRecord& r : m_.containers->List()) {
    if (req->has_filter() && !Matches(r, req->filter())) continue;
    FillContainer(r, resp->add_containers());
  }
  return grpc::Status::OK;
}

}  // namespace podagent
