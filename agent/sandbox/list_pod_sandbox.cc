#include "agent/grpc_status.h"
#include "agent/sandbox/pod_view.h"
#include "agent/sandbox/sandbox_manager.h"
#include "agent/services.h"

namespace podagent {

grpc::Status RuntimeServiceImpl::ListPodSandbox(grpc::ServerContext*, const cri::ListPodSandboxRequest* request,
                                                cri::ListPodSandboxResponse* response) {
  for (const PodView& v : m_.sandboxes->List()) {
    if (request->has_filter() && !MatchesFilter(v.record, v.ready, request->filter())) continue;
    FillPodSandbox(v.record, v.ready, response->add_items());
  }
  return grpc::Status::OK;
}

}  // namespace podagent
