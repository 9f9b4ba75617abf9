#include "agent/container/container_convert.h"
#include "agent/container/container_manager.h"
#include "agent/grpc_status.h"
#include "agent/services.h"

namespace podagent {

grpc::Status RuntimeServiceImpl::ContainerStatus(grpc::ServerContext*, const cri::ContainerStatusRequest* req,
                                                 cri::ContainerStatusResponse* resp) {
  auto rec = m_.containers->Get(req->container_id());
  if (!rec.ok()) return ToGrpc(rec.status());
  FillContainerStatus(*rec, resp->mutable_status());
  if (req->verbose()) (*resp->mutable_info())["info"] = VerboseInfo(*rec);
  return grpc::Status::OK;
}

}  // namespace podagent
