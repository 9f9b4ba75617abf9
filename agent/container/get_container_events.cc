#include "agent/grpc_status.h"
#include "agent/services.h"

namespace podagent {

grpc::Status RuntimeServiceImpl::GetContainerEvents(grpc::ServerContext*, const cri::GetEventsRequest*,
                                                    grpc::ServerWriter<cri::ContainerEventResponse>*) {
  return Unimplemented("GetContainerEvents", "container events (evented PLEG) are not streamed yet; kubelet polls instead");
}

}  // namespace podagent
