#include "agent/container/container_convert.h"
#include "agent/container/container_manager.h"
#include "agent/grpc_status.h"
#include "agent/services.h"

namespace podagent {

grpc::Status RuntimeServiceImpl::ListContainers(grpc::ServerContext*, const cri::ListContainersRequest* req,
                                                cri::ListContainersResponse* resp) {
  m_.containers->ForEach([&](const ContainerRecord& r) {
    if (!req->has_filter() || MatchesFilter(r, req->filter())) FillContainer(r, resp->add_containers());
  });
  return grpc::Status::OK;
}

}  // namespace podagent
