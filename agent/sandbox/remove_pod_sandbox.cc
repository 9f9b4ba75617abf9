#include "agent/grpc_status.h"
#include "agent/sandbox/sandbox_manager.h"
#include "agent/services.h"

namespace podagent {

grpc::Status RuntimeServiceImpl::RemovePodSandbox(grpc::ServerContext*, const cri::RemovePodSandboxRequest* request,
                                                  cri::RemovePodSandboxResponse*) {
  // The CRI: removing a pod that is already gone is success.
  absl::Status st = m_.sandboxes->Remove(request->pod_sandbox_id());
  return ToGrpc(absl::IsNotFound(st) ? absl::OkStatus() : st);
}

}  // namespace podagent
