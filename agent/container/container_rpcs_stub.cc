// STUB: replaced by the containers work, one RPC per file.
#include "agent/grpc_status.h"
#include "agent/services.h"

namespace podagent {
namespace {
const char kWhy[] = "containers are not implemented yet";
}

#define PODAGENT_STUB(Name, Req, Resp) \
  grpc::Status RuntimeServiceImpl::Name(grpc::ServerContext*, const cri::Req*, cri::Resp*) { return Unimplemented(#Name, kWhy); }
PODAGENT_STUB(CreateContainer, CreateContainerRequest, CreateContainerResponse)
PODAGENT_STUB(StartContainer, StartContainerRequest, StartContainerResponse)
PODAGENT_STUB(StopContainer, StopContainerRequest, StopContainerResponse)
PODAGENT_STUB(RemoveContainer, RemoveContainerRequest, RemoveContainerResponse)
PODAGENT_STUB(ListContainers, ListContainersRequest, ListContainersResponse)
PODAGENT_STUB(ContainerStatus, ContainerStatusRequest, ContainerStatusResponse)
PODAGENT_STUB(UpdateContainerResources, UpdateContainerResourcesRequest, UpdateContainerResourcesResponse)
PODAGENT_STUB(ReopenContainerLog, ReopenContainerLogRequest, ReopenContainerLogResponse)
PODAGENT_STUB(ExecSync, ExecSyncRequest, ExecSyncResponse)
PODAGENT_STUB(Exec, ExecRequest, ExecResponse)
PODAGENT_STUB(Attach, AttachRequest, AttachResponse)
PODAGENT_STUB(CheckpointContainer, CheckpointContainerRequest, CheckpointContainerResponse)
#undef PODAGENT_STUB

grpc::Status RuntimeServiceImpl::GetContainerEvents(grpc::ServerContext*, const cri::GetEventsRequest*,
                                                    grpc::ServerWriter<cri::ContainerEventResponse>*) {
  return Unimplemented("GetContainerEvents", kWhy);
}

}  // namespace podagent
