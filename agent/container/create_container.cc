#include "agent/container/container_manager.h"
#include "agent/grpc_status.h"
#include "agent/services.h"

namespace podagent {

grpc::Status RuntimeServiceImpl::CreateContainer(grpc::ServerContext*, const cri::CreateContainerRequest* req,
                                                 cri::CreateContainerResponse* resp) {
  if (!req->has_config()) return ToGrpc(absl::InvalidArgumentError("create container: config is missing"));
  auto id = m_.containers->Create(req->pod_sandbox_id(), req->config());
  if (!id.ok()) return ToGrpc(id.status());
  resp->set_container_id(*id);
  return grpc::Status::OK;
}

}  // namespace podagent
