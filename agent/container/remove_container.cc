#include "agent/container/container_manager.h"
#include "agent/grpc_status.h"
#include "agent/services.h"

namespace podagent {

grpc::Status RuntimeServiceImpl::RemoveContainer(grpc::ServerContext*, const cri::RemoveContainerRequest* req,
                                                 cri::RemoveContainerResponse*) {
  return ToGrpc(m_.containers->Remove(req->container_id()));
}

}  // namespace podagent
