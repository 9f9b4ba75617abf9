#include "agent/container/container_manager.h"
#include "agent/grpc_status.h"
#include "agent/services.h"

namespace podagent {

grpc::Status RuntimeServiceImpl::UpdateContainerResources(grpc::ServerContext*,
                                                          const cri::UpdateContainerResourcesRequest* req,
                                                          cri::UpdateContainerResourcesResponse*) {
  if (!req->has_linux()) return grpc::Status::OK;  // nothing for Linux to change
  return ToGrpc(m_.containers->UpdateResources(req->container_id(), req->linux()));
}

}  // namespace podagent
