#include "absl/time/clock.h"
#include "agent/grpc_status.h"
#include "agent/sandbox/pod_view.h"
#include "agent/sandbox/sandbox_manager.h"
#include "agent/services.h"
#include "runtime/common/json_text.h"

namespace podagent {

grpc::Status RuntimeServiceImpl::PodSandboxStatus(grpc::ServerContext*, const cri::PodSandboxStatusRequest* request,
                                                  cri::PodSandboxStatusResponse* response) {
  auto view = m_.sandboxes->Status(request->pod_sandbox_id());
  if (!view.ok()) return ToGrpc(view.status());
  FillPodSandboxStatus(view->record, view->ready, response->mutable_status());
  if (request->verbose()) (*response->mutable_info())["info"] = JsonText(VerboseInfo(view->record, view->ready));
  response->set_timestamp(absl::ToUnixNanos(absl::Now()));
  return grpc::Status::OK;
}

}  // namespace podagent
