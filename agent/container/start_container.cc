#include "agent/container/container_manager.h"
#include "agent/grpc_status.h"
#include "agent/services.h"

namespace podagent {

grpc::Status RuntimeServiceImpl::StartContainer(grpc::ServerContext*, const cri::StartContainerRequest* req,
                                                cri::StartContainerResponse*) {
  return ToGrpc(m_.containers->Start(req->container_id()));
}

}  // namespace podagent
