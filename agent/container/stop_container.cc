#include "agent/container/container_manager.h"
#include "agent/grpc_status.h"
#include "agent/services.h"

namespace podagent {

grpc::Status RuntimeServiceImpl::StopContainer(grpc::ServerContext*, const cri::StopContainerRequest* req,
                                               cri::StopContainerResponse*) {
  return ToGrpc(m_.containers->Stop(req->container_id(), req->timeout()));
}

}  // namespace podagent
