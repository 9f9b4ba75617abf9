#include "agent/container/container_manager.h"
#include "agent/grpc_status.h"
#include "agent/services.h"

namespace podagent {

grpc::Status RuntimeServiceImpl::RemoveContainer(grpc::ServerContext*, const cri::RemoveContainerRequest* req,
                                                 cri::RemoveContainerResponse*) {
  // The CRI: removing a container that is already gone is success.
  absl::Status st = m_.containers->Remove(req->container_id());
  return ToGrpc(absl::IsNotFound(st) ? absl::OkStatus() : st);
}

}  // namespace podagent
