#include "agent/container/container_manager.h"
#include "agent/grpc_status.h"
#include "agent/services.h"

namespace podagent {

grpc::Status RuntimeServiceImpl::StopContainer(grpc::ServerContext*, const cri::StopContainerRequest* req,
                                               cri::StopContainerResponse*) {
  // The CRI: stopping a container that is already gone is success (kubelet retries).
  absl::Status st = m_.containers->Stop(req->container_id(), req->timeout());
  return ToGrpc(absl::IsNotFound(st) ? absl::OkStatus() : st);
}

}  // namespace podagent
