#include "agent/grpc_status.h"
#include "agent/sandbox/sandbox_manager.h"
#include "agent/services.h"

namespace podagent {

grpc::Status RuntimeServiceImpl::StopPodSandbox(grpc::ServerContext*, const cri::StopPodSandboxRequest* request,
                                                cri::StopPodSandboxResponse*) {
  return ToGrpc(m_.sandboxes->Stop(request->pod_sandbox_id()));
}

}  // namespace podagent
