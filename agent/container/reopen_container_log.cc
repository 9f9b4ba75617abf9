#include "agent/container/container_manager.h"
#include "agent/grpc_status.h"
#include "agent/services.h"

namespace podagent {

grpc::Status RuntimeServiceImpl::ReopenContainerLog(grpc::ServerContext*, const cri::ReopenContainerLogRequest* req,
                                                    cri::ReopenContainerLogResponse*) {
  return ToGrpc(m_.containers->ReopenLog(req->container_id()));
}

}  // namespace podagent
