#include "agent/grpc_status.h"
#include "agent/sandbox/sandbox_manager.h"
#include "agent/services.h"

namespace podagent {

grpc::Status RuntimeServiceImpl::StopPodSandbox(grpc::ServerContext*, const cri::StopPodSandboxRequest* request,
                                                cri::StopPodSandboxResponse*) {
  // The CRI: stopping a pod that is already gone is success (kubelet retries and cleans up twice).
  absl::Status st = m_.sandboxes->Stop(request->pod_sandbox_id());
  return ToGrpc(absl::IsNotFound(st) ? absl::OkStatus() : st);
}

}  // namespace podagent
