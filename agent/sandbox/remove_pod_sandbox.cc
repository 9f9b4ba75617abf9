#include "agent/grpc_status.h"
#include "agent/sandbox/sandbox_manager.h"
#include "agent/services.h"

namespace podagent {

grpc::Status RuntimeServiceImpl::RemovePodSandbox(grpc::ServerContext*, const cri::RemovePodSandboxRequest* request,
                                                  cri::RemovePodSandboxResponse*) {
  return ToGrpc(m_.sandboxes->Remove(request->pod_sandbox_id()));
}

}  // namespace podagent
